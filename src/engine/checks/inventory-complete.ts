// Every HSM list of the subscription (Cloud, Managed, Dedicated) was read to its end: the verdicts cover every HSM.
import { isKnown, type HsmKind } from "../../model/snapshot.js";
import { HSM_TYPES } from "../../domain/hsm-kinds.js";
import { defineCheck } from "../check.js";

export default defineCheck({
  name: "inventory-complete",
  description: "Every HSM list of the subscription was read completely, so no HSM escaped the audit.",
  scope: "subscription",
  judgesInventory: true,
  paramsSchema: { type: "object", properties: {}, additionalProperties: false },
  evaluate(target, _params, snapshot) {
    if (target.scope === "tenant") {
      const groups = snapshot.scope.managementGroups;
      if (groups) {
        const missed = groups.flatMap((group) => {
          const descendants = group.descendants;
          if (!isKnown(descendants)) {
            return [
              {
                message: `the subscriptions of management group ${group.id} could not be listed (${descendants.error.message})`,
                evidence: descendants.evidence,
              },
            ];
          }
          if (descendants.value.subscriptions.length > 0) return [];
          const nested = descendants.value.managementGroups.length;
          return [
            {
              message:
                `management group ${group.id} holds no subscription the credential can see` +
                (nested > 0
                  ? ` (its descendants list names ${nested} nested management group(s) and no subscription)`
                  : ""),
              evidence: descendants.evidence,
            },
          ];
        });
        if (missed.length > 0) {
          const others = snapshot.subscriptions.length;
          const sentence = missed.map((m) => m.message).join("; ");
          return {
            status: "error",
            message:
              `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}, so no HSM could be inventoried there and nothing is proven of ` +
              (missed.length === 1 ? "that group" : "those groups") +
              (others > 0 ? ` (the ${others} subscription(s) the other groups named were scanned)` : "") +
              "; check the group id, or grant Reader on the group.",
            evidence: missed.flatMap((m) => m.evidence),
          };
        }
      }
      const list = snapshot.subscriptionList;
      if (list && !isKnown(list)) {
        return {
          status: "error",
          message: `The subscriptions could not be listed (${list.error.message}), so no HSM could be inventoried.`,
          evidence: list.evidence,
        };
      }
      return {
        status: "error",
        message:
          "The credential can see no subscription, so no HSM could be inventoried; name subscriptions with --subscription or grant Reader on them.",
        evidence: list?.evidence ?? [],
      };
    }
    const sub = target.subscription;
    const label = sub.displayName ? `${sub.displayName} (${sub.subscriptionId})` : sub.subscriptionId;
    const kinds = Object.keys(HSM_TYPES) as HsmKind[];
    const failed = kinds.filter((k) => !isKnown(sub.inventory[k]));
    const evidence = kinds.flatMap((k) => sub.inventory[k]?.evidence ?? []);
    if (failed.length > 0) {
      const why = failed
        .map((k) => {
          const fact = sub.inventory[k];
          return `${HSM_TYPES[k].label}s: ${fact && "error" in fact ? fact.error.message : "not collected"}`;
        })
        .join("; ");
      return {
        status: "error",
        message: `The HSMs of subscription ${label} could not all be listed (${why}); HSMs may be missing from this report.`,
        evidence,
      };
    }
    const counts = kinds.map((k) => {
      const fact = sub.inventory[k];
      if (isKnown(fact) && fact.value.unregistered) {
        return `no ${HSM_TYPES[k].label} (the subscription is not registered for ${fact.value.unregistered})`;
      }
      return `${isKnown(fact) ? fact.value.count : 0} ${HSM_TYPES[k].label}`;
    });
    return {
      status: "pass",
      message: `Every HSM list of subscription ${label} was read to its end, as far as the credential can see: ${counts.join(", ")}.`,
      evidence,
    };
  },
});
