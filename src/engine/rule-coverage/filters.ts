// Evaluating the filters of one source against one HSM's records: each `where` condition is computed over the values
// the HSM's records hold in the resource columns, in Kusto's semantics, to true, false, "true for some records" or
// "cannot be decided".
import { descendantsOf, kindOf, listOf, type KqlNode } from "../kusto-syntax.js";
import { columnNames, DERIVED_NAME, isResourceName, RESOURCE_COLUMNS, type HsmRecords } from "./columns.js";
import type { Filter, Source } from "./sources.js";

/** true: some of these records pass; false: none does; a string: why that cannot be decided. */
export function sourceReads(source: Source, target: HsmRecords): boolean | string {
  if (source.opaque) return source.opaque;
  let selected = !target.mustSelect;
  let undecided: string | undefined;
  for (const filter of source.filters) {
    const evaluator = new Evaluator(source, target, filter);
    const value = evaluator.truth(filter.condition);
    if (value === F) return false;
    if (value === OPAQUE) undecided ??= evaluator.why ?? "a filter on the resource columns could not be evaluated";
    if (value === T && evaluator.touchedResource) selected = true;
  }
  if (undecided) return `it filters ${target.table} in a way the analysis cannot evaluate (${undecided})`;
  return selected;
}

const T = "true";
const F = "false";
/** Depends on columns that vary between the HSM's records (OperationName, ...): true for some records. */
const FREE = "free";
const OPAQUE = "opaque";
type Truth = typeof T | typeof F | typeof FREE | typeof OPAQUE;

type Value =
  | { k: "str"; value: string; caseKnown: boolean; column: boolean }
  | { k: "num"; value: number }
  | { k: "list"; items: Value[] }
  /** A column whose value varies between the HSM's records (OperationName, CallerIpAddress, ...). */
  | { k: "free" }
  /** A constant the evaluator does not compute (`ago(1d)`, `1 .. 5`): fine against a varying column, not otherwise. */
  | { k: "const" }
  /** A value from a resource column that cannot be computed. */
  | { k: "opaque" };

const FREE_VALUE: Value = { k: "free" };
const CONST_VALUE: Value = { k: "const" };
const OPAQUE_VALUE: Value = { k: "opaque" };

const and = (a: Truth, b: Truth): Truth =>
  a === F || b === F ? F : a === OPAQUE || b === OPAQUE ? OPAQUE : a === FREE || b === FREE ? FREE : T;
const or = (a: Truth, b: Truth): Truth =>
  a === T || b === T ? T : a === FREE || b === FREE ? FREE : a === OPAQUE || b === OPAQUE ? OPAQUE : F;
const not = (a: Truth): Truth => (a === T ? F : a === F ? T : a);
const truth = (b: boolean): Truth => (b ? T : F);

class Evaluator {
  /** Whether the filter compared a resource column (a filter that selects the HSM's records must). */
  touchedResource = false;
  why: string | undefined;
  private readonly kindOf = kindOf;

  constructor(
    private readonly source: Source,
    private readonly target: HsmRecords,
    private readonly filter: Filter,
  ) {}

  private opaque(why: string): typeof OPAQUE {
    this.why ??= why;
    return OPAQUE;
  }

  truth(node: KqlNode | null | undefined): Truth {
    if (!node) return this.opaque("an empty condition");
    const kind = this.kindOf(node);
    switch (kind) {
      case "ParenthesizedExpression":
        return this.truth(node.Expression as KqlNode);
      case "AndExpression":
        return and(this.truth(node.Left as KqlNode), this.truth(node.Right as KqlNode));
      case "OrExpression":
        return or(this.truth(node.Left as KqlNode), this.truth(node.Right as KqlNode));
      case "BooleanLiteralExpression":
        return truth(String(node.LiteralValue).toLowerCase() === "true");
      case "FunctionCallExpression":
        return this.callTruth(node);
      case "InExpression":
      case "InCsExpression":
      case "NotInExpression":
      case "NotInCsExpression":
      case "HasAnyExpression":
      case "HasAllExpression":
        return this.listTruth(node);
      default:
        if (node.Left && node.Right && node.Operator) return this.compare(node);
        return this.generic(node);
    }
  }

  private callTruth(node: KqlNode): Truth {
    const name = ((node.Name as KqlNode | null)?.SimpleName ?? "").toLowerCase();
    const args = listOf((node.ArgumentList as KqlNode | null)?.Expressions);
    if (name === "not" && args.length === 1) return not(this.truth(args[0]));
    if (["isempty", "isnotempty", "isnull", "isnotnull"].includes(name) && args.length === 1) {
      const value = this.value(args[0]!);
      if (value.k === "free") return FREE;
      if (value.k !== "str") return this.opaque(`${name}() of a value it cannot compute`);
      const empty = value.value === "";
      return truth(name === "isempty" || name === "isnull" ? empty : !empty);
    }
    return this.generic(node);
  }

  /** A condition the evaluator does not model: free when it reads only columns that vary between records. */
  private generic(node: KqlNode): Truth {
    const values = columnNames(node).map((n) => this.name(n));
    if (values.some((v) => v.k === "opaque" || (v.k === "str" && v.column))) {
      this.touchedResource = true;
      return this.opaque(`a condition on a resource column that it cannot evaluate (${this.kindOf(node)})`);
    }
    if (values.some((v) => v.k === "free")) return FREE;
    return this.opaque(`a constant condition it cannot evaluate (${this.kindOf(node)})`);
  }

  private compare(node: KqlNode): Truth {
    const op = String((node.Operator as KqlNode).Text ?? "").toLowerCase();
    const left = this.value(node.Left as KqlNode);
    const right = this.value(node.Right as KqlNode);
    return this.test(op, left, right);
  }

  private test(op: string, left: Value, right: Value): Truth {
    const resource = [left, right].some((v) => v.k === "opaque" || (v.k === "str" && v.column));
    if (resource) this.touchedResource = true;
    if (left.k === "opaque" || right.k === "opaque") return this.opaque(`'${op}' on a value it cannot compute`);
    if (left.k === "free" || right.k === "free") {
      return resource ? this.opaque(`'${op}' between a resource column and another column`) : FREE;
    }
    if (left.k === "num" && right.k === "num") {
      const a = left.value;
      const b = right.value;
      const results: Record<string, boolean> = {
        "==": a === b,
        "!=": a !== b,
        "<>": a !== b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
      };
      return op in results ? truth(results[op]!) : this.opaque(`'${op}' between numbers`);
    }
    if (left.k === "str" && right.k === "str") {
      return stringTest(op, left, right) ?? this.opaque(`the operator '${op}'`);
    }
    return this.opaque(`'${op}' between values it cannot compare`);
  }

  private listTruth(node: KqlNode): Truth {
    const op = String((node.Operator as KqlNode).Text ?? "").toLowerCase();
    const left = this.value(node.Left as KqlNode);
    const items = listOf((node.Right as KqlNode | null)?.Expressions).flatMap((e) => {
      const v = this.value(e);
      return v.k === "list" ? v.items : [v];
    });
    if (items.length === 0) return this.opaque(`'${op}' with an empty list`);
    const negated = op.startsWith("!");
    const base = negated ? op.slice(1) : op;
    const each = base === "in" ? "==" : base === "in~" ? "=~" : base === "has_any" || base === "has_all" ? "has" : "";
    if (!each) return this.opaque(`the operator '${op}'`);
    let result: Truth = base === "has_all" ? T : F;
    for (const item of items) {
      const one = this.test(each, left, item);
      result = base === "has_all" ? and(result, one) : or(result, one);
    }
    return negated ? not(result) : result;
  }

  /** The value of a scalar expression for the HSM's records. */
  value(node: KqlNode): Value {
    const kind = this.kindOf(node);
    switch (kind) {
      case "ParenthesizedExpression":
        return this.value(node.Expression as KqlNode);
      case "StringLiteralExpression":
        return { k: "str", value: String(node.LiteralValue ?? ""), caseKnown: true, column: false };
      case "LongLiteralExpression":
      case "IntLiteralExpression":
      case "RealLiteralExpression":
        return literalNumber(node);
      case "NameReference":
        return this.name(node.SimpleName ?? "");
      case "DynamicExpression": {
        const array = descendantsOf(node).find((n) => this.kindOf(n) === "JsonArrayExpression");
        if (!array) return CONST_VALUE;
        const literals = descendantsOf(array).filter((n) => this.kindOf(n).endsWith("LiteralExpression"));
        return { k: "list", items: literals.map((n) => this.value(n)) };
      }
      case "FunctionCallExpression": {
        const name = ((node.Name as KqlNode | null)?.SimpleName ?? "").toLowerCase();
        const args = listOf((node.ArgumentList as KqlNode | null)?.Expressions);
        if (name === "pack_array") return { k: "list", items: args.map((a) => this.value(a)) };
        if (["tolower", "toupper", "tostring"].includes(name) && args.length === 1) {
          const inner = this.value(args[0]!);
          if (inner.k !== "str") return inner.k === "num" ? CONST_VALUE : inner;
          if (name === "tolower") return { ...inner, value: inner.value.toLowerCase(), caseKnown: true };
          if (name === "toupper") return { ...inner, value: inner.value.toUpperCase(), caseKnown: true };
          return inner;
        }
        break;
      }
    }
    const values = columnNames(node).map((n) => this.name(n));
    if (values.some((v) => v.k === "opaque" || (v.k === "str" && v.column))) {
      this.touchedResource = true;
      this.why ??= `a value computed from a resource column (${kind})`;
      return OPAQUE_VALUE;
    }
    return values.some((v) => v.k === "free") ? FREE_VALUE : CONST_VALUE;
  }

  /** The value of a name: a scalar let, or a column of the HSM's records. */
  private name(name: string): Value {
    const resource = isResourceName(name) || DERIVED_NAME.test(name) || this.source.sourceColumns.has(name);
    const bound = this.filter.scope.get(name);
    if (bound) {
      if (resource || bound.kind !== "scalar") return OPAQUE_VALUE;
      return new Evaluator(this.source, this.target, { ...this.filter, scope: bound.scope }).value(bound.node);
    }
    if (this.filter.tainted.has(name)) return OPAQUE_VALUE;
    if (!resource) return FREE_VALUE;
    if (this.filter.joined) return OPAQUE_VALUE;
    if (this.source.sourceColumns.has(name) || name === "Type") {
      return { k: "str", value: this.source.table, caseKnown: true, column: true };
    }
    const known = (RESOURCE_COLUMNS as readonly string[]).includes(name) ? this.target.columns[name] : undefined;
    return known ? { k: "str", value: known.value, caseKnown: known.caseKnown, column: true } : OPAQUE_VALUE;
  }
}

/** A numeric literal's value (the language service boxes them: Int64, Int32, Double). */
function literalNumber(node: KqlNode): { k: "num"; value: number } | { k: "const" } {
  const value = Number(String(node.LiteralValue));
  return Number.isFinite(value) ? { k: "num", value } : { k: "const" };
}

/**
 * A string operator with Kusto's semantics (`==`, `!=`, `<>`, `=~`, `!~`, `has`, `contains`, `startswith`,
 * `endswith`, their `_cs` and `!` forms); undefined for one the evaluator does not model. A case-sensitive test on a
 * value whose letter case is not known is decided only when it fails even ignoring case.
 */
function stringTest(
  op: string,
  left: { value: string; caseKnown: boolean },
  right: { value: string; caseKnown: boolean },
): Truth | undefined {
  let negated = false;
  let base = op;
  if (op === "!=" || op === "<>") [negated, base] = [true, "=="];
  else if (op === "!~") [negated, base] = [true, "=~"];
  else if (op.startsWith("!")) [negated, base] = [true, op.slice(1)];
  let sensitive = false;
  let name = base;
  if (base === "==") sensitive = true;
  else if (base === "=~") name = "==";
  else if (base.endsWith("_cs")) [sensitive, name] = [true, base.slice(0, -3)];
  const test = TESTS[name];
  if (!test) return undefined;
  const ignoringCase = test(left.value.toLowerCase(), right.value.toLowerCase());
  let result: Truth;
  if (!sensitive) result = truth(ignoringCase);
  else if (left.caseKnown && right.caseKnown) result = truth(test(left.value, right.value));
  else if (!ignoringCase) result = F;
  else return OPAQUE;
  return negated ? not(result) : result;
}

const alnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

const TESTS: Record<string, (hay: string, needle: string) => boolean> = {
  "==": (a, b) => a === b,
  contains: (a, b) => a.includes(b),
  startswith: (a, b) => a.startsWith(b),
  endswith: (a, b) => a.endsWith(b),
  /** A whole term: the needle found where it neither continues a word on the left nor on the right. */
  has: (hay, needle) => {
    if (needle === "") return true;
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
      const end = i + needle.length;
      const leftOk = i === 0 || !alnum(hay[i - 1]) || !alnum(needle[0]);
      const rightOk = end === hay.length || !alnum(hay[end]) || !alnum(needle[needle.length - 1]);
      if (leftOk && rightOk) return true;
    }
    return false;
  },
};
