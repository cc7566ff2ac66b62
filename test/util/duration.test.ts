import { formatIsoDuration, parseDuration, parseInstant, parseTimespan } from "../../src/util/duration.js";

const H = 3_600_000;
const D = 24 * H;

describe("parseDuration", () => {
  test.each([
    ["7d", 7 * D],
    ["24h", 24 * H],
    ["90m", 90 * 60_000],
    ["30s", 30_000],
    ["250ms", 250],
    ["1w", 7 * D],
    ["1.5h", 1.5 * H],
    ["P7D", 7 * D],
    ["PT24H", 24 * H],
    ["P1DT2H30M", D + 2.5 * H],
    ["PT0.5S", 500],
    ["p1w", 7 * D],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(["", "7", "d", "P", "PT", "P1H", "seven days", "-1d", "1y"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatIsoDuration", () => {
  test.each([
    [7 * D, "P7D"],
    [24 * H, "P1D"],
    [H + 30 * 60_000, "PT1H30M"],
    [D + 1000, "P1DT1S"],
    [0, "PT0S"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatIsoDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("parseTimespan", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  test.each([
    ["P1D", "2026-11-21T12:00:00.000Z", "2026-11-22T12:00:00.000Z"],
    ["2026-11-01T00:00:00Z/2026-12-01T00:00:00Z", "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"],
    ["2026-11-01T00:00:00Z/P1D", "2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"],
    ["PT1H/2026-11-01T00:00:00Z", "2026-10-31T23:00:00.000Z", "2026-11-01T00:00:00.000Z"],
    // Without an offset an instant is UTC, as Azure reads it, whatever the machine's time zone.
    ["2026-01-01T00:00:00/2026-01-02T00:00:00", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
  ])("%s", (text, start, end) => {
    const span = parseTimespan(text, now);
    expect(span?.start.toISOString()).toBe(start);
    expect(span?.end.toISOString()).toBe(end);
  });

  test.each(["7d", "yesterday", "2026-12-01T00:00:00Z/2026-11-01T00:00:00Z", "a/b/c", "2026-11-01/7d"])(
    "%j is rejected",
    (text) => {
      expect(parseTimespan(text, now)).toBeUndefined();
    },
  );
});

describe("parseInstant", () => {
  test.each([
    ["2026-11-22T09:30:00Z", "2026-11-22T09:30:00.000Z"],
    ["2026-11-22T09:30:00.123Z", "2026-11-22T09:30:00.123Z"],
    ["2026-11-22T09:30Z", "2026-11-22T09:30:00.000Z"],
    ["2026-11-22T10:30:00+01:00", "2026-11-22T09:30:00.000Z"],
    ["2026-11-22T09:30:00", "2026-11-22T09:30:00.000Z"],
    ["2026-11-22", "2026-11-22T00:00:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  test.each([
    "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-22T24:00:00Z",
    "2026-11-22T09:60Z",
    "yesterday",
    "22/11/2026",
  ])("%s does not exist", (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});
