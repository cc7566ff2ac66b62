// Holes in the trail: a silence longer than the threshold inside the window: between two records of an HSM, from the
// window's start to its first record, or from its last record to the window's end.
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";
import { longestSilences, type Silence } from "../silence.js";

export default defineHighlight({
  name: "activity-trail-gap",
  description:
    "The HSM's audit trail has no silence longer than the threshold inside the log window: between two of its records, from the window's start to the first, or from the last to the window's end.",
  kinds: ["cloudHsm", "managedHsm"],
  questions: ["series"],
  params: {
    maxGapHours: { type: "integer", minimum: 1, default: 24 },
  },
  judge(activity, params, snapshot): Verdict {
    const hsm = activity.hsm;
    const silences = longestSilences(
      activity.rows.series,
      activity.bin,
      snapshot.logWindow.end,
      snapshot.logWindow.start,
    );
    const gaps = silences.filter((g) => g.atMostHours > params.maxGapHours);
    const resolution = activity.bin === "1h" ? "by the hour" : "by the day";
    const span = (g: Silence) =>
      g.hours === g.atMostHours ? `${g.hours} hours` : `${g.hours} to ${g.atMostHours} hours`;
    if (gaps.length === 0) {
      const longest = silences[0];
      return highlightVerdict(
        activity,
        undefined,
        `The trail of ${hsm.name} has no silence that may be longer than ${params.maxGapHours} hours in the window (counted ${resolution}${longest ? `; longest ${span(longest)}` : ""})`,
      );
    }
    const longest = gaps[0]!;
    const what = longest.trailing
      ? `has written nothing since ${longest.from} (${span(longest)} to the end of the window)`
      : longest.leading
        ? `wrote nothing from the start of the window (${longest.from}) until ${longest.to} (${span(longest)})`
        : `was silent from ${longest.from} to ${longest.to} (${span(longest)})`;
    return highlightVerdict(
      activity,
      {
        summary: `The trail of ${hsm.name} has ${plural(gaps.length, "silence")} that may be longer than ${params.maxGapHours} hours (counted ${resolution}); the longest: it ${what}`,
        rows: gaps.map((g) => ({
          time: g.from,
          operation: "no record",
          caller: "",
          note: g.trailing
            ? `silent to the end of the window (${span(g)})`
            : g.leading
              ? `silent from the start of the window until ${g.to} (${span(g)})`
              : `silent until ${g.to} (${span(g)})`,
        })),
      },
      "",
    );
  },
});
