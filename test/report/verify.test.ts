// What render checks in a saved result before it renders it: dates, instants and periods that exist, and a summary
// its findings earn.
import { isDate, isInstant, isPeriod, resultInconsistency } from "../../src/report/verify.js";
import { sampleResult } from "../helpers/results.js";

describe("dates, instants and periods", () => {
  it.each([
    ["2026-10", true],
    ["2026-12", true],
    ["2026-13", false],
    ["2026-00", false],
    ["9999-99", false],
    ["2026-1", false],
    ["2026-10-01/2026-10-31", true],
    ["2026-10-01T00:00:00Z/2026-10-02T00:00:00+02:00", true],
    ["2026-02-29/2026-03-01", false],
    ["2024-02-29/2024-03-01", true],
    ["2026-10-01/", false],
    ["2026-10-01T24:00Z/2026-10-02", false],
    ["2026-10-01T00:00+25:00/2026-10-02", false],
  ])("period %s: %s", (value, ok) => expect(isPeriod(value)).toBe(ok));

  it.each([
    ["2026-11-01T10:00:00.000Z", true],
    ["2026-11-01T10:00:00Z", true],
    ["2026-02-30T10:00:00.000Z", false],
    ["2026-11-01T24:00:00.000Z", false],
    ["2026-11-01T10:60:00.000Z", false],
    ["2026-11-01T10:00:00+01:00", false],
  ])("instant %s: %s", (value, ok) => expect(isInstant(value)).toBe(ok));

  it.each([
    ["2026-12-31", true],
    ["2026-04-31", false],
    ["0000-01-01", false],
  ])("date %s: %s", (value, ok) => expect(isDate(value)).toBe(ok));
});

describe("resultInconsistency", () => {
  it("accepts a result as the tool wrote it", () => {
    expect(resultInconsistency(sampleResult())).toBeUndefined();
  });

  it.each([
    ["pass", 999],
    ["notApplicable", 0],
    ["compliant", true],
    ["exitCode", 0],
  ] as const)("names summary.%s when it disagrees with the findings", (field, value) => {
    const result = sampleResult();
    (result.summary as unknown as Record<string, unknown>)[field] = value;
    expect(resultInconsistency(result)).toMatch(new RegExp(`^summary\\.${field} is ${String(value)} but`));
  });

  it("accepts a result of an earlier version, which states no exit code", () => {
    const result = sampleResult();
    delete result.summary.exitCode;
    expect(resultInconsistency(result)).toBeUndefined();
  });

  it("names finishedAt before startedAt", () => {
    const result = sampleResult();
    result.finishedAt = "2020-01-01T00:00:00.000Z";
    expect(resultInconsistency(result)).toMatch(/^finishedAt .* is before startedAt/);
  });
});
