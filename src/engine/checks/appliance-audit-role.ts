// A Luna appliance's HSM Audit role is initialized (LUNA.md L1), read from `hsm show`.
import { applianceCheck, judgeAuditRole } from "../appliance.js";

export default applianceCheck({
  name: "appliance-audit-role",
  description:
    "The Luna appliance's HSM Audit role is initialized, so an Auditor can configure and verify its audit log.",
  params: [],
  judge: judgeAuditRole,
});
