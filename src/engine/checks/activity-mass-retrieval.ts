// Mass key retrieval: a caller that read more keys in a day than the threshold (Sentinel's rule uses 25).
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";

export default defineHighlight({
  name: "activity-mass-retrieval",
  description: "No caller made more successful KeyGet requests to the Managed HSM in one UTC day than the threshold.",
  kinds: ["managedHsm"],
  questions: ["keyGets"],
  params: {
    maxPerCallerPerDay: { type: "integer", minimum: 1, default: 25 },
  },
  judge(activity, params): Verdict {
    const hsm = activity.hsm;
    // Per caller and identity and day (the activity merges the workspaces an HSM sends to).
    const byCallerDay = new Map<string, { caller: string; identity: string; day: string; gets: number }>();
    for (const r of activity.rows.keyGets) {
      const key = `${r.caller}\u0000${r.identity}\u0000${r.day}`;
      const seen = byCallerDay.get(key);
      if (seen) seen.gets += r.gets;
      else byCallerDay.set(key, { ...r });
    }
    const over = [...byCallerDay.values()].filter((r) => r.gets > params.maxPerCallerPerDay);
    const threshold = `more than ${params.maxPerCallerPerDay} successful KeyGet requests in a day`;
    if (over.length === 0) {
      return highlightVerdict(activity, undefined, `No caller of ${hsm.name} made ${threshold}`);
    }
    const callers = [...new Set(over.map((r) => r.identity || r.caller))];
    return highlightVerdict(
      activity,
      {
        summary: `${plural(callers.length, "caller")} of ${hsm.name} made ${threshold} (on ${plural(over.length, "caller-day")}; most ${Math.max(...over.map((r) => r.gets))}): ${callers.join(", ")}`,
        rows: over.map((r) => ({
          time: r.day,
          operation: "KeyGet",
          caller: r.caller,
          ...(r.identity ? { identity: r.identity } : {}),
          count: r.gets,
          note: `${r.gets} in the UTC day`,
        })),
      },
      "",
    );
  },
});
