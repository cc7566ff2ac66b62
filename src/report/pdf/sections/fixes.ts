// The fixes of a section's failures: the az CLI and PowerShell commands, each set shown once in the pack.
import type { FindingView } from "../../view.js";
import { LAYOUT, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";

/** The first fix shown with each set of commands: where it is, to refer to from the same commands later. */
export type ShownFixes = Map<string, { policyId: string; where: string; page: number; anchor: string }>;

/**
 * The az CLI, PowerShell and Bicep fix of each failure of `where` (an HSM, a subscription). Commands already shown in
 * full (the same fix of another policy, or of another HSM: those that name no resource) are referred to, with a
 * link to them, rather than repeated.
 */
export function fixes(p: Layout, shown: ShownFixes, findings: FindingView[], where: string) {
  if (!findings.length) return;
  p.heading("Remediation", 3);
  for (const v of findings) {
    const { azCli, powershell, bicep } = v.finding.remediation;
    const key = `${azCli ?? ""}\u0000${powershell ?? ""}\u0000${bicep ?? ""}`;
    const title = `Fix for ${v.finding.policyId} (${v.status.word}, ${v.finding.severity})`;
    const earlier = shown.get(key);
    if (earlier) {
      p.ensure(40);
      p.paragraph(title, { font: "bold", size: 8.5 });
      const style: Style = { font: "sans", size: 8.5, color: LAYOUT.link };
      const text =
        earlier.where === where
          ? `The same commands as the fix for ${earlier.policyId} above.`
          : `The same commands as the fix for ${earlier.policyId} of ${earlier.where}, page ${earlier.page}.`;
      const lines = p.type.lines(text, style.font, style.size, p.contentWidth);
      const y = p.y;
      p.flow(text, style);
      lines.forEach((line, i) =>
        p.doc.goTo(p.left, y + i * p.lh(8.5), p.type.width(line, "sans", 8.5), p.lh(8.5), earlier.anchor),
      );
      p.y += p.lh(8.5) * 0.35;
      continue;
    }
    p.ensure(80);
    const anchor = `fix-${shown.size + 1}`;
    p.doc.addNamedDestination(anchor, "XYZ", p.left, p.y, null);
    shown.set(key, { policyId: v.finding.policyId, where, page: p.pages, anchor });
    p.paragraph(title, { font: "bold", size: 8.5 });
    if (azCli) p.command("Azure CLI", azCli);
    if (powershell) p.command("PowerShell", powershell);
    if (bicep) p.command("Bicep", bicep);
  }
}
