// Errors and completeness: what could not be read, and what the configuration left out.
import type { ReportView } from "../../view.js";
import { mono, type Layout } from "../layout.js";

export function errors(p: Layout, v: ReportView) {
  p.newPage();
  p.doc.outline.addItem("Errors and completeness");
  p.begin("errors");
  p.heading("Errors and completeness", 1);
  p.paragraph(v.completeness);
  if (v.clock?.beyondTolerance) p.paragraph(v.clock.text);
  if (v.excluded.length) {
    p.paragraph("These resources were left out of evaluation by the configuration's exclude; they have no finding.");
    p.table(
      [
        { header: "Resource", width: 3 },
        { header: "Pattern", width: 2 },
      ],
      v.excluded.map((e) => [mono(e.resourceId), mono(e.pattern)]),
    );
  }
  if (v.errors.length) {
    p.table(
      [
        { header: "What could not be read", width: 140 },
        { header: "Resource", width: 150 },
        { header: "Answer", width: 60 },
        { header: "Message", width: 150 },
      ],
      v.errors.map((e) => [{ text: e.for }, mono(e.resourceId), { text: e.answer }, { text: e.message }]),
    );
  }
}
