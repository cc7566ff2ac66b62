// A Luna appliance's HSM reports no tamper (LUNA.md L19), read from `hsm show`.
import { applianceCheck, judgeNoTamper } from "../appliance.js";

export default applianceCheck({
  name: "appliance-no-tamper",
  description: "The Luna appliance's HSM reports no tamper event.",
  params: [],
  judge: judgeNoTamper,
});
