// Mangled queries never crash the interpreter: every failure is a KqlError (which the simulator answers as a 400),
// never a TypeError that would surface as a 500. A seeded, bounded run: the same mutations every time.
import { KqlError, runKql } from "../../src/simulator/kql/index.js";
import { db, NOW } from "./fixture.js";

const SEEDS = [
  `union isfuzzy=true (CloudHsmServiceOperationAuditLogs | project TimeGenerated, _ResourceId), (AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS" | project TimeGenerated, _ResourceId) | summarize Records = count(), LastRecord = max(TimeGenerated) by ResourceId = tolower(_ResourceId)`,
  `AzureDiagnostics | where OperationName in ("KeyGet","KeySign") and httpStatusCode_d >= 400 | summarize n = countif(ResultType != "Success"), c = dcount(CallerIPAddress), s = make_set(OperationName, 10) by bin(TimeGenerated, 1d) | order by TimeGenerated desc | take 5`,
  `let w = 7d; AZKVAuditLogs | where TimeGenerated between (ago(w) .. now()) | extend upn = tostring(Identity.claim.upn) | summarize Last = max(TimeGenerated), Ops = make_set(OperationName) by upn | project upn, Last, x = tostring(Ops)`,
  `CloudHsmServiceOperationAuditLogs | order by TimeGenerated asc | extend gap = now() - TimeGenerated | take 3 | project gap, iff(gap > 1h, "long", "short")`,
];

const PIECES = [
  "|",
  "(",
  ")",
  ",",
  "where",
  "summarize",
  "by",
  "count()",
  "1d",
  '"x"',
  "==",
  "and",
  "or",
  "not",
  "[",
  "]",
  "=",
  ".",
  "..",
  "let",
  ";",
  "project",
  "extend",
  "ago(",
  "bin(",
  "in",
  "!",
  "~",
  "*",
  "-",
  "'",
  '"',
  "\\",
  "@",
  "dynamic(",
  "{",
  "}",
  "1e400",
  "-9223372036854775808",
  "datetime(",
  "timespan(",
  "null",
  "top",
  "take",
  "0",
  "toscalar(",
  "union",
  "isfuzzy=true",
  "prev(",
  "row_number()",
  "serialize",
];

/** A small deterministic generator (a linear congruential one), so the run is the same on every machine. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function mutate(query: string, rand: () => number): string {
  let q = query;
  const edits = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(rand() * q.length);
    const kind = rand();
    if (kind < 0.33) q = q.slice(0, at) + q.slice(at + 1 + Math.floor(rand() * 8));
    else if (kind < 0.66) q = `${q.slice(0, at)} ${PIECES[Math.floor(rand() * PIECES.length)]} ${q.slice(at)}`;
    else {
      const from = Math.floor(rand() * q.length);
      q = q.slice(0, at) + q.slice(from, from + 10) + q.slice(at);
    }
  }
  return q;
}

test("3,000 mangled compliance queries: each one runs or fails with a KqlError", () => {
  const rand = generator(20261122);
  const crashes: { query: string; error: string }[] = [];
  let answered = 0;
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const query = mutate(SEEDS[i % SEEDS.length]!, rand);
    try {
      runKql(query, db, { now: NOW });
      answered++;
    } catch (error) {
      if (error instanceof KqlError) rejected++;
      else crashes.push({ query, error: String(error) });
    }
  }
  expect(crashes).toEqual([]);
  // The mutations exercise both paths: some queries still run, most are rejected.
  expect(answered).toBeGreaterThan(30);
  expect(rejected).toBeGreaterThan(1000);
});

test.each(SEEDS)("the unmangled query runs: %s", (query) => {
  expect(runKql(query, db, { now: NOW }).columns.length).toBeGreaterThan(0);
});
