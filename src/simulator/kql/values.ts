// Runtime values of the interpreter and the conversions between them.
//
// Values are kept in their natural JS form, as in the tables the interpreter reads:
// string/guid -> string, datetime -> Date, long/int/real -> number, bool -> boolean,
// timespan -> number of milliseconds (fractions of a ms allowed: 1 tick = 0.0001 ms),
// dynamic -> a JSON value (null, boolean, number, string, array, plain object). Null is `null`.
// A string expression never yields null: Kusto strings have no null, the empty value is "".

import type { KqlType } from "./types.js";

export const TICK_MS = 0.0001;
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Milliseconds between 0001-01-01 (the tick epoch of .NET and Kusto) and 1970-01-01. */
export const TICK_EPOCH_OFFSET_MS = 62_135_596_800_000;

export type Row = unknown[];

export function isNull(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function isNumericType(t: KqlType): boolean {
  return t === "long" || t === "int" || t === "real";
}

export function isIntegerType(t: KqlType): boolean {
  return t === "long" || t === "int";
}

export function isStringLike(t: KqlType): boolean {
  return t === "string" || t === "guid";
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The wire form of a datetime: ISO 8601 with 7 fraction digits, as Azure sends it. */
export function formatDatetime(d: Date): string | null {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return null;
  const iso = d.toISOString(); // 2026-11-22T09:00:00.000Z (years 0..9999)
  return `${iso.slice(0, -1)}0000Z`;
}

/** The wire form of a timespan: [-][d.]hh:mm:ss[.fffffff]. */
export function formatTimespan(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  let ticks = Math.round(ms / TICK_MS);
  const negative = ticks < 0;
  if (negative) ticks = -ticks;
  const ticksPerSecond = 10_000_000;
  const fraction = ticks % ticksPerSecond;
  let seconds = Math.floor(ticks / ticksPerSecond);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  let out = negative ? "-" : "";
  if (days > 0) out += `${days}.`;
  out += `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}`;
  if (fraction > 0) out += `.${pad(fraction, 7)}`;
  return out;
}

const ISO_DATE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses the datetime formats Kusto accepts in literals and todatetime(): ISO 8601 and RFC 822/1123. */
export function parseDatetime(s: string): Date | null {
  const text = s.trim();
  if (text === "" || text.toLowerCase() === "null") return null;
  const m = ISO_DATE.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0));
    if (frac) ms += Number(`0.${frac}`) * 1000;
    if (zone && zone.toUpperCase() !== "Z") {
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      ms -= sign * (Number(digits.slice(0, 2)) * HOUR_MS + Number(digits.slice(2, 4)) * MINUTE_MS);
    }
    const date = new Date(ms);
    // Reject out-of-range parts such as month 13 (Date.UTC would roll them over).
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
    return Number.isFinite(date.getTime()) ? date : null;
  }
  // RFC 822 / RFC 1123 ("Sat, 8 Nov 2014 15:05:02 GMT") and the like.
  if (/[a-z]{3}/i.test(text) && /\d{4}/.test(text)) {
    const hasZone = /(GMT|UTC|Z|[+-]\d{4})\s*$/i.test(text);
    const parsed = Date.parse(hasZone ? text : `${text} GMT`);
    if (Number.isFinite(parsed)) return new Date(parsed);
  }
  return null;
}

const TIMESPAN_TEXT = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;
const TIMESPAN_UNIT_TEXT =
  /^(-)?(\d+(?:\.\d+)?)\s*(d|h|m|s|ms|microsecond|tick|days?|hours?|minutes?|seconds?|milliseconds?|ticks?)$/i;

/** Parses "[-][d.]hh:mm[:ss[.fffffff]]", a unit form such as "1d" or "30m", or a plain number of days. */
export function parseTimespan(s: string): number | null {
  const text = s.trim();
  if (text === "" || text.toLowerCase() === "null") return null;
  let m = TIMESPAN_TEXT.exec(text);
  if (m) {
    const [, neg, d, h, mi, sec, frac] = m;
    let ms = Number(d ?? 0) * DAY_MS + Number(h) * HOUR_MS + Number(mi) * MINUTE_MS + Number(sec ?? 0) * SECOND_MS;
    if (frac) ms += Number(`0.${frac}`) * 1000;
    return neg ? -ms : ms;
  }
  m = TIMESPAN_UNIT_TEXT.exec(text);
  if (m) {
    const [, neg, num, unitText] = m;
    const unit = (unitText as string).toLowerCase();
    const per =
      unit === "ms" || unit.startsWith("milli")
        ? 1
        : unit === "microsecond"
          ? 0.001
          : unit.startsWith("tick")
            ? TICK_MS
            : unit.startsWith("d")
              ? DAY_MS
              : unit.startsWith("h")
                ? HOUR_MS
                : unit.startsWith("m")
                  ? MINUTE_MS
                  : SECOND_MS;
    const ms = Number(num) * per;
    return neg ? -ms : ms;
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * DAY_MS;
  return null;
}

/** The string form of a value of the given static type, as tostring() renders it. */
export function toStr(v: unknown, type: KqlType): string {
  if (isNull(v)) return "";
  if (typeof v === "string") return v;
  if (v instanceof Date) return formatDatetime(v) ?? "";
  if (typeof v === "number") {
    if (type === "timespan") return formatTimespan(v) ?? "";
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

/** Converts a value of the given static type into a JSON value that can sit inside a dynamic. */
export function toDynamic(v: unknown, type: KqlType): unknown {
  if (isNull(v)) return null;
  if (v instanceof Date) return formatDatetime(v);
  if (type === "timespan" && typeof v === "number") return formatTimespan(v);
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}

/** A string that identifies a value for grouping, distinct and set membership. */
export function valueKey(v: unknown): string {
  if (isNull(v)) return "\u0000null";
  switch (typeof v) {
    case "string":
      return `s${v}`;
    case "number":
      return `n${v}`;
    case "boolean":
      return v ? "btrue" : "bfalse";
    default:
      if (v instanceof Date) return `d${v.getTime()}`;
      return `j${JSON.stringify(v)}`;
  }
}

/** Converts a dynamic scalar (or a string) to a number when it holds one. */
function asNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/**
 * Orders two non-null values: negative, zero or positive; null when they cannot be compared.
 * Mixed forms (a dynamic string against a datetime, a dynamic number against a string) are converted.
 */
export function compareValues(a: unknown, b: unknown): number | null {
  if (isNull(a) || isNull(b)) return null;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : a === b ? 0 : null;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : typeof a === "string" ? parseDatetime(a)?.getTime() : undefined;
    const y = b instanceof Date ? b.getTime() : typeof b === "string" ? parseDatetime(b)?.getTime() : undefined;
    if (x === undefined || y === undefined) return null;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (typeof a === "number" || typeof b === "number") {
    const x = asNumber(a);
    const y = asNumber(b);
    if (x === null || y === null) return null;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "object" || typeof b === "object") {
    const x = typeof a === "string" ? a : JSON.stringify(a);
    const y = typeof b === "string" ? b : JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Kusto's == : false when either side is null. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (isNull(a) || isNull(b)) return false;
  if (typeof a === typeof b && typeof a !== "object") return a === b;
  return compareValues(a, b) === 0;
}

/** The total order used by sort: nulls are placed by the caller; this orders non-null values of one column. */
export function sortCompare(a: unknown, b: unknown): number {
  const c = compareValues(a, b);
  if (c !== null) return c;
  // Incomparable non-null values (mixed dynamic forms): order by type name, then by text.
  const ta = a instanceof Date ? "date" : typeof a;
  const tb = b instanceof Date ? "date" : typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") {
    // NaN sorts first.
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
  }
  return 0;
}

/** Looks a member up in a dynamic value: an object property, or an array element (negative counts from the end). */
export function dynamicGet(target: unknown, key: unknown): unknown {
  if (isNull(target) || isNull(key)) return null;
  if (Array.isArray(target)) {
    const idx = typeof key === "number" ? key : asNumber(key);
    if (idx === null || !Number.isInteger(idx)) return null;
    const i = idx < 0 ? target.length + idx : idx;
    const v: unknown = target[i];
    return v === undefined ? null : v;
  }
  if (typeof target === "object") {
    const k = typeof key === "string" ? key : String(key);
    if (!Object.prototype.hasOwnProperty.call(target, k)) return null;
    const v = (target as Record<string, unknown>)[k];
    return v === undefined ? null : v;
  }
  return null;
}

/** The Kusto type name of a dynamic value's content, as gettype() reports it. */
export function dynamicTypeName(v: unknown): string {
  if (isNull(v)) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "long" : "real";
    default:
      return "dictionary";
  }
}

const regexCache = new Map<string, RegExp | null>();

/**
 * Compiles a Kusto (RE2) regular expression for JS: a leading (?i) becomes the i flag and (?P<name>...)
 * becomes (?<name>...). Returns null when the pattern is invalid. Compiled patterns are cached.
 */
export function compileRegex(pattern: string): RegExp | null {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  let source = pattern;
  let flags = "";
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    const f = inline[1] ?? "";
    if (f.includes("i")) flags += "i";
    if (f.includes("m")) flags += "m";
    if (f.includes("s")) flags += "s";
  }
  source = source.replace(/\(\?P</g, "(?<");
  let re: RegExp | null;
  try {
    re = new RegExp(source, flags);
  } catch {
    re = null;
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}
