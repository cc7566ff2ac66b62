// "Changes since <date>" in the terminal (scan, evaluate, demo and `hsm-audit diff`) and in summary.md: the same
// lists in the same order. Everything from Azure is printed through printableResult (terminal) or cell() (Markdown).
import type { FindingChange, FindingChangeKind, Result, ResultChanges } from "../model/result.js";
import { idKey } from "../domain/ids.js";
import { lookup } from "./lookup.js";
import { changesHeading, changesOfKind, comparabilityText, differenceText, REMOVED_REASON } from "./changes.js";

/** Rows of each list printed; the rest are counted (every change is in result.json). */
export const MAX_CHANGE_ROWS = 50;

export const KIND_TITLE: Record<FindingChangeKind, string> = {
  "new-failure": "New failures",
  "new-error": "New errors (evidence newly missing: not proven)",
  changed: "Changed verdicts",
  resolved: "Resolved failures",
};

const KINDS: FindingChangeKind[] = ["new-failure", "new-error", "changed", "resolved"];

const status = (s: string | undefined) => s ?? "none";

/** The name shown for a change's resource: this pack's, else the previous pack's (an HSM gone since), else the id. */
export function changeNames(result: Result & { changes: ResultChanges }) {
  const look = lookup(result);
  const removed = new Map(result.changes.removedHsms.map((h) => [idKey(h.id), h.name]));
  return (id: string) => look.resource(id)?.name ?? removed.get(idKey(id)) ?? look.displayName(id);
}

/** Whether anything changed at all. */
export function nothingChanged(c: ResultChanges): boolean {
  return (
    c.findings.length === 0 &&
    c.newHsms.length === 0 &&
    c.removedHsms.length === 0 &&
    c.expiredWaivers.length === 0 &&
    c.newReadErrors.length === 0
  );
}

/** One line per change, as the terminal shows it. */
function findingLine(f: FindingChange, name: (id: string) => string): string {
  const gate = f.gating ? " GATING" : "";
  return `${f.policyId} [${f.severity}] on ${name(f.resourceId)}: ${status(f.before)} -> ${status(f.after)}${gate}. ${f.message}`;
}

/** The changes counted on one line (`--quiet`). */
export function changesCountLine(c: ResultChanges): string {
  const n = (kind: FindingChangeKind) => changesOfKind(c, kind).length;
  return (
    `${changesHeading(c)}: ${n("new-failure")} new failure(s) (${c.gating} gating), ${n("new-error")} new error(s), ` +
    `${n("changed")} changed, ${n("resolved")} resolved; ${c.newHsms.length} HSM(s) new, ${c.removedHsms.length} gone` +
    `${c.comparable ? "" : " (the packs did not look at the same estate)"}.`
  );
}

/**
 * The terminal section of a result as printed (printableResult: no value of Azure's prints as anything but itself).
 * `paint` colours a text (identity without colour). Empty when the result has no `changes`.
 */
export function changesLines(shown: Result, paint: (code: string, text: string) => string = (_c, t) => t): string[] {
  if (!shown.changes) return [];
  const result = shown as Result & { changes: ResultChanges };
  const c = result.changes;
  const name = changeNames(result);
  const lines: string[] = [paint("1", changesHeading(c))];
  const warning = comparabilityText(c);
  if (warning) lines.push(paint("33", `  ! ${warning}`));
  for (const d of c.differences) lines.push(`  Differs: ${differenceText(d)}.`);
  if (nothingChanged(c)) {
    lines.push("  No finding, HSM, waiver or read error changed.");
    return lines;
  }
  const list = (title: string, rows: string[], color?: string, note = "") => {
    if (rows.length === 0) return;
    const head = `  ${title} (${rows.length}${note})`;
    lines.push(color ? paint(color, head) : head);
    for (const row of rows.slice(0, MAX_CHANGE_ROWS)) lines.push(`    ${row}`);
    if (rows.length > MAX_CHANGE_ROWS)
      lines.push(`    ...and ${rows.length - MAX_CHANGE_ROWS} more, in result.json (changes).`);
  };
  const color: Record<FindingChangeKind, string | undefined> = {
    "new-failure": "31",
    "new-error": "35",
    changed: undefined,
    resolved: "32",
  };
  for (const kind of KINDS) {
    const note = kind === "new-failure" ? `, ${c.gating} at or above '${c.failOn}'` : "";
    list(
      KIND_TITLE[kind],
      changesOfKind(c, kind).map((f) => findingLine(f, name)),
      color[kind],
      note,
    );
  }
  list(
    "New HSMs",
    c.newHsms.map(
      (h) => `${h.name} (${h.kind}, ${h.id})${h.unresolved ? `: ${h.unresolved} unresolved finding(s)` : ""}`,
    ),
  );
  list(
    "HSMs gone since",
    c.removedHsms.map(
      (h) =>
        `${h.name} (${h.kind}, ${h.id}): ${REMOVED_REASON[h.reason ?? "not-found"]}${h.unresolved ? `; it had ${h.unresolved} unresolved finding(s), not resolved by its absence` : ""}`,
    ),
  );
  list(
    "Waivers expired since",
    c.expiredWaivers.map(
      (w) =>
        `waiver ${w.index} of ${w.policy} for ${w.resource} (owner ${w.owner}${w.ticket ? `, ticket ${w.ticket}` : ""}): expired after ${w.expires}`,
    ),
  );
  list(
    "New read errors",
    c.newReadErrors.map((e) => `${e.for}${e.resourceId ? ` (${name(e.resourceId)})` : ""}: ${e.message}`),
    "35",
  );
  return lines;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * The Markdown section of summary.md (and `diff --format md`), of a result as printed (printableResult). `cell` escapes a value for a table cell (markdown.ts's,
 * passed in so that both files escape alike without importing each other).
 */
export function changesMarkdown(shown: Result, cell: (value: string) => string): string[] {
  if (!shown.changes) return [];
  const result = shown as Result & { changes: ResultChanges };
  const c = result.changes;
  const name = changeNames(result);
  const lines = [`### ${cell(changesHeading(c))}`, ""];
  const warning = comparabilityText(c);
  if (warning) lines.push(`**${cell(warning)}**`, "");
  for (const d of c.differences) lines.push(`- Differs: ${cell(differenceText(d))}.`);
  if (c.differences.length > 0) lines.push("");
  if (nothingChanged(c)) {
    lines.push("No finding, HSM, waiver or read error changed.", "");
    return lines;
  }
  lines.push(
    "| new failures | gating | new errors | changed | resolved | new HSMs | HSMs gone | waivers expired | new read errors |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${changesOfKind(c, "new-failure").length} | ${c.gating} | ${changesOfKind(c, "new-error").length} | ${changesOfKind(c, "changed").length} | ${changesOfKind(c, "resolved").length} | ${c.newHsms.length} | ${c.removedHsms.length} | ${c.expiredWaivers.length} | ${c.newReadErrors.length} |`,
    "",
  );
  const table = (title: string, header: string[], rows: string[][]) => {
    if (rows.length === 0) return;
    lines.push(
      `#### ${title} (${rows.length})`,
      "",
      `| ${header.join(" | ")} |`,
      `| ${header.map(() => "---").join(" | ")} |`,
    );
    for (const row of rows.slice(0, MAX_CHANGE_ROWS)) lines.push(`| ${row.join(" | ")} |`);
    if (rows.length > MAX_CHANGE_ROWS)
      lines.push("", `...and ${rows.length - MAX_CHANGE_ROWS} more, in result.json (changes).`);
    lines.push("");
  };
  for (const kind of KINDS) {
    table(
      KIND_TITLE[kind],
      ["HSM", "policy", "severity", "before", "now", "gating", "finding"],
      changesOfKind(c, kind).map((f) => [
        cell(name(f.resourceId)),
        cell(f.policyId),
        f.severity,
        status(f.before),
        status(f.after),
        f.gating ? "yes" : "no",
        cell(f.message.replace(CONTROL, "")),
      ]),
    );
  }
  table(
    "New HSMs",
    ["HSM", "kind", "id", "unresolved findings"],
    c.newHsms.map((h) => [cell(h.name), h.kind, cell(h.id), String(h.unresolved)]),
  );
  table(
    "HSMs gone since",
    ["HSM", "kind", "id", "why", "unresolved findings then"],
    c.removedHsms.map((h) => [
      cell(h.name),
      h.kind,
      cell(h.id),
      REMOVED_REASON[h.reason ?? "not-found"],
      String(h.unresolved),
    ]),
  );
  table(
    "Waivers expired since",
    ["waiver", "policy", "resource", "owner", "ticket", "expired after"],
    c.expiredWaivers.map((w) => [
      String(w.index),
      cell(w.policy),
      cell(w.resource),
      cell(w.owner),
      cell(w.ticket) || "-",
      cell(w.expires),
    ]),
  );
  table(
    "New read errors",
    ["for", "resource", "message"],
    c.newReadErrors.map((e) => [cell(e.for), e.resourceId ? cell(name(e.resourceId)) : "-", cell(e.message)]),
  );
  while (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
