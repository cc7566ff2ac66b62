// The KQL parser: a recursive-descent parser from tokens to the AST in ast.ts.

import type {
  Assignment,
  Expr,
  FunctionBody,
  FunctionExpr,
  FunctionParam,
  LetStatement,
  Operator,
  Pos,
  PrintExpr,
  Query,
  SortKey,
  Statement,
  UnionExpr,
  UnionParams,
} from "./ast.js";
import { tokenize } from "./lexer.js";
import type { Token } from "./lexer.js";
import { KqlError } from "./types.js";
import type { KqlType } from "./types.js";
import { formatDatetime, formatTimespan, parseDatetime, parseTimespan } from "./values.js";

/** Type names accepted in datatable schemas, function parameters and typed literals. */
const TYPE_NAMES: Record<string, KqlType> = {
  string: "string",
  long: "long",
  int: "int",
  int32: "int",
  int64: "long",
  real: "real",
  double: "real",
  bool: "bool",
  boolean: "bool",
  datetime: "datetime",
  date: "datetime",
  timespan: "timespan",
  time: "timespan",
  dynamic: "dynamic",
  guid: "guid",
  uniqueid: "guid",
};

/**
 * Real KQL tabular operators this interpreter does not implement: none of the queries the simulator must answer uses
 * them (test/kql/usage.test.ts).
 */
const UNSUPPORTED_OPERATORS = new Set([
  "project-away",
  "project-keep",
  "project-reorder",
  "project-rename",
  "top",
  "distinct",
  "getschema",
  "serialize",
  "join",
  "lookup",
  "mv-expand",
  "mv-apply",
  "parse",
  "parse-where",
  "parse-kv",
  "render",
  "evaluate",
  "make-series",
  "as",
  "invoke",
  "fork",
  "facet",
  "partition",
  "sample",
  "sample-distinct",
  "scan",
  "top-nested",
  "top-hitters",
  "find",
  "search",
  "reduce",
  "consume",
  "project-smart",
  "macro-expand",
  "make-graph",
  "graph-match",
  "graph-merge",
  "graph-to-table",
  "graph-shortest-paths",
  "execute-show-command",
]);

/** Binary operators made of words, after the left operand. `!` forms are handled separately. */
const WORD_OPERATORS = new Set([
  "has",
  "has_cs",
  "hasprefix",
  "hasprefix_cs",
  "hassuffix",
  "hassuffix_cs",
  "contains",
  "contains_cs",
  "startswith",
  "startswith_cs",
  "endswith",
  "endswith_cs",
]);

const NEGATABLE_WORDS = new Set([...WORD_OPERATORS, "in", "between"]);

/** Word operators with their own syntax after them, and old forms this interpreter reports as unsupported. */
const OTHER_WORD_OPERATORS = new Set([
  "in",
  "between",
  "has_any",
  "has_all",
  "matches",
  "like",
  "notlike",
  "notcontains",
  "notbetween",
]);

const COMPARISON_PUNCT = new Set(["==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"]);

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).parseQuery();
}

function posOf(t: Token): Pos {
  return { line: t.line, column: t.column };
}

export function unsupported(construct: string, pos?: Pos): KqlError {
  return new KqlError(`The hsm-audit simulator does not support ${construct}`, "unsupported", pos?.line, pos?.column);
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  // ---- token helpers ----

  private peek(k = 0): Token {
    const t = this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
    return t as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "punct" && t.text === p;
  }

  private isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "ident" && t.text === word;
  }

  private describe(t: Token): string {
    return t.kind === "eof" ? "end of query" : `'${t.text}'`;
  }

  private fail(message: string, t: Token = this.peek()): never {
    throw new KqlError(`Syntax error: ${message}`, "syntax", t.line, t.column);
  }

  private expected(what: string, t: Token = this.peek()): never {
    this.fail(`expected ${what} but found ${this.describe(t)}`, t);
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) this.expected(`'${p}'`);
    return this.next();
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.expected(`'${word}'`);
    return this.next();
  }

  /** Whether two tokens touch (no whitespace between): `!has`, `in~`, `project-away`. */
  private adjacent(a: Token, b: Token): boolean {
    return a.end === b.start;
  }

  /** Whether the tokens at k are a bracketed name: ['name'] or ["name"]. */
  private isBracketName(k = 0): boolean {
    return this.isPunct("[", k) && this.peek(k + 1).kind === "string" && this.isPunct("]", k + 2);
  }

  private isNameStart(k = 0): boolean {
    return this.peek(k).kind === "ident" || this.isBracketName(k);
  }

  /** Reads an identifier or a bracketed name. */
  private parseName(what = "a name"): { name: string; pos: Pos } {
    const t = this.peek();
    if (t.kind === "ident") {
      this.next();
      return { name: t.text, pos: posOf(t) };
    }
    if (this.isBracketName()) {
      this.next();
      const s = this.next();
      this.next();
      return { name: s.value as string, pos: posOf(t) };
    }
    return this.expected(what);
  }

  // ---- statements ----

  parseQuery(): Query {
    const statements: Statement[] = [];
    while (this.peek().kind !== "eof") {
      if (this.isPunct(";")) {
        this.next();
        continue;
      }
      const t = this.peek();
      if (this.isWord("let")) {
        statements.push(this.parseLet());
      } else if (
        (this.isWord("set") || this.isWord("declare") || this.isWord("alias") || this.isWord("restrict")) &&
        (this.peek(1).kind === "ident" || this.isBracketName(1))
      ) {
        throw unsupported(`the '${t.text}' statement`, posOf(t));
      } else if (this.isWord("pattern") && this.peek(1).kind === "ident") {
        throw unsupported("the 'pattern' statement", posOf(t));
      } else {
        statements.push({ kind: "expr", expr: this.parsePipeline(), pos: posOf(t) });
      }
      if (this.peek().kind !== "eof" && !this.isPunct(";")) this.expected("';' or end of query");
    }
    return { statements };
  }

  private parseLet(): LetStatement {
    const letTok = this.expectWord("let");
    const { name } = this.parseName("a name after 'let'");
    this.expectPunct("=");
    let value: Expr;
    if (this.isWord("view") && this.isPunct("(", 1)) {
      this.next();
      value = this.parseFunctionDef();
    } else if (this.isPunct("(") && this.looksLikeParameters()) {
      value = this.parseFunctionDef();
    } else {
      value = this.parsePipeline();
    }
    return { kind: "let", name, value, pos: posOf(letTok) };
  }

  /** At `(`: whether a function definition follows, `() {` or `(name:type ...`, rather than a parenthesised query. */
  private looksLikeParameters(): boolean {
    if (this.isPunct(")", 1)) return this.isPunct("{", 2);
    return this.isNameStart(1) && this.isPunct(":", this.isBracketName(1) ? 4 : 2);
  }

  private parseFunctionDef(): FunctionExpr {
    const open = this.expectPunct("(");
    const params: FunctionParam[] = [];
    if (!this.isPunct(")")) {
      for (;;) {
        const { name, pos } = this.parseName("a parameter name");
        this.expectPunct(":");
        if (this.isPunct("(")) throw unsupported("tabular function parameters", pos);
        const type = this.parseTypeName();
        const param: FunctionParam = { name, type };
        if (this.isPunct("=")) {
          this.next();
          param.defaultValue = this.parseExpr();
        }
        params.push(param);
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    this.expectPunct(")");
    this.expectPunct("{");
    const body = this.parseBody();
    this.expectPunct("}");
    return { kind: "function", params, body, pos: posOf(open) };
  }

  private parseBody(): FunctionBody {
    const lets: LetStatement[] = [];
    for (;;) {
      if (this.isPunct(";")) {
        this.next();
        continue;
      }
      if (this.isWord("let")) {
        lets.push(this.parseLet());
        if (!this.isPunct(";")) this.expected("';'");
        continue;
      }
      const expr = this.parsePipeline();
      while (this.isPunct(";")) this.next();
      return { lets, expr };
    }
  }

  private parseTypeName(): KqlType {
    const t = this.peek();
    if (t.kind !== "ident") this.expected("a type name");
    if (t.text === "decimal") throw unsupported("the 'decimal' type", posOf(t));
    const type = TYPE_NAMES[t.text];
    if (!type) this.fail(`unknown type '${t.text}'`, t);
    this.next();
    return type;
  }

  // ---- tabular pipelines ----

  parsePipeline(): Expr {
    let e = this.parseExpr();
    while (this.isPunct("|")) {
      const bar = this.next();
      const op = this.parseOperator();
      e = { kind: "pipe", source: e, op, pos: posOf(bar) };
    }
    return e;
  }

  /** Reads an operator keyword, joining hyphenated ones such as project-away and mv-expand. */
  private parseOperatorName(): Token {
    const first = this.peek();
    if (first.kind !== "ident") this.expected("a query operator");
    this.next();
    let text = first.text;
    let last = first;
    while (
      this.isPunct("-") &&
      this.adjacent(last, this.peek()) &&
      this.peek(1).kind === "ident" &&
      this.adjacent(this.peek(), this.peek(1))
    ) {
      this.next();
      last = this.next();
      text += `-${last.text}`;
    }
    return { ...first, text, end: last.end };
  }

  private parseOperator(): Operator {
    const t = this.parseOperatorName();
    const pos = posOf(t);
    const keyword = t.text;
    switch (keyword) {
      case "where":
      case "filter":
        return { op: "where", keyword, predicate: this.parseExpr(), pos };
      case "extend":
        return { op: "extend", keyword, items: this.parseAssignments(), pos };
      case "project":
        return { op: "project", keyword, items: this.parseAssignments(), pos };
      case "summarize": {
        this.skipHints();
        let aggregates: Assignment[] = [];
        if (!this.isWord("by")) aggregates = this.parseAssignments();
        let by: Assignment[] = [];
        if (this.isWord("by")) {
          this.next();
          by = this.parseAssignments();
        }
        if (aggregates.length === 0 && by.length === 0) this.expected("an aggregate or 'by'");
        return { op: "summarize", keyword, aggregates, by, pos };
      }
      case "order":
      case "sort": {
        this.expectWord("by");
        const keys: SortKey[] = [this.parseSortKey()];
        while (this.isPunct(",")) {
          this.next();
          keys.push(this.parseSortKey());
        }
        return { op: "sort", keyword, keys, pos };
      }
      case "take":
      case "limit":
        return { op: "take", keyword, count: this.parseExpr(), pos };
      case "count":
        return { op: "count", keyword, pos };
      case "union": {
        const { params, sources } = this.parseUnionBody();
        return { op: "union", keyword, params, sources, pos };
      }
      default:
        if (UNSUPPORTED_OPERATORS.has(keyword)) throw unsupported(`the '${keyword}' operator`, pos);
        return this.fail(`unknown query operator '${keyword}'`, t);
    }
  }

  private isOperatorEnd(): boolean {
    const t = this.peek();
    return t.kind === "eof" || (t.kind === "punct" && ["|", ";", ")", "}"].includes(t.text));
  }

  /** Skips `hint.strategy = shuffle` and the like (they do not change results). */
  private skipHints(): void {
    while (this.isWord("hint") && this.isPunct(".", 1)) {
      this.next();
      this.next();
      this.parseName("a hint name");
      this.expectPunct("=");
      this.next();
    }
  }

  private parseSortKey(): SortKey {
    const expr = this.parseExpr();
    let descending = true;
    if (this.isWord("asc")) {
      this.next();
      descending = false;
    } else if (this.isWord("desc")) {
      this.next();
    }
    const key: SortKey = { expr, descending };
    if (this.isWord("nulls")) {
      this.next();
      if (this.isWord("first")) key.nullsFirst = true;
      else if (this.isWord("last")) key.nullsFirst = false;
      else this.expected("'first' or 'last'");
      this.next();
    }
    return key;
  }

  /** `name = expr` or `expr`, comma separated. */
  private parseAssignments(): Assignment[] {
    const items: Assignment[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isPunct("(") && this.isNameStart(1) && (this.isPunct(",", 2) || this.isPunct(",", 4))) {
        // (a, b) = arg_max(...): a tuple assignment.
        let k = 1;
        let depth = 0;
        while (this.peek(k).kind !== "eof" && !(depth === 0 && this.isPunct(")", k))) {
          if (this.isPunct("(", k)) depth++;
          if (this.isPunct(")", k)) depth--;
          k++;
        }
        if (this.isPunct("=", k + 1)) throw unsupported("tuple assignments such as (a, b) = ...", posOf(t));
      }
      if (this.isNameStart() && this.isPunct("=", this.isBracketName() ? 3 : 1)) {
        const { name, pos } = this.parseName();
        this.next(); // =
        items.push({ name, expr: this.parseExpr(), pos });
      } else {
        items.push({ expr: this.parseExpr(), pos: posOf(t) });
      }
      if (!this.isPunct(",")) break;
      this.next();
    }
    return items;
  }

  private parseUnionBody(): { params: UnionParams; sources: Expr[] } {
    const params: UnionParams = { isFuzzy: false, kind: "outer" };
    for (;;) {
      if (this.isWord("hint") && this.isPunct(".", 1)) {
        this.skipHints();
        continue;
      }
      const t = this.peek();
      if (t.kind === "ident" && this.isPunct("=", 1) && ["isfuzzy", "kind", "withsource"].includes(t.text)) {
        this.next();
        this.next();
        const v = this.peek();
        if (t.text === "isfuzzy") {
          if (v.kind !== "ident" || !["true", "false"].includes(v.text.toLowerCase())) this.expected("true or false");
          params.isFuzzy = v.text.toLowerCase() === "true";
          this.next();
        } else if (t.text === "kind") {
          if (!this.isWord("inner") && !this.isWord("outer")) this.expected("'inner' or 'outer'");
          params.kind = v.text as "inner" | "outer";
          this.next();
        } else {
          params.withSource = this.parseName("a column name").name;
        }
        continue;
      }
      break;
    }
    const sources: Expr[] = [this.parseUnionSource()];
    while (this.isPunct(",")) {
      this.next();
      sources.push(this.parseUnionSource());
    }
    return { params, sources };
  }

  private parseUnionSource(): Expr {
    const t = this.peek();
    if (this.isPunct("(")) {
      this.next();
      const inner = this.parsePipeline();
      this.expectPunct(")");
      return { kind: "paren", expr: inner, pos: posOf(t) };
    }
    if (this.isPunct("*")) throw unsupported("wildcard table names in 'union'", posOf(t));
    if (!this.isNameStart()) this.expected("a table name or a parenthesised query");
    if (t.kind === "ident" && this.isPunct("*", 1) && this.adjacent(t, this.peek(1))) {
      throw unsupported("wildcard table names in 'union'", posOf(t));
    }
    // A name, a call such as table('T') or a user function, possibly with member access (workspace('w').T).
    return this.parsePostfix();
  }

  // ---- scalar expressions ----

  parseExpr(): Expr {
    return this.parseOr();
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      const t = this.next();
      left = { kind: "binary", op: "or", left, right: this.parseAnd(), pos: posOf(t) };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.isWord("and")) {
      const t = this.next();
      left = { kind: "binary", op: "and", left, right: this.parseComparison(), pos: posOf(t) };
    }
    return left;
  }

  private parseComparison(): Expr {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.peek();
      const pos = posOf(t);
      if (t.kind === "punct" && COMPARISON_PUNCT.has(t.text)) {
        this.next();
        const op = t.text === "<>" ? "!=" : t.text;
        left = { kind: "binary", op, left, right: this.parseAdditive(), pos };
        continue;
      }
      let negated = false;
      let word: Token | undefined;
      const after = this.peek(1);
      if (this.isPunct("!") && after.kind === "ident" && this.adjacent(t, after) && NEGATABLE_WORDS.has(after.text)) {
        negated = true;
        this.next();
        word = this.next();
      } else if (t.kind === "ident") {
        const w = t.text;
        if (WORD_OPERATORS.has(w) || OTHER_WORD_OPERATORS.has(w)) {
          word = this.next();
        }
      }
      if (!word) break;
      const w = word.text;
      if (w === "like" || w === "notlike" || w === "notcontains" || w === "notbetween") {
        throw unsupported(`the '${w}' operator`, pos);
      }
      if (w === "in") {
        let ci = false;
        if (this.isPunct("~") && this.adjacent(word, this.peek())) {
          this.next();
          ci = true;
        }
        const op = `${negated ? "!" : ""}in${ci ? "~" : ""}` as "in" | "!in" | "in~" | "!in~";
        left = { kind: "listop", op, left, items: this.parseList(), pos };
        continue;
      }
      if (w === "has_any" || w === "has_all") {
        left = { kind: "listop", op: w, left, items: this.parseList(), pos };
        continue;
      }
      if (w === "between") {
        this.expectPunct("(");
        const low = this.parseAdditive();
        this.expectPunct("..");
        const high = this.parseAdditive();
        this.expectPunct(")");
        left = { kind: "between", negated, left, low, high, pos };
        continue;
      }
      if (w === "matches") {
        this.expectWord("regex");
        left = { kind: "binary", op: "matches regex", left, right: this.parseAdditive(), pos };
        continue;
      }
      left = { kind: "binary", op: `${negated ? "!" : ""}${w}`, left, right: this.parseAdditive(), pos };
    }
    return left;
  }

  private parseList(): Expr[] {
    this.expectPunct("(");
    const items: Expr[] = [];
    if (!this.isPunct(")")) {
      items.push(this.parsePipeline());
      while (this.isPunct(",")) {
        this.next();
        items.push(this.parsePipeline());
      }
    }
    this.expectPunct(")");
    return items;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isPunct("+") || this.isPunct("-")) {
      const t = this.next();
      left = { kind: "binary", op: t.text, left, right: this.parseMultiplicative(), pos: posOf(t) };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isPunct("*") || this.isPunct("/") || this.isPunct("%")) {
      const t = this.next();
      left = { kind: "binary", op: t.text, left, right: this.parseUnary(), pos: posOf(t) };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isPunct("-") || this.isPunct("+")) {
      const t = this.next();
      const operand = this.parseUnary();
      if (t.text === "-" && operand.kind === "literal" && typeof operand.value === "number") {
        return { ...operand, value: -operand.value, pos: posOf(t) };
      }
      return { kind: "unary", op: t.text as "-" | "+", operand, pos: posOf(t) };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (this.isPunct(".") && this.peek(1).kind === "ident") {
        this.next();
        const m = this.next();
        e = { kind: "member", target: e, member: m.text, pos: posOf(m) };
        continue;
      }
      if (this.isPunct(".") && this.isBracketName(1)) {
        this.next();
        const { name, pos } = this.parseName();
        e = { kind: "member", target: e, member: name, pos };
        continue;
      }
      if (this.isPunct("[")) {
        this.next();
        const index = this.parseExpr();
        this.expectPunct("]");
        e = { kind: "index", target: e, index, pos: posOf(t) };
        continue;
      }
      return e;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const pos = posOf(t);
    switch (t.kind) {
      case "number":
        this.next();
        return { kind: "literal", type: t.isReal ? "real" : "long", value: t.value as number, pos };
      case "timespan":
        this.next();
        return { kind: "literal", type: "timespan", value: t.value as number, pos };
      case "string": {
        this.next();
        let value = t.value as string;
        while (this.peek().kind === "string") value += this.next().value as string;
        return { kind: "literal", type: "string", value, pos };
      }
      case "typed":
        this.next();
        return this.typedLiteral(t);
      case "punct":
        if (t.text === "(") {
          this.next();
          const inner = this.parsePipeline();
          this.expectPunct(")");
          return { kind: "paren", expr: inner, pos };
        }
        if (this.isBracketName()) {
          const { name } = this.parseName();
          return { kind: "name", name, pos };
        }
        if (t.text === "*") {
          this.next();
          return { kind: "star", pos };
        }
        return this.expected("an expression");
      case "ident":
        return this.parseIdentPrimary(t);
      default:
        return this.expected("an expression");
    }
  }

  private parseIdentPrimary(t: Token): Expr {
    const pos = posOf(t);
    const w = t.text;
    const callFollows = this.isPunct("(", 1);
    if (w === "true" || w === "True" || w === "TRUE" || w === "false" || w === "False" || w === "FALSE") {
      this.next();
      return { kind: "literal", type: "bool", value: w.toLowerCase() === "true", pos };
    }
    if (w === "null") {
      this.next();
      return { kind: "literal", type: "dynamic", value: null, isNullLiteral: true, pos };
    }
    if (w === "union") {
      this.next();
      const { params, sources } = this.parseUnionBody();
      const u: UnionExpr = { kind: "union", params, sources, pos };
      return u;
    }
    if (w === "datatable" && callFollows) throw unsupported("the 'datatable' operator", pos);
    if (w === "print") {
      this.next();
      const p: PrintExpr = { kind: "print", items: this.isOperatorEnd() ? [] : this.parseAssignments(), pos };
      return p;
    }
    if (w === "range" && this.peek(1).kind === "ident" && this.isWord("from", 2)) {
      throw unsupported("the 'range' operator", pos);
    }
    if (w === "dynamic" && callFollows) {
      this.next();
      this.next();
      const value = this.parseJsonValue();
      this.expectPunct(")");
      return { kind: "literal", type: "dynamic", value, pos };
    }
    if (callFollows && ["bool", "boolean", "long", "int", "real", "double", "string"].includes(w)) {
      this.next();
      return this.parseScalarTypedLiteral(w, pos);
    }
    const next = this.peek(1);
    if ((w === "search" || w === "find") && (next.kind === "string" || next.kind === "ident" || this.isPunct("*", 1))) {
      throw unsupported(`the '${w}' operator`, pos);
    }
    if (w === "externaldata" && (callFollows || this.isPunct("[", 1)))
      throw unsupported("the 'externaldata' operator", pos);
    if (w === "evaluate" && this.peek(1).kind === "ident") throw unsupported("the 'evaluate' operator", pos);
    this.next();
    if (callFollows) {
      this.next();
      const args: Expr[] = [];
      if (!this.isPunct(")")) {
        args.push(this.parsePipeline());
        while (this.isPunct(",")) {
          this.next();
          args.push(this.parsePipeline());
        }
      }
      this.expectPunct(")");
      return { kind: "call", name: w, args, pos };
    }
    return { kind: "name", name: w, pos };
  }

  private typedLiteral(t: Token): Expr {
    const raw = t.value as string;
    const pos = posOf(t);
    switch (t.typeName) {
      case "datetime": {
        if (raw.toLowerCase() === "null") return { kind: "literal", type: "datetime", value: null, pos };
        const d = parseDatetime(raw);
        if (!d) this.fail(`invalid datetime literal 'datetime(${raw})'`, t);
        return { kind: "literal", type: "datetime", value: d, pos };
      }
      case "guid":
        if (raw.toLowerCase() === "null") return { kind: "literal", type: "guid", value: null, pos };
        if (!/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(raw)) {
          this.fail(`invalid guid literal 'guid(${raw})'`, t);
        }
        return { kind: "literal", type: "guid", value: raw.toLowerCase(), pos };
      default: {
        if (raw.toLowerCase() === "null") return { kind: "literal", type: "timespan", value: null, pos };
        const ms = parseTimespan(raw);
        if (ms === null) this.fail(`invalid timespan literal '${t.typeName ?? "timespan"}(${raw})'`, t);
        return { kind: "literal", type: "timespan", value: ms, pos };
      }
    }
  }

  /** long(1), int(null), real(nan), real(+inf), bool(true), string('x'). */
  private parseScalarTypedLiteral(w: string, pos: Pos): Expr {
    this.expectPunct("(");
    const type = TYPE_NAMES[w] as KqlType;
    let value: unknown;
    const t = this.peek();
    if (this.isWord("null")) {
      this.next();
      value = null;
    } else if (type === "real" && t.kind === "ident" && t.text.toLowerCase() === "nan") {
      this.next();
      value = NaN;
    } else if (type === "real" && (t.kind === "ident" || this.isPunct("+") || this.isPunct("-"))) {
      let sign = 1;
      if (this.isPunct("+") || this.isPunct("-")) sign = this.next().text === "-" ? -1 : 1;
      if (!(this.peek().kind === "ident" && this.peek().text.toLowerCase() === "inf")) {
        if (this.peek().kind !== "number") this.expected("a number");
        value = sign * (this.next().value as number);
      } else {
        this.next();
        value = sign * Infinity;
      }
    } else {
      const e = this.parseUnary();
      if (e.kind !== "literal") return this.fail(`expected a literal in '${w}(...)'`, t);
      value = e.value;
      if (type === "bool" && typeof value !== "boolean") this.fail(`expected true or false in '${w}(...)'`, t);
      if ((type === "long" || type === "int" || type === "real") && typeof value !== "number") {
        this.fail(`expected a number in '${w}(...)'`, t);
      }
      if (type === "string" && typeof value !== "string") this.fail(`expected a string in '${w}(...)'`, t);
      if (type === "long" || type === "int") value = Math.trunc(value as number);
    }
    this.expectPunct(")");
    return { kind: "literal", type, value, pos };
  }

  /** The JSON-like content of dynamic(...). Datetimes and timespans inside are stored in their wire form. */
  private parseJsonValue(): unknown {
    const t = this.peek();
    if (this.isPunct("[")) {
      this.next();
      const arr: unknown[] = [];
      if (!this.isPunct("]")) {
        arr.push(this.parseJsonValue());
        while (this.isPunct(",")) {
          this.next();
          if (this.isPunct("]")) break;
          arr.push(this.parseJsonValue());
        }
      }
      this.expectPunct("]");
      return arr;
    }
    if (this.isPunct("{")) {
      this.next();
      const obj: Record<string, unknown> = {};
      if (!this.isPunct("}")) {
        for (;;) {
          const k = this.peek();
          if (k.kind !== "string" && k.kind !== "ident") this.expected("a property name");
          this.next();
          this.expectPunct(":");
          obj[k.kind === "string" ? (k.value as string) : k.text] = this.parseJsonValue();
          if (!this.isPunct(",")) break;
          this.next();
          if (this.isPunct("}")) break;
        }
      }
      this.expectPunct("}");
      return obj;
    }
    if (this.isPunct("-") && this.peek(1).kind === "number") {
      this.next();
      return -(this.next().value as number);
    }
    switch (t.kind) {
      case "string":
      case "number":
        this.next();
        return t.value;
      case "timespan":
        this.next();
        return formatTimespan(t.value as number);
      case "typed": {
        this.next();
        const lit = this.typedLiteral(t);
        if (lit.kind === "literal" && lit.value instanceof Date) return formatDatetime(lit.value);
        if (lit.kind === "literal" && lit.type === "timespan" && typeof lit.value === "number") {
          return formatTimespan(lit.value);
        }
        return lit.kind === "literal" ? lit.value : null;
      }
      case "ident":
        if (t.text === "true" || t.text === "false") {
          this.next();
          return t.text === "true";
        }
        if (t.text === "null") {
          this.next();
          return null;
        }
        return this.expected("a JSON value");
      default:
        return this.expected("a JSON value");
    }
  }
}
