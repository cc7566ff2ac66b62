// Holes in the trail: a silence longer than the threshold between two records of an HSM inside the window.
import { defineCheck, type Verdict } from "../check.js";
import { auditCategoriesSchema } from "../audit-trail.js";
import { highlightVerdict, hsmActivity, isActivity, plural } from "../activity.js";
import { longestSilences } from "../silence.js";

export default defineCheck<{ categories: Record<string, string[]>; maxGapHours: number }>({
  name: "activity-trail-gap",
  description:
    "The HSM's audit trail has no silence longer than the threshold between two of its records inside the log window.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      maxGapHours: { type: "integer", minimum: 1, default: 24 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot): Verdict {
    if (target.scope !== "hsm") throw new Error("activity-trail-gap judges HSMs");
    const hsm = target.hsm;
    const activity = hsmActivity(hsm, snapshot, ["series"], params.categories);
    if (!isActivity(activity)) return activity;
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
