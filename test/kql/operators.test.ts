import { HSM1, HSM2, run } from "./fixture.js";

const T = "CloudHsmServiceOperationAuditLogs";

interface Case {
  name: string;
  query: string;
  /** "name:type" for each result column, when the case checks the schema. */
  columns?: string[];
  rows: unknown[][];
}

function check({ query, columns, rows }: Case): void {
  const result = run(query);
  if (columns) expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual(columns);
  expect(result.rows).toEqual(rows);
}

describe("where", () => {
  test.each<Case>([
    {
      name: "numeric comparison",
      query: `${T} | where DurationMs > 40 | project OperationName`,
      rows: [["KeySign"], ["KeyDelete"], ["KeyGenerate"]],
    },
    {
      name: "and binds tighter than or",
      query: `${T} | where OperationName == "KeyGet" and CallerIpAddress == "10.0.0.4" or OperationName == "Logout" | project TimeGenerated`,
      rows: [["2026-11-22T09:00:00.0000000Z"], ["2026-11-20T23:59:59.0000000Z"], ["2026-11-19T06:00:00.0000000Z"]],
    },
    {
      name: "filter is an alias of where",
      query: `${T} | filter HsmInstance == "hsm2-node1" | project DurationMs`,
      rows: [[120]],
    },
    {
      name: "comparison with null is false both ways",
      query: `${T} | where DurationMs < 1000 or DurationMs >= 1000 | count`,
      rows: [[7]],
    },
    {
      name: "datetime comparison with ago()",
      query: `${T} | where TimeGenerated >= ago(1d) | project OperationName`,
      rows: [["KeyGet"], ["KeyGet"], ["KeySign"], ["KeyGenerate"]],
    },
    {
      name: "a constant false predicate",
      query: `${T} | where 1 == 2 | count`,
      rows: [[0]],
    },
    {
      name: "chained where",
      query: `${T} | where ResultType == "Success" | where CallerIpAddress == "10.0.0.6" | project OperationName`,
      rows: [["Logout"]],
    },
    {
      name: "* has: any column matches the term",
      query: `${T} | where * has "CU_admin" or * has "jce" | project OperationName`,
      rows: [["KeySign"], ["Login"]],
    },
    {
      name: "let-bound scalars in predicates",
      query: `let minDuration = 40; let since = datetime(2026-11-15); ${T} | where DurationMs > minDuration and TimeGenerated > since | project DurationMs`,
      rows: [[45], [120]],
    },
  ])("$name", (c) => check(c));
});

describe("extend and project", () => {
  test.each<Case>([
    {
      name: "extend adds typed columns",
      query: `${T} | extend Slow = DurationMs > 40, Double = DurationMs * 2, Ratio = DurationMs / 4.0 | project OperationName, Slow, Double, Ratio | take 2`,
      columns: ["OperationName:string", "Slow:bool", "Double:long", "Ratio:real"],
      rows: [
        ["KeyGet", false, 24, 3],
        ["KeyGet", false, 60, 7.5],
      ],
    },
    {
      name: "extend sees the columns it defined earlier",
      query: `${T} | extend a = DurationMs + 1, b = a * 10 | project a, b | take 1`,
      rows: [[13, 130]],
    },
    {
      name: "extend replaces an existing column in place",
      query: `${T} | extend DurationMs = DurationMs * 1.5 | project OperationName, DurationMs | take 1`,
      columns: ["OperationName:string", "DurationMs:real"],
      rows: [["KeyGet", 18]],
    },
    {
      name: "an unnamed extend column is ColumnN",
      query: `${T} | extend tolower(OperationName) | project Column1 | take 1`,
      columns: ["Column1:string"],
      rows: [["keyget"]],
    },
    {
      name: "project renames and computes",
      query: `${T} | project When = TimeGenerated, Op = tolower(OperationName), Hsm = HsmInstance | take 1`,
      columns: ["When:datetime", "Op:string", "Hsm:string"],
      rows: [["2026-11-22T09:00:00.0000000Z", "keyget", "hsm1-node0"]],
    },
    {
      name: "project names member access after its path",
      query: `AZKVAuditLogs | project tostring(Identity.claim.upn), Identity.claim.appid | take 1`,
      columns: ["Identity_claim_upn:string", "Identity_claim_appid:dynamic"],
      rows: [["alice@contoso.com", '"app-1"']],
    },

    {
      name: "bracketed column names",
      query: `${T} | project ['Duration (ms)'] = DurationMs | where ['Duration (ms)'] > 100`,
      columns: ["Duration (ms):long"],
      rows: [[120]],
    },
  ])("$name", (c) => check(c));
});

describe("sort, take, count", () => {
  test.each<Case>([
    {
      name: "order by defaults to descending with nulls last",
      query: `${T} | order by DurationMs | project DurationMs`,
      rows: [[120], [80], [45], [30], [12], [5], [3], [null]],
    },
    {
      name: "sort by asc puts nulls first",
      query: `${T} | sort by DurationMs asc | project DurationMs | take 3`,
      rows: [[null], [3], [5]],
    },
    {
      name: "nulls last overrides the default",
      query: `${T} | sort by DurationMs asc nulls last | project DurationMs | take 2`,
      rows: [[3], [5]],
    },
    {
      name: "several sort keys",
      query: `${T} | sort by ResultType asc, DurationMs desc | project ResultType, DurationMs`,
      rows: [
        ["Failure", 5],
        ["Success", 120],
        ["Success", 80],
        ["Success", 45],
        ["Success", 30],
        ["Success", 12],
        ["Success", 3],
        ["Success", null],
      ],
    },
    {
      name: "sort by a datetime",
      query: `${T} | sort by TimeGenerated asc | project OperationName | take 2`,
      rows: [["KeyDelete"], ["Logout"]],
    },
    {
      name: "take keeps input order",
      query: `${T} | take 2 | project HsmInstance`,
      rows: [["hsm1-node0"], ["hsm1-node1"]],
    },
    {
      name: "limit is take",
      query: `${T} | limit 1 | project OperationName`,
      rows: [["KeyGet"]],
    },
    {
      name: "take more than there is",
      query: `${T} | take 100 | count`,
      rows: [[8]],
    },

    {
      name: "count operator",
      query: `${T} | where OperationName == "KeyGet" | count`,
      columns: ["Count:long"],
      rows: [[3]],
    },
  ])("$name", (c) => check(c));
});

describe("sources", () => {
  test.each<Case>([
    {
      name: "print names unnamed columns print_N",
      query: `print 1, x = "a", now()`,
      columns: ["print_0:long", "x:string", "print_2:datetime"],
      rows: [[1, "a", "2026-11-22T12:00:00.0000000Z"]],
    },

    {
      name: "let-bound tabular expression",
      query: `let Failures = ${T} | where ResultType != "Success"; Failures | project OperationName`,
      rows: [["Login"]],
    },
    {
      name: "a view without parameters",
      query: `let Recent = view () { ${T} | where TimeGenerated > ago(2h) }; Recent | project OperationName`,
      rows: [["KeyGenerate"]],
    },
    {
      name: "a tabular function with a parameter",
      query: `let ByOp = (op:string) { ${T} | where OperationName == op }; ByOp("KeySign") | project DurationMs`,
      rows: [[45]],
    },
    {
      name: "a scalar user function",
      query: `let twice = (x:long) { x * 2 }; ${T} | project d = twice(DurationMs) | take 2`,
      rows: [[24], [60]],
    },
    {
      name: "a let can rebind a name to a query over its old value",
      query: `let x = AZKVAuditLogs; let x = x | where HttpStatusCode == 401; x | project OperationName`,
      rows: [["KeyGet"]],
    },
    {
      name: "user functions: default parameters and inner lets",
      query: `let f = (a:long, b:long = 10) { let twice = a * 2; twice + b }; print f(1), f(1, 2)`,
      rows: [[12, 4]],
    },
    {
      name: "a view sees the lets before it",
      query: `let lim = 2; let V = view () { AZKVAuditLogs | take lim }; V | count`,
      rows: [[2]],
    },
    {
      name: "table() and materialize()",
      query: `union (table("AZKVAuditLogs") | count), (materialize(AZKVAuditLogs | take 2) | count)`,
      rows: [[3], [2]],
    },
    {
      name: "print then operators",
      query: `print a = 1 | extend b = a + 1 | where b > 1`,
      rows: [[1, 2]],
    },
    {
      name: "union of tables: outer schema, missing columns empty",
      query: `union (AZKVAuditLogs | project HttpStatusCode, OperationName), (${T} | project OperationName, DurationMs) | take 4`,
      columns: ["HttpStatusCode:long", "OperationName:string", "DurationMs:long"],
      rows: [
        [200, "KeyGet", null],
        [200, "KeyUnwrap", null],
        [401, "KeyGet", null],
        [null, "KeyGet", 12],
      ],
    },
    {
      name: "union kind=inner withsource",
      query: `union withsource=SourceTable kind=inner ${T}, AZKVAuditLogs | summarize n = count() by SourceTable`,
      columns: ["SourceTable:string", "n:long"],
      rows: [
        [T, 8],
        ["AZKVAuditLogs", 3],
      ],
    },
    {
      name: "union as an operator",
      query: `AZKVAuditLogs | project OperationName | union (${T} | where DurationMs > 100 | project OperationName)`,
      rows: [["KeyGet"], ["KeyUnwrap"], ["KeyGet"], ["KeyGenerate"]],
    },
    {
      name: "in with a tabular subquery",
      query: `${T} | where CallerIpAddress in ((${T} | where ResultType == "Failure" | project CallerIpAddress)) | project OperationName`,
      rows: [["Login"], ["Logout"]],
    },
    {
      name: "in with a let-bound table",
      query: `let Bad = ${T} | where ResultType == "Failure" | summarize by CallerIpAddress; ${T} | where CallerIpAddress in (Bad) | count`,
      rows: [[2]],
    },

    {
      name: "comments and several lines",
      query: `// the failures\n${T}\n| where ResultType == "Failure" // only failures\n// done\n| project ResultSignature`,
      rows: [["401"]],
    },
  ])("$name", (c) => check(c));
});

describe("summarize", () => {
  test.each<Case>([
    {
      name: "count() by column, groups in first-appearance order",
      query: `${T} | summarize count() by OperationName`,
      columns: ["OperationName:string", "count_:long"],
      rows: [
        ["KeyGet", 3],
        ["KeySign", 1],
        ["Login", 1],
        ["KeyDelete", 1],
        ["KeyGenerate", 1],
        ["Logout", 1],
      ],
    },
    {
      name: "count() by bin(TimeGenerated, 1d)",
      query: `${T} | summarize count() by bin(TimeGenerated, 1d) | order by TimeGenerated asc`,
      columns: ["TimeGenerated:datetime", "count_:long"],
      rows: [
        ["2026-11-10T00:00:00.0000000Z", 1],
        ["2026-11-19T00:00:00.0000000Z", 1],
        ["2026-11-20T00:00:00.0000000Z", 1],
        ["2026-11-21T00:00:00.0000000Z", 2],
        ["2026-11-22T00:00:00.0000000Z", 3],
      ],
    },
    {
      name: "named aggregates and an aliased by expression",
      query: `${T} | summarize Calls = count(), Last = max(TimeGenerated) by Hsm = tolower(_ResourceId)`,
      columns: ["Hsm:string", "Calls:long", "Last:datetime"],
      rows: [
        [HSM1.toLowerCase(), 4, "2026-11-22T09:00:00.0000000Z"],
        [HSM2.toLowerCase(), 4, "2026-11-22T11:59:00.0000000Z"],
      ],
    },
    {
      name: "default aggregate names",
      query: `${T} | summarize countif(OperationName == "KeyGet"), dcount(CallerIpAddress), min(DurationMs), max(DurationMs), make_set(ResultType), make_list(ResultSignature, 2)`,
      columns: [
        "countif_:long",
        "dcount_CallerIpAddress:long",
        "min_DurationMs:long",
        "max_DurationMs:long",
        "make_set_ResultType:dynamic",
        "make_list_ResultSignature:dynamic",
      ],
      rows: [[3, 4, 3, 120, '["Success","Failure"]', '["200","200"]']],
    },
    {
      name: "dcount per caller",
      query: `${T} | summarize Hsms = dcount(_ResourceId), Ops = make_set(OperationName) by CallerIpAddress | sort by CallerIpAddress asc`,
      rows: [
        ["10.0.0.4", 2, '["KeyGet","KeySign"]'],
        ["10.0.0.5", 2, '["KeyGet","KeyGenerate"]'],
        ["10.0.0.6", 1, '["Login","Logout"]'],
        ["10.0.0.7", 1, '["KeyDelete"]'],
      ],
    },
    {
      name: "expressions over aggregates",
      query: `${T} | summarize SuccessRate = 100.0 * countif(ResultType == "Success") / count(), Span = max(TimeGenerated) - min(TimeGenerated)`,
      columns: ["SuccessRate:real", "Span:timespan"],
      rows: [[87.5, "12.11:59:00"]],
    },
    {
      name: "summarize without aggregates is distinct",
      query: `${T} | summarize by ClientInfo`,
      rows: [["pkcs11/5.9"], ["jce/5.9"], ["cloudhsm_mgmt_util"]],
    },
    {
      name: "several by columns",
      query: `${T} | summarize n = count() by ResultType, Day = bin(TimeGenerated, 1d) | where n > 1`,
      rows: [["Success", "2026-11-22T00:00:00.0000000Z", 3]],
    },
    {
      name: "empty input without by gives one row",
      query: `EmptyLogs | summarize count(), max(TimeGenerated), make_set(Message), dcount(Message)`,
      columns: ["count_:long", "max_TimeGenerated:datetime", "make_set_Message:dynamic", "dcount_Message:long"],
      rows: [[0, null, "[]", 0]],
    },
    {
      name: "empty input with by gives no rows",
      query: `EmptyLogs | summarize count() by Message`,
      columns: ["Message:string", "count_:long"],
      rows: [],
    },
    {
      name: "aggregates skip nulls, count() counts rows",
      query: `${T} | where HsmInstance == "hsm2-node0" | summarize count(), make_list(DurationMs)`,
      rows: [[3, "[5,3]"]],
    },
    {
      name: "minif",
      query: `${T} | summarize minif(DurationMs, OperationName == "KeyGet")`,
      columns: ["minif_DurationMs:long"],
      rows: [[12]],
    },
    {
      name: "duplicate default names get a numeric suffix",
      query: `${T} | summarize count(), count()`,
      columns: ["count_:long", "count_1:long"],
      rows: [[8, 8]],
    },
  ])("$name", (c) => check(c));
});
