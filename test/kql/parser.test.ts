import type { Expr, Query } from "../../src/simulator/kql/ast.js";
import { tokenize } from "../../src/simulator/kql/lexer.js";
import { parseQuery } from "../../src/simulator/kql/parser.js";

describe("lexer", () => {
  test.each([
    {
      text: "a | where b >= 1.5",
      tokens: ["ident:a", "punct:|", "ident:where", "ident:b", "punct:>=", "number:1.5", "eof:"],
    },
    {
      text: "x !in~ ('a')",
      tokens: ["ident:x", "punct:!", "ident:in", "punct:~", "punct:(", "string:a", "punct:)", "eof:"],
    },
    { text: "1..10", tokens: ["number:1", "punct:..", "number:10", "eof:"] },
    {
      text: "ago(7d) // comment\n+ 30m",
      tokens: ["ident:ago", "punct:(", "timespan:604800000", "punct:)", "punct:+", "timespan:1800000", "eof:"],
    },
    {
      text: "datetime(2026-01-01 10:00) =~ @'a\\b'",
      tokens: ["typed:2026-01-01 10:00", "punct:=~", "string:a\\b", "eof:"],
    },
    { text: "project-away", tokens: ["ident:project", "punct:-", "ident:away", "eof:"] },
  ])("$text", ({ text, tokens }) => {
    expect(tokenize(text).map((t) => `${t.kind}:${String(t.value ?? t.text)}`)).toEqual(tokens);
  });

  test("tokens carry 1-based lines and columns", () => {
    const t = tokenize("T\n  | take 1");
    expect(t.map((x) => [x.text, x.line, x.column])).toEqual([
      ["T", 1, 1],
      ["|", 2, 3],
      ["take", 2, 5],
      ["1", 2, 10],
      ["", 2, 11],
    ]);
  });
});

/** A compact rendering of expression trees, to check precedence and associativity. */
function show(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return e.value instanceof Date ? e.value.toISOString() : JSON.stringify(e.value);
    case "name":
      return e.name;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "unary":
      return `(${e.op}${show(e.operand)})`;
    case "call":
      return `${e.name}(${e.args.map(show).join(", ")})`;
    case "member":
      return `${show(e.target)}.${e.member}`;
    case "index":
      return `${show(e.target)}[${show(e.index)}]`;
    case "listop":
      return `(${show(e.left)} ${e.op} [${e.items.map(show).join(", ")}])`;
    case "between":
      return `(${show(e.left)} ${e.negated ? "!" : ""}between ${show(e.low)}..${show(e.high)})`;
    case "paren":
      return show(e.expr);
    case "pipe":
      return `${show(e.source)} | ${e.op.op}`;
    default:
      return e.kind;
  }
}

function predicate(q: Query): string {
  const stmt = q.statements[0];
  if (stmt?.kind !== "expr" || stmt.expr.kind !== "pipe" || stmt.expr.op.op !== "where") throw new Error("not a where");
  return show(stmt.expr.op.predicate);
}

describe("parser", () => {
  test.each([
    { where: "a or b and c", tree: "(a or (b and c))" },
    { where: "a + b * c - d", tree: "((a + (b * c)) - d)" },
    { where: "a - b - c", tree: "((a - b) - c)" },
    { where: "x > 1 + 2 and y == 'k'", tree: '((x > (1 + 2)) and (y == "k"))' },
    { where: "-x * 2", tree: "((-x) * 2)" },
    { where: "d.a.b[0] == 1", tree: "(d.a.b[0] == 1)" },
    { where: "d['a'].b has 'x'", tree: '(d["a"].b has "x")' },
    { where: "s !contains_cs 'x' or s matches regex 'y'", tree: '((s !contains_cs "x") or (s matches regex "y"))' },
    { where: "n !between (1 .. 2 + 3)", tree: "(n !between 1..(2 + 3))" },
    { where: "s in~ ('a', 'b') and t !in (1)", tree: '((s in~ ["a", "b"]) and (t !in [1]))' },
    { where: "not(a) or isnull(b)", tree: "(not(a) or isnull(b))" },
    { where: "t > ago(1d)", tree: "(t > ago(86400000))" },
  ])("where $where", ({ where, tree }) => {
    expect(predicate(parseQuery(`T | where ${where}`))).toBe(tree);
  });

  test("statements: lets, then one tabular expression", () => {
    const q = parseQuery("let a = 1;\nlet T2 = T | take 1;\nT2 | count;");
    expect(q.statements.map((s) => (s.kind === "let" ? `let ${s.name} = ${show(s.value)}` : show(s.expr)))).toEqual([
      "let a = 1",
      "let T2 = T | take",
      "T2 | count",
    ]);
  });

  test("operators are parsed in order", () => {
    const q = parseQuery("T | where a | project b | summarize count() by c | order by d asc | take 3");
    const ops: string[] = [];
    let e = (q.statements[0] as { expr: Expr }).expr;
    while (e.kind === "pipe") {
      ops.unshift(e.op.op);
      e = e.source;
    }
    expect(ops).toEqual(["where", "project", "summarize", "sort", "take"]);
  });
});
