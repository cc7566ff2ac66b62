// Appendix A: how the evidence was gathered, and every policy with what it checks and why.
import type { ReportView } from "../../view.js";
import { LAYOUT, type Layout } from "../layout.js";

export function methodology(p: Layout, v: ReportView) {
  p.newPage();
  p.doc.outline.addItem("Appendix A: methodology");
  p.begin("methodology");
  p.heading("Appendix A: methodology", 1);
  p.paragraph(
    "Each HSM in scope is judged by every policy below. Evidence is gathered through the Azure Resource Manager and " +
      "Log Analytics APIs; every exchange is listed in Appendix B with the SHA-256 of its body. A finding that could " +
      "not be proven is an error, never a pass.",
  );
  for (const sentence of v.collection) p.paragraph(sentence);
  for (const policy of v.policies) {
    p.heading(`${policy.id}: ${policy.title}`, 3);
    p.paragraph(
      `${policy.severity} · applies to ${policy.appliesTo.join(", ")} · check ${policy.check}${policy.source ? ` · ${policy.source}` : ""}`,
      {
        size: 8,
        color: LAYOUT.muted,
      },
    );
    p.paragraph(`What it checks. ${policy.description}`);
    p.paragraph(`Why. ${policy.rationale}`);
    if (policy.frameworks.length) {
      p.paragraph(
        `Supports. ${policy.frameworks.map((x) => `${x.framework} ${x.control}${x.title ? ` (${x.title})` : ""}`).join("; ")}`,
      );
    }
    if (policy.references.length) {
      p.paragraph(`References. ${policy.references.map((r) => `${r.title} ${r.url}`).join("; ")}`, {
        size: 8,
        color: LAYOUT.muted,
      });
    }
  }
}
