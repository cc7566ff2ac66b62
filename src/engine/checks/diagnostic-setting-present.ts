// The HSM has at least `minimum` diagnostic settings: without one, Azure Monitor exports nothing.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck } from "../check.js";
import { names } from "../audit-trail.js";

export default defineCheck({
  name: "diagnostic-setting-present",
  description: "The HSM has at least the given number of diagnostic settings.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: { minimum: { type: "integer", minimum: 1, maximum: 5, default: 1 } },
    additionalProperties: false,
  },
  evaluate(target, params) {
    const hsm = target.hsm;
    const fact = hsm.diagnosticSettings;
    if (!isKnown(fact)) {
      return {
        status: "error",
        message: fact
          ? `The diagnostic settings of ${hsm.name} could not be read (${fact.error.message}).`
          : `The diagnostic settings of ${hsm.name} were not collected.`,
        evidence: fact?.evidence ?? [],
      };
    }
    const count = fact.value.length;
    if (count >= params.minimum) {
      return {
        status: "pass",
        message: `${hsm.name} has ${count} diagnostic setting${count === 1 ? "" : "s"}: ${names(fact.value)}.`,
        evidence: fact.evidence,
      };
    }
    return {
      status: "fail",
      message:
        count === 0
          ? `${hsm.name} has no diagnostic setting: Azure Monitor exports none of its logs.`
          : `${hsm.name} has ${count} diagnostic setting(s), fewer than the ${params.minimum} required.`,
      evidence: fact.evidence,
    };
  },
});
