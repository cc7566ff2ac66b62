// Some diagnostic setting enables the HSM's audit category, directly or through a category group that holds it.
import { defineCheck } from "../check.js";
import { auditCategoriesSchema, isVerdict, names, noCarrierVerdict } from "../audit-trail.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "audit-category-enabled",
  description:
    "A diagnostic setting enables every audit category of the HSM, directly or through an enabled category group that contains it per the categories API (allLogs always does).",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: { categories: auditCategoriesSchema },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo) {
    const trail = memoFor(snapshot, memo).auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const values = { auditCategory: trail.categories[0] ?? "" };
    const missing = trail.categories.filter((c) => trail.carrying.get(c)!.length === 0);
    if (missing.length === 0) {
      const how = trail.categories.map((c) => `${c} by ${names(trail.carrying.get(c)!)}`).join("; ");
      return { status: "pass", message: `${target.hsm.name} has ${how} enabled.`, evidence: trail.evidence, values };
    }
    const verdict = noCarrierVerdict({ ...trail, categories: missing }, "its audit log is not exported");
    if (verdict.status === "fail" && trail.settings.length > 0) {
      verdict.message = `No diagnostic setting of ${target.hsm.name} enables ${missing.join(" or ")}, directly or through a category group that contains it: its audit log is not exported.`;
    }
    return { ...verdict, values };
  },
});
