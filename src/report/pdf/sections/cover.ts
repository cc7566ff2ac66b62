// The cover: the verdict, what was scanned and when, and how to read the pack.
import { CUT_NOTE } from "../../printable.js";
import type { ReportView } from "../../view.js";
import { LAYOUT, STATUS_COLOR, type Layout } from "../layout.js";

/** How to read the summary layout (the full layout keeps its own words, below). */
const SUMMARY_GUIDE =
  "How to read this pack: the contents follow this page, then what the evidence covers and the sign-off. The " +
  "executive summary gives the verdict and the groups of findings that need attention; the HSM verdicts list every " +
  "HSM on one row; Findings to act on gives each finding that failed, errored, waits for manual evidence, is for " +
  "review or was waived, with the evidence it rests on (ids that point into Appendix B) and the fix. result.json and " +
  "the snapshot are attached to this file (Appendix C). Statuses are always written out: ✓ PASS, ✗ FAIL, ! ERROR " +
  "(not proven), ? MANUAL (evidence to supply by hand), ◇ REVIEW, ~ WAIVED, – N/A.";

export function cover(p: Layout, v: ReportView, layout: "summary" | "full" = "full") {
  const doc = p.doc;
  p.newPage();
  doc.outline.addItem("Cover");
  p.y += p.lh(12) * 2;
  p.flow(`${v.tool.toUpperCase()} · EVIDENCE PACK`, { font: "sans", size: 9, color: LAYOUT.muted });
  p.y += p.lh(9) * 0.4;
  p.flow(v.title, { font: "bold", size: 24, color: LAYOUT.text });
  p.y += p.lh(24) * 0.3;
  p.flow(`Period covered: ${v.period.label}`, { font: "sans", size: 13, color: LAYOUT.text });
  p.y += p.lh(13) * 1.2;
  const y = p.y;
  const color = v.compliant ? STATUS_COLOR.pass : STATUS_COLOR.fail;
  const meaning = p.type.lines(v.meaning, "sans", 10, p.contentWidth - 24);
  const h = meaning.length * p.lh(10) + 34;
  doc.rect(p.left, y, p.contentWidth, h).fillColor(LAYOUT.headerFill).fill();
  doc.rect(p.left, y, 5, h).fillColor(color).fill();
  p.type.draw([`${v.compliant ? "✓" : "✗"} ${v.verdict}`], p.left + 14, y + 8, {
    font: "bold",
    size: 16,
    color,
  });
  p.type.draw(meaning, p.left + 14, y + 8 + p.lh(16) + 2, { font: "sans", size: 10, color: LAYOUT.text });
  p.y = y + h + 18;
  p.keyValues([
    { label: "Period covered", value: `${v.period.start} to ${v.period.end} (${v.period.duration})` },
    ...(v.scope ? [{ label: "Scope", value: v.scope }] : []),
    { label: "Cloud", value: v.cloud },
    { label: "Tenant", value: v.tenants.join(", ") || "not stated by ARM", mono: v.tenants.length > 0 },
    {
      label: "Subscriptions in scope",
      value: v.subscriptions.map((s) => (s.name === s.id ? s.id : `${s.name} (${s.id})`)).join("\n") || "none listed",
    },
    { label: "HSMs", value: String(v.hsmCount) },
    { label: "Generated", value: `${v.generatedAt} (scan started ${v.startedAt})` },
    { label: "Tool", value: v.tool },
    { label: "Run id", value: p.runId, mono: true },
    {
      label: "Policy pack",
      value: v.policyPack ? `${v.policyPack.version}\nSHA-256 ${v.policyPack.sha256}` : "not recorded",
    },
    { label: "result.json SHA-256", value: v.resultSha256, mono: true },
    { label: "Fail-on threshold", value: v.failOn },
    ...(v.clock ? [{ label: "Clocks", value: v.clock.text }] : []),
  ]);
  p.y += p.lh(LAYOUT.body);
  if (layout === "summary") p.paragraph(SUMMARY_GUIDE, { size: 8.5, color: LAYOUT.muted });
  else
    p.paragraph(
      "How to read this pack: the executive summary gives the verdict and what needs attention; each subscription and HSM " +
        "follows with every policy's status, the evidence it rests on (ids that point into Appendix B), the diagnostic " +
        "settings as read, their destinations, the audit records found, and the fix for each failure. Statuses are " +
        "always written out: ✓ PASS, ✗ FAIL, ! ERROR (not proven), ? MANUAL (evidence to supply by hand), ~ WAIVED, – N/A.",
      { size: 8.5, color: LAYOUT.muted },
    );
  if (v.cut) p.paragraph(CUT_NOTE, { size: 8.5, color: LAYOUT.muted });
}
