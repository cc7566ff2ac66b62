// The abstract syntax tree of a KQL query.
//
// Scalar and tabular expressions share one node family: KQL decides whether a name is a table, a let-bound
// tabular expression, a column or a let-bound scalar only when it binds names, so the parser cannot tell.

import type { KqlType } from "./types.js";

export interface Pos {
  line: number;
  column: number;
}

export interface Query {
  statements: Statement[];
}

export type Statement = LetStatement | ExprStatement;

export interface LetStatement {
  kind: "let";
  name: string;
  value: Expr;
  pos: Pos;
}

export interface ExprStatement {
  kind: "expr";
  expr: Expr;
  pos: Pos;
}

/** The body of a user function or a view: let statements, then one expression. */
export interface FunctionBody {
  lets: LetStatement[];
  expr: Expr;
}

export interface FunctionParam {
  name: string;
  type: KqlType;
  defaultValue?: Expr;
}

export type Expr =
  | LiteralExpr
  | NameExpr
  | StarExpr
  | MemberExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ListOpExpr
  | BetweenExpr
  | ParenExpr
  | FunctionExpr
  | PipeExpr
  | UnionExpr
  | PrintExpr;

export interface LiteralExpr {
  kind: "literal";
  type: KqlType;
  value: unknown;
  /** The literal `null` (its type adapts to the other operand). */
  isNullLiteral?: boolean;
  pos: Pos;
}

export interface NameExpr {
  kind: "name";
  name: string;
  pos: Pos;
}

/** `*`, as in arg_max(x, *). */
export interface StarExpr {
  kind: "star";
  pos: Pos;
}

/** d.member */
export interface MemberExpr {
  kind: "member";
  target: Expr;
  member: string;
  pos: Pos;
}

/** d[index] or d['key'] */
export interface IndexExpr {
  kind: "index";
  target: Expr;
  index: Expr;
  pos: Pos;
}

export interface CallExpr {
  kind: "call";
  name: string;
  args: Expr[];
  pos: Pos;
}

export interface UnaryExpr {
  kind: "unary";
  op: "-" | "+";
  operand: Expr;
  pos: Pos;
}

/**
 * Arithmetic (+ - * / %), comparison (== != < <= > >=), logical (and or) and string operators
 * (=~ !~ has !has has_cs contains ... matches regex), with the operator as written, lower-cased.
 */
export interface BinaryExpr {
  kind: "binary";
  op: string;
  left: Expr;
  right: Expr;
  pos: Pos;
}

/** in, !in, in~, !in~, has_any, has_all: an operator with a parenthesised list on the right. */
export interface ListOpExpr {
  kind: "listop";
  op: "in" | "!in" | "in~" | "!in~" | "has_any" | "has_all";
  left: Expr;
  items: Expr[];
  pos: Pos;
}

export interface BetweenExpr {
  kind: "between";
  negated: boolean;
  left: Expr;
  low: Expr;
  high: Expr;
  pos: Pos;
}

export interface ParenExpr {
  kind: "paren";
  expr: Expr;
  pos: Pos;
}

/** A user function or a view: `(a:string, b:long = 1) { body }` or `view () { body }`. */
export interface FunctionExpr {
  kind: "function";
  params: FunctionParam[];
  body: FunctionBody;
  pos: Pos;
}

export interface PipeExpr {
  kind: "pipe";
  source: Expr;
  op: Operator;
  pos: Pos;
}

export interface UnionParams {
  isFuzzy: boolean;
  kind: "outer" | "inner";
  withSource?: string;
}

export interface UnionExpr {
  kind: "union";
  params: UnionParams;
  sources: Expr[];
  pos: Pos;
}

export interface PrintExpr {
  kind: "print";
  items: Assignment[];
  pos: Pos;
}

/** `name = expr` or a bare `expr` (then the column name is derived from the expression). */
export interface Assignment {
  name?: string;
  expr: Expr;
  pos: Pos;
}

export interface SortKey {
  expr: Expr;
  descending: boolean;
  /** Explicit `nulls first` / `nulls last`; by default nulls come first ascending and last descending. */
  nullsFirst?: boolean;
}

export type Operator =
  | { op: "where"; keyword: string; predicate: Expr; pos: Pos }
  | { op: "extend"; keyword: string; items: Assignment[]; pos: Pos }
  | { op: "project"; keyword: string; items: Assignment[]; pos: Pos }
  | { op: "summarize"; keyword: string; aggregates: Assignment[]; by: Assignment[]; pos: Pos }
  | { op: "sort"; keyword: string; keys: SortKey[]; pos: Pos }
  | { op: "take"; keyword: string; count: Expr; pos: Pos }
  | { op: "count"; keyword: string; pos: Pos }
  | { op: "union"; keyword: string; params: UnionParams; sources: Expr[]; pos: Pos };

/**
 * The tabular operators the interpreter implements, one entry per `Operator` (the type keeps the list complete):
 * test/kql/usage.test.ts checks that the queries the simulator must answer use them.
 */
export const OPERATORS: { readonly [K in Operator["op"]]: K } = {
  where: "where",
  extend: "extend",
  project: "project",
  summarize: "summarize",
  sort: "sort",
  take: "take",
  count: "count",
  union: "union",
};
