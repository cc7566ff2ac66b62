// Writes the chosen formats into the output directory, all or nothing: every file is rendered beside its final name,
// then all are renamed into place; on any failure the partial files are removed.
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Result } from "../model/result.js";
import { renderJson } from "./json.js";
import { renderHtml } from "./html.js";
import { renderPdf } from "./pdf.js";
import { renderSarif } from "./sarif.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { renderCsv } from "./csv.js";

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
}

/** A renderer that returns the file's whole content. */
type TextRenderer = (result: Result, context: RenderContext) => string | Uint8Array;
/** A renderer that writes as it goes (the PDF of a large estate is never held whole in memory). */
type StreamRenderer = (result: Result, context: RenderContext, out: Writable) => Promise<void>;

/** The formats this build renders; the others of the contract are refused with a clear message. */
export const RENDERERS: Partial<Record<Format, TextRenderer>> = {
  json: renderJson,
  html: renderHtml,
  sarif: renderSarif,
  junit: renderJunit,
  md: renderMarkdown,
  csv: renderCsv,
};
export const STREAM_RENDERERS: Partial<Record<Format, StreamRenderer>> = {
  pdf: renderPdf,
};

export function available(format: Format): boolean {
  return Boolean(RENDERERS[format] ?? STREAM_RENDERERS[format]);
}

/** The results could not be written (disk full, permissions changed during the scan). */
export class OutputError extends Error {}

export async function writeOutputs(
  result: Result,
  outDir: string,
  formats: readonly Format[],
  options: { paper?: Paper } = {},
): Promise<string[]> {
  const wanted = [...new Set<Format>(["json", ...formats])];
  const json = renderJson(result);
  const context: RenderContext = {
    paper: options.paper ?? "a4",
    resultSha256: createHash("sha256").update(json, "utf8").digest("hex"),
  };
  const temps: string[] = [];
  const files = wanted.map((format) => join(outDir, FORMAT_FILES[format]));
  try {
    mkdirSync(outDir, { recursive: true });
    for (const [i, format] of wanted.entries()) {
      const temp = `${files[i]}.${process.pid}.tmp`;
      temps.push(temp);
      const stream = STREAM_RENDERERS[format];
      if (stream) {
        await streamTo(temp, (out) => stream(result, context, out));
        continue;
      }
      const render = RENDERERS[format];
      if (!render) throw new Error(`no renderer for ${format}`);
      writeFileSync(temp, format === "json" ? json : render(result, context));
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
