// The order jest starts test files in. jest's own sequencer starts the files that failed last time, then the longest
// by the timings it kept from earlier runs, and, with no timings (a fresh clone, a CI machine), the largest files
// first, a poor guess here: the longest files spawn CLIs and are small. This one gives a file with no timing of its
// own the seconds test/durations.json records for it (written by scripts/test-durations.mjs from a jest report), and
// a file missing there one second, so that the long files start first and no worker is left alone at the end.
const { default: Sequencer } = require("@jest/test-sequencer");
const { readFileSync } = require("node:fs");
const { join, relative } = require("node:path");

const TEST_DIR = join(__dirname, "..");
/** A file neither jest nor durations.json has timed is taken for an ordinary one: most files take about a second. */
const UNKNOWN_SECONDS = 1;

function recorded() {
  try {
    return JSON.parse(readFileSync(join(TEST_DIR, "durations.json"), "utf8"));
  } catch {
    return {};
  }
}

/** The sort: failed last time first, then the longest first (jest's timing, else the recorded one, else 1 s). */
function order(tests, { time, hasFailed, durations }) {
  const seconds = (test) => {
    const kept = time(test);
    if (kept != null) return kept / 1000;
    const key = relative(TEST_DIR, test.path).split("\\").join("/");
    return typeof durations[key] === "number" ? durations[key] : UNKNOWN_SECONDS;
  };
  return [...tests]
    .map((test) => ({ test, failed: hasFailed(test), seconds: seconds(test) }))
    .sort((a, b) =>
      a.failed !== b.failed ? (a.failed ? -1 : 1) : b.seconds - a.seconds || (a.test.path < b.test.path ? -1 : 1),
    )
    .map(({ test }) => test);
}

class DurationSequencer extends Sequencer {
  sort(tests) {
    const durations = recorded();
    for (const test of tests) test.duration = this.time(test);
    return order(tests, { time: (t) => this.time(t), hasFailed: (t) => this.hasFailed(t), durations });
  }
}

module.exports = DurationSequencer;
module.exports.order = order;
