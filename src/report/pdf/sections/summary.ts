// The executive summary: the verdict, the counts by status, severity and kind, and what needs attention.
import type { ReportView } from "../../view.js";
import { plural } from "../../../model/words.js";
import { LAYOUT, STATUS_COLOR, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";
import { groupAnchor, type FindingGroup } from "./groups.js";

/**
 * The executive summary. With `groups` (the summary layout), what needs attention is the list of the groups of
 * Findings to act on, each a link, rather than every resource by name.
 */
export function summary(p: Layout, v: ReportView, groups?: FindingGroup[]) {
  const doc = p.doc;
  p.newPage();
  doc.outline.addItem("Executive summary");
  p.begin("summary");
  p.heading("Executive summary", 1);
  p.paragraph(`${v.verdict}. ${v.meaning}`, { font: "bold" });
  // Status counts, each a box with symbol, count and word.
  const boxes = v.statusCounts;
  const gap = 6;
  const w = (p.contentWidth - gap * (boxes.length - 1)) / boxes.length;
  p.ensure(48);
  const y = p.y;
  boxes.forEach((b, i) => {
    const x = p.left + i * (w + gap);
    doc.rect(x, y, w, 40).lineWidth(0.6).strokeColor(LAYOUT.rule).stroke();
    doc.rect(x, y, w, 3).fillColor(STATUS_COLOR[b.key]).fill();
    const count: Style = { font: "bold", size: 15, color: STATUS_COLOR[b.key] };
    p.type.draw([p.fit(String(b.count), count, w - 12)], x + 6, y + 8, count);
    const word: Style = { font: "sans", size: 8, color: STATUS_COLOR[b.key] };
    p.type.draw([p.fit(`${b.symbol} ${b.word}`, word, w - 12)], x + 6, y + 27, word);
  });
  p.y = y + 52;
  p.heading("Failing and errored findings by severity", 3);
  p.table(
    [
      { header: "Severity", width: 2 },
      { header: "Fail", width: 1 },
      { header: "Review", width: 1 },
      { header: "Error", width: 1 },
    ],
    v.severityRows.map((r) => [
      { text: r.severity },
      { text: String(r.fail) },
      { text: String(r.review) },
      { text: String(r.error) },
    ]),
  );
  p.heading("HSMs by kind", 3);
  p.table(
    [
      { header: "Kind", width: 3 },
      { header: "HSMs", width: 1 },
      { header: "Pass", width: 1 },
      { header: "Fail", width: 1 },
      { header: "Review", width: 1 },
      { header: "Error", width: 1 },
      { header: "Manual", width: 1 },
    ],
    v.kindRows.length
      ? v.kindRows.map((r) => [
          { text: r.kind },
          { text: String(r.hsms) },
          { text: String(r.pass) },
          { text: String(r.fail) },
          { text: String(r.review) },
          { text: String(r.error) },
          { text: String(r.manual) },
        ])
      : [
          [
            { text: "No HSM was found." },
            { text: "0" },
            { text: "" },
            { text: "" },
            { text: "" },
            { text: "" },
            { text: "" },
          ],
        ],
  );
  if (groups) {
    p.heading("Needs attention", 2);
    if (groups.length === 0)
      p.paragraph("No finding failed, errored, waits for manual evidence, is for review or was waived.");
    else
      p.table(
        [
          { header: "Group", width: 40 },
          { header: "Status", width: 60 },
          { header: "Policy", width: 300 },
          { header: "Findings", width: 60 },
        ],
        groups.map((g) => [
          { text: "", ids: [`#${g.n}`], anchor: (ref) => groupAnchor(ref.slice(1)) },
          { text: `${g.status.symbol} ${g.status.word}`, color: STATUS_COLOR[g.status.key], font: "bold" },
          [{ text: `${g.policyId} (${g.severity})` }, { text: g.title, color: LAYOUT.muted }],
          { text: plural(g.findings.length, "finding") },
        ]),
      );
  } else {
    p.heading("Needs attention", 2);
    if (v.attention.length) p.findingGroups(v.attention);
    else p.paragraph("No finding failed or errored.");
    if (v.review.length) {
      p.heading("For review (below the fail-on threshold: reported, not counted)", 2);
      p.findingGroups(v.review);
    }
  }
  if (v.tenantFindings.length) {
    p.heading("Tenant", 2);
    p.findingsTable(v.tenantFindings);
  }
}
