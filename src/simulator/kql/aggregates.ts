// Aggregate functions of the summarize operator. Each call becomes an AggSpec; each group gets its own
// Accumulator from spec.create(). Nulls are skipped by every aggregate but count().

import type { CallInfo } from "./functions.js";
import type { Compiled } from "./scope.js";
import type { KqlType } from "./types.js";
import { compareValues, isNull, toDynamic, valueKey } from "./values.js";
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
  /** The default column name is just `name_` (count_, countif_), not `name_Column`. */
  prefixOnly?: boolean;
  build(args: Compiled[], info: CallInfo): AggSpec;
}

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

function dcountAgg(): AggregateDef["build"] {
  return (args) => {
    const x = fnOf(args, 0);
    return {
      type: "long",
      create: () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            const v = x(row);
            if (!isNull(v)) seen.add(valueKey(v));
          },
          result: () => seen.size,
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

function collectAgg(distinct: boolean): AggregateDef["build"] {
  return (args, info) => {
    const x = fnOf(args, 0);
    const xType = (args[0] as Compiled).type;
    const maxSize = constInt(args, 1, info, 1_048_576);
    return {
      type: "dynamic",
      create: () => {
        const out: unknown[] = [];
        const seen = new Set<string>();
        return {
          add: (row) => {
            if (out.length >= maxSize) return;
            const v = x(row);
            if (isNull(v)) return;
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

export const AGGREGATES: Record<string, AggregateDef> = {
  count: { min: 0, max: 0, prefixOnly: true, build: countAgg(undefined) },
  countif: { min: 1, max: 1, prefixOnly: true, build: countAgg(0) },
  dcount: { min: 1, max: 2, build: dcountAgg() },
  min: { min: 1, max: 1, build: extremeAgg(-1, false) },
  max: { min: 1, max: 1, build: extremeAgg(1, false) },
  minif: { min: 2, max: 2, build: extremeAgg(-1, true) },
  make_set: { min: 1, max: 2, build: collectAgg(true) },
  make_list: { min: 1, max: 2, build: collectAgg(false) },
};
