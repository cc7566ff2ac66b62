// Whether a Sentinel analytic rule's query reads the audit records of one HSM, decided from the query's syntax tree
// (parsed by Microsoft's Kusto language service) rather than from its text: the tables the query reads, every `where`
// those rows pass through, the negations in them, and the columns that say which resource a record is about. What the
// analysis cannot follow (a function whose body is not in the query, `search`, `find`, `union *`, `invoke`, a filter
// on the resource columns it cannot compute) leaves the rule unproven: it never counts as reading the HSM.
import { AUDIT_TABLE_NAMES, AUDIT_TABLES } from "../domain/hsm-kinds.js";
import { childrenOf, descendantsOf, kindOf, listOf, parseKql, type KqlNode } from "./kusto-syntax.js";

/** The records an HSM writes to one workspace table, and what they hold in the columns that name their resource. */
export interface HsmRecords {
  table: string;
  /**
   * The value of each column that identifies the resource, for this HSM's records: `caseKnown` when the letter case
   * is documented (so a case-sensitive comparison can be decided), `null` when the value is not known. A column of
   * this list that the table lacks is `null` as well. Columns outside the list (OperationName, CallerIpAddress, ...)
   * are taken to vary between records: a filter on them keeps some records and drops others.
   */
  columns: Record<string, { value: string; caseKnown: boolean } | null>;
  /** The table is shared with other resources (AzureDiagnostics): a rule must select these records to read them. */
  mustSelect: boolean;
}

/** The columns that say which resource a record is about, in the tables the HSMs write (DOMAIN.md §4). */
export const RESOURCE_COLUMNS = [
  "Type",
  "ResourceType",
  "ResourceProvider",
  "ResourceId",
  "_ResourceId",
  "Resource",
  "ResourceGroup",
  "SubscriptionId",
  "_SubscriptionId",
  "Category",
  "TenantId",
  "RequestUri",
  "requestUri_s",
] as const;

/** Names that may hold a resource column under another name (`ResourceType1` after a join, `set_ResourceId`, ...). */
const DERIVED_NAME = /resource|subscriptionid|category|requesturi/i;

/** The names Kusto gives columns computed without a name (`extend tolower(ResourceType)` makes `Column1`). */
const UNNAMED_COLUMNS = Array.from({ length: 20 }, (_, i) => `Column${i + 1}`);

/** The tables the HSM kinds write their audit records to: a rule that reads any other name reads something else. */
const AUDIT_TABLE_SET = new Set(AUDIT_TABLE_NAMES);

/**
 * The records an HSM writes to a workspace through a setting with this `logAnalyticsDestinationType` (DOMAIN.md §4):
 * a Cloud HSM to CloudHsmServiceOperationAuditLogs; a Managed HSM to AzureDiagnostics (ResourceType MANAGEDHSMS, shared
 * with every other resource) in the legacy mode, to AZKVAuditLogs in the Dedicated (resource-specific) mode.
 */
export function hsmRecords(
  hsm: { id: string; name: string; kind: string; resourceGroup: string; subscriptionId: string },
  destinationType: string | undefined,
): HsmRecords | undefined {
  const unknownCase = (value: string) => ({ value, caseKnown: false });
  const known = (value: string) => ({ value, caseKnown: true });
  const common = {
    _ResourceId: unknownCase(hsm.id),
    _SubscriptionId: unknownCase(hsm.subscriptionId),
  };
  const none = Object.fromEntries(RESOURCE_COLUMNS.map((c) => [c, null])) as HsmRecords["columns"];
  if (hsm.kind === "cloudHsm") {
    return { table: AUDIT_TABLES.cloudHsm, columns: { ...none, ...common }, mustSelect: false };
  }
  if (hsm.kind !== "managedHsm") return undefined;
  if (destinationType?.toLowerCase() === "dedicated") {
    return {
      table: AUDIT_TABLES.managedHsmDedicated,
      columns: { ...none, ...common, Category: known("AuditEvent") },
      mustSelect: false,
    };
  }
  return {
    table: AUDIT_TABLES.managedHsmShared,
    columns: {
      ...none,
      ...common,
      ResourceType: known("MANAGEDHSMS"),
      ResourceProvider: known("MICROSOFT.KEYVAULT"),
      Category: known("AuditEvent"),
      ResourceId: unknownCase(hsm.id.toUpperCase()),
      Resource: unknownCase(hsm.name.toUpperCase()),
      ResourceGroup: unknownCase(hsm.resourceGroup.toUpperCase()),
      SubscriptionId: unknownCase(hsm.subscriptionId),
    },
    mustSelect: true,
  };
}

export type RuleReading =
  | { reads: true }
  | { reads: false }
  /** The analysis could not decide: the rule does not count, and `why` says what stopped it. */
  | { reads: "unknown"; why: string };

/** One table the query reads, with everything its rows pass through on the way to the rule's result. */
interface Source {
  table: string;
  filters: Filter[];
  /** Columns (re)defined from a resource column, or given a resource column's name: their values are not followed. */
  tainted: Set<string>;
  /** The `withsource=` column of a union it came through: it holds the table's name. */
  sourceColumns: Set<string>;
  /** Rows that reach the result only as the right side of a join: their resource columns may be renamed. */
  joined: boolean;
  /** Set when an operator that the analysis cannot follow handles these rows. */
  opaque?: string;
}

interface Filter {
  condition: KqlNode;
  scope: Scope;
  tainted: Set<string>;
  joined: boolean;
}

/** The shape of a rule's query that does not depend on the HSM: its sources, or why it cannot be analysed. */
export interface RuleShape {
  sources: Source[];
  /** What stopped the analysis somewhere in the query (the first one is reported). */
  problems: string[];
}

type Binding =
  | { kind: "table"; node: KqlNode; scope: Scope }
  | { kind: "function"; node: KqlNode; scope: Scope }
  | { kind: "scalar"; node: KqlNode; scope: Scope };

type Scope = ReadonlyMap<string, Binding>;

const SHAPES = new Map<string, RuleShape>();
const SHAPE_CACHE_LIMIT = 2000;

/** The shape of a rule's query; the same query gives the same shape (parsed once per process). */
export function ruleShape(query: string): RuleShape {
  const cached = SHAPES.get(query);
  if (cached) return cached;
  const shape = analyse(query);
  if (SHAPES.size >= SHAPE_CACHE_LIMIT) SHAPES.clear();
  SHAPES.set(query, shape);
  return shape;
}

/** Whether the rule's query reads these records (any of them: an HSM may write to two tables of one workspace). */
export function ruleReads(query: string, records: HsmRecords[]): RuleReading {
  try {
    return readsOf(ruleShape(query), records);
  } catch (e) {
    // A query built to exhaust the analysis (nesting deep enough to overflow the stack, say) proves nothing.
    return { reads: "unknown", why: `the analysis failed (${e instanceof Error ? e.message : String(e)})` };
  }
}

function readsOf(shape: RuleShape, records: HsmRecords[]): RuleReading {
  const unknown: string[] = [];
  for (const source of shape.sources) {
    for (const target of records) {
      if (source.table !== target.table) continue;
      const answer = sourceReads(source, target);
      if (answer === true) return { reads: true };
      if (answer !== false) unknown.push(answer);
    }
  }
  const why = [...shape.problems, ...unknown][0];
  return why ? { reads: "unknown", why } : { reads: false };
}

// ---------------------------------------------------------------------------------------------------------------
// From the syntax tree to sources.

class Analysis {
  readonly problems: string[] = [];

  kind(node: KqlNode | null | undefined): string {
    return node ? kindOf(node) : "nothing";
  }

  opaque(why: string): Source[] {
    this.problems.push(why);
    return [];
  }

  /** The statements of a query block or function body: its lets bound in order, the sources of its expressions. */
  statements(list: unknown, outer: Scope, last?: KqlNode | null): Source[] {
    const scope = new Map(outer);
    const sources: Source[] = [];
    for (const statement of listOf(list)) {
      const kind = this.kind(statement);
      if (kind === "LetStatement") {
        const name = (statement.Name as KqlNode | null)?.SimpleName;
        const value = statement.Expression as KqlNode | null;
        if (!name || !value) return this.opaque("a let statement could not be read");
        scope.set(name, this.binding(value, new Map(scope)));
      } else if (kind === "ExpressionStatement") {
        sources.push(...this.tabular(statement.Expression as KqlNode | null, scope));
      } else if (kind === "SetOptionStatement") {
        continue;
      } else {
        return this.opaque(`it uses a ${kind} the analysis does not follow`);
      }
    }
    if (last) sources.push(...this.tabular(last, scope));
    return sources;
  }

  binding(value: KqlNode, scope: Scope): Binding {
    const kind = this.kind(value);
    if (kind === "FunctionDeclaration") return { kind: "function", node: value, scope };
    if (this.looksTabular(value, scope)) return { kind: "table", node: value, scope };
    return { kind: "scalar", node: value, scope };
  }

  looksTabular(node: KqlNode, scope: Scope): boolean {
    const kind = this.kind(node);
    if (kind === "ParenthesizedExpression") return this.looksTabular(node.Expression as KqlNode, scope);
    if (["PipeExpression", "UnionOperator", "DataTableExpression", "ExternalDataExpression"].includes(kind))
      return true;
    if (kind === "NameReference") {
      const name = node.SimpleName ?? "";
      const bound = scope.get(name);
      return bound ? bound.kind !== "scalar" : AUDIT_TABLE_SET.has(name);
    }
    if (kind === "FunctionCallExpression") {
      const name = (node.Name as KqlNode | null)?.SimpleName ?? "";
      return name === "materialize" || scope.get(name)?.kind === "function";
    }
    return false;
  }

  /** The tables a tabular expression reads, each with the filters applied to its rows so far. */
  tabular(node: KqlNode | null | undefined, scope: Scope): Source[] {
    if (!node) return this.opaque("part of the query is missing");
    const kind = this.kind(node);
    switch (kind) {
      case "ParenthesizedExpression":
        return this.tabular(node.Expression as KqlNode, scope);
      case "NameReference":
        return this.named(node.SimpleName ?? "", scope);
      case "FunctionCallExpression":
        return this.call(node, scope);
      case "PipeExpression":
        return this.operator(node.Operator as KqlNode, this.tabular(node.Expression as KqlNode, scope), scope);
      case "UnionOperator":
        return this.union(node, [], scope);
      case "DataTableExpression":
      case "ExternalDataExpression":
      case "PrintOperator":
      case "RangeOperator":
        return [];
      default:
        return this.opaque(`it reads from ${keyword(kind)}, which the analysis does not follow`);
    }
  }

  named(name: string, scope: Scope): Source[] {
    const bound = scope.get(name);
    if (bound?.kind === "table") return this.tabular(bound.node, bound.scope);
    if (bound?.kind === "function") return this.invoke(name, bound, []);
    if (bound) return this.opaque(`it reads '${name}', which is not a table`);
    if (AUDIT_TABLE_SET.has(name)) {
      return [{ table: name, filters: [], tainted: new Set(), sourceColumns: new Set(), joined: false }];
    }
    return this.opaque(`it reads '${name}', a table or stored function whose content is not in the query`);
  }

  call(node: KqlNode, scope: Scope): Source[] {
    const name = (node.Name as KqlNode | null)?.SimpleName ?? "";
    const args = listOf((node.ArgumentList as KqlNode | null)?.Expressions);
    if (name === "materialize" && args.length === 1) return this.tabular(args[0], scope);
    const bound = scope.get(name);
    if (bound?.kind === "function") return this.invoke(name, bound, args);
    return this.opaque(`it calls ${name}(), whose body is not in the query`);
  }

  invoke(name: string, fn: Binding, args: KqlNode[]): Source[] {
    const parameters = descendantsOf(fn.node.Parameters as KqlNode).filter((n) => this.kind(n) === "FunctionParameter");
    if (parameters.length > 0 || args.length > 0) {
      return this.opaque(`it calls ${name}() with parameters, which the analysis does not follow`);
    }
    const body = fn.node.Body as KqlNode | null;
    if (!body) return this.opaque(`the body of ${name}() could not be read`);
    return this.statements(body.Statements, fn.scope, body.Expression as KqlNode | null);
  }

  union(node: KqlNode, left: Source[], scope: Scope): Source[] {
    const sourceColumns = new Set<string>();
    for (const parameter of listOf(node.Parameters)) {
      const name = (parameter.Name as KqlNode | null)?.SimpleName?.toLowerCase();
      if (name !== "withsource") continue;
      const column = descendantsOf(parameter.Expression as KqlNode).find((n) => n.SimpleName)?.SimpleName;
      if (!column) return this.opaque("its union's withsource column could not be read");
      sourceColumns.add(column);
    }
    const sources = [...left];
    for (const expression of listOf(node.Expressions)) {
      const kind = this.kind(expression);
      if (
        kind === "WildcardedNameReference" ||
        kind === "StarExpression" ||
        (expression.SimpleName ?? "").includes("*")
      ) {
        return this.opaque("it uses union with a wildcard, whose tables are not known");
      }
      sources.push(...this.tabular(expression, scope));
    }
    return sources.map((s) => ({ ...s, sourceColumns: new Set([...s.sourceColumns, ...sourceColumns]) }));
  }

  /** The sources after one query operator. */
  operator(op: KqlNode | null, sources: Source[], scope: Scope): Source[] {
    if (!op) return this.opaque("a query operator could not be read");
    const kind = this.kind(op);
    switch (kind) {
      case "FilterOperator":
        return sources.map((s) => ({
          ...s,
          filters: [
            ...s.filters,
            { condition: op.Condition as KqlNode, scope, tainted: new Set(s.tainted), joined: s.joined },
          ],
        }));
      case "UnionOperator":
        return this.union(op, sources, scope);
      case "JoinOperator":
        return this.join(op, sources, scope);
      case "LookupOperator":
        return this.renaming(op, sources);
      case "TakeOperator": {
        const count = op.Expression as KqlNode | null;
        if (count && this.kind(count).endsWith("LiteralExpression") && Number(String(count.LiteralValue)) === 0) {
          return [];
        }
        return sources;
      }
      case "TopOperator":
      case "SortOperator":
      case "SerializeOperator":
      case "RenderOperator":
      case "CountOperator":
      case "DistinctOperator":
      case "SampleOperator":
      case "SampleDistinctOperator":
      case "ReduceOperator":
      case "ConsumeOperator":
      case "AsOperator":
      case "ProjectAwayOperator":
      case "ProjectKeepOperator":
      case "ProjectReorderOperator":
      case "TopHittersOperator":
        return this.renaming(op, sources);
      case "SummarizeOperator":
      case "ExtendOperator":
      case "ProjectOperator":
      case "ProjectRenameOperator":
      case "MakeSeriesOperator":
      case "TopNestedOperator":
        return this.renaming(op, sources);
      case "ParseOperator":
      case "ParseWhereOperator":
      case "ParseKvOperator":
      case "MvExpandOperator":
        return this.renaming(op, sources, true);
      default: {
        const why = `it uses ${keyword(kind)}, which the analysis does not follow`;
        this.problems.push(why);
        return sources.map((s) => ({ ...s, opaque: s.opaque ?? why }));
      }
    }
  }

  /**
   * The sources after an operator that (re)defines columns: a name given to a value computed from a resource column,
   * or a resource column's name given to anything, is no longer followed. `all`: every name the operator declares is
   * computed from its input (parse, mv-expand).
   */
  renaming(op: KqlNode, sources: Source[], all = false): Source[] {
    return sources.map((s) => {
      const tainted = new Set(s.tainted);
      const fromResource = (node: KqlNode | null | undefined) =>
        !!node &&
        columnNames(node).some(
          (n) => isResourceName(n) || DERIVED_NAME.test(n) || tainted.has(n) || s.sourceColumns.has(n),
        );
      if (fromResource(op)) for (const name of UNNAMED_COLUMNS) tainted.add(name);
      for (const named of descendantsOf(op).filter((n) => this.kind(n) === "SimpleNamedExpression")) {
        const name = (named.Name as KqlNode | null)?.SimpleName;
        if (name && (isResourceName(name) || fromResource(named.Expression as KqlNode))) tainted.add(name);
      }
      if (all && fromResource(op)) {
        for (const declared of descendantsOf(op).filter((n) => this.kind(n) === "NameDeclaration")) {
          if (declared.SimpleName) tainted.add(declared.SimpleName);
        }
      }
      for (const declared of descendantsOf(op).filter((n) => this.kind(n) === "NameDeclaration")) {
        if (declared.SimpleName && isResourceName(declared.SimpleName)) tainted.add(declared.SimpleName);
      }
      return { ...s, tainted };
    });
  }

  join(op: KqlNode, left: Source[], scope: Scope): Source[] {
    let kind = "innerunique";
    for (const parameter of listOf(op.Parameters)) {
      if ((parameter.Name as KqlNode | null)?.SimpleName?.toLowerCase() !== "kind") continue;
      const value = parameter.Expression as KqlNode | null;
      kind = (value?.SimpleName ?? descendantsOf(value!).find((n) => n.IsToken)?.Text ?? "").toLowerCase();
    }
    const right = this.tabular(op.Expression as KqlNode, scope).map((s) => ({ ...s, joined: true }));
    const keepsLeft = !["rightsemi", "rightanti"].includes(kind);
    const keepsRight = !["leftsemi", "leftanti", "semi", "anti", "leftantisemi", "rightantisemi"].includes(kind);
    return [...(keepsLeft ? left : []), ...(keepsRight ? right : [])];
  }
}

/** An operator's keyword from its syntax kind: SearchOperator is `search`, MvApplyOperator `mv-apply`. */
function keyword(kind: string): string {
  return kind
    .replace(/(Operator|Expression)$/, "")
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

/** A numeric literal's value (the language service boxes them: Int64, Int32, Double). */
function literalNumber(node: KqlNode): { k: "num"; value: number } | { k: "const" } {
  const value = Number(String(node.LiteralValue));
  return Number.isFinite(value) ? { k: "num", value } : { k: "const" };
}

/** Bounds on what is parsed: Sentinel takes queries of up to 10,000 characters, and real ones nest a few levels. */
export const MAX_QUERY_CHARS = 20_000;
export const MAX_NESTING = 100;

/** How deep brackets nest in the text (strings and comments included: counting too deep only refuses a query). */
function nesting(query: string): number {
  let depth = 0;
  let max = 0;
  for (const c of query) {
    if (c === "(" || c === "[" || c === "{") max = Math.max(max, ++depth);
    else if (c === ")" || c === "]" || c === "}") depth = Math.max(0, depth - 1);
  }
  return max;
}

function analyse(query: string): RuleShape {
  // The parser's time grows with nesting; a query built to exhaust it is not read, and proves nothing.
  if (query.length > MAX_QUERY_CHARS) {
    return { sources: [], problems: [`its query is longer than the ${MAX_QUERY_CHARS} characters the analysis reads`] };
  }
  if (nesting(query) > MAX_NESTING) {
    return {
      sources: [],
      problems: [`its query nests brackets deeper than the ${MAX_NESTING} levels the analysis reads`],
    };
  }
  const parse = parseKql(query);
  if (parse.errors.length > 0) return { sources: [], problems: [`its query does not parse (${parse.errors[0]})`] };
  const analysis = new Analysis();
  const sources = analysis.statements(parse.root.Statements, new Map());
  return { sources, problems: analysis.problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluating the filters of one source against one HSM's records.

/** true: some of these records pass; false: none does; a string: why that cannot be decided. */
function sourceReads(source: Source, target: HsmRecords): boolean | string {
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

function isResourceName(name: string): boolean {
  return (RESOURCE_COLUMNS as readonly string[]).some((c) => c.toLowerCase() === name.toLowerCase());
}

/** The names a node refers to as columns (or lets): not the names of the functions it calls. */
function columnNames(node: KqlNode): string[] {
  const out: string[] = [];
  const walk = (n: KqlNode) => {
    const kind = kindOf(n);
    if (kind === "NameReference") {
      if (n.SimpleName) out.push(n.SimpleName);
      return;
    }
    if (kind === "FunctionCallExpression") {
      for (const arg of listOf((n.ArgumentList as KqlNode | null)?.Expressions)) walk(arg);
      return;
    }
    for (const child of childrenOf(n)) walk(child);
  };
  walk(node);
  return out;
}

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
