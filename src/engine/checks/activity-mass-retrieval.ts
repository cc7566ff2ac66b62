// Mass key retrieval: a caller that read more keys within a day than the threshold (Sentinel's rule uses 25). The
// day slides: the records come by the hour and every 24 hours are counted, so a burst is never split in two by a UTC
// midnight, whatever the hour it happens at (or is timed for).
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export default defineHighlight({
  name: "activity-mass-retrieval",
  description:
    "No caller made more successful KeyGet requests to the Managed HSM within any 24 hours than the threshold.",
  kinds: ["managedHsm"],
  questions: ["keyGets"],
  params: {
    maxPerCallerPerDay: { type: "integer", minimum: 1, default: 25 },
  },
  judge(activity, params): Verdict {
    const hsm = activity.hsm;
    // Per caller and identity, the gets of each hour (the activity merges the workspaces an HSM sends to).
    const byCaller = new Map<string, { caller: string; identity: string; hours: Map<number, number> }>();
    for (const r of activity.rows.keyGets) {
      const key = `${r.caller}\u0000${r.identity}`;
      const entry = byCaller.get(key) ?? { caller: r.caller, identity: r.identity, hours: new Map<number, number>() };
      const t = Date.parse(r.bin);
      entry.hours.set(t, (entry.hours.get(t) ?? 0) + r.gets);
      byCaller.set(key, entry);
    }
    // For each caller, the 24 hours (starting at one of its hours) with the most gets. Any 24 hours touch up to 25
    // hourly bins (10:30 to 10:29 the next day): counting them all never misses a burst, at the price of reading 25
    // hours as one day at worst.
    const over = [...byCaller.values()].flatMap((c) => {
      const times = [...c.hours.keys()].sort((a, b) => a - b);
      let best = { start: 0, end: 0, gets: 0 };
      let sum = 0;
      let last = 0;
      for (let first = 0; first < times.length; first++) {
        while (last < times.length && times[last]! <= times[first]! + DAY) sum += c.hours.get(times[last++]!)!;
        if (sum > best.gets) best = { start: times[first]!, end: times[last - 1]! + HOUR, gets: sum };
        sum -= c.hours.get(times[first]!)!;
      }
      return best.gets > params.maxPerCallerPerDay ? [{ caller: c.caller, identity: c.identity, ...best }] : [];
    });
    const threshold = `more than ${params.maxPerCallerPerDay} successful KeyGet requests within 24 hours`;
    if (over.length === 0) {
      return highlightVerdict(activity, undefined, `No caller of ${hsm.name} made ${threshold}`);
    }
    const callers = [...new Set(over.map((r) => r.identity || r.caller))];
    return highlightVerdict(
      activity,
      {
        summary: `${plural(callers.length, "caller")} of ${hsm.name} made ${threshold} (most ${Math.max(...over.map((r) => r.gets))}): ${callers.join(", ")}`,
        rows: over.map((r) => ({
          time: new Date(r.start).toISOString(),
          operation: "KeyGet",
          caller: r.caller,
          ...(r.identity ? { identity: r.identity } : {}),
          count: r.gets,
          note: `${r.gets} from ${new Date(r.start).toISOString().slice(0, 16)}Z to ${new Date(r.end).toISOString().slice(0, 16)}Z`,
        })),
      },
      "",
    );
  },
});
