// `hsm-audit policies list|show ID`: the policy pack as the scan would use it (built-in plus --policies).
import type { Policy } from "../../engine/policy.js";
import { CHECK_KINDS } from "../../engine/checks/index.js";
import { loadFrameworks, mappingsOf } from "../../engine/frameworks.js";
import { UsageError } from "../errors.js";
import { printLine } from "../output.js";

export { listPolicies } from "./policy-list.js";

export function showPolicy(policies: Policy[], id: string, print: (line: string) => void = printLine): number {
  const policy = policies.find((p) => p.id === id);
  if (!policy) throw new UsageError(`no policy '${id}'; 'hsm-audit policies list' lists them`);
  const kind = CHECK_KINDS.get(policy.check)!;
  print(`${policy.id}: ${policy.title}`);
  print(`  severity:    ${policy.severity}`);
  print(`  applies to:  ${policy.appliesTo.join(", ")}`);
  print(`  source:      ${policy.source === "built-in" ? "built-in" : policy.file}`);
  print(`  check:       ${policy.check} (${kind.description})`);
  print(`  params:      ${JSON.stringify(policy.params)}`);
  print("");
  print(policy.description);
  print("");
  print(`Why: ${policy.rationale}`);
  print("");
  print("Remediation (az CLI):");
  for (const line of policy.remediation.azCli.trimEnd().split("\n")) print(`  ${line}`);
  print("Remediation (PowerShell):");
  for (const line of policy.remediation.powershell.trimEnd().split("\n")) print(`  ${line}`);
  if (policy.remediation.bicep) {
    print("Remediation (Bicep):");
    for (const line of policy.remediation.bicep.trimEnd().split("\n")) print(`  ${line}`);
  }
  for (const [name, fix] of Object.entries(policy.remediation.cases ?? {})) {
    print(`Remediation when the finding is '${name}' (az CLI):`);
    for (const line of fix.azCli.trimEnd().split("\n")) print(`  ${line}`);
    print(`Remediation when the finding is '${name}' (PowerShell):`);
    for (const line of fix.powershell.trimEnd().split("\n")) print(`  ${line}`);
    if (fix.bicep) {
      print(`Remediation when the finding is '${name}' (Bicep):`);
      for (const line of fix.bicep.trimEnd().split("\n")) print(`  ${line}`);
    }
  }
  const mappings = mappingsOf(policy.id, loadFrameworks());
  if (mappings.length > 0) {
    print("");
    print("Controls:");
    for (const { framework, requirement } of mappings) {
      print(`  ${framework.title} ${framework.version} ${requirement.id}: ${requirement.title}`);
    }
  }
  if (policy.references.length > 0) {
    print("");
    print("References:");
    for (const r of policy.references) print(`  ${r.title}: ${r.url}`);
  }
  return 0;
}
