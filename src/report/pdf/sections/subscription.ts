// A subscription's section: its own findings before its HSMs.
import type { FindingView } from "../../view.js";
import { LAYOUT, type Layout } from "../layout.js";
import { fixes, type ShownFixes } from "./fixes.js";

/** A subscription's first page: its findings and their fixes. Returns its entry in the outline, for its HSMs. */
export function subscription(
  p: Layout,
  shown: ShownFixes,
  name: string,
  id: string,
  findings: FindingView[],
): PDFKit.PDFOutline {
  p.newPage();
  const outline = p.doc.outline.addItem(`Subscription ${name}`);
  p.heading(`Subscription ${name}`, 1);
  p.paragraph(id, { font: "mono", size: 8, color: LAYOUT.muted });
  if (findings.length) {
    p.findingsTable(findings);
    fixes(
      p,
      shown,
      findings.filter((f) => f.hasFix && (f.finding.status === "fail" || f.finding.status === "error")),
      `subscription ${name}`,
    );
  }
  return outline;
}
