// The scalar compiler: binds names in a scalar expression against a schema and let bindings, infers its type,
// and turns it into a function of the row. Binding happens before any row is read, so unknown columns and
// type errors are reported even when a table is empty.

import { AGGREGATES } from "./aggregates.js";
import type { BetweenExpr, BinaryExpr, CallExpr, Expr, ListOpExpr, MemberExpr, NameExpr, Pos } from "./ast.js";
import { FUNCTIONS } from "./functions.js";
import type { CallInfo } from "./functions.js";
import { unsupported } from "./parser.js";
import { constant, Env, Scope } from "./scope.js";
import type { Binding, Compiled } from "./scope.js";
import { KqlError } from "./types.js";
import type { KqlType } from "./types.js";
import {
  compareValues,
  compileRegex,
  dynamicGet,
  isIntegerType,
  isNull,
  toStr,
  valueKey,
  valuesEqual,
} from "./values.js";
import type { Row } from "./values.js";

// ---------------------------------------------------------------------------------------------------------------
// Column naming

/** Functions whose result column takes the name of their first argument (bin(TimeGenerated, 1d) -> TimeGenerated). */
const FIRST_ARGUMENT_NAMED = new Set(["bin", "tostring"]);

/** The name Kusto gives a column computed by `expr` when no name is written; undefined when it would be ColumnN. */
export function defaultName(e: Expr): string | undefined {
  switch (e.kind) {
    case "name":
      return e.name;
    case "paren":
      return defaultName(e.expr);
    case "member": {
      const base = defaultName(e.target);
      return base === undefined ? undefined : `${base}_${e.member}`;
    }
    case "index": {
      const base = defaultName(e.target);
      if (base === undefined || e.index.kind !== "literal") return undefined;
      return `${base}_${String(e.index.value)}`;
    }
    case "call": {
      const first = e.args[0];
      if (FIRST_ARGUMENT_NAMED.has(e.name)) return first ? defaultName(first) : undefined;
      const agg = AGGREGATES[e.name];
      if (agg) {
        if (agg.prefixOnly) return `${e.name}_`;
        return `${e.name}_${first ? (defaultName(first) ?? "") : ""}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Picks a name not yet in `taken` (Kusto appends 1, 2, ... to clashing names) and records it. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let k = 1; taken.has(candidate); k++) candidate = `${name}${k}`;
  taken.add(candidate);
  return candidate;
}

// ---------------------------------------------------------------------------------------------------------------
// Types

type Category = "num" | "str" | "datetime" | "timespan" | "bool" | "dynamic";

function category(t: KqlType): Category {
  switch (t) {
    case "long":
    case "int":
    case "real":
      return "num";
    case "string":
    case "guid":
      return "str";
    case "datetime":
    case "timespan":
    case "bool":
    case "dynamic":
      return t;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

export function compileScalar(e: Expr, scope: Scope): Compiled {
  switch (e.kind) {
    case "literal":
      return constant(e.type, e.type === "string" && isNull(e.value) ? "" : e.value, e.isNullLiteral === true);
    case "name":
      return compileName(e, scope);
    case "paren":
      if (scope.ctx.isTabular(e.expr, scope.env) && !isScalarName(e.expr, scope)) {
        throw scope.semantic("a tabular expression cannot be used as a scalar", e.pos);
      }
      return compileScalar(e.expr, scope);
    case "star":
      throw scope.semantic("'*' is only allowed as an argument of arg_max(), arg_min() and take_any()", e.pos);
    case "member":
      return compileMember(e, scope);
    case "index": {
      const target = compileScalar(e.target, scope);
      requireDynamic(target, scope, e.pos, "[]");
      const index = compileScalar(e.index, scope);
      const t = target.fn;
      const i = index.fn;
      return foldIfConst({ type: "dynamic", fn: (row) => dynamicGet(t(row), i(row)) }, [target, index]);
    }
    case "call":
      return compileCall(e, scope);
    case "unary": {
      const operand = compileScalar(e.operand, scope);
      if (e.op === "+") return operand;
      const cat = category(operand.type);
      if (cat !== "num" && cat !== "timespan" && cat !== "dynamic") {
        throw scope.semantic(`Cannot apply unary '-' to a value of type ${operand.type}`, e.pos);
      }
      const f = operand.fn;
      return foldIfConst(
        {
          type: cat === "dynamic" ? "real" : operand.type,
          fn: (row) => {
            const v = f(row);
            return typeof v === "number" ? -v : null;
          },
        },
        [operand],
      );
    }
    case "binary":
      return compileBinary(e, scope);
    case "listop":
      return compileListOp(e, scope);
    case "between":
      return compileBetween(e, scope);
    case "function":
      throw scope.semantic("a function definition cannot be used as a value", e.pos);
    case "pipe":
    case "union":
    case "print":
      throw scope.semantic("a tabular expression cannot be used as a scalar", e.pos);
  }
}

/** Compiles an expression that must not depend on the row (take counts, datatable cells, let values). */
export function compileConst(e: Expr, scope: Scope, what: string): Compiled {
  const c = compileScalar(e, scope);
  if (!c.isConst) throw scope.semantic(`${what} must be a constant`, exprPos(e));
  return c;
}

export function exprPos(e: Expr): Pos {
  return e.pos;
}

function isScalarName(e: Expr, scope: Scope): boolean {
  if (e.kind !== "name") return false;
  if (scope.index.has(e.name)) return true;
  const b = scope.env.lookup(e.name);
  return b !== undefined && (b.kind === "scalar" || b.kind === "param");
}

function foldIfConst(c: Compiled, inputs: Compiled[]): Compiled {
  if (c.isConst || !inputs.every((i) => i.isConst)) return c;
  return constant(c.type, c.fn([]));
}

function requireDynamic(target: Compiled, scope: Scope, pos: Pos, what: string): void {
  if (target.type !== "dynamic") {
    throw scope.semantic(`'${what}' can only be applied to a value of type dynamic, not ${target.type}`, pos);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names

function compileName(e: NameExpr, scope: Scope): Compiled {
  const idx = scope.index.get(e.name);
  if (idx !== undefined) {
    const col = scope.columns[idx];
    return { type: col?.type ?? "dynamic", fn: (row) => row[idx] };
  }
  if (scope.aggregate?.rowScope.index.has(e.name)) {
    throw scope.semantic(
      `column '${e.name}' must be used inside an aggregate function such as take_any(${e.name}), or in the 'by' clause`,
      e.pos,
    );
  }
  const b: Binding | undefined = scope.env.lookup(e.name);
  if (b) {
    switch (b.kind) {
      case "scalar":
        return constant(b.type, b.value);
      case "param":
        return b.compiled;
      case "tabular":
        throw scope.semantic(`'${e.name}' is a tabular expression and cannot be used as a scalar`, e.pos);
      case "function":
        throw scope.semantic(`'${e.name}' is a function; call it with ()`, e.pos);
    }
  }
  throw scope.semantic(`Failed to resolve column or scalar expression named '${e.name}'`, e.pos);
}

function compileMember(e: MemberExpr, scope: Scope): Compiled {
  const target = compileScalar(e.target, scope);
  requireDynamic(target, scope, e.pos, `.${e.member}`);
  const t = target.fn;
  const member = e.member;
  return foldIfConst({ type: "dynamic", fn: (row) => dynamicGet(t(row), member) }, [target]);
}

// ---------------------------------------------------------------------------------------------------------------
// Binary operators

const COLUMN_WILDCARD_OPS = new Set([
  "has",
  "has_cs",
  "contains",
  "contains_cs",
  "startswith",
  "startswith_cs",
  "endswith",
  "endswith_cs",
  "hasprefix",
  "hassuffix",
  "=~",
]);

/** `* has "x"`: true when any column of the row matches. */
function compileAnyColumn(e: BinaryExpr, scope: Scope): Compiled {
  if (!COLUMN_WILDCARD_OPS.has(e.op)) throw unsupported(`'*' with the '${e.op}' operator`, e.pos);
  const right = compileScalar(e.right, scope);
  const tests = scope.columns.map((col, i) =>
    compileStringOp(e, { type: col.type, fn: (row) => row[i] }, right, scope),
  );
  return { type: "bool", fn: (row) => tests.some((t) => t.fn(row) === true) };
}

function compileBinary(e: BinaryExpr, scope: Scope): Compiled {
  if (e.left.kind === "star") return compileAnyColumn(e, scope);
  const left = compileScalar(e.left, scope);
  const right = compileScalar(e.right, scope);
  let c: Compiled;
  switch (e.op) {
    case "and":
    case "or":
      c = compileLogical(e, left, right, scope);
      break;
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
      c = compileArithmetic(e, left, right, scope);
      break;
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      c = compileComparison(e, left, right, scope);
      break;
    default:
      c = compileStringOp(e, left, right, scope);
  }
  return foldIfConst(c, [left, right]);
}

function compileLogical(e: BinaryExpr, left: Compiled, right: Compiled, scope: Scope): Compiled {
  for (const side of [left, right]) {
    if (side.type !== "bool" && side.type !== "dynamic" && !side.isNullLiteral) {
      throw scope.semantic(`the operands of '${e.op}' must be of type bool, not ${side.type}`, e.pos);
    }
  }
  const l = left.fn;
  const r = right.fn;
  if (e.op === "and") return { type: "bool", fn: (row) => l(row) === true && r(row) === true };
  return { type: "bool", fn: (row) => l(row) === true || r(row) === true };
}

/** The result type of an arithmetic operator, or undefined when Kusto would reject the operand types. */
function arithmeticType(op: string, lt: KqlType, rt: KqlType): KqlType | undefined {
  const lc = category(lt);
  const rc = category(rt);
  if (lc === "num" && rc === "num") {
    if (lt === "real" || rt === "real") return "real";
    if (lt === "int" && rt === "int") return "int";
    return "long";
  }
  if (lc === "dynamic" || rc === "dynamic") {
    const other = lc === "dynamic" ? rc : lc;
    if (other === "datetime") return op === "-" && lc === "datetime" ? "datetime" : op === "+" ? "datetime" : "dynamic";
    if (other === "timespan") return "timespan";
    return "real";
  }
  switch (op) {
    case "+":
      if ((lc === "datetime" && rc === "timespan") || (lc === "timespan" && rc === "datetime")) return "datetime";
      if (lc === "timespan" && rc === "timespan") return "timespan";
      return undefined;
    case "-":
      if (lc === "datetime" && rc === "datetime") return "timespan";
      if (lc === "datetime" && rc === "timespan") return "datetime";
      if (lc === "timespan" && rc === "timespan") return "timespan";
      return undefined;
    case "*":
      if ((lc === "timespan" && rc === "num") || (lc === "num" && rc === "timespan")) return "timespan";
      return undefined;
    case "/":
      if (lc === "timespan" && rc === "num") return "timespan";
      if (lc === "timespan" && rc === "timespan") return "real";
      return undefined;
    case "%":
      if (lc === "timespan" && rc === "timespan") return "timespan";
      return undefined;
    default:
      return undefined;
  }
}

function toNumberLoose(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

function compileArithmetic(e: BinaryExpr, left: Compiled, right: Compiled, scope: Scope): Compiled {
  const op = e.op;
  const lt = left.isNullLiteral ? right.type : left.type;
  const rt = right.isNullLiteral ? left.type : right.type;
  const type = arithmeticType(op, lt, rt);
  if (!type) {
    throw scope.semantic(
      `Cannot apply the operator '${op}' to operands of types ${left.type} and ${right.type}`,
      e.pos,
    );
  }
  const l = left.fn;
  const r = right.fn;
  const integer = isIntegerType(type);
  const dateResult = type === "datetime";
  const apply = (a: unknown, b: unknown): unknown => {
    if (isNull(a) || isNull(b)) return null;
    const x = toNumberLoose(a);
    const y = toNumberLoose(b);
    if (x === null || y === null) return null;
    let v: number;
    switch (op) {
      case "+":
        v = x + y;
        break;
      case "-":
        v = x - y;
        break;
      case "*":
        v = x * y;
        break;
      case "/":
        if (integer) {
          if (y === 0) return null;
          v = Math.trunc(x / y);
        } else {
          v = x / y;
        }
        break;
      default:
        if (integer && y === 0) return null;
        v = x % y;
    }
    return dateResult ? new Date(v) : v;
  };
  return { type, fn: (row) => apply(l(row), r(row)) };
}

function compileComparison(e: BinaryExpr, left: Compiled, right: Compiled, scope: Scope): Compiled {
  const lc = category(left.type);
  const rc = category(right.type);
  if (!left.isNullLiteral && !right.isNullLiteral && lc !== rc && lc !== "dynamic" && rc !== "dynamic") {
    throw scope.semantic(
      `Cannot compare values of types ${left.type} and ${right.type}. Try adding explicit casts`,
      e.pos,
    );
  }
  const l = left.fn;
  const r = right.fn;
  const bothStrings = lc === "str" && rc === "str";
  switch (e.op) {
    case "==":
      if (bothStrings) return { type: "bool", fn: (row) => l(row) === r(row) };
      return { type: "bool", fn: (row) => valuesEqual(l(row), r(row)) };
    case "!=":
      if (bothStrings) return { type: "bool", fn: (row) => l(row) !== r(row) };
      return {
        type: "bool",
        fn: (row) => {
          const a = l(row);
          const b = r(row);
          return !isNull(a) && !isNull(b) && !valuesEqual(a, b);
        },
      };
    default: {
      const test: (c: number) => boolean =
        e.op === "<" ? (c) => c < 0 : e.op === "<=" ? (c) => c <= 0 : e.op === ">" ? (c) => c > 0 : (c) => c >= 0;
      return {
        type: "bool",
        fn: (row) => {
          const c = compareValues(l(row), r(row));
          return c !== null && test(c);
        },
      };
    }
  }
}

// ---- string operators ----

function isTermChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const code = ch.charCodeAt(0);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}

/**
 * Kusto's term match (has, hasprefix, hassuffix): `needle` must occur where it starts and/or ends a term,
 * a term being a run of alphanumeric characters. Both strings are already case-normalised.
 */
export function termMatch(hay: string, needle: string, mode: "term" | "prefix" | "suffix"): boolean {
  if (needle === "") return true;
  const needStart = mode !== "suffix" && isTermChar(needle[0]);
  const needEnd = mode !== "prefix" && isTermChar(needle[needle.length - 1]);
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return false;
    const end = at + needle.length;
    const startOk = !needStart || at === 0 || !isTermChar(hay[at - 1]);
    const endOk = !needEnd || end === hay.length || !isTermChar(hay[end]);
    if (startOk && endOk) return true;
    from = at + 1;
  }
}

type StringPredicate = (hay: string, needle: string) => boolean;

const STRING_PREDICATES: Record<string, StringPredicate> = {
  "=~": (h, n) => h === n,
  has: (h, n) => termMatch(h, n, "term"),
  hasprefix: (h, n) => termMatch(h, n, "prefix"),
  hassuffix: (h, n) => termMatch(h, n, "suffix"),
  contains: (h, n) => h.includes(n),
  startswith: (h, n) => h.startsWith(n),
  endswith: (h, n) => h.endsWith(n),
};

function compileStringOp(e: BinaryExpr, left: Compiled, right: Compiled, scope: Scope): Compiled {
  const op = e.op;
  const lt = left.type;
  const rt = right.type;
  const l = left.fn;
  const r = right.fn;
  if (op === "matches regex") {
    if (right.isConst) {
      const re = compileRegex(toStr(right.value, rt));
      if (!re) throw scope.semantic(`invalid regular expression '${toStr(right.value, rt)}'`, e.pos);
      return { type: "bool", fn: (row) => re.test(toStr(l(row), lt)) };
    }
    return {
      type: "bool",
      fn: (row) => {
        const re = compileRegex(toStr(r(row), rt));
        return re !== null && re.test(toStr(l(row), lt));
      },
    };
  }
  let name = op;
  let negated = false;
  if (name.startsWith("!")) {
    negated = true;
    name = name.slice(1);
  }
  if (name === "~") name = "=~"; // !~ is the negation of =~
  let cs = false;
  if (name.endsWith("_cs")) {
    cs = true;
    name = name.slice(0, -3);
  }
  const pred = STRING_PREDICATES[name];
  if (!pred) throw unsupported(`the '${op}' operator`, e.pos);
  const norm = cs ? (s: string) => s : (s: string) => s.toLowerCase();
  if (right.isConst) {
    const needle = norm(toStr(right.value, rt));
    if (negated) return { type: "bool", fn: (row) => !pred(norm(toStr(l(row), lt)), needle) };
    return { type: "bool", fn: (row) => pred(norm(toStr(l(row), lt)), needle) };
  }
  return {
    type: "bool",
    fn: (row) => pred(norm(toStr(l(row), lt)), norm(toStr(r(row), rt))) !== negated,
  };
}

// ---- in, has_any, between ----

function isTabularItem(item: Expr, scope: Scope): boolean {
  if (item.kind === "paren") return isTabularItem(item.expr, scope);
  if (item.kind === "name") {
    if (scope.index.has(item.name)) return false;
    const b = scope.env.lookup(item.name);
    if (b) return b.kind === "tabular";
    return scope.ctx.db.table(item.name) !== undefined;
  }
  return scope.ctx.isTabular(item, scope.env);
}

function compileListOp(e: ListOpExpr, scope: Scope): Compiled {
  const left = compileScalar(e.left, scope);
  const items: Compiled[] = [];
  for (const item of e.items) {
    if (isTabularItem(item, scope)) {
      const t = scope.ctx.evalTabular(item, scope.env);
      const col = t.columns[0];
      if (!col) throw scope.semantic(`the tabular expression in '${e.op}' has no columns`, item.pos);
      for (const row of t.rows) items.push(constant(col.type, row[0]));
      continue;
    }
    const c = compileScalar(item, scope);
    if (c.isConst && c.type === "dynamic" && Array.isArray(c.value)) {
      for (const v of c.value as unknown[]) items.push(constant("dynamic", v));
    } else {
      items.push(c);
    }
  }
  const l = left.fn;
  const lt = left.type;
  const allConst = items.every((i) => i.isConst);

  if (e.op === "has_any" || e.op === "has_all") {
    const needles = items.map((i) => ({ c: i, lower: i.isConst ? toStr(i.value, i.type).toLowerCase() : "" }));
    const all = e.op === "has_all";
    return {
      type: "bool",
      fn: (row) => {
        const hay = toStr(l(row), lt).toLowerCase();
        const test = (n: (typeof needles)[number]): boolean =>
          termMatch(hay, n.c.isConst ? n.lower : toStr(n.c.fn(row), n.c.type).toLowerCase(), "term");
        return all ? needles.every(test) : needles.some(test);
      },
    };
  }

  const negated = e.op.startsWith("!");
  const ci = e.op.endsWith("~");
  const lowerKey = (v: unknown, t: KqlType): string => `s${toStr(v, t).toLowerCase()}`;
  if (allConst) {
    const keys = new Set(items.map((i) => (ci ? lowerKey(i.value, i.type) : valueKey(i.value))));
    const fn = ci
      ? (row: Row) => keys.has(lowerKey(l(row), lt)) !== negated
      : (row: Row) => {
          const v = l(row);
          if (isNull(v)) return negated;
          return keys.has(valueKey(v)) !== negated;
        };
    return foldIfConst({ type: "bool", fn }, [left]);
  }
  return {
    type: "bool",
    fn: (row) => {
      const v = l(row);
      const found = items.some((i) => {
        const w = i.fn(row);
        return ci ? toStr(v, lt).toLowerCase() === toStr(w, i.type).toLowerCase() : valuesEqual(v, w);
      });
      return found !== negated;
    },
  };
}

function compileBetween(e: BetweenExpr, scope: Scope): Compiled {
  const left = compileScalar(e.left, scope);
  const low = compileScalar(e.low, scope);
  const high = compileScalar(e.high, scope);
  const l = left.fn;
  const lo = low.fn;
  const hiRaw = high.fn;
  // datetime between (start .. 1d) and timespan/number ranges: a timespan upper bound is relative to the lower one.
  const relative = (left.type === "datetime" || low.type === "datetime") && high.type === "timespan";
  for (const bound of [low, high]) {
    const lc = category(left.type);
    const bc = category(bound.type);
    if (!(relative && bound === high) && lc !== bc && lc !== "dynamic" && bc !== "dynamic" && !bound.isNullLiteral) {
      throw scope.semantic(
        `Cannot compare values of types ${left.type} and ${bound.type}. Try adding explicit casts`,
        e.pos,
      );
    }
  }
  const hi = relative
    ? (row: Row): unknown => {
        const a = lo(row);
        const b = hiRaw(row);
        return a instanceof Date && typeof b === "number" ? new Date(a.getTime() + b) : null;
      }
    : hiRaw;
  const negated = e.negated;
  return foldIfConst(
    {
      type: "bool",
      fn: (row) => {
        const v = l(row);
        const c1 = compareValues(v, lo(row));
        const c2 = compareValues(v, hi(row));
        if (c1 === null || c2 === null) return false;
        const inside = c1 >= 0 && c2 <= 0;
        return inside !== negated;
      },
    },
    [left, low, high],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Calls

function arityText(min: number, max: number): string {
  if (min === max) return `${min}`;
  if (max === Infinity) return `at least ${min}`;
  return `${min} to ${max}`;
}

function compileCall(e: CallExpr, scope: Scope): Compiled {
  const binding = scope.env.lookup(e.name);
  if (binding?.kind === "function") return inlineFunction(e, binding, scope);
  if (binding) {
    throw scope.semantic(`'${e.name}' is not a function`, e.pos);
  }

  switch (e.name) {
    case "column_ifexists": {
      const [nameArg, fallback] = e.args;
      if (!nameArg || !fallback || e.args.length !== 2) {
        throw scope.semantic("Function 'column_ifexists' expects 2 arguments", e.pos);
      }
      const nameC = compileConst(nameArg, scope, "the column name of column_ifexists()");
      const name = toStr(nameC.value, nameC.type);
      const idx = scope.index.get(name);
      if (idx !== undefined) {
        const col = scope.columns[idx];
        return { type: col?.type ?? "dynamic", fn: (row) => row[idx] };
      }
      return compileScalar(fallback, scope);
    }
    case "materialize":
    case "table":
    case "view":
      throw scope.semantic(`'${e.name}()' returns a table and cannot be used as a scalar`, e.pos);
    case "workspace":
    case "app":
    case "resource":
    case "database":
    case "cluster":
      throw unsupported(`cross-resource queries ('${e.name}()')`, e.pos);
    default:
      break;
  }

  if (AGGREGATES[e.name]) return compileAggregateCall(e, scope);

  const def = FUNCTIONS[e.name];
  if (!def) {
    throw new KqlError(`Unknown function: '${e.name}'`, "semantic", e.pos.line, e.pos.column);
  }
  if (e.args.length < def.min || e.args.length > def.max) {
    throw scope.semantic(
      `Function '${e.name}' expects ${arityText(def.min, def.max)} argument(s) but got ${e.args.length}`,
      e.pos,
    );
  }
  const args = e.args.map((a) => compileScalar(a, scope));
  const info: CallInfo = {
    name: e.name,
    pos: e.pos,
    now: scope.ctx.now,
    fail: (message: string) => scope.semantic(`${e.name}(): ${message}`, e.pos),
  };
  let result = def.build(args, info);
  if (result.type === "string" && !result.isConst) {
    const f = result.fn;
    result = {
      type: "string",
      fn: (row) => {
        const v = f(row);
        return v === null || v === undefined ? "" : v;
      },
    };
  }
  result = foldIfConst(result, args);
  if (result.isConst && result.type === "string" && isNull(result.value)) result = constant("string", "");
  return result;
}

function compileAggregateCall(e: CallExpr, scope: Scope): Compiled {
  const collector = scope.aggregate;
  if (!collector) {
    throw scope.semantic(`'${e.name}' is an aggregate function and can only be used in 'summarize'`, e.pos);
  }
  const def = AGGREGATES[e.name];
  if (!def) {
    throw scope.semantic(
      `'${e.name}' must be the whole aggregate expression (e.g. summarize ${e.name}(...) by ...)`,
      e.pos,
    );
  }
  if (e.args.length < def.min || e.args.length > def.max) {
    throw scope.semantic(
      `Function '${e.name}' expects ${arityText(def.min, def.max)} argument(s) but got ${e.args.length}`,
      e.pos,
    );
  }
  const rowScope = collector.rowScope;
  const args = e.args.map((a) => {
    if (a.kind === "star") throw scope.semantic(`'${e.name}' does not accept '*'`, a.pos);
    return compileScalar(a, rowScope);
  });
  const spec = def.build(args, {
    name: e.name,
    pos: e.pos,
    now: scope.ctx.now,
    fail: (message: string) => scope.semantic(`${e.name}(): ${message}`, e.pos),
  });
  const slot = collector.specs.push(spec) - 1;
  return { type: spec.type, fn: (aggRow) => aggRow[slot] };
}

/** Inlines a call to a user function: the parameters are bound to the compiled arguments. */
function inlineFunction(e: CallExpr, binding: Extract<Binding, { kind: "function" }>, scope: Scope): Compiled {
  const def = binding.def;
  if (e.args.length > def.params.length) {
    throw scope.semantic(
      `Function '${e.name}' expects ${def.params.length} argument(s) but got ${e.args.length}`,
      e.pos,
    );
  }
  let env = new Env(binding.env);
  def.params.forEach((p, i) => {
    const arg = e.args[i];
    let c: Compiled;
    if (arg) c = compileScalar(arg, scope);
    else if (p.defaultValue) c = compileScalar(p.defaultValue, new Scope(scope.ctx, binding.env, [], "let"));
    else throw scope.semantic(`Function '${e.name}': missing argument '${p.name}'`, e.pos);
    env.set(p.name, { kind: "param", compiled: c });
  });
  for (const stmt of def.body.lets) env = scope.ctx.bindLet(stmt, env);
  if (scope.ctx.isTabular(def.body.expr, env) && !isScalarName(def.body.expr, scope.withEnv(env))) {
    throw scope.semantic(`Function '${e.name}' returns a table and cannot be used as a scalar`, e.pos);
  }
  return compileScalar(def.body.expr, scope.withEnv(env));
}
