// Bursts of failed requests: a caller whose requests failed at least the threshold times within one hour.
import { defineCheck, type Verdict } from "../check.js";
import { auditCategoriesSchema } from "../audit-trail.js";
import { highlightVerdict, hsmActivity, isActivity, plural } from "../activity.js";

export default defineCheck<{ categories: Record<string, string[]>; burstPerHour: number }>({
  name: "activity-failed-access",
  description:
    "No caller's requests to the Managed HSM failed (result type or HTTP status of 400 or more) the threshold number of times within one hour.",
  scope: "hsm",
  // Cloud HSM logs do not say whether an operation succeeded: there is nothing to count.
  kinds: ["managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      burstPerHour: { type: "integer", minimum: 1, default: 10 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot): Verdict {
    if (target.scope !== "hsm") throw new Error("activity-failed-access judges HSMs");
    const hsm = target.hsm;
    const activity = hsmActivity(hsm, snapshot, ["failures"], params.categories);
    if (!isActivity(activity)) return activity;
    const byCallerHour = new Map<
      string,
      { caller: string; identity: string; hour: string; failures: number; ops: Set<string> }
    >();
    for (const r of activity.rows.failures) {
      const key = `${r.caller}\u0000${r.identity}\u0000${r.hour}`;
      const seen = byCallerHour.get(key) ?? {
        caller: r.caller,
        identity: r.identity,
        hour: r.hour,
        failures: 0,
        ops: new Set(),
      };
      seen.failures += r.failures;
      r.operations.forEach((o) => seen.ops.add(o));
      byCallerHour.set(key, seen);
    }
    const total = activity.rows.failures.reduce((n, r) => n + r.failures, 0);
    const bursts = [...byCallerHour.values()].filter((r) => r.failures >= params.burstPerHour);
    const what = `a burst of ${params.burstPerHour} or more failed requests from one caller within an hour`;
    if (bursts.length === 0) {
      return highlightVerdict(
        activity,
        undefined,
        `${hsm.name} had no ${what} (${plural(total, "failed request")} in the window)`,
      );
    }
    const callers = [...new Set(bursts.map((r) => r.identity || r.caller))];
    return highlightVerdict(
      activity,
      {
        summary: `${hsm.name} had ${plural(bursts.length, "burst")} of failed requests (${params.burstPerHour} or more from one caller within an hour; most ${Math.max(...bursts.map((b) => b.failures))}) from ${callers.join(", ")}; ${plural(total, "failed request")} in the window`,
        rows: bursts.map((b) => ({
          time: b.hour,
          operation: [...b.ops].sort().join(", "),
          caller: b.caller,
          ...(b.identity ? { identity: b.identity } : {}),
          count: b.failures,
          note: `${b.failures} failed in the hour`,
        })),
      },
      "",
    );
  },
});
