// Whether a Sentinel rule's query reads one HSM's audit records, decided from its syntax tree (src/engine/rule-coverage.ts):
// a table of queries, the HSM and the table its setting writes, and the answer expected.
import { createRequire } from "node:module";
import { hsmRecords, ruleReads, type HsmRecords } from "../../src/engine/rule-coverage.js";
import { descendantsOf, kindOf, parseKql, type KqlNode } from "../../src/engine/kusto-syntax.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const MHSM = {
  id: `/subscriptions/${SUB}/resourceGroups/rg-hsm/providers/Microsoft.KeyVault/managedHSMs/mhsm-payments`,
  name: "mhsm-payments",
  kind: "managedHsm",
  resourceGroup: "rg-hsm",
  subscriptionId: SUB,
};
const CHSM = {
  ...MHSM,
  id: `/subscriptions/${SUB}/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-a`,
  name: "chsm-a",
  kind: "cloudHsm",
};

const LEGACY = hsmRecords(MHSM, undefined)!;
const DEDICATED = hsmRecords(MHSM, "Dedicated")!;
const CLOUD = hsmRecords(CHSM, undefined)!;

type Expected = "reads" | "misses" | "unknown";

const answer = (query: string, records: HsmRecords[]): Expected => {
  const reading = ruleReads(query, records);
  return reading.reads === true ? "reads" : reading.reads === false ? "misses" : "unknown";
};

const MHSM_LEGACY_RULE = 'AzureDiagnostics | where ResourceType == "MANAGEDHSMS" | where OperationName == "KeyDelete"';

const CASES: [string, string, HsmRecords, Expected][] = [
  // The table the setting writes.
  ["legacy mode: a rule on AzureDiagnostics/MANAGEDHSMS", MHSM_LEGACY_RULE, LEGACY, "reads"],
  ["Dedicated mode: the same rule reads a table the HSM does not write", MHSM_LEGACY_RULE, DEDICATED, "misses"],
  ["Dedicated mode: a rule on AZKVAuditLogs", "AZKVAuditLogs | where OperationName == 'KeyPurge'", DEDICATED, "reads"],
  ["legacy mode: a rule on AZKVAuditLogs", "AZKVAuditLogs | where OperationName == 'KeyPurge'", LEGACY, "misses"],
  [
    "a Cloud HSM: its own table",
    "CloudHsmServiceOperationAuditLogs | where OperationName == 'CN_LOGIN'",
    CLOUD,
    "reads",
  ],
  ["a Cloud HSM: a Managed HSM rule", MHSM_LEGACY_RULE, CLOUD, "misses"],
  [
    "a union of both Managed HSM tables, Dedicated mode",
    `union (${MHSM_LEGACY_RULE}), AZKVAuditLogs`,
    DEDICATED,
    "reads",
  ],
  [
    "the demo's union, legacy mode",
    'union (AzureDiagnostics | where ResourceType == "MANAGEDHSMS"), CloudHsmServiceOperationAuditLogs | where OperationName in ("KeyDelete", "CN_TOMBSTONE_OBJECT")',
    LEGACY,
    "reads",
  ],
  // Filters on the resource that exclude this HSM.
  ["AZKVAuditLogs filtered to vaults", 'AZKVAuditLogs | where _ResourceId has "/vaults/"', DEDICATED, "misses"],
  [
    "AZKVAuditLogs filtered to vaults (contains)",
    'AZKVAuditLogs | where _ResourceId contains "/VAULTS/"',
    DEDICATED,
    "misses",
  ],
  ["AZKVAuditLogs filtered to managed HSMs", 'AZKVAuditLogs | where _ResourceId has "managedhsms"', DEDICATED, "reads"],
  [
    "AZKVAuditLogs filtered to this HSM by id, ignoring case",
    `AZKVAuditLogs | where _ResourceId =~ "${MHSM.id.toUpperCase()}"`,
    DEDICATED,
    "reads",
  ],
  [
    "AZKVAuditLogs filtered to another HSM by id",
    `AZKVAuditLogs | where _ResourceId =~ "${MHSM.id}-other"`,
    DEDICATED,
    "misses",
  ],
  [
    "a case-sensitive id filter whose case is not known: not proven",
    `AZKVAuditLogs | where _ResourceId == "${MHSM.id}"`,
    DEDICATED,
    "unknown",
  ],
  ["not(ResourceType == MANAGEDHSMS)", 'AzureDiagnostics | where not(ResourceType == "MANAGEDHSMS")', LEGACY, "misses"],
  ["ResourceType <> MANAGEDHSMS", 'AzureDiagnostics | where ResourceType <> "MANAGEDHSMS"', LEGACY, "misses"],
  ["ResourceType != MANAGEDHSMS", 'AzureDiagnostics | where ResourceType != "MANAGEDHSMS"', LEGACY, "misses"],
  ["ResourceType !in (MANAGEDHSMS)", 'AzureDiagnostics | where ResourceType !in ("MANAGEDHSMS")', LEGACY, "misses"],
  [
    "VAULTS only",
    'AzureDiagnostics | where ResourceType =~ "VAULTS" | where OperationName == "KeyDelete"',
    LEGACY,
    "misses",
  ],
  [
    "VAULTS and not MANAGEDHSMS",
    'AzureDiagnostics | where ResourceType =~ "VAULTS" and ResourceType !~ "MANAGEDHSMS"',
    LEGACY,
    "misses",
  ],
  ["a double negation selects it", 'AzureDiagnostics | where not(ResourceType != "MANAGEDHSMS")', LEGACY, "reads"],
  ["case-sensitive with the wrong case", 'AzureDiagnostics | where ResourceType == "managedHsms"', LEGACY, "misses"],
  ["case-insensitive", 'AzureDiagnostics | where ResourceType =~ "managedHsms"', LEGACY, "reads"],
  ["tolower() then compare", 'AzureDiagnostics | where tolower(ResourceType) == "managedhsms"', LEGACY, "reads"],
  ["in~ a list", 'AzureDiagnostics | where ResourceType in~ ("vaults", "managedhsms")', LEGACY, "reads"],
  [
    "a let list",
    'let types = dynamic(["VAULTS", "MANAGEDHSMS"]);\nAzureDiagnostics | where ResourceType in (types)',
    LEGACY,
    "reads",
  ],
  ["a let string", 'let t = "MANAGEDHSMS"; AzureDiagnostics | where ResourceType != t', LEGACY, "misses"],
  [
    "an or with another column keeps it",
    'AzureDiagnostics | where ResourceType == "MANAGEDHSMS" or OperationName == "x"',
    LEGACY,
    "reads",
  ],
  [
    "a provider filter selects it",
    'AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT"',
    LEGACY,
    "reads",
  ],
  ["a comment naming MANAGEDHSMS", "AzureDiagnostics // MANAGEDHSMS and AZKVAuditLogs\n| take 1", LEGACY, "misses"],
  [
    "AzureDiagnostics without a resource filter does not select it",
    "AzureDiagnostics | where OperationName == 'KeyDelete'",
    LEGACY,
    "misses",
  ],
  ["take 0 reads nothing", "AZKVAuditLogs | take 0", DEDICATED, "misses"],
  ["where false reads nothing", "AZKVAuditLogs | where false", DEDICATED, "misses"],
  ["where true reads it", "AZKVAuditLogs | where true", DEDICATED, "reads"],
  ["where 1 < 2 reads it", "AZKVAuditLogs | where 1 < 2", DEDICATED, "reads"],
  ["where 1 == 2 reads nothing", "AZKVAuditLogs | where 1 == 2", DEDICATED, "misses"],
  [
    "a Category filter for another category",
    'AzureDiagnostics | where ResourceType == "MANAGEDHSMS" and Category == "AzurePolicyEvaluationDetails"',
    LEGACY,
    "misses",
  ],
  ["Type of a union", 'union AzureDiagnostics, AZKVAuditLogs | where Type == "AzureDiagnostics"', DEDICATED, "misses"],
  [
    "withsource of a union",
    'union withsource=Src AZKVAuditLogs, AzureDiagnostics | where Src == "AZKVAuditLogs"',
    DEDICATED,
    "reads",
  ],
  [
    "withsource of a union, another table",
    'union withsource=Src AZKVAuditLogs, AzureDiagnostics | where Src == "SigninLogs"',
    DEDICATED,
    "misses",
  ],
  // Lets, functions, joins, aggregation.
  ["a tabular let", "let hsm = AZKVAuditLogs | where OperationName == 'KeyPurge'; hsm | take 10", DEDICATED, "reads"],
  [
    "a tabular let filtered to vaults afterwards",
    "let kv = AZKVAuditLogs; kv | where _ResourceId has '/vaults/'",
    DEDICATED,
    "misses",
  ],
  ["a function whose body is in the query", "let f = () { AZKVAuditLogs }; f() | take 1", DEDICATED, "reads"],
  [
    "summarize then filter on the count",
    "AZKVAuditLogs | where OperationName == 'KeyGet' | summarize n = count() by CallerIpAddress, bin(TimeGenerated, 1d) | where n > 25",
    DEDICATED,
    "reads",
  ],
  [
    "a join whose left side is the HSM's records",
    "AZKVAuditLogs | join kind=inner (SigninLogs) on $left.CallerIpAddress == $right.IPAddress",
    DEDICATED,
    "reads",
  ],
  [
    "a leftsemi join keeps only the other table's rows",
    "SigninLogs | join kind=leftsemi (AZKVAuditLogs) on CorrelationId",
    DEDICATED,
    "unknown",
  ],
  [
    "extend a resource column then filter it",
    'AZKVAuditLogs | extend Category = "x" | where Category == "AuditEvent"',
    DEDICATED,
    "unknown",
  ],
  [
    "a name computed from the resource id then filtered",
    'AZKVAuditLogs | extend Kind = tostring(split(_ResourceId, "/")[7]) | where Kind == "vaults"',
    DEDICATED,
    "unknown",
  ],
  [
    "a name computed from the resource id, projected for entities only",
    'AZKVAuditLogs | extend HsmName = tostring(split(_ResourceId, "/")[8]) | project TimeGenerated, HsmName, OperationName',
    DEDICATED,
    "reads",
  ],
  [
    "an unnamed column computed from a resource column, then filtered",
    'AZKVAuditLogs | extend tolower(_ResourceId) | where Column1 has "vaults"',
    DEDICATED,
    "unknown",
  ],
  [
    "an aggregate of a resource column, then filtered",
    'AZKVAuditLogs | summarize take_any(_ResourceId) by CallerIpAddress | where any__ResourceId has "vaults"',
    DEDICATED,
    "unknown",
  ],
  [
    "a join's right side: its resource columns may be renamed",
    'SigninLogs | join (AZKVAuditLogs) on CorrelationId | where _ResourceId has "managedhsms"',
    DEDICATED,
    "unknown",
  ],
  [
    "query parameters",
    "declare query_parameters(t:string); AzureDiagnostics | where ResourceType == t",
    LEGACY,
    "unknown",
  ],
  [
    "a resource column compared with another column",
    "AzureDiagnostics | where ResourceType == OperationName",
    LEGACY,
    "unknown",
  ],
  // What the analysis cannot follow: never a pass.
  ["a stored function", "HsmAuditEvents() | where OperationName == 'KeyDelete'", DEDICATED, "unknown"],
  ["a name that is not an audit table", "HsmAuditEvents | take 1", DEDICATED, "unknown"],
  ["union *", "union * | where OperationName == 'KeyDelete'", DEDICATED, "unknown"],
  ["union with a wildcard", "union AZKV* | where OperationName == 'KeyDelete'", DEDICATED, "unknown"],
  ["search", 'search "KeyDelete"', DEDICATED, "unknown"],
  ["find", 'find where OperationName == "KeyDelete"', DEDICATED, "unknown"],
  ["a function with parameters", "let f = (t:string) { AZKVAuditLogs }; f('x')", DEDICATED, "unknown"],
  ["invoke", "AZKVAuditLogs | invoke hsm_parser()", DEDICATED, "unknown"],
  ["evaluate", "AZKVAuditLogs | evaluate bag_unpack(Identity)", DEDICATED, "unknown"],
  ["a regex on the resource id", 'AZKVAuditLogs | where _ResourceId matches regex "managedhsms"', DEDICATED, "unknown"],
  ["an unknown function of the resource id", "AZKVAuditLogs | where strlen(_ResourceId) > 300", DEDICATED, "unknown"],
  ["a query that does not parse", "AZKVAuditLogs | where (", DEDICATED, "unknown"],
  ["a workspace() reference", 'workspace("other").AZKVAuditLogs', DEDICATED, "unknown"],
  [
    "an invoke after the rows are filtered: what it returns is not known",
    'AZKVAuditLogs | where _ResourceId has "/vaults/" | invoke f()',
    DEDICATED,
    "unknown",
  ],
  [
    "one readable branch proves it, whatever the other",
    "union (AZKVAuditLogs | where OperationName == 'KeyPurge'), (HsmAuditEvents())",
    DEDICATED,
    "reads",
  ],
];

describe("ruleReads: a rule's query against one HSM's audit records", () => {
  test.each(CASES)("%s", (_name, query, records, expected) => {
    expect(answer(query, [records])).toBe(expected);
  });

  test("an HSM that writes both tables to one workspace is read by a rule on either", () => {
    expect(answer("AZKVAuditLogs", [LEGACY, DEDICATED])).toBe("reads");
    expect(answer(MHSM_LEGACY_RULE, [LEGACY, DEDICATED])).toBe("reads");
  });

  test("what could not be analysed says why", () => {
    expect(ruleReads("HsmAuditEvents()", [DEDICATED])).toEqual({
      reads: "unknown",
      why: expect.stringMatching(/HsmAuditEvents\(\), whose body is not in the query/),
    });
    expect(ruleReads("search 'x'", [DEDICATED])).toEqual({
      reads: "unknown",
      why: expect.stringMatching(/from search, which the analysis does not follow/),
    });
  });

  test("a query too long or nested too deep for the analysis is not proven, and is not parsed", () => {
    const deep = `${"(".repeat(101)}AZKVAuditLogs${")".repeat(101)}`;
    expect(ruleReads(deep, [DEDICATED])).toEqual({
      reads: "unknown",
      why: expect.stringMatching(/deeper than the 100 levels/),
    });
    const nested = `${"(".repeat(100)}AZKVAuditLogs${")".repeat(100)}`;
    expect(answer(nested, [DEDICATED])).toBe("reads");
    const long = `AZKVAuditLogs | where OperationName in (${Array.from({ length: 2500 }, (_, i) => `"op${i}"`).join(", ")})`;
    expect(long.length).toBeGreaterThan(20_000);
    expect(ruleReads(long, [DEDICATED])).toEqual({
      reads: "unknown",
      why: expect.stringMatching(/longer than the 20000 characters/),
    });
    const many = `union ${Array.from({ length: 200 }, () => "(AZKVAuditLogs | where false)").join(", ")}`;
    expect(answer(many, [DEDICATED])).toBe("misses");
  });

  test("the records of each mode", () => {
    expect([LEGACY.table, DEDICATED.table, CLOUD.table]).toEqual([
      "AzureDiagnostics",
      "AZKVAuditLogs",
      "CloudHsmServiceOperationAuditLogs",
    ]);
    expect(hsmRecords(MHSM, "dedicated")!.table).toBe("AZKVAuditLogs");
    expect(hsmRecords({ ...MHSM, kind: "dedicatedHsm" }, undefined)).toBeUndefined();
  });
});

describe("the query parser alone reads a query as the whole language service does", () => {
  // parseKql runs the Kusto parser without KustoCode's global state (a second of start-up). The full build's
  // KustoCode.Parse, loaded here on its own, must give the same tree (every node's kind and text, in order) and the
  // same syntax errors, for every query of the table above and a few that do not parse.
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.js");
  const full = Kusto.Language;
  const shape = (root: KqlNode) => descendantsOf(root).map((n) => `${kindOf(n)} ${n.IsToken ? String(n.Text) : ""}`);
  const broken = ["AZKVAuditLogs | where (", "AZKVAuditLogs | summarize by", "let x = ; x", "| take 1"];
  const queries = [...new Set([...CASES.map((c) => c[1]), MHSM_LEGACY_RULE, ...broken])];

  test.each(queries.map((q) => [q]))("%s", (query) => {
    const quick = parseKql(query);
    const code = full.KustoCode.Parse(query)!;
    const diagnostics = code.GetDiagnostics()!;
    const errors: string[] = [];
    for (let i = 0; i < diagnostics.Count; i++) {
      const d = diagnostics.getItem(i);
      if (d.Severity === "Error") errors.push(`${d.Code} ${d.Message}`);
    }
    expect(quick.errors).toEqual(errors);
    expect(shape(quick.root)).toEqual(shape(code.Syntax as unknown as KqlNode));
  });

  test("broken queries give their syntax errors", () => {
    for (const query of broken) expect(parseKql(query).errors).not.toEqual([]);
  });
});
