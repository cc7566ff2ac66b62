// The roll-up of a Dedicated HSM's appliance evidence: every aspect of the Luna appliance (audit role, event mask,
// rotation and export, remote audit logging, remote syslog, time, tamper) judged from its LunaSH readings. It passes
// only when every aspect passes; it fails when one fails, is `error` when one cannot be proven, and stays `manual` when
// no appliance evidence was given for the HSM (and for a Payment HSM, a payShield that LunaSH does not describe).
import {
  ALL_APPLIANCE_PARAMS,
  APPLIANCE_DEFAULTS,
  APPLIANCE_JUDGES,
  APPLIANCE_PARAMS,
  applianceFor,
  type ApplianceParams,
} from "../appliance.js";
import { defineCheck } from "../check.js";
import { matchedInWords } from "../../domain/appliance-match.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "appliance-evidence",
  description:
    "Every aspect of the Dedicated HSM's Luna appliance that its LunaSH evidence shows passes: audit role, event mask, rotation and export, remote audit logging, remote syslog, time synchronization, tamper state.",
  scope: "hsm",
  kinds: ["dedicatedHsm"],
  paramsSchema: {
    type: "object",
    properties: Object.fromEntries(ALL_APPLIANCE_PARAMS.map((p) => [p, APPLIANCE_PARAMS[p]])),
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo) {
    const hsm = target.hsm;
    const found = applianceFor(hsm, snapshot, "manual");
    if ("verdict" in found) {
      const sub = memoFor(snapshot, memo).subscription(hsm.subscriptionId);
      // Its own evidence (a failed list elsewhere, the same serial twice), and the inventory's answer that listed it.
      const listed = sub?.inventory.dedicatedHsm?.evidence ?? [];
      return { ...found.verdict, evidence: [...new Set([...found.verdict.evidence, ...listed])] };
    }
    const appliance = found.appliance;
    // How the appliance was found to be this HSM, when not by the resourceId its entry names.
    const how = matchedInWords(appliance.match);
    const which = `${hsm.name}${how ? `, ${how}` : ""}`;
    const merged = { ...APPLIANCE_DEFAULTS, ...(params as Partial<ApplianceParams>) };
    const judgements = APPLIANCE_JUDGES.map(([aspect, judge]) => ({ aspect, ...judge(appliance, merged, snapshot) }));
    // Matched by its private IP: the inventory's answer that showed the address is evidence of the match.
    const matchEvidence = how
      ? (memoFor(snapshot, memo).subscription(hsm.subscriptionId)?.inventory.dedicatedHsm?.evidence ?? [])
      : [];
    const evidence = [...new Set([...judgements.flatMap((j) => j.evidence), ...matchEvidence])];
    const failed = judgements.filter((j) => j.status === "fail");
    const unproven = judgements.filter((j) => j.status !== "pass" && j.status !== "fail");
    if (failed.length === 0 && unproven.length === 0) {
      return {
        status: "pass",
        message: `Appliance ${appliance.name} (${which}) passes every appliance check: ${judgements.map((j) => j.summary).join("; ")}.`,
        evidence,
      };
    }
    const parts = [
      ...failed.map((j) => j.summary),
      ...unproven.map((j) => (j.summary.includes("not proven") ? j.summary : `${j.aspect}: not proven`)),
    ];
    return {
      // A proven failure counts against the gate even when another aspect could not be proven.
      status: failed.length > 0 ? "fail" : "error",
      message: `Appliance ${appliance.name} (${which}): ${parts.join("; ")}.`,
      evidence,
    };
  },
});
