// Writes the chosen formats into the output directory, all or nothing: every file is rendered first, then written
// beside its final name and renamed into place.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Result } from "../model/result.js";
import { renderJson } from "./json.js";
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

/** The formats this build renders; the others of the contract are refused with a clear message. */
export const RENDERERS: Partial<Record<Format, (result: Result) => string | Uint8Array>> = {
  json: renderJson,
  sarif: renderSarif,
  junit: renderJunit,
  md: renderMarkdown,
  csv: renderCsv,
};

/** The results could not be written (disk full, permissions changed during the scan). */
export class OutputError extends Error {}

export function writeOutputs(result: Result, outDir: string, formats: readonly Format[]): string[] {
  const wanted = [...new Set<Format>(["json", ...formats])];
  const rendered = wanted.map((format) => {
    const render = RENDERERS[format];
    if (!render) throw new Error(`no renderer for ${format}`);
    return { file: join(outDir, FORMAT_FILES[format]), content: render(result) };
  });
  const temps: string[] = [];
  try {
    mkdirSync(outDir, { recursive: true });
    for (const { file, content } of rendered) {
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, content);
      temps.push(temp);
    }
    rendered.forEach(({ file }, i) => renameSync(temps[i]!, file));
  } catch (error) {
    for (const temp of temps) rmSync(temp, { force: true });
    const { code, message } = error as NodeJS.ErrnoException;
    throw new OutputError(`cannot write the results into ${outDir}: ${code ?? message}`);
  }
  return rendered.map((r) => r.file);
}
