// The subscription's Microsoft.Insights resource provider is registered, so Azure Monitor can export logs at all.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck } from "../check.js";

export default defineCheck({
  name: "provider-registered",
  description: "The subscription's Microsoft.Insights resource provider is in one of the accepted registration states.",
  scope: "subscription",
  paramsSchema: {
    type: "object",
    properties: {
      states: {
        type: "array",
        items: { type: "string", minLength: 1 },
        minItems: 1,
        default: ["Registered"],
        description: "Registration states that pass (compared case-insensitively).",
      },
    },
    additionalProperties: false,
  },
  evaluate(target, params) {
    const sub = target.subscription;
    const label = sub.displayName ? `${sub.displayName} (${sub.subscriptionId})` : sub.subscriptionId;
    const fact = sub.insightsProvider;
    if (!isKnown(fact)) {
      return {
        status: "error",
        message: fact
          ? `The Microsoft.Insights registration of subscription ${label} could not be read (${fact.error.message}).`
          : `The Microsoft.Insights registration of subscription ${label} was not collected.`,
        evidence: fact?.evidence ?? [],
      };
    }
    const state = fact.value.registrationState;
    const ok = params.states.some((s) => s.toLowerCase() === state.toLowerCase());
    return {
      status: ok ? "pass" : "fail",
      message: ok
        ? `Subscription ${label} has the Microsoft.Insights resource provider ${state}.`
        : `Subscription ${label} has the Microsoft.Insights resource provider ${state}, not ${params.states.join(" or ")}: diagnostic settings cannot deliver logs.`,
      evidence: fact.evidence,
    };
  },
});
