// A Dedicated (Thales Luna) HSM keeps its audit trail inside the appliance, out of Azure Monitor's reach: its proof is
// the appliance's audit configuration, which an auditor supplies. Until then the finding is `manual`, never `pass`.
import { defineCheck } from "../check.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "appliance-evidence",
  description:
    "A Dedicated HSM's audit trail lives inside the Luna appliance: the finding stays manual until appliance evidence (its audit configuration) is supplied and passes.",
  scope: "hsm",
  kinds: ["dedicatedHsm"],
  paramsSchema: { type: "object", properties: {}, additionalProperties: false },
  evaluate(target, _params, snapshot, memo) {
    const hsm = target.hsm;
    const sub = memoFor(snapshot, memo).subscription(hsm.subscriptionId);
    return {
      status: "manual",
      message: `${hsm.name} is a Dedicated HSM${hsm.sku ? ` (${hsm.sku})` : ""}: its audit trail lives in the Luna appliance, not in Azure Monitor. Review the appliance's audit configuration (Audit role initialized, event mask, rotation, remote audit logging) by hand.`,
      evidence: sub?.inventory.dedicatedHsm?.evidence ?? [],
    };
  },
});
