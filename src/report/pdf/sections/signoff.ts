// What the evidence covers (point in time against the period), and the sign-off block signed by hand.
import type { ReportView } from "../../view.js";
import { LAYOUT, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";

/** The roles that sign, and the lines each fills in by hand. */
const ROLES = ["Prepared by", "Reviewed by"] as const;
const LINES = ["Name", "Role", "Date", "Signature"] as const;

export function scopeAndSignOff(p: Layout, v: ReportView) {
  p.newPage();
  p.doc.outline.addItem("Scope and sign-off");
  p.begin("scope");
  p.heading("Scope of the evidence", 1);
  p.paragraph(v.scopeStatement.pointInTime);
  p.paragraph(v.scopeStatement.period);
  p.paragraph(v.scopeStatement.caveat, { color: LAYOUT.muted });
  if (v.scopeStatement.runBy) p.paragraph(v.scopeStatement.runBy);
  for (const line of v.scopeStatement.readAccess ?? []) p.paragraph(line);
  if (v.scopeStatement.readAccessNote) p.paragraph(v.scopeStatement.readAccessNote, { color: LAYOUT.muted });
  p.y += p.lh(LAYOUT.body);
  p.begin("signoff");
  p.heading("Sign-off", 2);
  p.paragraph(
    `The persons below prepared and reviewed this evidence pack: run ${p.runId}, ${v.period.label}, ` +
      `result.json SHA-256 ${v.resultSha256}. Sign by hand on a printed copy, or keep this page with the signed record.`,
  );
  const label: Style = { font: "sans", size: 9, color: LAYOUT.muted };
  const lineGap = 26;
  p.ensure(ROLES.length * (LINES.length * lineGap + 30));
  for (const role of ROLES) {
    p.y += 8;
    p.type.draw([role], p.left, p.y, { font: "bold", size: 10, color: LAYOUT.text });
    p.y += p.lh(10) + 4;
    for (const line of LINES) {
      p.y += lineGap - p.lh(9);
      p.type.draw([line], p.left, p.y, label);
      const base = p.y + p.lh(9);
      p.doc
        .moveTo(p.left + 80, base)
        .lineTo(p.left + p.contentWidth, base)
        .lineWidth(0.6)
        .strokeColor(LAYOUT.muted)
        .stroke();
      p.y = base + 2;
    }
    p.y += 10;
  }
}
