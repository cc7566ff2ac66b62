// A Luna appliance sends its audit log to a remote host over an allowed transport, apart from syslog (LUNA.md L8, L9).
import { applianceCheck, judgeRemoteAudit } from "../appliance.js";

export default applianceCheck({
  name: "appliance-remote-audit",
  description:
    "The Luna appliance sends its HSM audit log to at least one remote host, over an allowed transport, on a host and port its syslog does not use.",
  params: ["auditProtocols"],
  judge: judgeRemoteAudit,
});
