// Every scalar function, aggregate and tabular operator of the simulator's KQL interpreter is there because a query
// the simulator must answer uses it: the queries the tool sends (src/azure/queries.ts, built here as a scan builds them) and the
// queries the simulator's own tests send (test/simulator). A feature no such query uses is dead weight that the
// interpreter's tests would keep alive; this test fails on one, so that the interpreter stays the size of its use.

import { HSM_TYPES } from "../../src/domain/hsm-kinds.js";
import { ACTIVITY_QUESTIONS, hsmInventoryQuery, logSampleQuery } from "../../src/azure/queries.js";
import { AGGREGATES } from "../../src/simulator/kql/aggregates.js";
import { OPERATORS } from "../../src/simulator/kql/ast.js";
import { FUNCTIONS } from "../../src/simulator/kql/functions.js";
import { parseQuery } from "../../src/simulator/kql/parser.js";

const HSM_IDS = [
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm1",
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/mhsm1",
];

/** What a scan sends: the log sample, every activity question (per HSM and shared, hourly and daily), the inventory. */
function toolQueries(): string[] {
  const queries = [
    logSampleQuery(HSM_IDS),
    logSampleQuery(),
    hsmInventoryQuery(Object.values(HSM_TYPES).map((t) => t.type)),
  ];
  for (const question of Object.values(ACTIVITY_QUESTIONS)) {
    for (const bin of ["1h", "1d"] as const) queries.push(question.build(HSM_IDS, bin), question.build(undefined, bin));
  }
  return queries;
}

/** The queries test/simulator sends to the Log Analytics routes (fidelity.test.ts, faults.test.ts). */
const SIMULATOR_TEST_QUERIES = [
  `union isfuzzy=true
      (CloudHsmServiceOperationAuditLogs | project TimeGenerated, _ResourceId),
      (AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS" | project TimeGenerated, _ResourceId),
      (AZKVAuditLogs | project TimeGenerated, _ResourceId)
    | summarize Records = count(), LastRecord = max(TimeGenerated) by ResourceId = tolower(_ResourceId)
    | order by ResourceId asc`,
  "CloudHsmServiceOperationAuditLogs | summarize n = count()",
  "AZKVAuditLogs | summarize n = count() by OperationName | order by OperationName asc",
  "union isfuzzy=true AZKVAuditLogs, AzureDiagnostics | summarize n = dcount(_ResourceId), total = count()",
  "CloudHsmServiceOperationAuditLogs | count",
  "AzureDiagnostics | count",
  "print 1",
  "print now = now(), day_ago = ago(1d)",
];

/** The name of every function call (scalar functions and aggregates alike) and of every tabular operator of a query. */
function usedNames(node: unknown, called: Set<string>, operators: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) usedNames(item, called, operators);
  } else if (node && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (record.kind === "call" && typeof record.name === "string") called.add(record.name);
    // A pipe's operator (`| where ...`), and `union` where it starts a query.
    if (record.kind === "pipe") operators.add((record.op as { op: string }).op);
    if (record.kind === "union") operators.add("union");
    for (const value of Object.values(record)) usedNames(value, called, operators);
  }
}

const called = new Set<string>();
const operators = new Set<string>();
for (const query of [...toolQueries(), ...SIMULATOR_TEST_QUERIES]) usedNames(parseQuery(query), called, operators);

/**
 * Operators no such query uses that remain for the interpreter's own tests, which build their cases with them
 * (`| extend` a computed column, `| take` one row). Nothing may be added here: this list can only shrink.
 */
const KEPT_FOR_TESTS = ["extend", "take"];

test("the queries parse to calls (the walk finds what the tool's queries call)", () => {
  expect([...called].filter((n) => ["count", "bin", "tolower", "make_list"].includes(n)).sort()).toEqual([
    "bin",
    "count",
    "make_list",
    "tolower",
  ]);
});

test("every scalar function the interpreter implements is called by a query the simulator must answer", () => {
  expect(Object.keys(FUNCTIONS).filter((name) => !called.has(name))).toEqual([]);
});

test("every aggregate the interpreter implements is called by a query the simulator must answer", () => {
  expect(Object.keys(AGGREGATES).filter((name) => !called.has(name))).toEqual([]);
});

test("every tabular operator the interpreter implements is used by a query the simulator must answer", () => {
  expect(Object.keys(OPERATORS).filter((name) => !operators.has(name))).toEqual(KEPT_FOR_TESTS);
});
