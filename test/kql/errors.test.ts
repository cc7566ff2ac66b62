import { KqlError } from "../../src/simulator/kql/index.js";
import { failure } from "./fixture.js";

const T = "CloudHsmServiceOperationAuditLogs";

interface Case {
  name: string;
  query: string;
  kind: KqlError["kind"];
  message: string;
  line?: number;
  column?: number;
}

function check({ query, kind, message, line, column }: Case): void {
  const err = failure(query);
  expect(err).toBeInstanceOf(KqlError);
  expect(err.name).toBe("KqlError");
  expect({ kind: err.kind, message: err.message }).toEqual({ kind, message });
  if (line !== undefined) expect({ line: err.line, column: err.column }).toEqual({ line, column });
}

describe("syntax errors carry the position of the offending token", () => {
  test.each<Case>([
    {
      name: "unclosed parenthesis before an operator keyword",
      query: `${T} | where (DurationMs > 1 where`,
      kind: "syntax",
      message: "Syntax error: expected ')' but found 'where'",
      line: 1,
      column: 59,
    },
    {
      name: "missing operand, reported on its own line",
      query: `${T}\n| where DurationMs >\n| take 1`,
      kind: "syntax",
      message: "Syntax error: expected an expression but found '|'",
      line: 3,
      column: 1,
    },
    {
      name: "end of query",
      query: `${T} | project`,
      kind: "syntax",
      message: "Syntax error: expected an expression but found end of query",
      line: 1,
      column: 44,
    },
    {
      name: "order without by",
      query: `${T}\n  | order DurationMs`,
      kind: "syntax",
      message: "Syntax error: expected 'by' but found 'DurationMs'",
      line: 2,
      column: 11,
    },
    {
      name: "unterminated string",
      query: `print x = "abc`,
      kind: "syntax",
      message: "Syntax error: unterminated string literal",
      line: 1,
      column: 11,
    },
    {
      name: "unknown operator",
      query: `${T} | frobnicate`,
      kind: "syntax",
      message: "Syntax error: unknown query operator 'frobnicate'",
      line: 1,
      column: 37,
    },
    {
      name: "invalid datetime literal",
      query: `print datetime(2026-13-45)`,
      kind: "syntax",
      message: "Syntax error: invalid datetime literal 'datetime(2026-13-45)'",
      line: 1,
      column: 7,
    },
    {
      name: "missing semicolon after let",
      query: `let x = 1\nprint x`,
      kind: "syntax",
      message: "Syntax error: expected ';' or end of query but found 'print'",
      line: 2,
      column: 1,
    },
    {
      name: "bad timespan suffix",
      query: `print 3weeks`,
      kind: "syntax",
      message: "Syntax error: invalid literal '3weeks'",
      line: 1,
      column: 7,
    },
    {
      name: "unexpected character",
      query: `${T} | where DurationMs > 1 # 2`,
      kind: "syntax",
      message: "Syntax error: unexpected character '#'",
      line: 1,
      column: 58,
    },
  ])("$name", (c) => check(c));
});

describe("semantic errors", () => {
  test.each<Case>([
    {
      name: "unknown column in where names the operator",
      query: `${T} | where Foo == 1`,
      kind: "semantic",
      message: "'where' operator: Failed to resolve column or scalar expression named 'Foo'",
      line: 1,
      column: 43,
    },
    {
      name: "unknown column is found on an empty table",
      query: `EmptyLogs | where Bogus has "x"`,
      kind: "semantic",
      message: "'where' operator: Failed to resolve column or scalar expression named 'Bogus'",
    },
    {
      name: "unknown column in summarize by",
      query: `${T}\n| summarize count() by Bogus`,
      kind: "semantic",
      message: "'summarize' operator: Failed to resolve column or scalar expression named 'Bogus'",
      line: 2,
      column: 24,
    },
    {
      name: "unknown column in project",
      query: `${T} | project OperationName, Nope`,
      kind: "semantic",
      message: "'project' operator: Failed to resolve column or scalar expression named 'Nope'",
    },
    {
      name: "unknown column in extend",
      query: `${T} | extend x = Nope + 1`,
      kind: "semantic",
      message: "'extend' operator: Failed to resolve column or scalar expression named 'Nope'",
    },
    {
      name: "unknown column in order by",
      query: `${T} | order by Nope`,
      kind: "semantic",
      message: "'order' operator: Failed to resolve column or scalar expression named 'Nope'",
    },
    {
      name: "a column dropped by project is gone",
      query: `${T} | project OperationName | where DurationMs > 1`,
      kind: "semantic",
      message: "'where' operator: Failed to resolve column or scalar expression named 'DurationMs'",
    },
    {
      name: "unknown table",
      query: `NoSuchTable | take 1`,
      kind: "semantic",
      message: "Failed to resolve table or column expression named 'NoSuchTable'",
      line: 1,
      column: 1,
    },
    {
      name: "table names are case-sensitive",
      query: `cloudhsmserviceoperationauditlogs | take 1`,
      kind: "semantic",
      message: "Failed to resolve table or column expression named 'cloudhsmserviceoperationauditlogs'",
    },
    {
      name: "unknown table in a plain union",
      query: `union ${T}, AzureDiagnosticz`,
      kind: "semantic",
      message: "Failed to resolve table or column expression named 'AzureDiagnosticz'",
    },
    {
      name: "isfuzzy union where no table resolves",
      query: `union isfuzzy=true Missing1, (Missing2 | where x == 1)`,
      kind: "semantic",
      message: "Failed to resolve table or column expression named 'Missing1'",
    },
    {
      name: "unknown function",
      query: `${T} | extend x = frob(OperationName)`,
      kind: "semantic",
      message: "Unknown function: 'frob'",
      line: 1,
      column: 48,
    },
    {
      name: "wrong number of arguments",
      query: `${T} | where TimeGenerated > ago()`,
      kind: "semantic",
      message: "'where' operator: Function 'ago' expects 1 argument(s) but got 0",
    },
    {
      name: "too many arguments to an aggregate",
      query: `${T} | summarize count(OperationName)`,
      kind: "semantic",
      message: "'summarize' operator: Function 'count' expects 0 argument(s) but got 1",
    },
    {
      name: "aggregate outside summarize",
      query: `${T} | where count() > 1`,
      kind: "semantic",
      message: "'where' operator: 'count' is an aggregate function and can only be used in 'summarize'",
    },
    {
      name: "summarize needs aggregates",
      query: `${T} | summarize x = DurationMs`,
      kind: "semantic",
      message:
        "'summarize' operator: column 'DurationMs' must be used inside an aggregate function such as take_any(DurationMs), or in the 'by' clause",
    },
    {
      name: "comparing a string with a number",
      query: `${T} | where OperationName == 1`,
      kind: "semantic",
      message: "'where' operator: Cannot compare values of types string and long. Try adding explicit casts",
    },
    {
      name: "adding strings",
      query: `print "a" + "b"`,
      kind: "semantic",
      message: "'print' operator: Cannot apply the operator '+' to operands of types string and string",
    },
    {
      name: "a non-Boolean predicate",
      query: `${T} | where DurationMs`,
      kind: "semantic",
      message: "'where' operator: the predicate must be a Boolean expression, not long",
    },
    {
      name: "member access on a string",
      query: `${T} | where OperationName.x == 1`,
      kind: "semantic",
      message: "'where' operator: '.x' can only be applied to a value of type dynamic, not string",
    },
    {
      name: "the wrong argument type",
      query: `print ago("1d")`,
      kind: "semantic",
      message: "'print' operator: ago(): argument 1 must be of type timespan, not string",
    },
    {
      name: "a scalar used as a table",
      query: `let x = 1; x | take 1`,
      kind: "semantic",
      message: "'x' is a scalar, not a table",
    },
    {
      name: "a query that ends with a scalar",
      query: `let x = 1;\nx + 1`,
      kind: "semantic",
      message: "The query must end with a tabular expression (use 'print' to return a scalar)",
      line: 2,
      column: 1,
    },
  ])("$name", (c) => check(c));
});

describe("unsupported constructs are named", () => {
  test.each<Case>([
    ...[
      "mv-expand Identity",
      "join (AZKVAuditLogs) on _ResourceId",
      "render timechart",
      "parse ClientInfo with a '/' b",
      "evaluate bag_unpack(x)",
      "make-series count() on TimeGenerated step 1d",
      "lookup AZKVAuditLogs on _ResourceId",
      // Operators no query the simulator must answer uses (test/kql/usage.test.ts).
      "distinct CallerIpAddress",
      "top 3 by DurationMs",
      "project-away DurationMs",
      "serialize",
      "getschema",
    ].map((op): Case => ({
      name: `the '${op.split(" ")[0] as string}' operator`,
      query: `${T} | ${op}`,
      kind: "unsupported",
      message: `The hsm-audit simulator does not support the '${op.split(" ")[0] as string}' operator`,
      line: 1,
      column: 37,
    })),
    {
      name: "a set statement",
      query: `set truncationmaxrecords = 10;\n${T} | take 1`,
      kind: "unsupported",
      message: "The hsm-audit simulator does not support the 'set' statement",
    },
    {
      name: "cross-workspace queries",
      query: `workspace("other").${T} | take 1`,
      kind: "unsupported",
      message: "The hsm-audit simulator does not support cross-resource queries ('workspace()')",
    },
    {
      name: "wildcard tables in union",
      query: `union Cloud* | take 1`,
      kind: "unsupported",
      message: "The hsm-audit simulator does not support wildcard table names in 'union'",
    },
    {
      name: "batches",
      query: `${T} | take 1; AZKVAuditLogs | take 1`,
      kind: "unsupported",
      message: "The hsm-audit simulator does not support queries with several tabular statements (batches)",
    },
  ])("$name", (c) => check(c));
});
