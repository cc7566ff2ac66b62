// "Changes since <date>": what moved since the previous pack (`--previous`), right after the cover. Drawn from the
// result's `changes` alone; nothing when the run had no previous pack.
import type { FindingChangeKind, Result, ResultChanges } from "../../../model/result.js";
import { changesHeading, changesOfKind, comparabilityText, differenceText, REMOVED_REASON } from "../../changes.js";
import { changeNames, KIND_TITLE, MAX_CHANGE_ROWS, nothingChanged } from "../../changes-text.js";
import { STATUS_COLOR, type Cell, type Layout } from "../layout.js";

const KIND_COLOR: Record<FindingChangeKind, string | undefined> = {
  "new-failure": STATUS_COLOR.fail,
  "new-error": STATUS_COLOR.error,
  changed: undefined,
  resolved: STATUS_COLOR.pass,
};

/** `shown`: the result as printed (printableResult). */
export function changes(p: Layout, shown: Result) {
  if (!shown.changes) return;
  const result = shown as Result & { changes: ResultChanges };
  const c = result.changes;
  const name = changeNames(result);
  const heading = changesHeading(c);
  p.newPage();
  p.doc.outline.addItem(heading);
  p.heading(heading, 1);
  p.paragraph(
    `Compared with the previous pack (run ${c.previous.runId ?? "not recorded"}, started ${c.previous.startedAt}; its result.json SHA-256 ${c.previous.resultSha256}). Findings are matched by policy and resource id, ids compared as Azure compares them (case-insensitively). A failure is gating when it fails at or above this pack's fail-on threshold (${c.failOn}) and did not before.`,
  );
  const warning = comparabilityText(c);
  if (warning) p.paragraph(warning, { color: STATUS_COLOR.fail });
  for (const d of c.differences) p.paragraph(`Differs: ${differenceText(d)}.`);
  if (nothingChanged(c)) {
    p.paragraph("No finding, HSM, waiver or read error changed.");
    return;
  }
  const more = (n: number) => {
    if (n > MAX_CHANGE_ROWS)
      p.paragraph(`...and ${n - MAX_CHANGE_ROWS} more: every change is in result.json (changes).`);
  };
  for (const kind of ["new-failure", "new-error", "changed", "resolved"] as FindingChangeKind[]) {
    const rows = changesOfKind(c, kind);
    if (rows.length === 0) continue;
    p.heading(`${KIND_TITLE[kind]} (${rows.length}${kind === "new-failure" ? `, ${c.gating} gating` : ""})`, 2, {
      ...(KIND_COLOR[kind] ? { color: KIND_COLOR[kind] } : {}),
    });
    p.table(
      [
        { header: "HSM or subscription", width: 110 },
        { header: "Policy", width: 100 },
        { header: "Severity", width: 45 },
        { header: "Before", width: 60 },
        { header: "Now", width: 60 },
        { header: "Finding", width: 155 },
      ],
      rows
        .slice(0, MAX_CHANGE_ROWS)
        .map((f): Cell[] => [
          { text: name(f.resourceId) },
          { text: f.policyId },
          { text: f.gating ? `${f.severity}\ngating` : f.severity },
          { text: f.before ?? "none" },
          { text: f.after ?? "none" },
          { text: f.message },
        ]),
    );
    more(rows.length);
  }
  const hsmTable = (title: string, rows: Cell[][], why: boolean) => {
    if (rows.length === 0) return;
    p.heading(`${title} (${rows.length})`, 2);
    p.table(
      [
        { header: "HSM", width: 110 },
        { header: "Kind", width: 60 },
        { header: "Resource id", width: 210 },
        ...(why ? [{ header: "Why", width: 100 }] : []),
        { header: "Unresolved", width: 50 },
      ],
      rows.slice(0, MAX_CHANGE_ROWS),
    );
    more(rows.length);
  };
  hsmTable(
    "New HSMs",
    c.newHsms.map((h) => [{ text: h.name }, { text: h.kind }, { text: h.id }, { text: String(h.unresolved) }]),
    false,
  );
  hsmTable(
    "HSMs gone since",
    c.removedHsms.map((h) => [
      { text: h.name },
      { text: h.kind },
      { text: h.id },
      { text: REMOVED_REASON[h.reason ?? "not-found"] },
      { text: String(h.unresolved) },
    ]),
    true,
  );
  if (c.expiredWaivers.length > 0) {
    p.heading(`Waivers expired since (${c.expiredWaivers.length})`, 2);
    p.table(
      [
        { header: "Waiver", width: 40 },
        { header: "Policy and resource", width: 250 },
        { header: "Owner and ticket", width: 120 },
        { header: "Expired after", width: 70 },
      ],
      c.expiredWaivers
        .slice(0, MAX_CHANGE_ROWS)
        .map((w) => [
          { text: String(w.index) },
          { text: `${w.policy}\n${w.resource}` },
          { text: [w.owner, w.ticket].filter(Boolean).join("\n") },
          { text: w.expires },
        ]),
    );
    more(c.expiredWaivers.length);
  }
  if (c.newReadErrors.length > 0) {
    p.heading(`New read errors (${c.newReadErrors.length})`, 2, { color: STATUS_COLOR.error });
    p.table(
      [
        { header: "For", width: 120 },
        { header: "Resource", width: 140 },
        { header: "Message", width: 220 },
      ],
      c.newReadErrors
        .slice(0, MAX_CHANGE_ROWS)
        .map((e) => [{ text: e.for }, { text: e.resourceId ? name(e.resourceId) : "-" }, { text: e.message }]),
    );
    more(c.newReadErrors.length);
  }
}
