// Holes in the trail: a silence longer than the threshold between two records of an HSM inside the window.
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";
import { longestSilences } from "../silence.js";

export default defineHighlight<{ maxGapHours: number }, "series">({
  name: "activity-trail-gap",
  description:
    "The HSM's audit trail has no silence longer than the threshold between two of its records inside the log window.",
  kinds: ["cloudHsm", "managedHsm"],
  questions: ["series"],
  params: {
    maxGapHours: { type: "integer", minimum: 1, default: 24 },
  },
  judge(activity, params): Verdict {
    const hsm = activity.hsm;
    const silences = longestSilences(activity.rows.series, activity.bin);
    const gaps = silences.filter((g) => g.hours > params.maxGapHours);
    const resolution = activity.bin === "1h" ? "by the hour" : "by the day";
    if (gaps.length === 0) {
      const longest = silences[0];
      return highlightVerdict(
        activity,
        undefined,
        `The trail of ${hsm.name} has no silence longer than ${params.maxGapHours} hours between two records in the window (counted ${resolution}${longest ? `; longest ${longest.hours} hours` : ""})`,
      );
    }
    return highlightVerdict(
      activity,
      {
        summary: `The trail of ${hsm.name} has ${plural(gaps.length, "silence")} longer than ${params.maxGapHours} hours between two records (counted ${resolution}; longest ${gaps[0]!.hours} hours, from ${gaps[0]!.from} to ${gaps[0]!.to})`,
        rows: gaps.map((g) => ({
          time: g.from,
          operation: "no record",
          caller: "",
          note: `silent until ${g.to} (${g.hours} hours)`,
        })),
      },
      "",
    );
  },
});
