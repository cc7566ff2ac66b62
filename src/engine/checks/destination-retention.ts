// A workspace that receives the audit category keeps data for at least the required number of days.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import {
  auditCategoriesSchema,
  auditTrail,
  isVerdict,
  lastSegment,
  noCarrierVerdict,
  unique,
  workspaceOf,
} from "../audit-trail.js";

export default defineCheck<{ categories: Record<string, string[]>; minimumDays: number }>({
  name: "destination-retention",
  description:
    "A Log Analytics workspace that receives the audit category keeps its data at least the required number of days.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      minimumDays: { type: "integer", minimum: 1, maximum: 4383, default: 365 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot): Verdict {
    if (target.scope !== "hsm") throw new Error("destination-retention judges HSMs");
    const trail = auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const values = { minimumDays: String(params.minimumDays) };
    const ids = unique(trail.carryingAny.flatMap((s) => (s.workspaceId ? [s.workspaceId] : [])));
    if (ids.length === 0) {
      if (trail.carryingAny.length === 0) {
        return { ...noCarrierVerdict(trail, `no workspace keeps its audit log ${params.minimumDays} days`), values };
      }
      return {
        status: "fail",
        message: `No Log Analytics workspace receives the audit log of ${target.hsm.name}, so none keeps it ${params.minimumDays} days.`,
        evidence: trail.evidence,
        values,
      };
    }
    const evidence = [...trail.evidence];
    const kept: string[] = [];
    const short: string[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const info = workspaceOf(snapshot, id)?.info;
      if (info) evidence.push(...info.evidence);
      const label = `workspace ${lastSegment(id)}`;
      if (!isKnown(info)) unknown.push(`${label} (${info ? info.error.message : "not collected"})`);
      else if (!info.value.exists) short.push(`${label} does not exist`);
      else if (info.value.retentionInDays === undefined) unknown.push(`${label} (its answer has no retentionInDays)`);
      else if (info.value.retentionInDays >= params.minimumDays)
        kept.push(`${label} keeps ${info.value.retentionInDays} days`);
      else short.push(`${label} keeps ${info.value.retentionInDays} days`);
    }
    if (kept.length > 0) {
      return {
        status: "pass",
        message: `The audit log of ${target.hsm.name} is kept at least ${params.minimumDays} days: ${kept.join(", ")}.`,
        evidence,
        values,
      };
    }
    if (unknown.length > 0) {
      return {
        status: "error",
        message: `The retention of the audit log of ${target.hsm.name} is not proven: ${[...unknown, ...short].join("; ")}.`,
        evidence,
        values,
      };
    }
    return {
      status: "fail",
      message: `The audit log of ${target.hsm.name} is not kept ${params.minimumDays} days: ${short.join("; ")}.`,
      evidence,
      values,
    };
  },
});
