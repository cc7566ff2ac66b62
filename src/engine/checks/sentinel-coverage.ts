// Microsoft Sentinel watches the HSM's audit trail: a workspace that receives it has Sentinel onboarded and at least
// one enabled analytic rule whose query reads the HSM's audit records. Sentinel's own Key Vault rules filter
// `ResourceType == "VAULTS"` and never see a Managed HSM or a Cloud HSM, so this needs a rule written for them.
import { isKnown } from "../../model/snapshot.js";
import type { HsmKind } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import {
  auditCategoriesSchema,
  isVerdict,
  lastSegment,
  noWorkspaceVerdict,
  unresolvedWorkspaces,
} from "../audit-trail.js";
import { memoFor } from "../memo.js";

/** What a rule's query must mention to read an HSM kind's audit records (any one of them, as a whole word). */
export const HSM_LOG_MARKERS: Record<Exclude<HsmKind, "dedicatedHsm">, string[]> = {
  cloudHsm: ["CloudHsmServiceOperationAuditLogs"],
  managedHsm: ["MANAGEDHSMS", "AZKVAuditLogs"],
};

/**
 * Whether a rule's KQL reads an HSM kind's audit records: a marker outside comments, and not in a comparison that
 * excludes it (`ResourceType != "MANAGEDHSMS"`, `!~`, `!in`). A rule that names the HSM logs only to leave them out,
 * or in a comment, watches nothing.
 */
export function readsHsmLogs(query: string, kind: HsmKind): boolean {
  if (kind === "dedicatedHsm") return false;
  const code = query.replace(/\/\/[^\n]*/g, " ");
  return HSM_LOG_MARKERS[kind].some((marker) => {
    for (const match of code.matchAll(new RegExp(`\\b${marker}\\b`, "gi"))) {
      const before = code.slice(Math.max(0, match.index - 60), match.index);
      if (!/(!=|!~|!in~?\s*\([^)]*|!has(_cs)?|!contains(_cs)?)\s*["']?$/i.test(before)) return true;
    }
    return false;
  });
}

export default defineCheck<{ categories: Record<string, string[]> }>({
  name: "sentinel-coverage",
  description:
    "A workspace that receives the HSM's audit log has Microsoft Sentinel onboarded and an enabled analytic rule whose query reads that HSM kind's audit records.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: { categories: auditCategoriesSchema },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    if (target.scope !== "hsm") throw new Error("sentinel-coverage judges HSMs");
    const hsm = target.hsm;
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const ids = trail.workspaceIds;
    if (ids.length === 0) {
      return noWorkspaceVerdict(trail, "no Sentinel rule can see it", "Microsoft Sentinel cannot watch it");
    }
    const evidence = [...trail.evidence];
    const covered: string[] = [];
    const gaps: string[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const label = `workspace ${lastSegment(id)}`;
      const workspace = lookup.workspace(id);
      if (workspace) evidence.push(...workspace.info.evidence);
      if (isKnown(workspace?.info) && !workspace.info.value.exists) {
        gaps.push(`${label} does not exist`);
        continue;
      }
      const sentinel = workspace?.sentinel;
      if (!sentinel) {
        unknown.push(`${label}: Sentinel was not read`);
        continue;
      }
      evidence.push(...sentinel.evidence);
      if (!isKnown(sentinel)) {
        unknown.push(`${label}: ${sentinel.error.message}`);
        continue;
      }
      if (!sentinel.value.onboarded) {
        gaps.push(`Microsoft Sentinel is not onboarded on ${label}`);
        continue;
      }
      const reading = sentinel.value.rules.filter((r) => r.query && readsHsmLogs(r.query, hsm.kind));
      const enabled = reading.filter((r) => r.enabled);
      if (enabled.length > 0) {
        covered.push(`${label}: ${enabled.map((r) => `'${r.displayName}'`).join(", ")}`);
      } else {
        const total = sentinel.value.rules.length;
        gaps.push(
          reading.length > 0
            ? `on ${label} the rules that read its records are disabled (${reading.map((r) => `'${r.displayName}'`).join(", ")})`
            : total === 1
              ? `the only analytic rule on ${label} does not read ${HSM_LOG_MARKERS[hsm.kind as "cloudHsm"].join(" or ")}`
              : `none of the ${total} analytic rules on ${label} reads ${HSM_LOG_MARKERS[hsm.kind as "cloudHsm"].join(" or ")}`,
        );
      }
    }
    unknown.push(...unresolvedWorkspaces(trail));
    if (covered.length > 0) {
      return {
        status: "pass",
        message: `Microsoft Sentinel watches the audit log of ${hsm.name}: enabled rules that read it on ${covered.join("; ")}.`,
        evidence,
      };
    }
    if (unknown.length > 0) {
      return {
        status: "error",
        message: `Whether Microsoft Sentinel watches ${hsm.name} is unknown: ${[...unknown, ...gaps].join("; ")}.`,
        evidence,
      };
    }
    return {
      status: "fail",
      message: `Microsoft Sentinel does not watch the audit log of ${hsm.name}: ${gaps.join("; ")}.`,
      evidence,
    };
  },
});
