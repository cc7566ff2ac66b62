// The tabular evaluator: runs statements, reads tables, and applies the query operators.

import type { Accumulator, AggSpec } from "./aggregates.js";
import type {
  CallExpr,
  Expr,
  FunctionExpr,
  LetStatement,
  Operator,
  Pos,
  PrintExpr,
  Query,
  SortKey,
  UnionParams,
} from "./ast.js";
import { compileConst, compileScalar, defaultName, uniqueName } from "./compile.js";
import { convert } from "./functions.js";
import { unsupported } from "./parser.js";
import { Env, Scope, UnresolvedTableError } from "./scope.js";
import type { AggregateCollector, Binding, Compiled, Ctx, Table } from "./scope.js";
import { KqlError } from "./types.js";
import type { KqlColumn, KqlDatabase, KqlRunOptions, KqlTable, KqlType } from "./types.js";
import { formatDatetime, isNull, parseDatetime, parseTimespan, sortCompare, toStr, valueKey } from "./values.js";
import type { Row } from "./values.js";

const CROSS_RESOURCE_FUNCTIONS = new Set(["workspace", "app", "resource", "database", "cluster"]);

/** The value an absent cell takes: "" for strings (Kusto strings are never null), null otherwise. */
function emptyValue(type: KqlType): unknown {
  return type === "string" ? "" : null;
}

/** Brings a value from a caller-supplied table row into the interpreter's form for its column type. */
/**
 * A source table's rows in the interpreter's form, made once per table: the estate's tables do not change while the
 * simulator runs, and every query would otherwise convert every row again. Operators never change rows in place.
 */
const normalizedTables = new WeakMap<KqlTable, { columns: KqlColumn[]; rows: Row[] }>();
export function normalized(source: KqlTable): { columns: KqlColumn[]; rows: Row[] } {
  let done = normalizedTables.get(source);
  if (!done) {
    const columns: KqlColumn[] = source.columns.map((c) => ({ name: c.name, type: c.type }));
    done = { columns, rows: source.rows.map((r) => columns.map((c) => normalize(r[c.name], c.type))) };
    normalizedTables.set(source, done);
  }
  return done;
}

function normalize(v: unknown, type: KqlType): unknown {
  if (v === null || v === undefined) return emptyValue(type);
  switch (type) {
    case "string":
      return typeof v === "string" ? v : toStr(v, "dynamic");
    case "guid":
      return typeof v === "string" ? v : String(v);
    case "datetime":
      if (v instanceof Date) return Number.isFinite(v.getTime()) ? v : null;
      if (typeof v === "string") return parseDatetime(v);
      if (typeof v === "number") return new Date(v);
      return null;
    case "long":
    case "int":
    case "real":
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
      return null;
    case "bool":
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      if (typeof v === "string") return v.toLowerCase() === "true" ? true : v.toLowerCase() === "false" ? false : null;
      return null;
    case "timespan":
      if (typeof v === "number") return v;
      if (typeof v === "string") return parseTimespan(v);
      return null;
    case "dynamic":
      if (v instanceof Date) return formatDatetime(v);
      return v;
  }
}

function unparen(e: Expr): Expr {
  return e.kind === "paren" ? unparen(e.expr) : e;
}

/** The next free ColumnN name. */
function columnName(taken: Set<string>): string {
  for (let k = 1; ; k++) {
    const name = `Column${k}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** One aggregate column of summarize: an expression over the results of its aggregate calls. */
interface SimpleItem {
  column: KqlColumn;
  start: number;
  count: number;
  fn: (aggRow: Row) => unknown;
}

export class Evaluator implements Ctx {
  readonly now: Date;
  private readonly tableCache = new Map<string, Table>();

  constructor(
    readonly db: KqlDatabase,
    readonly options: KqlRunOptions,
  ) {
    this.now = options.now;
  }

  run(query: Query): Table {
    let env = new Env();
    let result: Table | undefined;
    for (const stmt of query.statements) {
      if (stmt.kind === "let") {
        env = this.bindLet(stmt, env);
        continue;
      }
      if (result) throw unsupported("queries with several tabular statements (batches)", stmt.pos);
      if (!this.isTabular(stmt.expr, env)) {
        throw new KqlError(
          "The query must end with a tabular expression (use 'print' to return a scalar)",
          "semantic",
          stmt.pos.line,
          stmt.pos.column,
        );
      }
      result = this.evalTabular(stmt.expr, env);
    }
    if (!result) throw new KqlError("The query does not contain a tabular expression", "semantic");
    return result;
  }

  // ---- let ----

  bindLet(stmt: LetStatement, outer: Env): Env {
    const env = new Env(outer);
    const value = stmt.value;
    if (value.kind === "function") {
      env.set(stmt.name, { kind: "function", def: value, env: outer });
      return env;
    }
    if (this.isTabular(value, outer)) {
      let cached: Table | undefined;
      env.set(stmt.name, {
        kind: "tabular",
        get: () => {
          cached ??= this.evalTabular(value, outer);
          return cached;
        },
      });
      return env;
    }
    const c = compileScalar(value, new Scope(this, outer, [], "let"));
    if (c.isConst) env.set(stmt.name, { kind: "scalar", type: c.type, value: c.value });
    else env.set(stmt.name, { kind: "param", compiled: c });
    return env;
  }

  // ---- tabular or scalar? ----

  isTabular(e: Expr, env: Env): boolean {
    switch (e.kind) {
      case "pipe":
      case "union":
      case "print":
        return true;
      case "paren":
        return this.isTabular(e.expr, env);
      case "name": {
        const b = env.lookup(e.name);
        if (!b) return true; // a table, or an unresolved name reported as a missing table
        if (b.kind === "tabular") return true;
        if (b.kind === "function") return b.def.params.length === 0 && this.returnsTable(b);
        return false;
      }
      case "call": {
        const b = env.lookup(e.name);
        if (b?.kind === "function") return this.returnsTable(b);
        return (
          e.name === "materialize" || e.name === "table" || e.name === "view" || CROSS_RESOURCE_FUNCTIONS.has(e.name)
        );
      }
      case "member": {
        const target = unparen(e.target);
        return target.kind === "call" && CROSS_RESOURCE_FUNCTIONS.has(target.name);
      }
      default:
        return false;
    }
  }

  /** Whether a user function's body is tabular, judged without evaluating anything. */
  private returnsTable(b: Extract<Binding, { kind: "function" }>): boolean {
    let env = new Env(b.env);
    for (const p of b.def.params) env.set(p.name, { kind: "scalar", type: p.type, value: null });
    for (const stmt of b.def.body.lets) {
      env = new Env(env);
      if (stmt.value.kind === "function") env.set(stmt.name, { kind: "function", def: stmt.value, env });
      else if (this.isTabular(stmt.value, env)) {
        env.set(stmt.name, { kind: "tabular", get: () => ({ columns: [], rows: [] }) });
      } else env.set(stmt.name, { kind: "scalar", type: "dynamic", value: null });
    }
    return this.isTabular(b.def.body.expr, env);
  }

  // ---- tabular evaluation ----

  evalTabular(e: Expr, env: Env): Table {
    switch (e.kind) {
      case "name":
        return this.evalName(e.name, e.pos, env);
      case "paren":
        return this.evalTabular(e.expr, env);
      case "pipe":
        return this.applyOperator(e.op, this.evalTabular(e.source, env), env);
      case "union":
        return this.evalUnion(e.params, e.sources, env);
      case "print":
        return this.evalPrint(e, env);
      case "call":
        return this.evalCall(e, env);
      case "member": {
        const target = unparen(e.target);
        if (target.kind === "call" && CROSS_RESOURCE_FUNCTIONS.has(target.name)) {
          throw unsupported(`cross-resource queries ('${target.name}()')`, target.pos);
        }
        throw new KqlError("Expected a tabular expression", "semantic", e.pos.line, e.pos.column);
      }
      default:
        throw new KqlError("Expected a tabular expression", "semantic", e.pos.line, e.pos.column);
    }
  }

  private evalName(name: string, pos: Pos, env: Env): Table {
    const b = env.lookup(name);
    if (b) {
      switch (b.kind) {
        case "tabular":
          return b.get();
        case "function":
          if (b.def.params.length === 0) return this.invokeFunction(b.def, b.env, [], name, pos, env);
          throw new KqlError(`Function '${name}' expects arguments`, "semantic", pos.line, pos.column);
        default:
          throw new KqlError(`'${name}' is a scalar, not a table`, "semantic", pos.line, pos.column);
      }
    }
    return this.readTable(name, pos);
  }

  private evalCall(e: CallExpr, env: Env): Table {
    const b = env.lookup(e.name);
    if (b?.kind === "function") return this.invokeFunction(b.def, b.env, e.args, e.name, e.pos, env);
    switch (e.name) {
      case "materialize": {
        const arg = e.args[0];
        if (!arg || e.args.length !== 1) {
          throw new KqlError("Function 'materialize' expects 1 argument", "semantic", e.pos.line, e.pos.column);
        }
        return this.evalTabular(arg, env);
      }
      case "table": {
        const arg = e.args[0];
        if (!arg) throw new KqlError("Function 'table' expects 1 argument", "semantic", e.pos.line, e.pos.column);
        const c = compileConst(arg, new Scope(this, env, [], "table"), "the table name");
        return this.readTable(toStr(c.value, c.type), e.pos);
      }
      default:
        if (CROSS_RESOURCE_FUNCTIONS.has(e.name)) throw unsupported(`cross-resource queries ('${e.name}()')`, e.pos);
        throw new KqlError("Expected a tabular expression", "semantic", e.pos.line, e.pos.column);
    }
  }

  private invokeFunction(def: FunctionExpr, defEnv: Env, args: Expr[], name: string, pos: Pos, callerEnv: Env): Table {
    if (args.length > def.params.length) {
      throw new KqlError(
        `Function '${name}' expects ${def.params.length} argument(s) but got ${args.length}`,
        "semantic",
        pos.line,
        pos.column,
      );
    }
    let env = new Env(defEnv);
    def.params.forEach((p, i) => {
      const arg = args[i];
      let c: Compiled;
      if (arg) {
        c = compileConst(arg, new Scope(this, callerEnv, [], "let"), `argument '${p.name}' of '${name}'`);
      } else if (p.defaultValue) {
        c = compileConst(p.defaultValue, new Scope(this, defEnv, [], "let"), `the default of '${p.name}'`);
      } else {
        throw new KqlError(`Function '${name}': missing argument '${p.name}'`, "semantic", pos.line, pos.column);
      }
      const value = c.isNullLiteral ? emptyValue(p.type) : convert(c.value, c.type, p.type);
      env.set(p.name, { kind: "scalar", type: p.type, value });
    });
    for (const stmt of def.body.lets) env = this.bindLet(stmt, env);
    return this.evalTabular(def.body.expr, env);
  }

  /** Reads a table from the database, normalising its rows and applying the request's timespan. */
  private readTable(name: string, pos?: Pos): Table {
    const cached = this.tableCache.get(name);
    if (cached) return cached;
    const source = this.db.table(name);
    if (!source) throw new UnresolvedTableError(name, pos);
    const { columns, rows: all } = normalized(source);
    const timeIndex = columns.findIndex((c) => c.name === "TimeGenerated" && c.type === "datetime");
    const span = this.options.timespan;
    const start = span?.start.getTime();
    const end = span?.end.getTime();
    const rows: Row[] = [];
    for (const row of all) {
      if (span && timeIndex >= 0) {
        const t = row[timeIndex];
        if (!(t instanceof Date)) continue;
        const ms = t.getTime();
        if (ms < (start as number) || ms >= (end as number)) continue;
      }
      rows.push(row);
    }
    const table = { columns, rows };
    this.tableCache.set(name, table);
    return table;
  }

  private evalUnion(params: UnionParams, sources: Expr[], env: Env, input?: Table): Table {
    const parts: { name: string; table: Table }[] = [];
    if (input) parts.push({ name: "union_arg0", table: input });
    const missing: UnresolvedTableError[] = [];
    sources.forEach((src, i) => {
      const inner = unparen(src);
      const name = inner.kind === "name" ? inner.name : `union_arg${i + (input ? 1 : 0)}`;
      try {
        parts.push({ name, table: this.evalTabular(src, env) });
      } catch (err) {
        if (params.isFuzzy && err instanceof UnresolvedTableError) {
          missing.push(err);
          return;
        }
        throw err;
      }
    });
    if (parts.length === 0) throw missing[0] as UnresolvedTableError;

    let columns: KqlColumn[] = [];
    const byName = new Map<string, KqlColumn>();
    for (const { table } of parts) {
      for (const c of table.columns) {
        if (!byName.has(c.name)) {
          const col = { name: c.name, type: c.type };
          byName.set(c.name, col);
          columns.push(col);
        }
      }
    }
    if (params.kind === "inner") {
      columns = columns.filter((c) => parts.every(({ table }) => table.columns.some((x) => x.name === c.name)));
    }
    const withSource = params.withSource;
    const outColumns = withSource ? [{ name: withSource, type: "string" as KqlType }, ...columns] : columns;
    const rows: Row[] = [];
    for (const { name, table } of parts) {
      const mapping = columns.map((c) => {
        const idx = table.columns.findIndex((x) => x.name === c.name);
        const from = table.columns[idx]?.type ?? c.type;
        return { idx, from, to: c.type, same: from === c.type };
      });
      for (const r of table.rows) {
        const out: Row = withSource ? [name] : [];
        for (const m of mapping) {
          if (m.idx < 0) out.push(emptyValue(m.to));
          else out.push(m.same ? r[m.idx] : convert(r[m.idx], m.from, m.to));
        }
        rows.push(out);
      }
    }
    return { columns: outColumns, rows };
  }

  private evalPrint(e: PrintExpr, env: Env): Table {
    const scope = new Scope(this, env, [], "print");
    const taken = new Set<string>();
    const columns: KqlColumn[] = [];
    const row: Row = [];
    e.items.forEach((item, i) => {
      const c = compileScalar(item.expr, scope);
      const expr = unparen(item.expr);
      const name = uniqueName(item.name ?? (expr.kind === "name" ? expr.name : `print_${i}`), taken);
      columns.push({ name, type: c.type });
      row.push(c.fn([]));
    });
    return { columns, rows: [row] };
  }

  // ---- operators ----

  private applyOperator(op: Operator, input: Table, env: Env): Table {
    const scope = new Scope(this, env, input.columns, op.keyword);
    switch (op.op) {
      case "where": {
        const c = compileScalar(op.predicate, scope);
        if (c.type !== "bool" && c.type !== "dynamic" && !c.isNullLiteral) {
          throw scope.semantic(`the predicate must be a Boolean expression, not ${c.type}`, op.predicate.pos);
        }
        if (c.isConst) return c.value === true ? input : { columns: input.columns, rows: [] };
        const f = c.fn;
        return { columns: input.columns, rows: input.rows.filter((r) => f(r) === true) };
      }
      case "extend":
        return this.extend(op.items, input, env, op.keyword);
      case "project": {
        const taken = new Set<string>();
        const columns: KqlColumn[] = [];
        const fns: ((row: Row) => unknown)[] = [];
        const implicit: number[] = [];
        op.items.forEach((item, i) => {
          const c = compileScalar(item.expr, scope);
          let name = item.name ?? defaultName(item.expr);
          if (name === undefined) {
            implicit.push(i);
            name = "";
          } else if (taken.has(name)) {
            throw scope.semantic(`a column named '${name}' is already projected`, item.pos);
          }
          taken.add(name);
          columns.push({ name, type: c.type });
          fns.push(c.fn);
        });
        for (const i of implicit) (columns[i] as KqlColumn).name = columnName(taken);
        return {
          columns,
          rows: input.rows.map((r) => fns.map((f) => f(r))),
        };
      }
      case "summarize":
        return this.summarize(op, input, env);
      case "sort":
        return { columns: input.columns, rows: this.sortRows(input.rows, op.keys, scope) };
      case "take": {
        const n = this.constCount(op.count, scope);
        return { columns: input.columns, rows: input.rows.slice(0, n) };
      }
      case "count":
        return { columns: [{ name: "Count", type: "long" }], rows: [[input.rows.length]] };
      case "union":
        return this.evalUnion(op.params, op.sources, env, input);
    }
  }

  private extend(items: { name?: string; expr: Expr; pos: Pos }[], input: Table, env: Env, keyword: string): Table {
    const columns = input.columns.map((c) => ({ ...c }));
    const taken = new Set(columns.map((c) => c.name));
    const setters: { idx: number; fn: (row: Row) => unknown }[] = [];
    for (const item of items) {
      const c = compileScalar(item.expr, new Scope(this, env, columns.slice(), keyword));
      let idx: number;
      if (item.name !== undefined) {
        idx = columns.findIndex((col) => col.name === item.name);
        if (idx >= 0) columns[idx] = { name: item.name, type: c.type };
        else {
          idx = columns.push({ name: item.name, type: c.type }) - 1;
          taken.add(item.name);
        }
      } else {
        const implicit = defaultName(item.expr);
        const name = implicit === undefined ? columnName(taken) : uniqueName(implicit, taken);
        idx = columns.push({ name, type: c.type }) - 1;
      }
      setters.push({ idx, fn: c.fn });
    }
    const rows = input.rows.map((r) => {
      const out = r.slice();
      for (const s of setters) out[s.idx] = s.fn(out);
      return out;
    });
    return { columns, rows };
  }

  private constCount(e: Expr, scope: Scope): number {
    const c = compileConst(e, new Scope(this, scope.env, [], scope.operator), "the row count");
    if (typeof c.value !== "number" || !(c.type === "long" || c.type === "int" || c.type === "real")) {
      throw scope.semantic("the row count must be a number", e.pos);
    }
    return Math.max(0, Math.trunc(c.value));
  }

  private sortRows(rows: Row[], keys: SortKey[], scope: Scope): Row[] {
    const compiled = keys.map((k) => ({
      fn: compileScalar(k.expr, scope).fn,
      sign: k.descending ? -1 : 1,
      nullsFirst: k.nullsFirst ?? !k.descending,
    }));
    const decorated = rows.map((r) => ({ r, k: compiled.map((c) => c.fn(r)) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < compiled.length; i++) {
        const key = compiled[i] as (typeof compiled)[number];
        const x = a.k[i];
        const y = b.k[i];
        const xn = isNull(x);
        const yn = isNull(y);
        if (xn || yn) {
          if (xn && yn) continue;
          return xn === key.nullsFirst ? -1 : 1;
        }
        const c = sortCompare(x, y);
        if (c !== 0) return c * key.sign;
      }
      return 0;
    });
    return decorated.map((d) => d.r);
  }

  private summarize(op: Extract<Operator, { op: "summarize" }>, input: Table, env: Env): Table {
    const rowScope = new Scope(this, env, input.columns, op.keyword);
    const taken = new Set<string>();
    const implicitNames: { column: KqlColumn }[] = [];

    // Group keys.
    const by = op.by.map((item) => {
      const c = compileScalar(item.expr, rowScope);
      const name = item.name ?? defaultName(item.expr);
      const column: KqlColumn = { name: name === undefined ? "" : uniqueName(name, taken), type: c.type };
      if (name === undefined) implicitNames.push({ column });
      return { column, fn: c.fn };
    });

    // Aggregates.
    const specs: AggSpec[] = [];
    const items: SimpleItem[] = [];
    for (const item of op.aggregates) {
      const collector: AggregateCollector = { rowScope, specs: [] };
      const outer = new Scope(this, env, [], op.keyword, collector);
      const c = compileScalar(item.expr, outer);
      if (collector.specs.length === 0) {
        throw rowScope.semantic("each aggregate must use an aggregate function such as count() or max(x)", item.pos);
      }
      const name = item.name ?? defaultName(item.expr);
      const column: KqlColumn = { name: name === undefined ? "" : uniqueName(name, taken), type: c.type };
      if (name === undefined) implicitNames.push({ column });
      items.push({ column, start: specs.length, count: collector.specs.length, fn: c.fn });
      specs.push(...collector.specs);
    }
    for (const n of implicitNames) n.column.name = columnName(taken);

    // Hash grouping, in order of first appearance.
    const groups = new Map<string, { keys: unknown[]; accs: Accumulator[] }>();
    const byFns = by.map((b) => b.fn);
    const single = byFns.length === 1 ? (byFns[0] as (row: Row) => unknown) : undefined;
    for (const row of input.rows) {
      let keys: unknown[];
      let key: string;
      if (single) {
        const v = single(row);
        keys = [v];
        key = valueKey(v);
      } else {
        keys = byFns.map((f) => f(row));
        key = keys.map(valueKey).join("\u0001");
      }
      let g = groups.get(key);
      if (!g) {
        g = { keys, accs: specs.map((s) => s.create()) };
        groups.set(key, g);
      }
      for (const acc of g.accs) acc.add(row);
    }
    if (by.length === 0 && groups.size === 0) groups.set("", { keys: [], accs: specs.map((s) => s.create()) });

    const columns: KqlColumn[] = [...by.map((b) => b.column), ...items.map((item) => item.column)];
    const rows: Row[] = [];
    for (const g of groups.values()) {
      const results = g.accs.map((a) => a.result());
      const row: Row = [...g.keys];
      for (const item of items) {
        row.push(item.fn(item.count === results.length ? results : results.slice(item.start, item.start + item.count)));
      }
      rows.push(row);
    }
    return { columns, rows };
  }
}

export function evaluateQuery(query: Query, db: KqlDatabase, options: KqlRunOptions): Table {
  return new Evaluator(db, options).run(query);
}
