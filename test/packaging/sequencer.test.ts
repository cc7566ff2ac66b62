// The test sequencer: jest's own timings first, then test/durations.json, then one second; failures first of all.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "@jest/globals";
import { ROOT } from "../helpers/simulator.js";

interface FakeTest {
  path: string;
}
type Order = (
  tests: FakeTest[],
  how: {
    time(t: FakeTest): number | undefined;
    hasFailed(t: FakeTest): boolean;
    durations: Record<string, number>;
  },
) => FakeTest[];

const { order } = createRequire(import.meta.url)(join(ROOT, "test/helpers/sequencer.cjs")) as { order: Order };
const at = (name: string) => ({ path: join(ROOT, "test", name) });
const names = (tests: FakeTest[]) => tests.map((t) => t.path.slice(join(ROOT, "test").length + 1));

describe("test sequencer", () => {
  const tests = ["a/short.test.ts", "a/long.test.ts", "b/unknown.test.ts", "b/timed.test.ts", "b/failed.test.ts"].map(
    at,
  );

  test.each([
    {
      case: "no timings of jest's own: the recorded seconds order the files, an unrecorded file counts one second",
      timed: {},
      failed: [],
      expected: ["a/long.test.ts", "b/timed.test.ts", "b/unknown.test.ts", "a/short.test.ts", "b/failed.test.ts"],
    },
    {
      case: "jest's own timing of a file wins over the recorded one",
      timed: { "a/short.test.ts": 60_000 },
      failed: [],
      expected: ["a/short.test.ts", "a/long.test.ts", "b/timed.test.ts", "b/unknown.test.ts", "b/failed.test.ts"],
    },
    {
      case: "a file that failed last time runs first, whatever its length",
      timed: {},
      failed: ["b/failed.test.ts"],
      expected: ["b/failed.test.ts", "a/long.test.ts", "b/timed.test.ts", "b/unknown.test.ts", "a/short.test.ts"],
    },
  ])("$case", ({ timed, failed, expected }) => {
    const durations = {
      "a/short.test.ts": 0.2,
      "a/long.test.ts": 30,
      "b/timed.test.ts": 4,
      "b/failed.test.ts": 0.1,
    };
    const result = order(tests, {
      time: (t) => (timed as Record<string, number>)[names([t])[0]!],
      hasFailed: (t) => (failed as string[]).includes(names([t])[0]!),
      durations,
    });
    expect(names(result)).toEqual(expected);
  });

  test("test/durations.json names only test files that exist, each with its seconds", () => {
    const durations = JSON.parse(readFileSync(join(ROOT, "test/durations.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(durations).length).toBeGreaterThan(50);
    for (const [file, seconds] of Object.entries(durations)) {
      expect([file, existsSync(join(ROOT, "test", file)) && /\.test\.ts$/.test(file)]).toEqual([file, true]);
      expect([file, typeof seconds === "number" && seconds >= 0]).toEqual([file, true]);
    }
  });
});
