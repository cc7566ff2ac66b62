// The clock comparison: how the skew is read from the answers' Date headers, and the one mechanism that makes every
// finding of a window-dependent check kind an error when the clocks disagree beyond the tolerance.
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { measureClock } from "../../src/model/clock.js";
import type { EvidenceRecord, Snapshot } from "../../src/model/snapshot.js";
import { CASES } from "./cases.js";
import { casePolicy } from "../helpers/policies.js";

const record = (id: string, capturedAt: string, durationMs: number, serviceTime?: string): EvidenceRecord => ({
  id,
  method: "GET",
  url: "https://127.0.0.1/x",
  status: 200,
  capturedAt,
  sha256: "0".repeat(64),
  durationMs,
  purpose: "test",
  ...(serviceTime ? { serviceTime } : {}),
});

describe("measureClock", () => {
  test.each([
    {
      name: "no answer carries a Date: no reading",
      records: [record("ev-1", "2026-03-01T00:00:00.000Z", 10)],
      skew: undefined,
    },
    {
      name: "clocks that agree read as 0",
      records: [record("ev-1", "2026-03-01T00:00:00.200Z", 100, "2026-03-01T00:00:00.000Z")],
      skew: 0,
    },
    {
      name: "services 30 days ahead",
      records: [record("ev-1", "2026-03-01T00:00:00.000Z", 40, "2026-03-31T00:00:00.000Z")],
      skew: 30 * 86_400_000,
    },
    {
      name: "services 2 minutes behind",
      records: [record("ev-1", "2026-03-01T00:02:00.000Z", 40, "2026-03-01T00:00:00.000Z")],
      skew: -120_000,
    },
    {
      // A 40-second answer dated at its end is no skew: its Date lies inside the exchange.
      name: "a slow answer does not make a skew of its own, while another service's clock shows",
      records: [
        record("ev-1", "2026-03-01T00:00:00.000Z", 40_000, "2026-03-01T00:00:40.000Z"),
        record("ev-2", "2026-03-01T00:01:00.000Z", 50, "2026-03-01T00:08:00.000Z"),
        record("ev-3", "2026-03-01T00:02:00.000Z", 50, "2026-03-01T00:02:00.000Z"),
      ],
      skew: 420_000,
      evidence: "ev-2",
    },
  ])("$name", ({ records, skew, evidence }) => {
    const reading = measureClock(records);
    expect(reading?.skewMs).toBe(skew);
    if (evidence) expect(reading?.evidence).toBe(evidence);
    if (reading) expect(reading.samples).toBe(records.filter((r) => r.serviceTime).length);
  });
});

/** The kinds that read the log window: they declare it, and nothing else does. */
test("the window-dependent check kinds declare dependsOnWindow: logs, archive arrival and the activity highlights", () => {
  const declared = [...CHECK_KINDS.values()].filter((k) => k.dependsOnWindow === true).map((k) => k.name);
  expect(declared.sort()).toEqual(
    [
      "activity-failed-access",
      "activity-mass-retrieval",
      "activity-new-callers",
      "activity-sensitive-operations",
      "activity-trail-gap",
      "archive-flowing",
      "diagnostic-setting-continuous",
      "logs-flowing",
    ].sort(),
  );
});

const SKEWED = { skewMs: 30 * 86_400_000, samples: 3, evidence: "ev-clock" };
const withClock = (snapshot: Snapshot, skewMs: number): Snapshot => ({
  ...snapshot,
  clock: { ...SKEWED, skewMs },
  evidence: [...snapshot.evidence, record("ev-clock", snapshot.startedAt, 10)],
});

// Every case of the check kinds' table, evaluated with the clocks 30 days apart: a window-dependent kind's pass, fail
// or manual becomes an error naming the skew; any other kind's verdict is untouched.
const ALL = Object.entries(CASES).flatMap(([kind, cases]) =>
  cases.filter((c) => c.target.scope === "hsm").map((c) => ({ kind, name: c.name, c })),
);
describe.each(ALL)("$kind: $name, clocks 30 days apart", ({ kind: kindName, c }) => {
  const kind = CHECK_KINDS.get(kindName)!;
  const findingOf = (snapshot: Snapshot, toleranceMs?: number) =>
    evaluate(snapshot, [casePolicy(kind, c.params)], {
      failOn: "low",
      ...(toleranceMs !== undefined ? { clockSkewToleranceMs: toleranceMs } : {}),
    }).findings.find((f) => f.resourceId === c.target.resourceId)!;
  test("the verdict under skew", () => {
    const plain = findingOf(c.snapshot);
    const skewed = findingOf(withClock(c.snapshot, SKEWED.skewMs));
    if (kind.dependsOnWindow) {
      expect(skewed.status).toBe("error");
      if (plain.status !== "error") {
        expect(skewed.message).toMatch(
          /^Not proven: the clocks disagree by 30 days: the services' clock runs 30 days ahead/,
        );
        expect(skewed.evidence).toContain("ev-clock");
      }
    } else {
      expect({ status: skewed.status, message: skewed.message }).toEqual({
        status: plain.status,
        message: plain.message,
      });
    }
    // Within the tolerance (here, one raised above the skew) nothing changes.
    const tolerated = findingOf(withClock(c.snapshot, SKEWED.skewMs), 31 * 86_400_000);
    expect({ status: tolerated.status, message: tolerated.message }).toEqual({
      status: plain.status,
      message: plain.message,
    });
  });
});

test("a skew just beyond the default tolerance (5 minutes) counts, one just within does not; the result records both", () => {
  const c = CASES["logs-flowing"].find((x) => x.expect.status === "pass")!;
  const policy = casePolicy(CHECK_KINDS.get("logs-flowing")!, c.params);
  const at = (skewMs: number) => evaluate(withClock(c.snapshot, skewMs), [policy], { failOn: "low" });
  const within = at(-300_000);
  expect(within.findings.find((f) => f.resourceId === c.target.resourceId)!.status).toBe("pass");
  expect(within.clock).toMatchObject({ skewMs: -300_000, toleranceMs: 300_000, beyondTolerance: false });
  const beyond = at(-301_000);
  expect(beyond.findings.find((f) => f.resourceId === c.target.resourceId)!.status).toBe("error");
  expect(beyond.clock).toMatchObject({ skewMs: -301_000, beyondTolerance: true });
  expect(beyond.summary.compliant).toBe(false);
});

test("a snapshot whose recorded reading was edited is judged by its evidence records when they disagree more", () => {
  const c = CASES["logs-flowing"].find((x) => x.expect.status === "pass")!;
  const policy = casePolicy(CHECK_KINDS.get("logs-flowing")!, c.params);
  const snapshot: Snapshot = {
    ...c.snapshot,
    clock: { skewMs: 0, samples: 1 },
    evidence: [...c.snapshot.evidence, record("ev-dated", "2026-03-01T00:00:00.000Z", 10, "2026-03-08T00:00:00.000Z")],
  };
  const result = evaluate(snapshot, [policy], { failOn: "low" });
  expect(result.clock).toMatchObject({ skewMs: 7 * 86_400_000, evidence: "ev-dated", beyondTolerance: true });
  expect(result.findings.find((f) => f.resourceId === c.target.resourceId)!.status).toBe("error");
});
