// A Luna appliance sends its syslog to a remote host over an allowed transport, with TLS where required (LUNA.md L10, L11).
import { applianceCheck, judgeRemoteSyslog } from "../appliance.js";

export default applianceCheck({
  name: "appliance-remote-syslog",
  description:
    "The Luna appliance sends its syslog to at least one remote host, over an allowed transport, encrypted with TLS where required.",
  params: ["syslogProtocols", "syslogTls"],
  judge: judgeRemoteSyslog,
});
