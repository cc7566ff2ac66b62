// A Luna appliance's clock is kept by NTP, synchronized to a real peer within an offset bound (LUNA.md L13, L14).
import { applianceCheck, judgeTimeSync } from "../appliance.js";

export default applianceCheck({
  name: "appliance-time-sync",
  description:
    "The Luna appliance's NTP is enabled and running, synchronized to a peer other than its own clock, within the offset bound.",
  params: ["maxNtpOffsetMs"],
  judge: judgeTimeSync,
});
