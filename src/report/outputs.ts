// Writes the chosen formats into the output directory, all or nothing (see writeOutputs).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Writable } from "node:stream";
import { makeDirectory, removeCreated, Staging, WriteError } from "../util/safe-write.js";
import type { Result } from "../model/result.js";
import { renderJson, renderJsonBytes } from "./json.js";

/** Every format of the contract, with its file name. */
export const FORMAT_FILES = {
  json: "result.json",
  html: "report.html",
  pdf: "report.pdf",
  sarif: "results.sarif",
  junit: "junit.xml",
  csv: "findings.csv",
  md: "summary.md",
  ocsf: "findings.ocsf.jsonl",
} as const;
export type Format = keyof typeof FORMAT_FILES;

/** The files a signed evidence pack holds beside the formats (docs/evidence-pack.md). */
export const PACK_FILES = {
  manifest: "manifest.sigstore.json",
  snapshot: "snapshot.json",
  evaluation: "evaluation.json",
} as const;

export type Paper = "a4" | "letter";

/**
 * How much of each HSM report.pdf prints: `summary` (the default) every HSM's verdict in one table and every finding
 * that needs attention grouped by policy, the evidence they cite, result.json and the snapshot attached; `full` the
 * pack as earlier versions wrote it, a section of every HSM with everything read about it.
 */
export const PDF_DETAILS = ["summary", "full"] as const;
export type PdfDetail = (typeof PDF_DETAILS)[number];

/** What renderers know beside the result: how to lay it out, and the digest of the result.json they accompany. */
export interface RenderContext {
  paper: Paper;
  /** SHA-256 (hex) of result.json exactly as written. */
  resultSha256: string;
  /** SARIF: also the failures below the fail-on threshold (for review), which are left out by default. */
  sarifAll?: boolean;
  /** report.pdf's layout (default summary). */
  pdfDetail?: PdfDetail;
  /** result.json's bytes exactly as written (the ones `resultSha256` hashes): report.pdf carries them attached. */
  resultJson?: Uint8Array;
  /**
   * The snapshot file the result was evaluated from (scan --snapshot-out, evaluate --snapshot): report.pdf carries it
   * attached. A path, not its content: it is read once, when the PDF is written.
   */
  snapshotFile?: string;
  /** Without a snapshot file: the bytes of a signed pack's `snapshot.json`, which the PDF then carries attached. */
  snapshotBytes?: Uint8Array;
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
  pdf: async () => ({ stream: (await import("./pdf/index.js")).renderPdf }),
  sarif: async () => ({ text: (await import("./sarif.js")).renderSarif }),
  junit: async () => ({ text: (await import("./junit.js")).renderJunit }),
  md: async () => ({ text: (await import("./markdown.js")).renderMarkdown }),
  csv: async () => ({ text: (await import("./csv.js")).renderCsv }),
  ocsf: async () => ({ text: (await import("./ocsf.js")).renderOcsf }),
};

export function available(format: Format): boolean {
  return Boolean(RENDERERS[format]);
}

/**
 * A signed evidence pack written with the formats (src/pack): more files staged beside them, and the manifest, made
 * from every staged file's name and SHA-256 once all are staged, before any is renamed into place.
 */
export interface PackOutputs {
  files: ReadonlyArray<{ name: string; content: Uint8Array }>;
  /** Written with the pack but not part of it, so not in the manifest (the demo's generated keys), with their mode. */
  unlisted?: ReadonlyArray<{ name: string; content: Uint8Array; mode: number }>;
  manifestName: string;
  seal: (files: Array<{ name: string; sha256: string }>) => Promise<Uint8Array>;
}

/** The results could not be written (disk full, permissions changed during the scan). */
export class OutputError extends Error {}

/**
 * Writes the formats into `outDir` together (src/util/safe-write.ts): each is rendered to an exclusive temp file, then
 * all are renamed into place, result.json last. The files an earlier run left under the tool's own output names that
 * this run does not write are removed, so that no report of another run sits beside this run's result.json. On any
 * failure nothing of this run is left.
 */
export async function writeOutputs(
  result: Result,
  outDir: string,
  formats: readonly Format[],
  options: {
    paper?: Paper;
    sarifAll?: boolean;
    pack?: PackOutputs;
    pdfDetail?: PdfDetail;
    snapshotFile?: string;
  } = {},
): Promise<string[]> {
  // result.json is renamed into place last: once it is there, so is everything it came with.
  const wanted = [...new Set<Format>([...formats.filter((f) => f !== "json"), "json"])];
  // Encoded once, and hashed as it is: the bytes written are the bytes hashed.
  const json = renderJsonBytes(result);
  const packSnapshot = options.pack?.files.find((f) => f.name === PACK_FILES.snapshot);
  const context: RenderContext = {
    paper: options.paper ?? "a4",
    ...(options.sarifAll ? { sarifAll: true } : {}),
    ...(options.pdfDetail ? { pdfDetail: options.pdfDetail } : {}),
    ...(options.snapshotFile ? { snapshotFile: options.snapshotFile } : {}),
    ...(!options.snapshotFile && packSnapshot ? { snapshotBytes: packSnapshot.content } : {}),
    resultSha256: json.sha256,
    resultJson: json.bytes,
  };
  const staging = new Staging();
  const pack = options.pack;
  const packWritten = new Set(pack ? [...pack.files.map((f) => f.name), pack.manifestName] : []);
  const stale = [
    ...(Object.keys(FORMAT_FILES) as Format[])
      .filter((format) => !wanted.includes(format))
      .map((format) => join(outDir, FORMAT_FILES[format])),
    // A run that signs nothing leaves no manifest of another run behind, which would vouch for files it never saw.
    // This run's own snapshot (--snapshot-out OUT/snapshot.json, or evaluate --snapshot OUT/snapshot.json) stays.
    ...Object.values(PACK_FILES)
      .filter((name) => !packWritten.has(name))
      .map((name) => join(outDir, name))
      .filter((file) => options.snapshotFile === undefined || resolve(file) !== resolve(options.snapshotFile)),
  ];
  let files: string[];
  let created: string[] = [];
  try {
    created = makeDirectory(outDir);
    for (const format of wanted) {
      // A pack's files and manifest are staged before result.json, which is still renamed into place last.
      if (format === "json" && pack) await stagePack(staging, outDir, pack, json);
      const file = join(outDir, FORMAT_FILES[format]);
      const load = RENDERERS[format];
      if (!load) throw new Error(`no renderer for ${format}`);
      const renderer = await load();
      const content =
        "stream" in renderer
          ? (out: Writable) => renderer.stream(result, context, out)
          : format === "json"
            ? json.bytes
            : renderer.text(result, context);
      await staging.stage(file, content);
    }
    files = staging.commit(stale);
  } catch (error) {
    staging.discard();
    // A run that wrote nothing leaves no directory of its own behind either.
    removeCreated(created);
    if (error instanceof WriteError) throw new OutputError(`cannot write the results into ${outDir}: ${error.message}`);
    const { code } = error as NodeJS.ErrnoException;
    if (!code) throw error;
    throw new OutputError(`cannot write the results into ${outDir}: ${code}`);
  }
  // Listed in the order of the formats asked for, result.json first.
  return [join(outDir, FORMAT_FILES.json), ...files.filter((f) => !f.endsWith(FORMAT_FILES.json))];
}

/** Stages the pack's own files, hashes every file staged (as written, read back), then stages the signed manifest. */
async function stagePack(staging: Staging, outDir: string, pack: PackOutputs, json: { sha256: string }): Promise<void> {
  for (const file of pack.files) await staging.stage(join(outDir, file.name), file.content);
  const hashed: Array<{ name: string; sha256: string }> = [];
  for (const { temp, final } of staging.files()) hashed.push({ name: basename(final), sha256: await sha256Of(temp) });
  hashed.push({ name: FORMAT_FILES.json, sha256: json.sha256 });
  await staging.stage(join(outDir, pack.manifestName), await pack.seal(hashed));
  for (const file of pack.unlisted ?? []) await staging.stage(join(outDir, file.name), file.content, file.mode);
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
