import { runKql } from "../../src/simulator/kql/index.js";
import type { KqlTable } from "../../src/simulator/kql/index.js";
import { HSM1, HSM2, MHSM1, MHSM2, NOW, azkvAuditLogs, cloudHsm, db, failure, makeDb, rows, run } from "./fixture.js";

const RECORDS_PER_RESOURCE = `union isfuzzy=true
  (CloudHsmServiceOperationAuditLogs | project TimeGenerated, _ResourceId),
  (AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS" | project TimeGenerated, _ResourceId),
  (AZKVAuditLogs | project TimeGenerated, _ResourceId)
| where TimeGenerated > ago(7d)
| summarize Records = count(), LastRecord = max(TimeGenerated) by ResourceId = tolower(_ResourceId)`;

describe("records per resource across the three HSM log tables", () => {
  test("counts and last record per lower-cased resource id", () => {
    const result = run(RECORDS_PER_RESOURCE);
    expect(result.columns).toEqual([
      { name: "ResourceId", type: "string" },
      { name: "Records", type: "long" },
      { name: "LastRecord", type: "datetime" },
    ]);
    expect(result.rows).toEqual([
      [HSM1.toLowerCase(), 3, "2026-11-22T09:00:00.0000000Z"],
      [HSM2.toLowerCase(), 4, "2026-11-22T11:59:00.0000000Z"],
      [MHSM1.toLowerCase(), 3, "2026-11-22T07:00:00.0000000Z"],
      [MHSM2, 3, "2026-11-22T10:00:00.0000000Z"],
    ]);
  });

  test("isfuzzy=true ignores a table the workspace does not have", () => {
    const withoutDiagnostics = makeDb(cloudHsm, azkvAuditLogs);
    expect(rows(RECORDS_PER_RESOURCE, {}, withoutDiagnostics).map((r) => [r[0], r[1]])).toEqual([
      [HSM1.toLowerCase(), 3],
      [HSM2.toLowerCase(), 4],
      [MHSM2, 3],
    ]);
  });

  test("without isfuzzy the missing table is an error", () => {
    const withoutDiagnostics = makeDb(cloudHsm, azkvAuditLogs);
    const err = failure(RECORDS_PER_RESOURCE.replace("isfuzzy=true", ""), withoutDiagnostics);
    expect({ kind: err.kind, message: err.message }).toEqual({
      kind: "semantic",
      message: "Failed to resolve table or column expression named 'AzureDiagnostics'",
    });
  });

  test("isfuzzy=true with only one table present still answers", () => {
    const onlyAzkv = makeDb(azkvAuditLogs);
    expect(rows(RECORDS_PER_RESOURCE, {}, onlyAzkv)).toEqual([[MHSM2, 3, "2026-11-22T10:00:00.0000000Z"]]);
  });

  test("the request timespan pre-filters every table read", () => {
    const timespan = { start: new Date("2026-11-21T07:00:00Z"), end: new Date("2026-11-22T09:00:00Z") };
    expect(rows(RECORDS_PER_RESOURCE, { timespan })).toEqual([
      [HSM1.toLowerCase(), 2, "2026-11-22T08:30:00.0000000Z"],
      [HSM2.toLowerCase(), 1, "2026-11-21T10:00:00.0000000Z"],
      [MHSM1.toLowerCase(), 2, "2026-11-22T07:00:00.0000000Z"],
      [MHSM2, 1, "2026-11-21T22:00:00.0000000Z"],
    ]);
  });
});

describe("the request timespan", () => {
  test("start is inclusive and end is exclusive", () => {
    const timespan = { start: new Date("2026-11-21T10:00:00Z"), end: new Date("2026-11-22T09:00:00Z") };
    expect(
      rows("CloudHsmServiceOperationAuditLogs | summarize count(), min(TimeGenerated), max(TimeGenerated)", {
        timespan,
      }),
    ).toEqual([[3, "2026-11-21T10:00:00.0000000Z", "2026-11-22T08:30:00.0000000Z"]]);
  });

  test("applies to tables read through let statements", () => {
    const timespan = { start: new Date("2026-11-22T00:00:00Z"), end: new Date("2026-11-23T00:00:00Z") };
    const query = `let Hsm = CloudHsmServiceOperationAuditLogs;
Hsm | summarize n = count()`;
    expect(rows(query, { timespan })).toEqual([[3]]);
  });

  test("leaves tables without TimeGenerated alone and drops rows with no TimeGenerated", () => {
    const lookup: KqlTable = {
      name: "Lookup",
      columns: [{ name: "Key", type: "string" }],
      rows: [{ Key: "a" }, { Key: "b" }],
    };
    const stamped: KqlTable = {
      name: "Stamped",
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "Key", type: "string" },
      ],
      rows: [
        { TimeGenerated: null, Key: "none" },
        { TimeGenerated: new Date("2026-11-22T01:00:00Z"), Key: "in" },
        { TimeGenerated: new Date("2026-11-20T01:00:00Z"), Key: "out" },
      ],
    };
    const timespan = { start: new Date("2026-11-22T00:00:00Z"), end: new Date("2026-11-23T00:00:00Z") };
    const database = makeDb(lookup, stamped);
    expect(rows("Lookup | count", { timespan }, database)).toEqual([[2]]);
    expect(rows("Stamped | project Key", { timespan }, database)).toEqual([["in"]]);
  });
});

describe("compliance questions", () => {
  test.each([
    {
      name: "key reads per HSM with countif",
      query: `CloudHsmServiceOperationAuditLogs | summarize KeyGets = countif(OperationName == "KeyGet"), Total = count() by _ResourceId`,
      rows: [
        [HSM1, 2, 4],
        [HSM2, 1, 4],
      ],
    },
    {
      name: "callers in the last week, with distinct HSMs and failures",
      query: `CloudHsmServiceOperationAuditLogs
| where TimeGenerated > ago(7d)
| summarize Operations = count(), Hsms = dcount(_ResourceId), Failures = countif(ResultType != "Success") by CallerIpAddress
| order by Operations desc, CallerIpAddress asc`,
      rows: [
        ["10.0.0.4", 3, 2, 0],
        ["10.0.0.5", 2, 2, 0],
        ["10.0.0.6", 2, 1, 1],
      ],
    },
    {
      name: "days with records per HSM",
      query: `CloudHsmServiceOperationAuditLogs | summarize Days = dcount(bin(TimeGenerated, 1d)), First = min(TimeGenerated) by _ResourceId`,
      rows: [
        [HSM1, 3, "2026-11-10T00:00:00.0000000Z"],
        [HSM2, 4, "2026-11-19T06:00:00.0000000Z"],
      ],
    },
    {
      name: "managed HSM callers from AzureDiagnostics",
      query: `AzureDiagnostics
| where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS"
| where TimeGenerated > ago(30d) and httpStatusCode_d >= 200 and httpStatusCode_d < 300
| summarize Callers = make_set(identity_claim_upn_s), Requests = count() by Resource`,
      rows: [["MHSM1", '["alice@contoso.com","bob@contoso.com"]', 3]],
    },
    {
      name: "identities from the dynamic Identity column",
      query: `AZKVAuditLogs
| extend Upn = tostring(Identity.claim.upn)
| summarize Calls = count() by Upn
| sort by Upn asc`,
      rows: [
        ["", 1],
        ["alice@contoso.com", 1],
        ["carol@contoso.com", 1],
      ],
    },
    {
      name: "denied requests across tables",
      query: `let denied = dynamic([401, 403]);
union isfuzzy=true
  (AZKVAuditLogs | where HttpStatusCode in (denied) | project TimeGenerated, Resource = _ResourceId, Status = HttpStatusCode),
  (AzureDiagnostics | where httpStatusCode_d in (denied) | project TimeGenerated, Resource = tolower(_ResourceId), Status = httpStatusCode_d)
| order by TimeGenerated asc`,
      rows: [
        ["2026-11-18T07:00:00.0000000Z", MHSM1.toLowerCase(), 403],
        ["2026-11-20T05:00:00.0000000Z", MHSM2, 401],
      ],
    },
    {
      name: "hourly volume today",
      query: `CloudHsmServiceOperationAuditLogs
| where TimeGenerated >= bin(now(), 1d)
| summarize n = count() by Hour = bin(TimeGenerated, 1h)
| order by Hour asc`,
      rows: [
        ["2026-11-22T08:00:00.0000000Z", 1],
        ["2026-11-22T09:00:00.0000000Z", 1],
        ["2026-11-22T11:00:00.0000000Z", 1],
      ],
    },
    {
      name: "operations by category with iff()",
      query: `CloudHsmServiceOperationAuditLogs
| extend Category = iff(OperationName startswith "Key", "crypto", iff(OperationName in ("Login", "Logout"), "session", "other"))
| summarize Ops = count(), Slowest = max(DurationMs) by Category`,
      rows: [
        ["crypto", 6, 120],
        ["session", 2, 5],
      ],
    },
  ])("$name", ({ query, rows: expected }) => {
    expect(rows(query)).toEqual(expected);
  });
});

describe("Kusto null semantics", () => {
  const nullable: KqlTable = {
    name: "Nullable",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Name", type: "string" },
      { name: "Count", type: "long" },
      { name: "Bag", type: "dynamic" },
      { name: "Flag", type: "bool" },
    ],
    rows: [
      { TimeGenerated: null, Name: null, Count: null, Bag: null, Flag: null },
      { TimeGenerated: new Date("2026-11-22T00:00:00Z"), Name: "a", Count: 1, Bag: { k: 1 }, Flag: true },
    ],
  };
  const database = makeDb(nullable);

  test.each([
    { query: `Nullable | where Name == "" | count`, rows: [[1]] },
    { query: `Nullable | where Name != "a" | count`, rows: [[1]] },
    { query: `Nullable | where Name !contains "a" | count`, rows: [[1]] },
    { query: "Nullable | where Count > 0 or Count <= 0 | count", rows: [[1]] },
    {
      query: "Nullable | summarize count(), dcount(Count), make_list(Count)",
      rows: [[2, 1, "[1]"]],
    },
    {
      query: "Nullable | take 1 | project Name, Count, Bag, Flag, TimeGenerated",
      rows: [["", null, null, null, null]],
    },
    { query: "Nullable | extend k = Bag.k | project k", rows: [[null], ["1"]] },
    { query: "Nullable | order by TimeGenerated asc | project Name", rows: [[""], ["a"]] },
  ])("$query", ({ query, rows: expected }) => {
    expect(rows(query, {}, database)).toEqual(expected);
  });
});

describe("input rows in looser forms are normalised to the column types", () => {
  const loose: KqlTable = {
    name: "Loose",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Code", type: "long" },
      { name: "Elapsed", type: "timespan" },
      { name: "Text", type: "string" },
    ],
    rows: [{ TimeGenerated: "2026-11-22T10:00:00Z", Code: "7", Elapsed: 1500, Text: 42 }],
  };

  test("ISO strings for datetimes, numbers as text, ms for timespans", () => {
    expect(rows("Loose | extend Next = TimeGenerated + Elapsed, Code2 = Code * 2", {}, makeDb(loose))).toEqual([
      ["2026-11-22T10:00:00.0000000Z", 7, "00:00:01.5000000", "42", "2026-11-22T10:00:01.5000000Z", 14],
    ]);
  });
});

describe("queries are parsed, not recognised", () => {
  test("the same question written differently gives the same answer", () => {
    const a = rows(
      `CloudHsmServiceOperationAuditLogs | where OperationName == "KeyGet" | summarize n = count() by _ResourceId`,
    );
    const b = rows(`let op = "keyget";
CloudHsmServiceOperationAuditLogs
| extend Op = tolower(OperationName)   // normalise
| where Op =~ op
| summarize n = countif(true) by ['_ResourceId']`);
    expect(a).toEqual([
      [HSM1, 2],
      [HSM2, 1],
    ]);
    expect(b).toEqual(a);
  });

  test("whitespace and comments do not matter", () => {
    const compact = rows("CloudHsmServiceOperationAuditLogs|where DurationMs>40|count");
    const spaced = rows("CloudHsmServiceOperationAuditLogs\n\t|  where   DurationMs  >  40 // slow\n\t| count");
    expect(compact).toEqual([[3]]);
    expect(spaced).toEqual(compact);
  });

  test("the database is read through its table() lookup", () => {
    const seen: string[] = [];
    const spy = { table: (name: string) => (seen.push(name), db.table(name)) };
    runKql("union isfuzzy=true AZKVAuditLogs, Nope | count", spy, { now: NOW });
    expect(seen).toEqual(["AZKVAuditLogs", "Nope"]);
  });
});

describe("large tables", () => {
  // Correctness at volume only: timing claims belong to the benchmark, not to unit tests.
  test("100k rows: filter, group and sort give exact answers", () => {
    const base = Date.parse("2026-11-01T00:00:00Z");
    const big: KqlTable = {
      name: "Big",
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "OperationName", type: "string" },
        { name: "CallerIpAddress", type: "string" },
        { name: "DurationMs", type: "long" },
        { name: "_ResourceId", type: "string" },
      ],
      rows: Array.from({ length: 100_000 }, (_, i) => ({
        TimeGenerated: new Date(base + i * 20_000),
        OperationName: ["KeyGet", "KeySign", "Login"][i % 3],
        CallerIpAddress: `10.0.${i % 50}.1`,
        DurationMs: i % 97,
        _ResourceId: `/subscriptions/x/hsm${i % 7}`,
      })),
    };
    const database = makeDb(big);
    const perResource = rows(
      `Big | where TimeGenerated > ago(7d) | summarize Records = count(), Ips = dcount(CallerIpAddress), Last = max(TimeGenerated) by R = tolower(_ResourceId) | order by R asc`,
      {},
      database,
    );
    const hourly = rows(`Big | summarize count() by bin(TimeGenerated, 1h), OperationName | count`, {}, database);

    // ago(7d) is 2026-11-15T12:00Z, exactly row 62640 (14.5 days at 20 s a row): rows 62641 on are newer.
    expect(perResource.length).toBe(7);
    expect(perResource.reduce((n, r) => n + (r[1] as number), 0)).toBe(100_000 - 62_641);
    expect(perResource[0]?.[0]).toBe("/subscriptions/x/hsm0");
    expect(hourly).toEqual([[Math.ceil(100_000 / 180) * 3]]);
  });
});
