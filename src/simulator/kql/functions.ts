// The scalar function library.

import { randomUUID } from "node:crypto";
import type { Pos } from "./ast.js";
import { unifyTypes } from "./scope.js";
import type { Compiled } from "./scope.js";
import type { KqlError, KqlType } from "./types.js";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  TICK_EPOCH_OFFSET_MS,
  TICK_MS,
  compareValues,
  compileRegex,
  dynamicTypeName,
  isNull,
  isNumericType,
  parseDatetime,
  parseTimespan,
  toDynamic,
  toStr,
  valueKey,
  valuesEqual,
} from "./values.js";
import type { Row } from "./values.js";

export interface CallInfo {
  name: string;
  pos: Pos;
  now: Date;
  /** Builds a semantic error about this call. */
  fail(message: string): KqlError;
}

export interface FunctionDef {
  min: number;
  max: number;
  /** A volatile function is never folded into a constant (rand(), new_guid()). */
  volatile?: boolean;
  build(args: Compiled[], info: CallInfo): Compiled;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions

const GUID_TEXT = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

function toNum(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const s = v.trim();
    if (s === "") return null;
    const n = Number(s);
    if (Number.isNaN(n)) return s.toLowerCase() === "nan" ? NaN : null;
    return n;
  }
  return null;
}

/** Converts a value of static type `from` to type `to`, as the to*() functions do (null when it cannot). */
export function convert(v: unknown, from: KqlType, to: KqlType): unknown {
  if (isNull(v)) return to === "string" ? "" : null;
  switch (to) {
    case "string":
      return toStr(v, from);
    case "guid":
      return typeof v === "string" && GUID_TEXT.test(v.trim()) ? v.trim().toLowerCase() : null;
    case "long":
    case "int":
    case "real": {
      let n: number | null;
      if (v instanceof Date) n = (v.getTime() + TICK_EPOCH_OFFSET_MS) / TICK_MS;
      else if (from === "timespan" && typeof v === "number") n = Math.round(v / TICK_MS);
      else n = toNum(v);
      if (n === null) return null;
      if (to === "real") return n;
      if (!Number.isFinite(n)) return null;
      return Math.trunc(n);
    }
    case "bool":
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      if (typeof v === "string") {
        const s = v.trim().toLowerCase();
        if (s === "true" || s === "1") return true;
        if (s === "false" || s === "0") return false;
      }
      return null;
    case "datetime":
      if (v instanceof Date) return v;
      if (typeof v === "string") return parseDatetime(v);
      return null;
    case "timespan":
      if (typeof v === "number" && from === "timespan") return v;
      if (typeof v === "string") return parseTimespan(v);
      return null;
    case "dynamic":
      return toDynamic(v, from);
  }
}

/** parse_json / todynamic: a string is parsed as JSON (or kept as a string when it is not JSON). */
function parseJson(v: unknown, from: KqlType): unknown {
  if (isNull(v)) return null;
  if (typeof v === "string") {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return toDynamic(v, from);
}

function asDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === "string") return parseDatetime(v);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

type TypeRule = KqlType | ((args: Compiled[], info: CallInfo) => KqlType);

/** A function that evaluates all its arguments, then computes from their values. */
function eager(
  min: number,
  max: number,
  type: TypeRule,
  impl: (vals: unknown[], args: Compiled[], info: CallInfo) => unknown,
  volatile = false,
): FunctionDef {
  return {
    min,
    max,
    volatile,
    build(args, info) {
      const t = typeof type === "function" ? type(args, info) : type;
      const fns = args.map((a) => a.fn);
      if (fns.length === 1) {
        const f0 = fns[0] as (row: Row) => unknown;
        return { type: t, fn: (row) => impl([f0(row)], args, info) };
      }
      return {
        type: t,
        fn: (row) =>
          impl(
            fns.map((f) => f(row)),
            args,
            info,
          ),
      };
    },
  };
}

type Accept = KqlType | "any";

/** Checks the static type of argument i; dynamic values and the null literal are always accepted. */
function expectArg(args: Compiled[], i: number, accepted: Accept[], info: CallInfo): void {
  const a = args[i];
  if (!a || a.isNullLiteral || a.type === "dynamic" || accepted.includes("any")) return;
  const ok = accepted.some(
    (t) => t === a.type || (t === "long" && isNumericType(a.type)) || (t === "string" && a.type === "guid"),
  );
  if (!ok) {
    throw info.fail(`argument ${i + 1} must be of type ${accepted.join(" or ")}, not ${a.type}`);
  }
}

function constString(args: Compiled[], i: number, info: CallInfo, what: string): string {
  const a = args[i];
  if (!a?.isConst) throw info.fail(`${what} must be a constant string`);
  return toStr(a.value, a.type);
}

// ---------------------------------------------------------------------------------------------------------------
// Dates

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function startOfWeek(ms: number): number {
  const day = startOfDay(ms);
  return day - new Date(day).getUTCDay() * DAY_MS;
}

function addMonths(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), day) + (d.getTime() - startOfDay(d.getTime())),
  );
}

function isoWeek(d: Date): number {
  const day = new Date(startOfDay(d.getTime()));
  const dow = (day.getUTCDay() + 6) % 7; // Monday = 0
  day.setUTCDate(day.getUTCDate() - dow + 3); // the Thursday of this week
  const firstThursday = new Date(Date.UTC(day.getUTCFullYear(), 0, 4));
  const fdow = (firstThursday.getUTCDay() + 6) % 7;
  firstThursday.setUTCDate(firstThursday.getUTCDate() - fdow + 3);
  return 1 + Math.round((day.getTime() - firstThursday.getTime()) / (7 * DAY_MS));
}

type Period = "start" | "end";

function periodFunction(unit: "day" | "week" | "month" | "year", which: Period): FunctionDef {
  return eager(1, 2, "datetime", ([v, offset], args, info) => {
    expectArg(args, 0, ["datetime"], info);
    const d = asDate(v);
    if (!d) return null;
    const n = typeof offset === "number" ? Math.trunc(offset) : 0;
    let start: number;
    let next: number;
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    switch (unit) {
      case "day":
        start = startOfDay(d.getTime()) + n * DAY_MS;
        next = start + DAY_MS;
        break;
      case "week":
        start = startOfWeek(d.getTime()) + n * 7 * DAY_MS;
        next = start + 7 * DAY_MS;
        break;
      case "month":
        start = Date.UTC(y, m + n, 1);
        next = Date.UTC(y, m + n + 1, 1);
        break;
      default:
        start = Date.UTC(y + n, 0, 1);
        next = Date.UTC(y + n + 1, 0, 1);
    }
    // Kusto's end is one tick before the next period; JS dates stop at milliseconds.
    return new Date(which === "start" ? start : next - 1);
  });
}

const PART_ALIASES: Record<string, string> = {
  year: "year",
  years: "year",
  quarter: "quarter",
  quarters: "quarter",
  month: "month",
  months: "month",
  week: "week",
  weeks: "week",
  day: "day",
  days: "day",
  hour: "hour",
  hours: "hour",
  minute: "minute",
  minutes: "minute",
  second: "second",
  seconds: "second",
  millisecond: "millisecond",
  milliseconds: "millisecond",
  microsecond: "microsecond",
  microseconds: "microsecond",
  nanosecond: "nanosecond",
  nanoseconds: "nanosecond",
};

function datePart(args: Compiled[], info: CallInfo): string {
  const raw = constString(args, 0, info, "the period").toLowerCase();
  const part = PART_ALIASES[raw];
  if (!part) throw info.fail(`unknown period '${raw}'`);
  return part;
}

function datetimeDiff(part: string, a: Date, b: Date): number {
  const x = a.getTime();
  const y = b.getTime();
  switch (part) {
    case "year":
      return a.getUTCFullYear() - b.getUTCFullYear();
    case "quarter":
      return (
        a.getUTCFullYear() * 4 +
        Math.floor(a.getUTCMonth() / 3) -
        (b.getUTCFullYear() * 4 + Math.floor(b.getUTCMonth() / 3))
      );
    case "month":
      return a.getUTCFullYear() * 12 + a.getUTCMonth() - (b.getUTCFullYear() * 12 + b.getUTCMonth());
    case "week":
      return Math.round((startOfWeek(x) - startOfWeek(y)) / (7 * DAY_MS));
    case "day":
      return Math.round((startOfDay(x) - startOfDay(y)) / DAY_MS);
    case "hour":
      return Math.floor(x / HOUR_MS) - Math.floor(y / HOUR_MS);
    case "minute":
      return Math.floor(x / MINUTE_MS) - Math.floor(y / MINUTE_MS);
    case "second":
      return Math.floor(x / SECOND_MS) - Math.floor(y / SECOND_MS);
    case "millisecond":
      return x - y;
    case "microsecond":
      return (x - y) * 1000;
    default:
      return (x - y) * 1_000_000;
  }
}

function datetimeAdd(part: string, amount: number, d: Date): Date {
  const n = Math.trunc(amount);
  switch (part) {
    case "year":
      return addMonths(d, 12 * n);
    case "quarter":
      return addMonths(d, 3 * n);
    case "month":
      return addMonths(d, n);
    case "week":
      return new Date(d.getTime() + n * 7 * DAY_MS);
    case "day":
      return new Date(d.getTime() + n * DAY_MS);
    case "hour":
      return new Date(d.getTime() + n * HOUR_MS);
    case "minute":
      return new Date(d.getTime() + n * MINUTE_MS);
    case "second":
      return new Date(d.getTime() + n * SECOND_MS);
    case "millisecond":
      return new Date(d.getTime() + n);
    case "microsecond":
      return new Date(d.getTime() + n / 1000);
    default:
      return new Date(d.getTime() + n / 1_000_000);
  }
}

function datetimePart(part: string, d: Date): number {
  switch (part) {
    case "year":
      return d.getUTCFullYear();
    case "quarter":
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case "month":
      return d.getUTCMonth() + 1;
    case "week":
      return isoWeek(d);
    case "day":
      return d.getUTCDate();
    case "hour":
      return d.getUTCHours();
    case "minute":
      return d.getUTCMinutes();
    case "second":
      return d.getUTCSeconds();
    case "millisecond":
      return d.getUTCMilliseconds();
    case "microsecond":
      return d.getUTCMilliseconds() * 1000;
    default:
      return d.getUTCMilliseconds() * 1_000_000;
  }
}

const FORMAT_TOKENS = /yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|\\.|./gs;

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

function fractionDigits(msPart: number, count: number, trim: boolean): string {
  const seven = pad(Math.round((msPart % 1000) * 10_000), 7).slice(0, 7);
  let digits = seven.slice(0, count);
  if (trim) digits = digits.replace(/0+$/, "");
  return digits;
}

export function formatDatetimePattern(d: Date, pattern: string): string {
  const ms = d.getTime();
  return pattern.replace(FORMAT_TOKENS, (t) => {
    switch (t) {
      case "yyyy":
        return pad(d.getUTCFullYear(), 4);
      case "yy":
        return pad(d.getUTCFullYear() % 100, 2);
      case "MM":
        return pad(d.getUTCMonth() + 1, 2);
      case "M":
        return String(d.getUTCMonth() + 1);
      case "dd":
        return pad(d.getUTCDate(), 2);
      case "d":
        return String(d.getUTCDate());
      case "HH":
        return pad(d.getUTCHours(), 2);
      case "H":
        return String(d.getUTCHours());
      case "hh":
        return pad(d.getUTCHours() % 12 || 12, 2);
      case "h":
        return String(d.getUTCHours() % 12 || 12);
      case "mm":
        return pad(d.getUTCMinutes(), 2);
      case "m":
        return String(d.getUTCMinutes());
      case "ss":
        return pad(d.getUTCSeconds(), 2);
      case "s":
        return String(d.getUTCSeconds());
      case "tt":
        return d.getUTCHours() < 12 ? "AM" : "PM";
      default:
        if (/^f+$/.test(t)) return fractionDigits(((ms % 1000) + 1000) % 1000, t.length, false);
        if (/^F+$/.test(t)) return fractionDigits(((ms % 1000) + 1000) % 1000, t.length, true);
        if (t.startsWith("\\")) return t.slice(1);
        return t;
    }
  });
}

const TIMESPAN_FORMAT_TOKENS = /d{1,8}|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|\\.|./gs;

function formatTimespanPattern(ms: number, pattern: string): string {
  const negative = ms < 0;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / DAY_MS);
  const hours = Math.floor((abs % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((abs % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((abs % MINUTE_MS) / SECOND_MS);
  const out = pattern.replace(TIMESPAN_FORMAT_TOKENS, (t) => {
    if (/^d+$/.test(t)) return pad(days, t.length);
    switch (t) {
      case "hh":
        return pad(hours, 2);
      case "h":
        return String(hours);
      case "mm":
        return pad(minutes, 2);
      case "m":
        return String(minutes);
      case "ss":
        return pad(seconds, 2);
      case "s":
        return String(seconds);
      default:
        if (/^f+$/.test(t)) return fractionDigits(abs % 1000, t.length, false);
        if (/^F+$/.test(t)) return fractionDigits(abs % 1000, t.length, true);
        if (t.startsWith("\\")) return t.slice(1);
        return t;
    }
  });
  return negative ? `-${out}` : out;
}

// ---------------------------------------------------------------------------------------------------------------
// Binning

function binType(args: Compiled[], info: CallInfo): KqlType {
  const [x, size] = args;
  if (!x || !size) throw info.fail("expects a value and a bin size");
  switch (x.type) {
    case "datetime":
    case "timespan":
      expectArg(args, 1, ["timespan"], info);
      return x.type;
    case "long":
    case "int":
      expectArg(args, 1, ["long", "real"], info);
      return size.type === "real" ? "real" : "long";
    case "real":
      expectArg(args, 1, ["long", "real"], info);
      return "real";
    case "dynamic":
      return size.type === "timespan" ? "timespan" : "real";
    default:
      throw info.fail(`cannot bin a value of type ${x.type}`);
  }
}

function binValue(v: unknown, size: unknown, origin: number): unknown {
  if (isNull(v) || typeof size !== "number" || !(size > 0)) return null;
  if (v instanceof Date) return new Date(Math.floor((v.getTime() - origin) / size) * size + origin);
  if (typeof v === "number") return Math.floor((v - origin) / size) * size + origin;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

function trimFunction(start: boolean, end: boolean): FunctionDef {
  return {
    min: 2,
    max: 2,
    build(args, info) {
      const pattern = constString(args, 0, info, "the trim pattern");
      const s = args[1] as Compiled;
      let flags = "";
      let body = pattern;
      const inline = /^\(\?i\)/.exec(body);
      if (inline) {
        flags = "i";
        body = body.slice(inline[0].length);
      }
      let startRe: RegExp | null = null;
      let endRe: RegExp | null = null;
      try {
        if (start) startRe = new RegExp(`^(?:${body})+`, flags);
        if (end) endRe = new RegExp(`(?:${body})+$`, flags);
      } catch {
        throw info.fail(`invalid regular expression '${pattern}'`);
      }
      const f = s.fn;
      return {
        type: "string",
        fn: (row) => {
          let text = toStr(f(row), s.type);
          if (startRe) text = text.replace(startRe, "");
          if (endRe) text = text.replace(endRe, "");
          return text;
        },
      };
    },
  };
}

function regexArg(args: Compiled[], i: number, info: CallInfo): RegExp {
  const pattern = constString(args, i, info, "the regular expression");
  const re = compileRegex(pattern);
  if (!re) throw info.fail(`invalid regular expression '${pattern}'`);
  return re;
}

/** Rewrites .NET/RE2 style group references (\1) into JS ones ($1). */
function jsRewrite(rewrite: string): string {
  return rewrite.replace(/\$/g, "$$$$").replace(/\\(\d)/g, "$$$1");
}

function withGlobal(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
}

// ---------------------------------------------------------------------------------------------------------------
// The library

function numericResult(args: Compiled[], info: CallInfo): KqlType {
  expectArg(args, 0, ["long", "real"], info);
  return args[0]?.type === "dynamic" ? "real" : (args[0]?.type ?? "real");
}

function mathFunction(impl: (x: number) => number): FunctionDef {
  return eager(1, 1, "real", ([v], args, info) => {
    expectArg(args, 0, ["long", "real"], info);
    const x = toNum(v);
    return x === null ? null : impl(x);
  });
}

function conversion(to: KqlType): FunctionDef {
  return eager(1, 1, to, ([v], args) => convert(v, (args[0] as Compiled).type, to));
}

const timespanOrNull = (v: unknown): number | null => (typeof v === "number" ? v : null);

export const FUNCTIONS: Record<string, FunctionDef> = {
  // ---- time ----
  now: eager(0, 1, "datetime", ([offset], _args, info) => new Date(info.now.getTime() + (timespanOrNull(offset) ?? 0))),
  ago: eager(1, 1, "datetime", ([span], args, info) => {
    expectArg(args, 0, ["timespan"], info);
    const ms = timespanOrNull(span);
    return ms === null ? null : new Date(info.now.getTime() - ms);
  }),
  bin: eager(2, 2, binType, ([v, size]) => binValue(v, size, 0)),
  floor: eager(2, 2, binType, ([v, size]) => binValue(v, size, 0)),
  bin_at: eager(3, 3, binType, ([v, size, at]) => {
    const origin = at instanceof Date ? at.getTime() : typeof at === "number" ? at : null;
    return origin === null ? null : binValue(v, size, origin);
  }),
  startofday: periodFunction("day", "start"),
  startofweek: periodFunction("week", "start"),
  startofmonth: periodFunction("month", "start"),
  startofyear: periodFunction("year", "start"),
  endofday: periodFunction("day", "end"),
  endofweek: periodFunction("week", "end"),
  endofmonth: periodFunction("month", "end"),
  endofyear: periodFunction("year", "end"),
  datetime_diff: eager(
    3,
    3,
    (args, info) => (datePart(args, info), "long"),
    ([, a, b], args, info) => {
      const da = asDate(a);
      const db = asDate(b);
      return da && db ? datetimeDiff(datePart(args, info), da, db) : null;
    },
  ),
  datetime_add: eager(
    3,
    3,
    (args, info) => (datePart(args, info), "datetime"),
    ([, amount, d], args, info) => {
      const dt = asDate(d);
      return dt && typeof amount === "number" ? datetimeAdd(datePart(args, info), amount, dt) : null;
    },
  ),
  datetime_part: eager(
    2,
    2,
    (args, info) => (datePart(args, info), "int"),
    ([, d], args, info) => {
      const dt = asDate(d);
      return dt ? datetimePart(datePart(args, info), dt) : null;
    },
  ),
  getyear: eager(1, 1, "int", ([d]) => asDate(d)?.getUTCFullYear() ?? null),
  getmonth: eager(1, 1, "int", ([d]) => {
    const dt = asDate(d);
    return dt ? dt.getUTCMonth() + 1 : null;
  }),
  monthofyear: eager(1, 1, "int", ([d]) => {
    const dt = asDate(d);
    return dt ? dt.getUTCMonth() + 1 : null;
  }),
  dayofmonth: eager(1, 1, "int", ([d]) => asDate(d)?.getUTCDate() ?? null),
  dayofyear: eager(1, 1, "int", ([d]) => {
    const dt = asDate(d);
    return dt ? Math.round((startOfDay(dt.getTime()) - Date.UTC(dt.getUTCFullYear(), 0, 1)) / DAY_MS) + 1 : null;
  }),
  dayofweek: eager(1, 1, "timespan", ([d]) => {
    const dt = asDate(d);
    return dt ? dt.getUTCDay() * DAY_MS : null;
  }),
  hourofday: eager(1, 1, "int", ([d]) => asDate(d)?.getUTCHours() ?? null),
  weekofyear: eager(1, 1, "int", ([d]) => {
    const dt = asDate(d);
    return dt ? isoWeek(dt) : null;
  }),
  week_of_year: eager(1, 1, "int", ([d]) => {
    const dt = asDate(d);
    return dt ? isoWeek(dt) : null;
  }),
  make_datetime: eager(3, 7, "datetime", (vals) => {
    const nums = vals.map((v) => (typeof v === "number" ? v : null));
    if (nums.slice(0, 3).some((n) => n === null)) return null;
    const [y, mo, d, h, mi, s] = nums as number[];
    const secs = s ?? 0;
    const ms = Date.UTC(y as number, (mo as number) - 1, d as number, h ?? 0, mi ?? 0, Math.floor(secs));
    return new Date(ms + (secs - Math.floor(secs)) * 1000);
  }),
  unixtime_seconds_todatetime: eager(1, 1, "datetime", ([v]) => (typeof v === "number" ? new Date(v * 1000) : null)),
  unixtime_milliseconds_todatetime: eager(1, 1, "datetime", ([v]) => (typeof v === "number" ? new Date(v) : null)),
  format_datetime: eager(2, 2, "string", ([d, f], args, info) => {
    expectArg(args, 0, ["datetime"], info);
    const dt = asDate(d);
    return dt ? formatDatetimePattern(dt, toStr(f, "string")) : "";
  }),
  format_timespan: eager(2, 2, "string", ([t, f], args, info) => {
    expectArg(args, 0, ["timespan"], info);
    return typeof t === "number" ? formatTimespanPattern(t, toStr(f, "string")) : "";
  }),

  // ---- conversions ----
  tostring: eager(1, 1, "string", ([v], args) => toStr(v, (args[0] as Compiled).type)),
  toint: conversion("int"),
  tolong: conversion("long"),
  toreal: conversion("real"),
  todouble: conversion("real"),
  tobool: conversion("bool"),
  toboolean: conversion("bool"),
  todatetime: conversion("datetime"),
  totimespan: conversion("timespan"),
  toguid: conversion("guid"),
  todynamic: eager(1, 1, "dynamic", ([v], args) => parseJson(v, (args[0] as Compiled).type)),
  parse_json: eager(1, 1, "dynamic", ([v], args) => parseJson(v, (args[0] as Compiled).type)),
  toobject: eager(1, 1, "dynamic", ([v], args) => parseJson(v, (args[0] as Compiled).type)),
  gettype: eager(1, 1, "string", ([v], args) => {
    const t = (args[0] as Compiled).type;
    if (t !== "dynamic") return t;
    return dynamicTypeName(v);
  }),

  // ---- strings ----
  tolower: eager(1, 1, "string", ([v], args) => toStr(v, (args[0] as Compiled).type).toLowerCase()),
  toupper: eager(1, 1, "string", ([v], args) => toStr(v, (args[0] as Compiled).type).toUpperCase()),
  strlen: eager(1, 1, "long", ([v], args) => [...toStr(v, (args[0] as Compiled).type)].length),
  strcat: eager(1, 64, "string", (vals, args) => vals.map((v, i) => toStr(v, (args[i] as Compiled).type)).join("")),
  strcat_delim: eager(3, 64, "string", (vals, args) => {
    const [delim, ...rest] = vals;
    return rest.map((v, i) => toStr(v, (args[i + 1] as Compiled).type)).join(toStr(delim, (args[0] as Compiled).type));
  }),
  strcat_array: eager(2, 2, "string", ([arr, delim]) =>
    Array.isArray(arr) ? arr.map((x) => toStr(x, "dynamic")).join(toStr(delim, "string")) : "",
  ),
  substring: eager(2, 3, "string", ([v, start, len], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    if (typeof start !== "number") return "";
    const from = Math.max(0, Math.trunc(start));
    if (len === undefined || len === null) return s.slice(from);
    if (typeof len !== "number" || len < 0) return "";
    return s.slice(from, from + Math.trunc(len));
  }),
  trim: trimFunction(true, true),
  trim_start: trimFunction(true, false),
  trim_end: trimFunction(false, true),
  split: eager(2, 3, "dynamic", ([v, delim, index], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    const d = toStr(delim, (args[1] as Compiled).type);
    const parts = d === "" ? [s] : s.split(d);
    if (index === undefined) return parts;
    if (typeof index !== "number") return null;
    const i = Math.trunc(index);
    const part = parts[i < 0 ? parts.length + i : i];
    return part === undefined ? [] : [part];
  }),
  replace_string: eager(3, 3, "string", ([v, lookup, rewrite], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    const l = toStr(lookup, (args[1] as Compiled).type);
    return l === "" ? s : s.split(l).join(toStr(rewrite, (args[2] as Compiled).type));
  }),
  replace_regex: {
    min: 3,
    max: 3,
    build(args, info) {
      const re = withGlobal(regexArg(args, 1, info));
      const [text, , rewrite] = args as [Compiled, Compiled, Compiled];
      return {
        type: "string",
        fn: (row) => toStr(text.fn(row), text.type).replace(re, jsRewrite(toStr(rewrite.fn(row), rewrite.type))),
      };
    },
  },
  replace: {
    min: 3,
    max: 3,
    build(args, info) {
      const re = withGlobal(regexArg(args, 0, info));
      const [, rewrite, text] = args as [Compiled, Compiled, Compiled];
      return {
        type: "string",
        fn: (row) => toStr(text.fn(row), text.type).replace(re, jsRewrite(toStr(rewrite.fn(row), rewrite.type))),
      };
    },
  },
  extract: {
    min: 3,
    max: 3,
    build(args, info) {
      const re = regexArg(args, 0, info);
      const [, group, text] = args as [Compiled, Compiled, Compiled];
      return {
        type: "string",
        fn: (row) => {
          const m = re.exec(toStr(text.fn(row), text.type));
          const g = group.fn(row);
          if (!m || typeof g !== "number") return "";
          return m[g] ?? "";
        },
      };
    },
  },
  indexof: eager(2, 5, "long", ([v, lookup, start, length, occurrence], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    const l = toStr(lookup, (args[1] as Compiled).type);
    let from = typeof start === "number" ? Math.trunc(start) : 0;
    if (from < 0) from = Math.max(0, s.length + from);
    const limit = typeof length === "number" && length >= 0 ? from + length : s.length;
    let n = typeof occurrence === "number" ? Math.trunc(occurrence) : 1;
    let at = from - 1;
    while (n-- > 0) {
      at = s.indexOf(l, at + 1);
      if (at < 0) return -1;
    }
    return at + l.length <= limit ? at : -1;
  }),
  countof: eager(2, 3, "long", ([v, search, kind], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    const needle = toStr(search, (args[1] as Compiled).type);
    if (needle === "") return 0;
    if (toStr(kind, "string").toLowerCase() === "regex") {
      const re = compileRegex(needle);
      return re ? (s.match(withGlobal(re)) ?? []).length : 0;
    }
    let count = 0;
    for (let at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + needle.length)) count++;
    return count;
  }),
  reverse: eager(1, 1, "string", ([v], args) => [...toStr(v, (args[0] as Compiled).type)].reverse().join("")),
  strrep: eager(2, 3, "string", ([v, n, delim], args) => {
    const s = toStr(v, (args[0] as Compiled).type);
    const times = typeof n === "number" ? Math.max(0, Math.trunc(n)) : 0;
    return Array<string>(times)
      .fill(s)
      .join(delim === undefined ? "" : toStr(delim, "string"));
  }),
  strcmp: eager(2, 2, "int", ([a, b], args) => {
    const x = toStr(a, (args[0] as Compiled).type);
    const y = toStr(b, (args[1] as Compiled).type);
    return x < y ? -1 : x > y ? 1 : 0;
  }),
  base64_encode_tostring: eager(1, 1, "string", ([v], args) =>
    Buffer.from(toStr(v, (args[0] as Compiled).type), "utf8").toString("base64"),
  ),
  base64_decode_tostring: eager(1, 1, "string", ([v], args) =>
    Buffer.from(toStr(v, (args[0] as Compiled).type), "base64").toString("utf8"),
  ),
  url_encode: eager(1, 1, "string", ([v], args) => encodeURIComponent(toStr(v, (args[0] as Compiled).type))),
  url_decode: eager(1, 1, "string", ([v], args) => {
    try {
      return decodeURIComponent(toStr(v, (args[0] as Compiled).type).replace(/\+/g, " "));
    } catch {
      return "";
    }
  }),

  // ---- null and emptiness ----
  isempty: eager(1, 1, "bool", ([v]) => isNull(v) || v === ""),
  isnotempty: eager(1, 1, "bool", ([v]) => !(isNull(v) || v === "")),
  isnull: eager(1, 1, "bool", ([v]) => isNull(v)),
  isnotnull: eager(1, 1, "bool", ([v]) => !isNull(v)),

  // ---- conditionals ----
  iff: conditional(),
  iif: conditional(),
  case: {
    min: 3,
    max: Infinity,
    build(args, info) {
      if (args.length % 2 !== 1) throw info.fail("expects pairs of predicate and value, then an else value");
      const preds: ((row: Row) => unknown)[] = [];
      const values: Compiled[] = [];
      for (let i = 0; i + 1 < args.length; i += 2) {
        expectArg(args, i, ["bool"], info);
        preds.push((args[i] as Compiled).fn);
        values.push(args[i + 1] as Compiled);
      }
      const otherwise = args[args.length - 1] as Compiled;
      const type = unifyTypes([...values, otherwise]);
      const fns = values.map((v) => v.fn);
      const e = otherwise.fn;
      return {
        type,
        fn: (row) => {
          for (let i = 0; i < preds.length; i++) {
            if ((preds[i] as (row: Row) => unknown)(row) === true) return (fns[i] as (row: Row) => unknown)(row);
          }
          return e(row);
        },
      };
    },
  },
  coalesce: {
    min: 1,
    max: 64,
    build(args) {
      const type = unifyTypes(args);
      const fns = args.map((a) => a.fn);
      const empty = (v: unknown): boolean => isNull(v) || (type === "string" && v === "");
      return {
        type,
        fn: (row) => {
          for (const f of fns) {
            const v = f(row);
            if (!empty(v)) return v;
          }
          return null;
        },
      };
    },
  },
  not: eager(1, 1, "bool", ([v], args, info) => {
    expectArg(args, 0, ["bool"], info);
    return v === true ? false : v === false ? true : null;
  }),

  // ---- dynamic ----
  array_length: eager(1, 1, "long", ([v]) => (Array.isArray(v) ? v.length : null)),
  pack: packFunction(),
  bag_pack: packFunction(),
  pack_array: eager(1, 64, "dynamic", (vals, args) => vals.map((v, i) => toDynamic(v, (args[i] as Compiled).type))),
  bag_keys: eager(1, 1, "dynamic", ([v]) => (v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : null)),
  bag_has_key: eager(2, 2, "bool", ([v, k]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && typeof k === "string"
      ? Object.prototype.hasOwnProperty.call(v, k)
      : false,
  ),
  set_has_element: eager(2, 2, "bool", ([arr, v], args) => {
    if (!Array.isArray(arr)) return null;
    const needle = toDynamic(v, (args[1] as Compiled).type);
    return arr.some((x) => valuesEqual(x, needle) || (isNull(x) && isNull(needle)));
  }),
  array_index_of: eager(2, 2, "long", ([arr, v], args) => {
    if (!Array.isArray(arr)) return null;
    const needle = toDynamic(v, (args[1] as Compiled).type);
    return arr.findIndex((x) => valuesEqual(x, needle));
  }),
  array_concat: eager(1, 64, "dynamic", (vals) => (vals.every(Array.isArray) ? (vals as unknown[][]).flat() : null)),
  array_slice: eager(3, 3, "dynamic", ([arr, start, end]) => {
    if (!Array.isArray(arr) || typeof start !== "number" || typeof end !== "number") return null;
    const s = start < 0 ? arr.length + start : start;
    const e = end < 0 ? arr.length + end : end;
    return arr.slice(s, e + 1);
  }),
  array_sort_asc: eager(1, 1, "dynamic", ([arr]) =>
    Array.isArray(arr) ? [...(arr as unknown[])].sort((a, b) => compareValues(a, b) ?? 0) : null,
  ),
  array_sort_desc: eager(1, 1, "dynamic", ([arr]) =>
    Array.isArray(arr) ? [...(arr as unknown[])].sort((a, b) => compareValues(b, a) ?? 0) : null,
  ),
  set_union: eager(1, 64, "dynamic", (vals) => {
    if (!vals.every(Array.isArray)) return null;
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const v of (vals as unknown[][]).flat()) {
      const k = valueKey(v);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(v);
      }
    }
    return out;
  }),

  // ---- math ----
  abs: eager(1, 1, numericResult, ([v]) => (typeof v === "number" ? Math.abs(v) : null)),
  ceiling: eager(1, 1, numericResult, ([v]) => (typeof v === "number" ? Math.ceil(v) : null)),
  sign: eager(1, 1, numericResult, ([v]) => (typeof v === "number" ? Math.sign(v) : null)),
  round: eager(1, 2, numericResult, ([v, precision]) => {
    if (typeof v !== "number") return null;
    const p = typeof precision === "number" ? Math.trunc(precision) : 0;
    const f = 10 ** p;
    // Round half away from zero, as .NET's Math.Round(MidpointRounding.AwayFromZero) used by Kusto.
    return (Math.sign(v) * Math.round(Math.abs(v) * f)) / f;
  }),
  sqrt: mathFunction(Math.sqrt),
  exp: mathFunction(Math.exp),
  exp2: mathFunction((x) => 2 ** x),
  exp10: mathFunction((x) => 10 ** x),
  log: mathFunction(Math.log),
  log2: mathFunction(Math.log2),
  log10: mathFunction(Math.log10),
  pow: eager(2, 2, "real", ([a, b]) => (typeof a === "number" && typeof b === "number" ? a ** b : null)),
  isnan: eager(1, 1, "bool", ([v]) => typeof v === "number" && Number.isNaN(v)),
  isinf: eager(1, 1, "bool", ([v]) => v === Infinity || v === -Infinity),
  isfinite: eager(1, 1, "bool", ([v]) => typeof v === "number" && Number.isFinite(v)),
  min_of: extremeOf(-1),
  max_of: extremeOf(1),
  rand: eager(0, 1, "real", ([n]) => (typeof n === "number" ? Math.floor(Math.random() * n) : Math.random()), true),
  new_guid: eager(0, 0, "guid", () => randomUUID(), true),
};

function conditional(): FunctionDef {
  return {
    min: 3,
    max: 3,
    build(args, info) {
      expectArg(args, 0, ["bool"], info);
      const [cond, a, b] = args as [Compiled, Compiled, Compiled];
      const type = unifyTypes([a, b]);
      const c = cond.fn;
      const x = a.fn;
      const y = b.fn;
      return { type, fn: (row) => (c(row) === true ? x(row) : y(row)) };
    },
  };
}

function packFunction(): FunctionDef {
  return {
    min: 2,
    max: 128,
    build(args, info) {
      if (args.length % 2 !== 0) throw info.fail("expects pairs of key and value");
      const fns = args.map((a) => a.fn);
      return {
        type: "dynamic",
        fn: (row) => {
          const out: Record<string, unknown> = {};
          for (let i = 0; i + 1 < fns.length; i += 2) {
            const key = toStr((fns[i] as (row: Row) => unknown)(row), (args[i] as Compiled).type);
            out[key] = toDynamic((fns[i + 1] as (row: Row) => unknown)(row), (args[i + 1] as Compiled).type);
          }
          return out;
        },
      };
    },
  };
}

function extremeOf(sign: 1 | -1): FunctionDef {
  return eager(
    1,
    64,
    (args) => unifyTypes(args),
    (vals) => {
      let best: unknown = null;
      for (const v of vals) {
        if (isNull(v)) continue;
        if (isNull(best)) {
          best = v;
          continue;
        }
        const c = compareValues(v, best);
        if (c !== null && c * sign > 0) best = v;
      }
      return best;
    },
  );
}

/** Real KQL functions that this interpreter does not implement: reported as unsupported, not unknown. */
const UNSUPPORTED_FUNCTIONS = new Set([
  "percentiles",
  "percentiles_array",
  "percentilew",
  "percentilesw",
  "tdigest",
  "tdigest_merge",
  "hll",
  "hll_merge",
  "dcount_hll",
  "make_bag",
  "make_bag_if",
  "bag_merge",
  "bag_remove_keys",
  "bag_unpack",
  "buildschema",
  "hash",
  "hash_sha256",
  "hash_sha1",
  "hash_md5",
  "hash_combine",
  "hash_many",
  "hash_xxhash64",
  "todecimal",
  "parse_url",
  "parse_urlquery",
  "parse_path",
  "parse_csv",
  "parse_xml",
  "parse_user_agent",
  "parse_version",
  "parse_command_line",
  "extract_all",
  "extract_json",
  "extractjson",
  "treepath",
  "zip",
  "datetime_utc_to_local",
  "datetime_local_to_utc",
  "format_bytes",
  "tohex",
  "binary_and",
  "binary_or",
  "binary_xor",
  "binary_not",
  "binary_shift_left",
  "binary_shift_right",
  "row_cumsum",
  "row_window_session",
  "series_stats",
  "gzip_compress_to_base64_string",
  "gzip_decompress_from_base64_string",
  "punycode_to_string",
  "string_size",
  "unicode_codepoints_from_string",
  "unicode_codepoints_to_string",
  "repeat",
  "range",
  "jaccard_index",
  "estimate_data_size",
  "cursor_after",
  "cursor_current",
  "ingestion_time",
  "current_principal",
  "current_principal_details",
  "current_database",
  "current_cluster_endpoint",
  "stdevif",
  "varianceif",
]);

const UNSUPPORTED_PREFIXES = [
  "series_",
  "geo_",
  "ipv4_",
  "ipv6_",
  "parse_ipv",
  "format_ipv",
  "array_iff",
  "array_rotate",
  "array_shift",
  "array_split",
  "array_sum",
  "bitset_",
  "hll_",
  "tdigest_",
  "percentrank_",
  "rank_",
];

export function isUnsupportedFunction(name: string): boolean {
  return UNSUPPORTED_FUNCTIONS.has(name) || UNSUPPORTED_PREFIXES.some((p) => name.startsWith(p));
}
