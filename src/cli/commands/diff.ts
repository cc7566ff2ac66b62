// `hsm-audit diff OLD NEW`: month over month between two packs (their directories or result.json files). Prints the
// changes (terminal, Markdown or the JSON of result.json's `changes`) and exits 1 when a failure at or above NEW's
// fail-on is new, 3 when no such failure is new but evidence is newly missing (a finding became an error, a read
// failed that did not before: nothing about it is proven), 0 otherwise; a pack that cannot be read is exit 2.
import { computeChanges, changesExitCode } from "../../report/changes.js";
import { changesLines, changesMarkdown } from "../../report/changes-text.js";
import { cell } from "../../report/markdown.js";
import { printableResult } from "../../report/printable.js";
import { printLine } from "../output.js";
import { checkOrder, loadPack } from "../previous.js";

export const DIFF_FORMATS = ["text", "md", "json"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface DiffOptions {
  old: string;
  new: string;
  format: DiffFormat;
  color: boolean;
  print?: (line: string) => void;
}

export function diff(options: DiffOptions): 0 | 1 | 3 {
  const print = options.print ?? printLine;
  const older = loadPack("OLD", options.old, { allowFile: true });
  const newer = loadPack("NEW", options.new, { allowFile: true });
  checkOrder(
    { label: `OLD ${older.file}`, startedAt: older.result.startedAt },
    { label: `NEW ${newer.file}`, startedAt: newer.result.startedAt },
  );
  const changes = computeChanges(older, newer.result);
  const code = changesExitCode(changes);
  if (options.format === "json") {
    print(JSON.stringify(changes, null, 2));
    return code;
  }
  const shown = printableResult({ ...newer.result, changes });
  const paint = (c: string, text: string) => (options.color ? `\u001b[${c}m${text}\u001b[0m` : text);
  if (options.format === "md") {
    print(changesMarkdown(shown, cell).join("\n"));
    print("");
    print(`Exit code ${code}: ${EXIT_MEANING[code]}`);
    return code;
  }
  for (const line of changesLines(shown, paint)) print(line);
  print("");
  const verdict = `${EXIT_MEANING[code]} (exit code ${code}).`;
  print(code === 1 ? paint("31;1", verdict) : code === 3 ? paint("35;1", verdict) : paint("32;1", verdict));
  return code;
}

const EXIT_MEANING: Record<0 | 1 | 3, string> = {
  0: "No new failure at or above NEW's fail-on and no evidence newly missing",
  1: "A failure at or above NEW's fail-on is new since OLD",
  3: "No new gating failure, but evidence is newly missing (a new error): not proven",
};
