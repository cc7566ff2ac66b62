// Bursts of failed requests: a caller whose requests failed at least the threshold times within any one hour.
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";

const HOUR = 3_600_000;

export default defineHighlight({
  name: "activity-failed-access",
  description:
    "No caller's requests to the Managed HSM failed (result type or HTTP status of 400 or more) the threshold number of times within any one hour.",
  // Cloud HSM logs do not say whether an operation succeeded: there is nothing to count.
  kinds: ["managedHsm"],
  questions: ["failures"],
  params: {
    burstPerHour: { type: "integer", minimum: 1, default: 10 },
  },
  judge(activity, params): Verdict {
    const hsm = activity.hsm;
    // Failures per caller, in five-minute bins, merged over workspaces.
    const byCaller = new Map<
      string,
      { caller: string; identity: string; bins: Map<number, number>; ops: Set<string> }
    >();
    for (const r of activity.rows.failures) {
      const key = `${r.caller}\u0000${r.identity}`;
      const entry = byCaller.get(key) ?? { caller: r.caller, identity: r.identity, bins: new Map(), ops: new Set() };
      const t = Date.parse(r.bin);
      entry.bins.set(t, (entry.bins.get(t) ?? 0) + r.failures);
      r.operations.forEach((o) => entry.ops.add(o));
      byCaller.set(key, entry);
    }
    const total = activity.rows.failures.reduce((n, r) => n + r.failures, 0);
    // For each caller, the hour (starting at one of its bins) with the most failures.
    const bursts = [...byCaller.values()].flatMap((c) => {
      const times = [...c.bins.keys()].sort((a, b) => a - b);
      let best = { start: 0, failures: 0 };
      for (const start of times) {
        // Any hour touches up to 13 five-minute bins (10:04:59 to 11:04:58): counting them all never misses a burst,
        // at the price of reading 65 minutes as one hour at worst.
        const failures = times.filter((t) => t >= start && t <= start + HOUR).reduce((n, t) => n + c.bins.get(t)!, 0);
        if (failures > best.failures) best = { start, failures };
      }
      return best.failures >= params.burstPerHour ? [{ ...c, ...best }] : [];
    });
    const what = `burst of ${params.burstPerHour} or more failed requests from one caller within an hour`;
    if (bursts.length === 0) {
      return highlightVerdict(
        activity,
        undefined,
        `${hsm.name} had no ${what} (${plural(total, "failed request")} in the window)`,
      );
    }
    const callers = bursts.map((b) => b.identity || b.caller);
    return highlightVerdict(
      activity,
      {
        summary: `${hsm.name} had ${plural(bursts.length, what)} (most ${Math.max(...bursts.map((b) => b.failures))}) from ${callers.join(", ")}; ${plural(total, "failed request")} in the window`,
        rows: bursts.map((b) => ({
          time: new Date(b.start).toISOString(),
          operation: [...b.ops].sort().join(", "),
          caller: b.caller,
          ...(b.identity ? { identity: b.identity } : {}),
          count: b.failures,
          note: `${b.failures} failed within the hour`,
        })),
      },
      "",
    );
  },
});
