// `hsm-audit policies list`: kept apart from `show`, so that listing loads neither the check kinds nor the frameworks.
import type { Policy } from "../../engine/policy.js";
import { printLine } from "../output.js";

export function listPolicies(policies: Policy[], print: (line: string) => void = printLine): number {
  const width = Math.max(...policies.map((p) => p.id.length));
  print(`${"id".padEnd(width)}  severity  applies to                          title`);
  for (const p of policies) {
    print(`${p.id.padEnd(width)}  ${p.severity.padEnd(8)}  ${p.appliesTo.join(", ").padEnd(34)}  ${p.title}`);
  }
  print("");
  print(`${policies.length} policies. 'hsm-audit policies show ID' prints one in full.`);
  return 0;
}
