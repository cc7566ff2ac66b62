// Microsoft Sentinel answers -> facts: the analytic rules of an onboarded workspace.
import type { SentinelFacts } from "../../model/snapshot.js";
import { booleanOf } from "./common.js";

/** One analytic rule (its `properties` lifted). */
export function toSentinelRule(rule: Record<string, unknown>): SentinelFacts["rules"][number] {
  const name = typeof rule.name === "string" ? rule.name : "";
  return {
    name,
    displayName: typeof rule.displayName === "string" ? rule.displayName : name,
    kind: typeof rule.kind === "string" ? rule.kind : "",
    enabled: booleanOf(rule.enabled) === true,
    ...(typeof rule.query === "string" ? { query: rule.query } : {}),
  };
}
