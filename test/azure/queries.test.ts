/// <reference types="@kusto/language-service-next" />
// The KQL of src/azure/queries.ts, checked by Microsoft's Kusto language service (Kusto.Language, the parser and
// semantic analyser behind Azure Data Explorer and Log Analytics editors) against the table columns of DOMAIN.md §4.
// A query Azure would reject (unknown column, bad syntax, a type error) fails here, and so does a resource id that
// could end a string literal and inject KQL.
import { createRequire } from "node:module";
import {
  ACTIVITY_QUESTION_NAMES,
  ACTIVITY_QUESTIONS,
  HSM_INVENTORY_COLUMNS,
  hsmInventoryQuery,
  kqlString,
  LOG_SAMPLE_COLUMNS,
  logSampleQuery,
} from "../../src/azure/queries.js";
import { HSM_TYPES } from "../../src/domain/hsm-kinds.js";
import { loadPolicies } from "../../src/engine/policy.js";
import { isKnown } from "../../src/model/snapshot.js";
import { collectFrom, startTestSimulator } from "../helpers/simulator.js";
import { TABLE_SCHEMAS } from "../../src/simulator/tables.js";
import type { KqlType } from "../../src/simulator/kql/types.js";

// The package is a Bridge.NET build: two CommonJS scripts that define the globals `Bridge`, `System` and `Kusto`
// (bridge.js, the runtime, must run first). Its types come from the triple-slash reference above.
const require = createRequire(import.meta.url);
require("@kusto/language-service-next/bridge.js");
require("@kusto/language-service-next/Kusto.Language.Bridge.js");

const { KustoCode, GlobalState } = Kusto.Language;
const { ColumnSymbol, DatabaseSymbol, ScalarTypes, SymbolKind, TableSymbol } = Kusto.Language.Symbols;
const { InExpression, LiteralExpression, NameReference, PipeExpression, SyntaxKind } = Kusto.Language.Syntax;

type Code = Kusto.Language.KustoCode;

function listOf<T>(list: System.Collections.Generic.IReadOnlyList$1<T> | null): T[] {
  const out: T[] = [];
  for (let i = 0; i < (list?.Count ?? 0); i++) out.push(list!.getItem(i));
  return out;
}

const SCALAR: Record<KqlType, Kusto.Language.Symbols.ScalarSymbol | null> = {
  string: ScalarTypes.String,
  datetime: ScalarTypes.DateTime,
  long: ScalarTypes.Long,
  int: ScalarTypes.Int,
  real: ScalarTypes.Real,
  bool: ScalarTypes.Bool,
  timespan: ScalarTypes.TimeSpan,
  dynamic: ScalarTypes.Dynamic,
  guid: ScalarTypes.Guid,
};

const AUDIT_TABLE_NAMES = ["CloudHsmServiceOperationAuditLogs", "AzureDiagnostics", "AZKVAuditLogs"];

/** A workspace database holding exactly the audit tables of DOMAIN.md §4, with their column types. */
const globals = GlobalState.Default!.WithDatabase(
  new DatabaseSymbol.ctor(
    "workspace",
    AUDIT_TABLE_NAMES.map(
      (table) =>
        new TableSymbol.$ctor4(
          table,
          TABLE_SCHEMAS[table]!.map(({ name, type }) => new ColumnSymbol(name, SCALAR[type], null, null, null, null)),
        ),
    ),
  ),
)!;

/** The language service's analysis of `query` against the workspace (kept: several tests read the same query). */
const analyses = new Map<string, Code>();
function analyze(query: string): Code {
  let code = analyses.get(query);
  if (!code) analyses.set(query, (code = KustoCode.ParseAndAnalyze(query, globals)!));
  return code;
}

/** The errors the language service reports for `query`, as `CODE message @offset: "text"`. */
function diagnosticsOf(query: string): string[] {
  return listOf(analyze(query).GetDiagnostics())
    .filter((d) => d.Severity === "Error")
    .map((d) => `${d.Code} ${d.Message} @${d.Start}: ${JSON.stringify(query.slice(d.Start, d.Start + d.Length))}`);
}

/** The values of the `in (...)` lists of `code`, as the language service reads the literals (unescaped). */
function inListValues(code: Code): unknown[][] {
  return listOf(code.Syntax!.GetDescendants(InExpression)).map((inExpr) =>
    listOf(inExpr.Right!.GetDescendants(LiteralExpression)).map((literal) => {
      expect(literal.Kind).toBe(SyntaxKind.StringLiteralExpression);
      return literal.LiteralValue;
    }),
  );
}

/** The tables the language service resolved in `code` (a fuzzy union tolerates unknown ones without a diagnostic). */
function referencedTables(code: Code): string[] {
  return listOf(code.Syntax!.GetDescendants(NameReference))
    .map((ref) => ref.ReferencedSymbol)
    .filter((symbol) => symbol?.Kind === SymbolKind.Table)
    .map((symbol) => symbol!.Name!);
}

const pipeCount = (code: Code): number => code.Syntax!.GetDescendants(PipeExpression)!.Count;

const ARM = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG-Payments/providers";
const CLOUD_HSM = `${ARM}/Microsoft.HardwareSecurityModules/cloudHsmClusters/Payments-CHSM-01`;
const MANAGED_HSM = `${ARM}/Microsoft.KeyVault/managedHSMs/Payments-MHSM-01`;

/** Values that would break out of a naively quoted KQL string literal, or confuse a naive escaper. */
const HOSTILE: [string, string][] = [
  ["a double quote", 'evil"quote'],
  ["a backslash", "back\\slash"],
  ["a trailing backslash", "trailing\\"],
  ["a newline", "new\nline"],
  ["a carriage return and a tab", "cr\rtab\t"],
  ["a script tag", "<script>alert(1)</script>"],
  ["a single quote", "it's"],
  ["unicode", "Ünïcødé-日本-😀"],
  ["a quote closing the list", '") | take 1 //'],
  ["a backslash then a quote", '\\") | take 1 //'],
  ["control characters", "nul\u0000bell\u0007del\u007f"],
  ["line and paragraph separators", "ls\u2028ps\u2029"],
];

describe("the Kusto language service as a validator", () => {
  it("reports an unknown column", () => {
    const errors = diagnosticsOf("CloudHsmServiceOperationAuditLogs | where NoSuchColumn == 1");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/NoSuchColumn/);
  });

  it("reports a column of another table", () => {
    expect(diagnosticsOf("CloudHsmServiceOperationAuditLogs | project requestUri_s")).toEqual([
      expect.stringMatching(/^KS142 .*'requestUri_s'/),
    ]);
  });

  it("reports an unknown table", () => {
    expect(diagnosticsOf("NoSuchTable | take 1")).toEqual([expect.stringMatching(/^KS204 .*'NoSuchTable'/)]);
  });

  it("reports a syntax error", () => {
    expect(diagnosticsOf("AzureDiagnostics | where (ResourceType == ")).toContainEqual(
      expect.stringMatching(/^KS005 Expected: \)/),
    );
    expect(diagnosticsOf('print x = "unterminated')).toEqual([expect.stringMatching(/^KS001 Missing: "/)]);
  });

  it("reports a type error against the declared column types", () => {
    expect(diagnosticsOf("AzureDiagnostics | where TimeGenerated > 1")).toEqual([
      expect.stringMatching(/^KS106 .*datetime and long/),
    ]);
    expect(diagnosticsOf("AZKVAuditLogs | where HttpStatusCode == 403 and Identity.claim.upn has 'x'")).toEqual([]);
  });

  it("accepts valid queries over each table", () => {
    expect(diagnosticsOf("AzureDiagnostics | take 1")).toEqual([]);
    for (const table of AUDIT_TABLE_NAMES) {
      expect(diagnosticsOf(`${table} | where TimeGenerated > ago(1d) | project _ResourceId | take 1`)).toEqual([]);
    }
    expect(
      diagnosticsOf("AZKVAuditLogs | extend Upn = tostring(Identity.claim.upn) | where HttpStatusCode >= 400"),
    ).toEqual([]);
  });
});

describe("the Resource Graph inventory query", () => {
  // Resource Graph's `resources` table, with the columns of its documented schema that the query reads.
  const graph = GlobalState.Default!.WithDatabase(
    new DatabaseSymbol.ctor("resourcegraph", [
      new TableSymbol.$ctor4(
        "resources",
        [
          ["id", ScalarTypes.String],
          ["name", ScalarTypes.String],
          ["type", ScalarTypes.String],
          ["tenantId", ScalarTypes.String],
          ["kind", ScalarTypes.String],
          ["location", ScalarTypes.String],
          ["resourceGroup", ScalarTypes.String],
          ["subscriptionId", ScalarTypes.String],
          ["sku", ScalarTypes.Dynamic],
          ["properties", ScalarTypes.Dynamic],
          ["tags", ScalarTypes.Dynamic],
        ].map(([name, type]) => new ColumnSymbol(name as string, type as never, null, null, null, null)),
      ),
    ]),
  )!;
  const types = Object.values(HSM_TYPES).map((t) => t.type);
  const code = KustoCode.ParseAndAnalyze(hsmInventoryQuery(types), graph)!;

  it("is valid KQL over the resources table", () => {
    expect(
      listOf(code.GetDiagnostics())
        .filter((d) => d.Severity === "Error")
        .map((d) => d.Message),
    ).toEqual([]);
  });

  it("answers the columns the collector reads, and asks for the three HSM types, lower-cased", () => {
    expect(listOf(code.ResultType!.Members).map((m) => m.Name)).toEqual([...HSM_INVENTORY_COLUMNS]);
    expect(inListValues(code)).toEqual([types.map((t) => t.toLowerCase())]);
  });
});

describe("the queries that span many workspaces", () => {
  // Without ids, a query reads every Cloud and Managed HSM record, by their ids' provider paths.
  it.each<[string, string]>([
    ["logSampleQuery", logSampleQuery()],
    ...ACTIVITY_QUESTION_NAMES.map((name): [string, string] => [name, ACTIVITY_QUESTIONS[name].build(undefined, "1h")]),
  ])("%s without ids is valid KQL that names no HSM and keeps the HSM provider paths", (_name, query) => {
    expect(diagnosticsOf(query)).toEqual([]);
    expect(
      inListValues(analyze(query)).filter((values) => values.some((v) => String(v).startsWith("/subscriptions/"))),
    ).toEqual([]);
    expect(query).toContain('_ResourceId contains "/providers/microsoft.hardwaresecuritymodules/cloudhsmclusters/"');
    expect(query).toContain('_ResourceId contains "/providers/microsoft.keyvault/managedhsms/"');
    expect(query.length).toBeLessThan(2_000);
  });

  it("starts every answer with TenantId, the column the answers are split by", () => {
    for (const query of [
      logSampleQuery(),
      ...ACTIVITY_QUESTION_NAMES.map((n) => ACTIVITY_QUESTIONS[n].build(undefined, "1d")),
    ]) {
      expect(listOf(analyze(query).ResultType!.Members)[0]!.Name).toBe("TenantId");
    }
  });
});

describe("logSampleQuery", () => {
  it("is valid KQL for one Cloud HSM", () => {
    const query = logSampleQuery([CLOUD_HSM]);
    expect(diagnosticsOf(query)).toEqual([]);
    expect(inListValues(analyze(query))).toEqual([[CLOUD_HSM.toLowerCase()]]);
  });

  it("is valid KQL for several HSMs of both kinds", () => {
    const ids = [CLOUD_HSM, MANAGED_HSM, MANAGED_HSM.replace("MHSM-01", "MHSM-02"), CLOUD_HSM.toUpperCase()];
    const query = logSampleQuery(ids);
    expect(diagnosticsOf(query)).toEqual([]);
    const expected = [...new Set(ids.map((id) => id.toLowerCase()))].sort();
    expect(expected).toHaveLength(3);
    expect(inListValues(analyze(query))).toEqual([expected]);
  });

  it("has the result columns and one branch per audit table", () => {
    const code = analyze(logSampleQuery([CLOUD_HSM]));
    const columns = listOf(code.ResultType!.Members).map((m) => m.Name);
    expect(columns).toEqual(["TenantId", "_ResourceId", "Day", "Records", "LastRecord"]);
    // The collector reads the columns it expects by name: they must be those the language service infers.
    expect([...LOG_SAMPLE_COLUMNS].sort()).toEqual([...columns].sort());
    // `union isfuzzy=true` tolerates a missing table, so a misspelt one would not be diagnosed: check they resolve.
    expect(referencedTables(code).sort()).toEqual([...AUDIT_TABLE_NAMES].sort());
  });

  const benignPipes = pipeCount(analyze(logSampleQuery([CLOUD_HSM])));

  it.each(HOSTILE)("keeps an id with %s inside its string literal", (_label, hostile) => {
    const ids = [`${CLOUD_HSM}${hostile}`, `${MANAGED_HSM}/${hostile}`];
    const query = logSampleQuery(ids);
    expect(diagnosticsOf(query)).toEqual([]);
    const code = analyze(query);
    // Exactly one `in (...)` list, holding exactly the lower-cased ids, read back by the language service.
    expect(inListValues(code)).toEqual([ids.map((id) => id.toLowerCase()).sort()]);
    // And no operator was smuggled in: the query has the shape it has for a benign id.
    expect(pipeCount(code)).toBe(benignPipes);
  });

  it("keeps several hostile ids apart", () => {
    const ids = HOSTILE.map(([, hostile]) => `${MANAGED_HSM}${hostile}`);
    const query = logSampleQuery(ids);
    expect(diagnosticsOf(query)).toEqual([]);
    expect(inListValues(analyze(query))).toEqual([[...new Set(ids.map((id) => id.toLowerCase()))].sort()]);
  });
});

describe("the activity questions", () => {
  const build = (name: (typeof ACTIVITY_QUESTION_NAMES)[number], ids: string[], bin: "1h" | "1d" = "1h") =>
    ACTIVITY_QUESTIONS[name].build(ids, bin);

  it.each(ACTIVITY_QUESTION_NAMES)("%s is valid KQL whose answer has the columns the collector reads", (name) => {
    const query = build(name, [CLOUD_HSM, MANAGED_HSM]);
    expect(diagnosticsOf(query)).toEqual([]);
    const code = analyze(query);
    expect(listOf(code.ResultType!.Members).map((m) => m.Name)).toEqual([...ACTIVITY_QUESTIONS[name].columns]);
    // Every audit table is read, each under its own name.
    expect(referencedTables(code).sort()).toEqual([...AUDIT_TABLE_NAMES].sort());
  });

  it.each(ACTIVITY_QUESTION_NAMES)(
    "%s stays valid in a workspace whose AzureDiagnostics has no UPN or HTTP status column",
    (name) => {
      // AzureDiagnostics has only the columns its records brought: callers that are all service principals leave no
      // identity_claim_upn_s. A query naming it would fail, and a fuzzy union would silently drop the branch.
      const sparse = GlobalState.Default!.WithDatabase(
        new DatabaseSymbol.ctor(
          "workspace",
          AUDIT_TABLE_NAMES.map(
            (table) =>
              new TableSymbol.$ctor4(
                table,
                TABLE_SCHEMAS[table]!.filter(
                  (c) => table !== "AzureDiagnostics" || !["identity_claim_upn_s", "httpStatusCode_d"].includes(c.name),
                ).map(({ name: column, type }) => new ColumnSymbol(column, SCALAR[type], null, null, null, null)),
              ),
          ),
        ),
      )!;
      const code = KustoCode.ParseAndAnalyze(build(name, [MANAGED_HSM]), sparse)!;
      const errors = listOf(code.GetDiagnostics()).filter((d) => d.Severity === "Error");
      expect(errors.map((d) => d.Message)).toEqual([]);
      // The direct reference it replaces would have failed there.
      const direct = KustoCode.ParseAndAnalyze("AzureDiagnostics | project identity_claim_upn_s", sparse)!;
      expect(listOf(direct.GetDiagnostics()).filter((d) => d.Severity === "Error")).not.toEqual([]);
    },
  );

  it("series bins by day when asked, and stays valid", () => {
    const query = build("series", [CLOUD_HSM], "1d");
    expect(query).toContain("bin(TimeGenerated, 1d)");
    expect(diagnosticsOf(query)).toEqual([]);
  });

  it.each(ACTIVITY_QUESTION_NAMES)("%s keeps hostile ids inside one string list", (name) => {
    const ids = HOSTILE.map(([, hostile]) => `${MANAGED_HSM}${hostile}`);
    const benign = pipeCount(analyze(build(name, [CLOUD_HSM])));
    const code = analyze(build(name, ids));
    expect(diagnosticsOf(build(name, ids))).toEqual([]);
    const lists = inListValues(code).filter((values) => values.some((v) => String(v).startsWith("/subscriptions")));
    expect(lists).toEqual([[...new Set(ids.map((id) => id.toLowerCase()))].sort()]);
    expect(pipeCount(code)).toBe(benign);
  });
});

describe("kqlString", () => {
  it.each([...HOSTILE, ["an empty string", ""] as [string, string]])(
    "makes a literal the language service reads back exactly, for %s",
    (_label, value) => {
      const query = `print x = ${kqlString(value)}`;
      expect(diagnosticsOf(query)).toEqual([]);
      const literals = listOf(analyze(query).Syntax!.GetDescendants(LiteralExpression));
      expect(literals).toHaveLength(1);
      expect(literals[0]!.Kind).toBe(SyntaxKind.StringLiteralExpression);
      expect(literals[0]!.LiteralValue).toBe(value);
    },
  );
});

describe("the queries a scan actually sends", () => {
  test("every query of a scan of the Contoso estate passes the language service, one per question for all its workspaces", async () => {
    const t = await startTestSimulator();
    try {
      const told: string[][] = [];
      const snapshot = await collectFrom(t, { onSentinelQueries: (queries) => told.push(queries) });
      // Each workspace's Sentinel rules were handed on as they were read (the CLI parses them then): every rule's query,
      // once per workspace.
      const rules = snapshot.workspaces.flatMap((w) =>
        isKnown(w.info) && w.sentinel && isKnown(w.sentinel)
          ? [w.sentinel.value.rules.flatMap((r) => (r.query ? [r.query] : []))]
          : [],
      );
      expect(told.flat().length).toBeGreaterThan(0);
      expect(told.map((q) => q.join("\n")).sort()).toEqual(
        rules
          .filter((q) => q.length > 0)
          .map((q) => q.join("\n"))
          .sort(),
      );
      // The snapshot keeps each query it sent; the simulator saw exactly those.
      const sent = t.sim.requests.filter((r) => r.route === "logsQuery");
      const queries = new Set([
        ...snapshot.logSamples.flatMap((s) => (s.query ? [s.query] : [])),
        ...(snapshot.activitySamples ?? []).flatMap((a) => Object.values(a.questions).map((q) => q.query)),
      ]);
      // 3 workspaces receive audit logs: each question is one query that spans all three, whatever the HSMs.
      const workspaces = new Set(snapshot.logSamples.filter((s) => s.query).map((s) => s.workspaceId.toLowerCase()));
      expect(workspaces.size).toBe(3);
      expect(queries.size).toBe(1 + ACTIVITY_QUESTION_NAMES.length);
      expect(sent.length).toBe(queries.size);
      for (const query of queries) expect(diagnosticsOf(query)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe("the queries a policy's fix gives the reader", () => {
  // Each `[[kql: ...]]` of a fix, its placeholders filled as the renderer fills them: a KQL string literal.
  const fixes = loadPolicies().flatMap((policy) => {
    const forms = [policy.remediation, ...Object.values(policy.remediation?.cases ?? {})].flatMap((r) =>
      r ? [r.azCli, r.powershell] : [],
    );
    return forms.flatMap((text) =>
      [...text.matchAll(/\[\[kql:[ \t]*([\s\S]*?)\]\]/g)].map((m) => [
        policy.id,
        m[1]!.replace(/\{\{\s*[A-Za-z][A-Za-z0-9]*\s*\}\}/g, kqlString(MANAGED_HSM)),
      ]),
    );
  });

  test("some policies give a query to run (the table below is not empty)", () => {
    expect(new Set(fixes.map(([id]) => id))).toContain("activity-mass-retrieval");
  });

  test.each(fixes)("%s: its query passes the language service", (_id, query) => {
    expect(diagnosticsOf(query)).toEqual([]);
  });
});
