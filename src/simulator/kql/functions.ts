// The scalar functions the simulator's queries call (test/kql/usage.test.ts keeps this list to those in use).

import type { Pos } from "./ast.js";
import { unifyTypes } from "./scope.js";
import type { Compiled } from "./scope.js";
import type { KqlError, KqlType } from "./types.js";
import {
  TICK_EPOCH_OFFSET_MS,
  TICK_MS,
  isNull,
  isNumericType,
  parseDatetime,
  parseTimespan,
  toDynamic,
  toStr,
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

// ---------------------------------------------------------------------------------------------------------------
// Builders

type TypeRule = KqlType | ((args: Compiled[], info: CallInfo) => KqlType);

/** A function that evaluates all its arguments, then computes from their values. */
function eager(
  min: number,
  max: number,
  type: TypeRule,
  impl: (vals: unknown[], args: Compiled[], info: CallInfo) => unknown,
): FunctionDef {
  return {
    min,
    max,
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

// ---------------------------------------------------------------------------------------------------------------
// The library

const timespanOrNull = (v: unknown): number | null => (typeof v === "number" ? v : null);

export const FUNCTIONS: Record<string, FunctionDef> = {
  now: eager(0, 1, "datetime", ([offset], _args, info) => new Date(info.now.getTime() + (timespanOrNull(offset) ?? 0))),
  ago: eager(1, 1, "datetime", ([span], args, info) => {
    expectArg(args, 0, ["timespan"], info);
    const ms = timespanOrNull(span);
    return ms === null ? null : new Date(info.now.getTime() - ms);
  }),
  bin: eager(2, 2, binType, ([v, size]) => binValue(v, size, 0)),
  tostring: eager(1, 1, "string", ([v], args) => toStr(v, (args[0] as Compiled).type)),
  tolower: eager(1, 1, "string", ([v], args) => toStr(v, (args[0] as Compiled).type).toLowerCase()),
  iff: conditional(),
  bag_pack: packFunction(),
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
