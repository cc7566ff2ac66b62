// The waivers: who accepted which exception, until when, and what it covered.
import type { ReportView } from "../../view.js";
import { STATUS_COLOR, type Layout } from "../layout.js";

export function waivers(p: Layout, v: ReportView) {
  if (!v.waivers) return;
  p.newPage();
  p.doc.outline.addItem("Waivers");
  p.begin("waivers");
  p.heading("Waivers", 1);
  p.paragraph(
    "Accepted exceptions from the waivers file: who owns each, until when, and which failures or manual findings it covered. An error is never waived.",
  );
  if (v.waivers.length === 0) p.paragraph("The waivers file holds no waiver.");
  else
    p.table(
      [
        { header: "State", width: 80 },
        { header: "Policy and resource", width: 150 },
        { header: "Owner and ticket", width: 70 },
        { header: "Expires", width: 50 },
        { header: "Reason", width: 90 },
        { header: "Covers", width: 90 },
      ],
      v.waivers.map((w) => [
        { text: w.stateText, color: w.state === "expired" ? STATUS_COLOR.fail : STATUS_COLOR.waived },
        { text: `${w.waiver.policy}\n${w.waiver.resource}` },
        { text: [w.waiver.owner, w.waiver.ticket].filter(Boolean).join("\n") },
        { text: w.waiver.expires },
        { text: w.waiver.reason },
        { text: w.covers.join("\n") },
      ]),
    );
}
