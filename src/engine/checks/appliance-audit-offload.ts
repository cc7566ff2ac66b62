// A Luna appliance's audit log rotates and leaves the HSM before its NVRAM area fills (LUNA.md L6, L7).
import { applianceCheck, judgeAuditOffload } from "../appliance.js";

export default applianceCheck({
  name: "appliance-audit-offload",
  description:
    "The Luna appliance rotates its HSM audit log, its cbs service exports the records (recent audit log files), and the audit area is not near full where reported.",
  params: ["forbiddenRotations", "maxNvramPercent", "maxLogAgeHours"],
  judge: judgeAuditOffload,
});
