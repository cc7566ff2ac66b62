// Writes the chosen formats into the output directory, all or nothing: every file is rendered beside its final name,
// then all are renamed into place; on any failure the partial files are removed.
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Result } from "../model/result.js";
import { renderJson } from "./json.js";

/** Every format of the contract, with its file name. */
export const FORMAT_FILES = {
  json: "result.json",
  html: "report.html",
  pdf: "report.pdf",
  sarif: "results.sarif",
  junit: "junit.xml",
  csv: "findings.csv",
  md: "summary.md",
} as const;
export type Format = keyof typeof FORMAT_FILES;

export type Paper = "a4" | "letter";

/** What renderers know beside the result: how to lay it out, and the digest of the result.json they accompany. */
export interface RenderContext {
  paper: Paper;
  /** SHA-256 (hex) of result.json exactly as written. */
  resultSha256: string;
  /** SARIF: also the failures below the fail-on threshold (for review), which are left out by default. */
  sarifAll?: boolean;
}

/** A renderer that returns the file's whole content. */
type TextRenderer = (result: Result, context: RenderContext) => string | Uint8Array;
/** A renderer that writes as it goes (the PDF of a large estate is never held whole in memory). */
type StreamRenderer = (result: Result, context: RenderContext, out: Writable) => Promise<void>;

type Renderer = { text: TextRenderer } | { stream: StreamRenderer };

/**
 * The formats this build renders, each loaded only when asked for (a scan that writes JSON never loads the PDF
 * library); the others of the contract are refused with a clear message.
 */
export const RENDERERS: Partial<Record<Format, () => Promise<Renderer>>> = {
  json: async () => ({ text: renderJson }),
  html: async () => ({ text: (await import("./html.js")).renderHtml }),
  pdf: async () => ({ stream: (await import("./pdf.js")).renderPdf }),
  sarif: async () => ({ text: (await import("./sarif.js")).renderSarif }),
  junit: async () => ({ text: (await import("./junit.js")).renderJunit }),
  md: async () => ({ text: (await import("./markdown.js")).renderMarkdown }),
  csv: async () => ({ text: (await import("./csv.js")).renderCsv }),
};

export function available(format: Format): boolean {
  return Boolean(RENDERERS[format]);
}

/** The results could not be written (disk full, permissions changed during the scan). */
export class OutputError extends Error {}

export async function writeOutputs(
  result: Result,
  outDir: string,
  formats: readonly Format[],
  options: { paper?: Paper; sarifAll?: boolean } = {},
): Promise<string[]> {
  const wanted = [...new Set<Format>(["json", ...formats])];
  const json = renderJson(result);
  const context: RenderContext = {
    paper: options.paper ?? "a4",
    ...(options.sarifAll ? { sarifAll: true } : {}),
    resultSha256: createHash("sha256").update(json, "utf8").digest("hex"),
  };
  const temps: string[] = [];
  const files = wanted.map((format) => join(outDir, FORMAT_FILES[format]));
  try {
    mkdirSync(outDir, { recursive: true });
    for (const [i, format] of wanted.entries()) {
      const temp = `${files[i]}.${process.pid}.tmp`;
      temps.push(temp);
      const load = RENDERERS[format];
      if (!load) throw new Error(`no renderer for ${format}`);
      const renderer = await load();
      if ("stream" in renderer) {
        await streamTo(temp, (out) => renderer.stream(result, context, out));
        continue;
      }
      writeFileSync(temp, format === "json" ? json : renderer.text(result, context));
    }
    files.forEach((file, i) => renameSync(temps[i]!, file));
  } catch (error) {
    for (const temp of temps) rmSync(temp, { force: true });
    const { code, message } = error as NodeJS.ErrnoException;
    if (!code) throw error;
    throw new OutputError(`cannot write the results into ${outDir}: ${code ?? message}`);
  }
  return files;
}

async function streamTo(file: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const out = createWriteStream(file);
  const closed = new Promise<void>((resolve, reject) => {
    out.on("close", resolve);
    out.on("error", reject);
  });
  try {
    await write(out);
  } catch (error) {
    out.destroy();
    await closed.catch(() => {});
    throw error;
  }
  await closed;
}
