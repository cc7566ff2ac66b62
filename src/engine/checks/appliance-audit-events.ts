// A Luna appliance's HSM audit logging is on, with the required event classes (LUNA.md L3, L4), read from `audit show`.
import { applianceCheck, judgeAuditEvents } from "../appliance.js";

export default applianceCheck({
  name: "appliance-audit-events",
  description:
    "The Luna appliance's HSM audit event mask is not none and includes the required event classes and a key-use class.",
  params: ["requiredEventClasses", "keyUseEventClasses"],
  judge: judgeAuditEvents,
});
