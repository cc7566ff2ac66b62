// SARIF 2.1.0 `baselineState` (§3.27.24) when a previous pack was given: each result is `new`, `unchanged` or
// `updated` against the previous run, and a result the previous run would have reported that this one does not is
// reported once more as `absent`. Read from the result's `changes` alone: without a previous pack, no baseline state.
import { idKey } from "../domain/ids.js";
import type { Finding, FindingChange, Result, Status } from "../model/result.js";
import { failCounts } from "../model/result.js";

export type BaselineState = "new" | "unchanged" | "updated" | "absent";

export interface SarifBaseline {
  /** The state of a result this run reports; undefined without a previous pack. */
  stateOf(finding: Finding): BaselineState | undefined;
  /** The findings the previous run would have reported and this one does not. */
  absent: FindingChange[];
}

const key = (policyId: string, resourceId: string) => `${policyId}\n${idKey(resourceId)}`;

/** Whether results.sarif holds a finding of this status and severity (as renderSarif filters them). */
export function reportedInSarif(
  status: Status | undefined,
  severity: Finding["severity"],
  failOn: Result["failOn"],
  sarifAll: boolean,
): boolean {
  if (status === "error" || status === "waived") return true;
  return status === "fail" && (sarifAll || failCounts(severity, failOn));
}

export function sarifBaseline(result: Result, sarifAll: boolean): SarifBaseline {
  const changes = result.changes;
  if (!changes) return { stateOf: () => undefined, absent: [] };
  const moved = new Map(changes.findings.map((c) => [key(c.policyId, c.resourceId), c]));
  // The previous status judged by this run's threshold: whether a result moved in or out of the log is this run's view.
  const before = (c: FindingChange) => reportedInSarif(c.before, c.severity, result.failOn, sarifAll);
  return {
    stateOf(finding) {
      const change = moved.get(key(finding.policyId, finding.resourceId));
      if (!change) return "unchanged";
      return before(change) ? "updated" : "new";
    },
    absent: changes.findings.filter((c) => before(c) && !reportedInSarif(c.after, c.severity, result.failOn, sarifAll)),
  };
}
