// Name binding: what the evaluator knows while it compiles expressions (tables, let bindings, the row's columns).

import type { AggSpec } from "./aggregates.js";
import type { Expr, FunctionExpr, LetStatement, Pos } from "./ast.js";
import { KqlError } from "./types.js";
import type { KqlColumn, KqlDatabase, KqlRunOptions, KqlType } from "./types.js";
import type { Row } from "./values.js";

/** A tabular value: a schema and rows as arrays in the schema's column order. */
export interface Table {
  columns: KqlColumn[];
  rows: Row[];
}

/** A compiled scalar expression: its static type and a function of the current row. */
export interface Compiled {
  type: KqlType;
  fn: (row: Row) => unknown;
  /** Set when the value does not depend on the row; `value` then holds it. */
  isConst?: boolean;
  value?: unknown;
  /** The literal `null`, whose type adapts to its context. */
  isNullLiteral?: boolean;
}

export function constant(type: KqlType, value: unknown, isNullLiteral = false): Compiled {
  const c: Compiled = { type, fn: () => value, isConst: true, value };
  if (isNullLiteral) c.isNullLiteral = true;
  return c;
}

/** The common type of branches (iff, case, coalesce): numbers widen to real; the null literal adapts. */
export function unifyTypes(cs: Compiled[]): KqlType {
  const typed = cs.filter((c) => !c.isNullLiteral);
  const first = typed[0];
  if (!first) return "dynamic";
  if (typed.every((c) => c.type === first.type)) return first.type;
  if (typed.every((c) => c.type === "long" || c.type === "int" || c.type === "real")) {
    return typed.some((c) => c.type === "real") ? "real" : "long";
  }
  return first.type;
}

export type Binding =
  | { kind: "scalar"; type: KqlType; value: unknown }
  | { kind: "tabular"; get: () => Table }
  | { kind: "function"; def: FunctionExpr; env: Env }
  /** A user function's parameter, bound to the compiled argument of the call being inlined. */
  | { kind: "param"; compiled: Compiled };

/** Let bindings, chained so that inner lets (in function bodies) shadow outer ones. */
export class Env {
  private readonly bindings = new Map<string, Binding>();

  constructor(readonly parent?: Env) {}

  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }

  set(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }
}

/** What the compiler needs from the tabular evaluator (passed in to keep the modules acyclic). */
export interface Ctx {
  db: KqlDatabase;
  options: KqlRunOptions;
  now: Date;
  isTabular(expr: Expr, env: Env): boolean;
  evalTabular(expr: Expr, env: Env): Table;
  /** Binds a let statement; returns the environment that holds the new binding (a child of `env`). */
  bindLet(stmt: LetStatement, env: Env): Env;
}

/** Collects the aggregate calls found while compiling one summarize aggregate expression. */
export interface AggregateCollector {
  /** The scope of the rows being aggregated: aggregate arguments are compiled in it. */
  rowScope: Scope;
  specs: AggSpec[];
}

/** Where an expression is compiled: the input columns, the let bindings and the operator (for messages). */
export class Scope {
  readonly index: Map<string, number>;

  constructor(
    readonly ctx: Ctx,
    readonly env: Env,
    readonly columns: KqlColumn[],
    /** The operator or statement the expression belongs to, e.g. "where" or "summarize". */
    readonly operator: string,
    readonly aggregate?: AggregateCollector,
  ) {
    this.index = new Map();
    columns.forEach((c, i) => {
      if (!this.index.has(c.name)) this.index.set(c.name, i);
    });
  }

  withEnv(env: Env): Scope {
    return new Scope(this.ctx, env, this.columns, this.operator, this.aggregate);
  }

  /** The error prefix that names the operator, as Kusto's messages do. */
  prefix(): string {
    if (this.operator === "let" || this.operator === "query") return "";
    return `'${this.operator}' operator: `;
  }

  semantic(message: string, pos?: Pos): KqlError {
    return new KqlError(`${this.prefix()}${message}`, "semantic", pos?.line, pos?.column);
  }
}

/** The error for a name that is neither a table nor a let-bound tabular expression. */
export class UnresolvedTableError extends KqlError {
  constructor(
    readonly tableName: string,
    pos?: Pos,
  ) {
    super(`Failed to resolve table or column expression named '${tableName}'`, "semantic", pos?.line, pos?.column);
  }
}
