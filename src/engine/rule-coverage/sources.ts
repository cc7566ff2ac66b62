// From a rule's query to its sources: the tables it reads (through lets, functions declared in the query, unions and
// joins), each with the `where` filters its rows pass through and the columns redefined on the way. What cannot be
// followed is recorded as a problem of the query, or makes a source opaque.
import { AUDIT_TABLE_NAMES } from "../../domain/hsm-kinds.js";
import { descendantsOf, kindOf, listOf, parseKql, type KqlNode } from "../kusto-syntax.js";
import { columnNames, DERIVED_NAME, isResourceName, UNNAMED_COLUMNS } from "./columns.js";

/** The tables the HSM kinds write their audit records to: a rule that reads any other name reads something else. */
const AUDIT_TABLE_SET = new Set(AUDIT_TABLE_NAMES);

/** One table the query reads, with everything its rows pass through on the way to the rule's result. */
export interface Source {
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

export interface Filter {
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

export type Scope = ReadonlyMap<string, Binding>;

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

export function analyse(query: string): RuleShape {
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
