// An HSM's section: its facts, findings, diagnostic settings as read, destinations, log activity, highlights and
// fixes.
import { STATUS_LABEL, type FindingView, type HsmView } from "../../view.js";
import { LAYOUT, STATUS_COLOR, mono, type Layout } from "../layout.js";
import { activity } from "./activity.js";
import { fixes, type ShownFixes } from "./fixes.js";

/** An HSM's section, under its subscription's entry in the outline. */
export function hsm(p: Layout, shown: ShownFixes, h: HsmView, outline?: PDFKit.PDFOutline) {
  const doc = p.doc;
  p.ensure(220);
  if (p.y > LAYOUT.margins.top + 40) {
    doc
      .moveTo(p.left, p.y + 4)
      .lineTo(p.left + p.contentWidth, p.y + 4)
      .lineWidth(0.6)
      .strokeColor(LAYOUT.rule)
      .stroke();
    p.y += p.lh(LAYOUT.body) * 0.8;
  }
  // The headline is the worst counted status (as in the HTML); the counts include everything.
  const worst = { ...STATUS_LABEL[h.worst] };
  const review = h.findings.filter((f) => !f.counted).length;
  (outline ?? doc.outline).addItem(`${h.resource.name} (${h.kindLabel})`);
  p.heading(`${h.resource.name}`, 2);
  p.flow(
    `${worst.symbol} ${worst.word} · ${h.statusCounts.map((c) => `${c.count} ${c.word}`).join(", ")}${review ? ` (${STATUS_LABEL.review.word}: below the fail-on threshold, not counted)` : ""}`,
    { font: "bold", size: 9, color: STATUS_COLOR[h.worst] },
  );
  p.y += p.lh(9) * 0.3;
  p.keyValues(h.facts.map((fact) => ({ ...fact, mono: fact.label === "Resource id" })));

  p.heading("Findings", 3);
  p.findingsTable(h.findings);

  if (h.manualEvidence) {
    p.heading("Manual evidence expected", 3);
    p.paragraph(h.manualEvidence.description);
    p.paragraph(h.manualEvidence.rationale, { color: LAYOUT.muted });
  }
  if (h.settingsError) {
    p.heading("Diagnostic settings", 3);
    p.paragraph(`! The diagnostic settings could not be read: ${h.settingsError}`, { color: STATUS_COLOR.error });
  }
  if (h.settings) {
    const audit = h.resource.auditCategories?.join(", ");
    p.heading(`Diagnostic settings${audit ? ` (audit trail: ${audit})` : ""}`, 3);
    if (h.settings.length === 0) p.paragraph("✗ No diagnostic setting.", { color: STATUS_COLOR.fail });
    for (const s of h.settings) {
      p.paragraph(
        `${s.name}: ${s.carriesAudit ? "◆ carries the audit category (marked lines)" : "does not carry the audit category"}`,
        { font: "bold", size: 8.5 },
      );
      p.code(s.lines.map((l) => ({ text: l.audit ? `${l.text}   ◆ audit` : l.text, mark: l.audit })));
    }
  }
  if (h.destinations.length) {
    p.heading("Destinations", 3);
    p.table(
      [
        { header: "Kind", width: 64 },
        { header: "Destination", width: 180 },
        { header: "Audit", width: 32 },
        { header: "State", width: 56 },
        { header: "Detail", width: 171 },
      ],
      h.destinations.map((d) => [
        { text: d.kindLabel },
        mono(d.id),
        { text: d.carriesAudit ? "◆ yes" : "no" },
        { text: d.stateText, color: d.state === "exists" ? STATUS_COLOR.pass : STATUS_COLOR.fail },
        { text: d.detail },
      ]),
    );
  }
  if (h.activity.length) {
    p.heading("Log activity", 3);
    for (const a of h.activity) activity(p, a);
  }
  if (h.highlights.length) {
    p.heading("Highlights for review", 3);
    for (const v of h.highlights) highlight(p, v);
  }
  if (h.fixes.length) fixes(p, shown, h.fixes, h.resource.name);
}

/** A highlight for review: what it found, its rows, and the query that found them. */
function highlight(p: Layout, v: FindingView) {
  const details = v.finding.details!;
  p.ensure(90);
  p.paragraph(`${v.finding.policyId}: ${v.finding.title} (${v.finding.severity})`, { font: "bold", size: 8.5 });
  p.paragraph(v.finding.message, { size: 8.5 });
  p.table(
    [
      { header: "Time (UTC)", width: 110 },
      { header: "Operation", width: 146 },
      { header: "Caller", width: 74 },
      { header: "Identity", width: 90 },
      { header: "Note", width: 83 },
    ],
    details.rows.map((r) => [
      { text: r.time },
      { text: r.operation },
      mono(r.caller),
      { text: r.identity ?? "" },
      { text: r.note ?? "" },
    ]),
  );
  if (details.total > details.rows.length) {
    p.paragraph(`${details.rows.length} of ${details.total} shown.`, { size: 7.5, color: LAYOUT.muted });
  }
  p.paragraph("The query that found them:", { size: 7.5, color: LAYOUT.muted });
  for (const query of details.queries.slice(0, 1))
    p.code(
      query.split("\n").map((text) => ({ text })),
      6.5,
    );
}
