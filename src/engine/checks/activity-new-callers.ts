// Sign-ins from addresses not seen earlier in the period: a caller whose first sign-in (Cloud HSM) or first request
// (Managed HSM) comes after the baseline at the start of the window.
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";

export default defineHighlight({
  name: "activity-new-callers",
  description:
    "Every address that signed in to the HSM (Cloud HSM) or called it (Managed HSM) in the window was already seen in its first hours (the baseline).",
  kinds: ["cloudHsm", "managedHsm"],
  questions: ["callers"],
  params: {
    baselineHours: { type: "integer", minimum: 1, default: 24 },
  },
  judge(activity, params, snapshot): Verdict {
    const hsm = activity.hsm;
    const baselineEnd = new Date(Date.parse(snapshot.logWindow.start) + params.baselineHours * 3_600_000).toISOString();
    if (baselineEnd >= snapshot.logWindow.end) {
      return {
        status: "not_applicable",
        message: `The window (${snapshot.logWindow.duration}) is no longer than the ${params.baselineHours}-hour baseline, so no address can be new in it.`,
        evidence: activity.evidence,
      };
    }
    const signIn = hsm.kind === "cloudHsm";
    // Per address: its earliest sign-in (or request) over every identity and workspace.
    const firstByCaller = new Map<string, { time: string; identity: string }>();
    for (const r of activity.rows.callers) {
      if (!r.caller) continue;
      const time = signIn ? r.firstLogin : r.first;
      if (!time) continue;
      const seen = firstByCaller.get(r.caller);
      if (!seen || time < seen.time) firstByCaller.set(r.caller, { time, identity: r.identity });
    }
    const fresh = [...firstByCaller].filter(([, v]) => v.time >= baselineEnd);
    const verb = signIn ? "signed in to" : "called";
    if (fresh.length === 0) {
      return highlightVerdict(
        activity,
        undefined,
        `Every address that ${verb} ${hsm.name} in the window (${firstByCaller.size}) was seen in its first ${params.baselineHours} hours`,
      );
    }
    return highlightVerdict(
      activity,
      {
        summary: `${plural(fresh.length, "address")} first ${verb} ${hsm.name} after the first ${params.baselineHours} hours of the window: ${fresh.map(([caller]) => caller).join(", ")}`,
        rows: fresh.map(([caller, v]) => ({
          time: v.time,
          operation: signIn ? "CN_LOGIN (loginHSM)" : "first request",
          caller,
          ...(v.identity ? { identity: v.identity } : {}),
          note: "first seen",
        })),
      },
      "",
    );
  },
});
