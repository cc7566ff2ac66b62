// The period a scan searches: --period, --from/--to or --log-window, and every way to get them wrong.
import { parseSearchWindow, parsePaper, parsePdfDetail } from "../../src/cli/options.js";
import { UsageError } from "../../src/cli/errors.js";

const NOW = new Date("2026-11-22T10:00:00Z");
const DAY = 86_400_000;

describe("parseSearchWindow", () => {
  test.each([
    ["--period 2026-10", { period: "2026-10" }, "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z", "2026-10"],
    [
      "--period 2024-02 (leap year)",
      { period: "2024-02" },
      "2024-02-01T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
      "2024-02",
    ],
    [
      "--period 2025-12 (year end)",
      { period: "2025-12" },
      "2025-12-01T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
      "2025-12",
    ],
    [
      "--period of the running month",
      { period: "2026-11" },
      "2026-11-01T00:00:00.000Z",
      "2026-12-01T00:00:00.000Z",
      "2026-11",
    ],
    [
      "--from/--to dates: the last day included",
      { from: "2026-10-01", to: "2026-10-15" },
      "2026-10-01T00:00:00.000Z",
      "2026-10-16T00:00:00.000Z",
      "2026-10-01/2026-10-15",
    ],
    [
      "--from/--to instants with offsets",
      { from: "2026-10-01T08:00:00+02:00", to: "2026-10-02T00:00:00Z" },
      "2026-10-01T06:00:00.000Z",
      "2026-10-02T00:00:00.000Z",
      "2026-10-01T08:00:00+02:00/2026-10-02T00:00:00Z",
    ],
  ])("%s", (_label, args, start, end, label) => {
    const window = parseSearchWindow(args, NOW);
    expect(window.period).toEqual({ start: new Date(start), end: new Date(end), label });
    expect(window.logWindowMs).toBe(new Date(end).getTime() - new Date(start).getTime());
  });

  test.each([
    ["in November: October", NOW, "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z", "2026-10"],
    [
      "on 1 January at 00:00 UTC: the last December",
      new Date("2027-01-01T00:00:00Z"),
      "2026-12-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
      "2026-12",
    ],
    [
      "on 31 March at 23:59 UTC: February",
      new Date("2028-03-31T23:59:59Z"),
      "2028-02-01T00:00:00.000Z",
      "2028-03-01T00:00:00.000Z",
      "2028-02",
    ],
  ])("--period previous-month %s", (_label, now, start, end, label) => {
    const window = parseSearchWindow({ period: " previous-month " }, now);
    expect(window.period).toEqual({ start: new Date(start), end: new Date(end), label });
    expect(window.logWindowMs).toBe(new Date(end).getTime() - new Date(start).getTime());
  });

  test.each([
    ["no flag: the last 7 days", {}, 7 * DAY],
    ["--log-window 24h", { logWindow: "24h" }, DAY],
    ["--log-window P30D", { logWindow: "P30D" }, 30 * DAY],
  ])("%s", (_label, args, ms) => {
    expect(parseSearchWindow(args, NOW)).toEqual({ logWindowMs: ms });
  });

  test.each([
    ["a month that is not one", { period: "2026-13" }, /--period must be a month as YYYY-MM/],
    ["a day instead of a month", { period: "2026-10-01" }, /--period must be a month/],
    ["a period that has not begun", { period: "2026-12" }, /has not begun yet/],
    [
      "--period with --log-window",
      { period: "2026-10", logWindow: "7d" },
      /--period and --log-window cannot be used together/,
    ],
    [
      "--period with --from/--to",
      { period: "2026-10", from: "2026-10-01", to: "2026-10-02" },
      /cannot be used together/,
    ],
    ["--from without --to", { from: "2026-10-01" }, /--from and --to go together/],
    ["--to before --from", { from: "2026-10-05", to: "2026-10-01" }, /must come after --from/],
    ["an impossible date", { from: "2026-02-30", to: "2026-03-02" }, /--from must be a date/],
    ["an instant without offset", { from: "2026-10-01T00:00:00", to: "2026-10-02" }, /--from must be a date/],
    ["more than 730 days", { from: "2020-01-01", to: "2026-01-01" }, /longer than 730 days/],
    ["a bad log window", { logWindow: "soon" }, /--log-window must be a duration/],
  ])("refuses %s", (_label, args, message) => {
    expect(() => parseSearchWindow(args, NOW)).toThrow(UsageError);
    expect(() => parseSearchWindow(args, NOW)).toThrow(message);
  });
});

describe("parsePaper", () => {
  test.each([
    [undefined, "a4"],
    ["A4", "a4"],
    ["letter", "letter"],
  ])("%s is %s", (value, paper) => expect(parsePaper(value)).toBe(paper));
  test("refuses legal", () => expect(() => parsePaper("legal")).toThrow(/--paper must be one of a4, letter/));
});

describe("parsePdfDetail", () => {
  test.each([
    [undefined, "summary"],
    ["Summary", "summary"],
    ["full", "full"],
  ])("%s is %s", (value, detail) => expect(parsePdfDetail(value)).toBe(detail));
  test.each(["brief", ""])("refuses '%s'", (value) =>
    expect(() => parsePdfDetail(value)).toThrow(/--pdf-detail must be one of summary, full/),
  );
});
