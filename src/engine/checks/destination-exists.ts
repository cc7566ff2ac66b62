// Every destination that receives the audit category exists and could be read.
import { isKnown, type Fact } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { auditCategoriesSchema, isVerdict, lastSegment, noCarrierVerdict, unique } from "../audit-trail.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "destination-exists",
  description:
    "Every workspace and storage account that receives the audit category exists and can be read; destinations the tool cannot read (event hubs, partner solutions) are errors unless `unverifiable` is `ignore`.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      unverifiable: {
        enum: ["error", "ignore"],
        default: "error",
        description: "What an event hub or partner destination, which this tool does not read, makes of the finding.",
      },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    if (trail.carryingAny.length === 0) return noCarrierVerdict(trail, "its audit log has no destination");
    const evidence = [...trail.evidence];
    const missing: string[] = [];
    const unread: string[] = [];
    const found: string[] = [];
    const check = (
      kind: string,
      id: string,
      fact: { info: Fact<{ exists: false; reason: string } | { exists: true }> } | undefined,
    ) => {
      const info = fact?.info;
      if (info) evidence.push(...info.evidence);
      if (!isKnown(info)) unread.push(`${kind} ${lastSegment(id)} (${info ? info.error.message : "not collected"})`);
      else if (!info.value.exists) missing.push(`${kind} ${id} (${info.value.reason})`);
      else found.push(`${kind} ${lastSegment(id)}`);
    };
    for (const id of trail.workspaceIds) check("workspace", id, lookup.workspace(id));
    for (const id of unique(trail.carryingAny.flatMap((s) => (s.storageAccountId ? [s.storageAccountId] : []))))
      check("storage account", id, lookup.storageAccount(id));
    const unverifiable = trail.carryingAny.flatMap((s) => [
      ...(s.eventHubAuthorizationRuleId ? [`event hub of setting '${s.name}'`] : []),
      ...(s.marketplacePartnerId ? [`partner solution of setting '${s.name}'`] : []),
      ...(s.serviceBusRuleId ? [`service bus of setting '${s.name}'`] : []),
    ]);
    const name = target.hsm.name;
    if (missing.length > 0) {
      return {
        status: "fail",
        message: `${name} sends its audit log to ${missing.join(", ")}, which does not exist: those records are lost.`,
        evidence,
      };
    }
    if (unread.length > 0) {
      return {
        status: "error",
        message: `Whether the destinations of ${name}'s audit log exist is not proven: ${unread.join("; ")}.`,
        evidence,
      };
    }
    if (trail.unresolved.length > 0) {
      // A setting that may carry the audit log has destinations too; "every destination exists" would not be proven.
      return {
        ...noCarrierVerdict({ ...trail, carryingAny: [] }, "its audit log has no destination"),
        evidence: [...evidence, ...(target.hsm.categories?.evidence ?? [])],
      };
    }
    if (unverifiable.length > 0 && params.unverifiable === "error") {
      return {
        status: "error",
        message: `${name} also sends its audit log to ${unverifiable.join(", ")}, which this tool cannot read; that destination is not proven to exist.`,
        evidence,
      };
    }
    if (found.length === 0) {
      return {
        status: unverifiable.length > 0 ? "error" : "fail",
        message:
          unverifiable.length > 0
            ? `${name} sends its audit log only to ${unverifiable.join(", ")}, which this tool cannot read; no destination is proven to exist.`
            : `The settings that carry the audit log of ${name} name no destination.`,
        evidence,
      };
    }
    const note = unverifiable.length > 0 ? ` (not checked: ${unverifiable.join(", ")})` : "";
    return {
      status: "pass",
      message: `Every destination of ${name}'s audit log exists: ${found.join(", ")}${note}.`,
      evidence,
    };
  },
});
