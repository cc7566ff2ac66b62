// Policies written for a test: what a policy file would hand one check kind.
import { parsePolicy, type Policy } from "../../src/engine/policy.js";
import type { CheckKind } from "../../src/engine/check.js";

/** A policy file for one check kind, as the loader reads it (its params with the kind's schema defaults applied). */
export function casePolicy(kind: CheckKind, params: Record<string, unknown> = {}): Policy {
  const appliesTo =
    kind.scope === "subscription"
      ? "[subscription]"
      : `[${(kind.kinds ?? ["cloudHsm", "managedHsm", "dedicatedHsm"]).join(", ")}]`;
  const text = [
    `id: case-${kind.name}`,
    "title: A check kind under test",
    "description: Runs one check kind over a test snapshot.",
    "severity: high",
    `appliesTo: ${appliesTo}`,
    `check: ${kind.name}`,
    `params: ${JSON.stringify(params)}`,
    "rationale: Tests.",
    "remediation:",
    "  azCli: echo",
    "  powershell: echo",
    "references: []",
  ].join("\n");
  return parsePolicy(text, `case-${kind.name}.yaml`);
}

/** The params a policy file would hand the check: `params` with the kind's schema defaults applied. */
export function paramsWithDefaults(kind: CheckKind, params: Record<string, unknown> = {}): Record<string, unknown> {
  return casePolicy(kind, params).params;
}
