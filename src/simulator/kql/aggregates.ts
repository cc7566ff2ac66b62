// Aggregate functions of the summarize operator. Each call becomes an AggSpec; each group gets its own
// Accumulator from spec.create(). Nulls are skipped by every aggregate but count().

import type { CallInfo } from "./functions.js";
import type { Compiled } from "./scope.js";
import type { KqlType } from "./types.js";
import { compareValues, isNull, isNumericType, toDynamic, valueKey } from "./values.js";
import type { Row } from "./values.js";

export interface Accumulator {
  add(row: Row): void;
  result(): unknown;
}

export interface AggSpec {
  type: KqlType;
  create(): Accumulator;
}

export interface AggregateDef {
  min: number;
  max: number;
  /** The prefix of the default column name (prefix_Column); the function name when unset. */
  prefix?: string;
  /** The default column name is just `prefix_` (count_, countif_). */
  prefixOnly?: boolean;
  build(args: Compiled[], info: CallInfo): AggSpec;
}

/** Aggregates that produce several columns; summarize handles them itself. */
export const MULTI_COLUMN_AGGREGATES = new Set(["arg_max", "arg_min"]);

type Fn = (row: Row) => unknown;

function fnOf(args: Compiled[], i: number): Fn {
  return (args[i] as Compiled).fn;
}

/** An optional predicate argument (countif, sumif...): rows where it is not true are skipped. */
function predicate(args: Compiled[], i: number, info: CallInfo): Fn {
  const p = args[i];
  if (!p) return () => true;
  if (p.type !== "bool" && p.type !== "dynamic") throw info.fail(`the predicate must be of type bool, not ${p.type}`);
  return p.fn;
}

function constInt(args: Compiled[], i: number, info: CallInfo, fallback: number): number {
  const a = args[i];
  if (!a) return fallback;
  if (!a.isConst || typeof a.value !== "number") throw info.fail(`argument ${i + 1} must be a constant number`);
  return Math.trunc(a.value);
}

function requireNumeric(args: Compiled[], info: CallInfo, allowTimespan: boolean): KqlType {
  const t = (args[0] as Compiled).type;
  if (isNumericType(t) || t === "dynamic" || (allowTimespan && t === "timespan")) return t === "dynamic" ? "real" : t;
  throw info.fail(`expects a numeric argument, not ${t}`);
}

function countAgg(predIndex: number | undefined): AggregateDef["build"] {
  return (args, info) => {
    const p = predIndex === undefined ? () => true : predicate(args, predIndex, info);
    return {
      type: "long",
      create: () => {
        let n = 0;
        return {
          add: (row) => {
            if (p(row) === true) n++;
          },
          result: () => n,
        };
      },
    };
  };
}

function dcountAgg(predIndex: number | undefined): AggregateDef["build"] {
  return (args, info) => {
    const x = fnOf(args, 0);
    const p = predIndex === undefined ? () => true : predicate(args, predIndex, info);
    return {
      type: "long",
      create: () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            if (p(row) !== true) return;
            const v = x(row);
            if (!isNull(v)) seen.add(valueKey(v));
          },
          result: () => seen.size,
        };
      },
    };
  };
}

function sumAgg(withPredicate: boolean): AggregateDef["build"] {
  return (args, info) => {
    const type = requireNumeric(args, info, true);
    const resultType: KqlType = type === "int" ? "long" : type;
    const x = fnOf(args, 0);
    const p = withPredicate ? predicate(args, 1, info) : () => true;
    return {
      type: resultType,
      create: () => {
        let sum = 0;
        let any = false;
        return {
          add: (row) => {
            if (p(row) !== true) return;
            const v = x(row);
            if (typeof v === "number") {
              sum += v;
              any = true;
            }
          },
          result: () => (any ? sum : null),
        };
      },
    };
  };
}

function avgAgg(withPredicate: boolean): AggregateDef["build"] {
  return (args, info) => {
    const type = requireNumeric(args, info, true);
    const x = fnOf(args, 0);
    const p = withPredicate ? predicate(args, 1, info) : () => true;
    return {
      type: type === "timespan" ? "timespan" : "real",
      create: () => {
        let sum = 0;
        let n = 0;
        return {
          add: (row) => {
            if (p(row) !== true) return;
            const v = x(row);
            if (typeof v === "number") {
              sum += v;
              n++;
            }
          },
          result: () => (n === 0 ? null : sum / n),
        };
      },
    };
  };
}

function extremeAgg(sign: 1 | -1, withPredicate: boolean): AggregateDef["build"] {
  return (args, info) => {
    const x = fnOf(args, 0);
    const p = withPredicate ? predicate(args, 1, info) : () => true;
    return {
      type: (args[0] as Compiled).type,
      create: () => {
        let best: unknown = null;
        return {
          add: (row) => {
            if (p(row) !== true) return;
            const v = x(row);
            if (isNull(v) || (typeof v === "number" && Number.isNaN(v))) return;
            if (isNull(best)) {
              best = v;
              return;
            }
            const c = compareValues(v, best);
            if (c !== null && c * sign > 0) best = v;
          },
          result: () => best,
        };
      },
    };
  };
}

function collectAgg(distinct: boolean, predIndex: number | undefined, keepNulls = false): AggregateDef["build"] {
  return (args, info) => {
    const x = fnOf(args, 0);
    const xType = (args[0] as Compiled).type;
    const p = predIndex === undefined ? () => true : predicate(args, predIndex, info);
    const maxSize = constInt(args, predIndex === undefined ? 1 : predIndex + 1, info, 1_048_576);
    return {
      type: "dynamic",
      create: () => {
        const out: unknown[] = [];
        const seen = new Set<string>();
        return {
          add: (row) => {
            if (out.length >= maxSize || p(row) !== true) return;
            const v = x(row);
            if (isNull(v) && !keepNulls) return;
            const d = toDynamic(v, xType);
            if (distinct) {
              const k = valueKey(d);
              if (seen.has(k)) return;
              seen.add(k);
            }
            out.push(d);
          },
          result: () => out,
        };
      },
    };
  };
}

function takeAnyAgg(withPredicate: boolean): AggregateDef["build"] {
  return (args, info) => {
    const x = fnOf(args, 0);
    const p = withPredicate ? predicate(args, 1, info) : () => true;
    return {
      type: (args[0] as Compiled).type,
      create: () => {
        let value: unknown = null;
        let found = false;
        return {
          add: (row) => {
            if (found || p(row) !== true) return;
            const v = x(row);
            // Prefer a non-null, non-empty value when there is one.
            if (isNull(v) || v === "") {
              if (isNull(value)) value = v;
              return;
            }
            value = v;
            found = true;
          },
          result: () => value,
        };
      },
    };
  };
}

function spreadAgg(kind: "stdev" | "variance", population: boolean): AggregateDef["build"] {
  return (args, info) => {
    requireNumeric(args, info, false);
    const x = fnOf(args, 0);
    return {
      type: "real",
      create: () => {
        // Welford's online algorithm.
        let n = 0;
        let mean = 0;
        let m2 = 0;
        return {
          add: (row) => {
            const v = x(row);
            if (typeof v !== "number") return;
            n++;
            const delta = v - mean;
            mean += delta / n;
            m2 += delta * (v - mean);
          },
          result: () => {
            if (n === 0) return null;
            const denominator = population ? n : n - 1;
            const variance = denominator <= 0 ? 0 : m2 / denominator;
            return kind === "stdev" ? Math.sqrt(variance) : variance;
          },
        };
      },
    };
  };
}

function percentileAgg(args: Compiled[], info: CallInfo): AggSpec {
  const type = (args[0] as Compiled).type;
  if (!isNumericType(type) && type !== "datetime" && type !== "timespan" && type !== "dynamic") {
    throw info.fail(`expects a numeric, datetime or timespan argument, not ${type}`);
  }
  const pc = args[1] as Compiled;
  if (!pc.isConst || typeof pc.value !== "number") throw info.fail("the percentile must be a constant number");
  const percent = pc.value;
  const x = fnOf(args, 0);
  return {
    type,
    create: () => {
      const values: unknown[] = [];
      return {
        add: (row) => {
          const v = x(row);
          if (!isNull(v)) values.push(v);
        },
        result: () => {
          if (values.length === 0) return null;
          values.sort((a, b) => compareValues(a, b) ?? 0);
          // Nearest rank.
          const rank = Math.min(values.length, Math.max(1, Math.ceil((percent / 100) * values.length)));
          return values[rank - 1];
        },
      };
    },
  };
}

export const AGGREGATES: Record<string, AggregateDef> = {
  count: { min: 0, max: 0, prefixOnly: true, build: countAgg(undefined) },
  countif: { min: 1, max: 1, prefixOnly: true, build: countAgg(0) },
  dcount: { min: 1, max: 2, build: dcountAgg(undefined) },
  dcountif: { min: 2, max: 3, build: dcountAgg(1) },
  count_distinct: { min: 1, max: 1, build: dcountAgg(undefined) },
  count_distinctif: { min: 2, max: 2, build: dcountAgg(1) },
  sum: { min: 1, max: 1, build: sumAgg(false) },
  sumif: { min: 2, max: 2, build: sumAgg(true) },
  avg: { min: 1, max: 1, build: avgAgg(false) },
  avgif: { min: 2, max: 2, build: avgAgg(true) },
  min: { min: 1, max: 1, build: extremeAgg(-1, false) },
  max: { min: 1, max: 1, build: extremeAgg(1, false) },
  minif: { min: 2, max: 2, build: extremeAgg(-1, true) },
  maxif: { min: 2, max: 2, build: extremeAgg(1, true) },
  make_set: { min: 1, max: 2, build: collectAgg(true, undefined) },
  make_set_if: { min: 2, max: 3, build: collectAgg(true, 1) },
  make_list: { min: 1, max: 2, build: collectAgg(false, undefined) },
  make_list_if: { min: 2, max: 3, build: collectAgg(false, 1) },
  make_list_with_nulls: { min: 1, max: 2, build: collectAgg(false, undefined, true) },
  take_any: { min: 1, max: 1, build: takeAnyAgg(false) },
  any: { min: 1, max: 1, build: takeAnyAgg(false) },
  take_anyif: { min: 2, max: 2, build: takeAnyAgg(true) },
  anyif: { min: 2, max: 2, build: takeAnyAgg(true) },
  stdev: { min: 1, max: 1, build: spreadAgg("stdev", false) },
  stdevp: { min: 1, max: 1, build: spreadAgg("stdev", true) },
  variance: { min: 1, max: 1, build: spreadAgg("variance", false) },
  variancep: { min: 1, max: 1, build: spreadAgg("variance", true) },
  percentile: { min: 2, max: 2, build: percentileAgg },
};
