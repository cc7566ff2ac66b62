// The workspace that receives the audit category holds audit records of this HSM inside the log window.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { anyWorkspaceProves, auditCategoriesSchema, isVerdict, noWorkspaceVerdict } from "../audit-trail.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "logs-flowing",
  description:
    "A workspace that receives the audit category holds at least the given number of audit records of the HSM inside the log window.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  dependsOnWindow: true,
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      minimumRecords: { type: "integer", minimum: 1, default: 1 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    const hsm = target.hsm;
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const window = `${snapshot.logWindow.start} to ${snapshot.logWindow.end}`;
    if (trail.workspaceIds.length === 0) {
      return noWorkspaceVerdict(trail, "no audit record of it can reach a workspace", "its flow cannot be seen");
    }
    return anyWorkspaceProves(
      trail,
      (id, label, found, evidence) => {
        const workspace = lookup.workspace(id);
        if (workspace) evidence.push(...workspace.info.evidence);
        if (isKnown(workspace?.info) && !workspace.info.value.exists) {
          found.lacking.push(`${label} does not exist`);
          return;
        }
        const sample = lookup.logSample(id);
        if (!sample || !isKnown(sample.result)) {
          found.unknown.push(
            `${label} could not be queried (${sample && "error" in sample.result ? sample.result.error.message : "not sampled"})`,
          );
          if (sample) evidence.push(...sample.result.evidence);
          return;
        }
        evidence.push(...sample.result.evidence);
        const rows = lookup.rowsOf(sample.result.value.rows, hsm.id);
        const records = rows.reduce((n, r) => n + r.records, 0);
        const last = rows
          .map((r) => r.lastRecord ?? "")
          .sort()
          .pop();
        const outside = records > 0 ? outsideWindow(last, snapshot.logWindow) : undefined;
        if (outside) {
          // The answer does not show records of the window asked for: it proves nothing about the window.
          found.unknown.push(`${label} answered records ${outside}`);
        } else if (records >= params.minimumRecords) {
          found.proven.push(`${label} holds ${records} audit record${records === 1 ? "" : "s"}, the last at ${last}`);
        } else if (sample.result.value.partial) {
          found.unknown.push(`${label} answered only in part (${sample.result.value.partial.message})`);
        } else {
          found.lacking.push(records === 0 ? `${label} holds no audit record of it` : `${label} holds only ${records}`);
        }
      },
      {
        pass: (flowing) => `Audit records of ${hsm.name} are flowing: ${flowing.join("; ")} (window ${window}).`,
        error: (unknown) =>
          `Whether the audit records of ${hsm.name} are flowing is not proven: ${unknown.join("; ")}.`,
        fail: (silent) =>
          `No audit record of ${hsm.name} arrived from ${window}${params.minimumRecords > 1 ? ` (at least ${params.minimumRecords} required)` : ""}: ${silent.join("; ")}.`,
      },
    );
  },
});

/** Why `last` does not lie in the window (with a few minutes' grace for clock skew), or undefined when it does. */
function outsideWindow(last: string | undefined, window: { start: string; end: string }): string | undefined {
  const at = last ? Date.parse(last) : Number.NaN;
  if (Number.isNaN(at)) return "without a time for the last one";
  const grace = 15 * 60_000;
  if (at < Date.parse(window.start) - grace || at > Date.parse(window.end) + grace) {
    return `whose last one (${last}) lies outside the window`;
  }
  return undefined;
}
