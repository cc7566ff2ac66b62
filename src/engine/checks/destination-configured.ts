// The settings that carry the audit category send it to every required kind of destination.
import type { DiagnosticSetting } from "../../model/snapshot.js";
import { defineCheck } from "../check.js";
import { auditCategoriesSchema, isVerdict, names, noCarrierVerdict } from "../audit-trail.js";
import { memoFor } from "../memo.js";

export const DESTINATION_KINDS = {
  logAnalytics: { label: "a Log Analytics workspace", has: (s: DiagnosticSetting) => Boolean(s.workspaceId) },
  storage: { label: "a storage account", has: (s: DiagnosticSetting) => Boolean(s.storageAccountId) },
  eventHub: { label: "an event hub", has: (s: DiagnosticSetting) => Boolean(s.eventHubAuthorizationRuleId) },
  partner: { label: "a partner solution", has: (s: DiagnosticSetting) => Boolean(s.marketplacePartnerId) },
} as const;
export type DestinationKind = keyof typeof DESTINATION_KINDS;

export default defineCheck({
  name: "destination-configured",
  description: "The diagnostic settings that carry the audit category send it to every required kind of destination.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      destinations: {
        type: "array",
        items: { enum: Object.keys(DESTINATION_KINDS) as DestinationKind[] },
        minItems: 1,
        uniqueItems: true,
        default: ["logAnalytics"],
        description: "Kinds of destination that must each receive the audit category.",
      },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo) {
    const trail = memoFor(snapshot, memo).auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const values = { auditCategory: trail.categories[0] ?? "" };
    const required = params.destinations.map((d) => DESTINATION_KINDS[d]);
    if (trail.uncarried.length > 0) {
      const verdict = noCarrierVerdict(
        { ...trail, categories: trail.uncarried },
        "its audit log reaches no destination",
      );
      return { ...verdict, values };
    }
    // Every required kind of destination must receive every audit category (possibly through different settings).
    const missing = required.filter((r) => !trail.categories.every((c) => trail.carrying.get(c)!.some(r.has)));
    if (missing.length === 0) {
      const sent = required.map((r) => `${r.label} (${names(trail.carryingAny.filter(r.has))})`).join(" and ");
      return {
        status: "pass",
        message: `${target.hsm.name} sends ${trail.categories.join(" and ")} to ${sent}.`,
        evidence: trail.evidence,
        values,
      };
    }
    if (trail.unresolved.some((s) => missing.some((m) => m.has(s)))) {
      return {
        ...noCarrierVerdict(
          { ...trail, carryingAny: [] },
          `its audit log reaches ${missing.map((m) => m.label).join(" and ")}`,
        ),
        values,
      };
    }
    return {
      status: "fail",
      message: `${target.hsm.name} sends ${trail.categories.join(" and ")} through ${names(trail.carryingAny)}, but not to ${missing.map((m) => m.label).join(" or ")}.`,
      evidence: trail.evidence,
      values,
    };
  },
});
