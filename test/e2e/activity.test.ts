// What each HSM did, end to end: the CLI's scan asks the simulator's workspaces the activity questions over HTTPS;
// the counts, series, highlights and silences in result.json equal what the estate's own records say, and a
// workspace serving ten HSMs is asked one query per question, not one per HSM.
import type { Result, ResultResource } from "../../src/model/result.js";
import type { Estate, Hsm } from "../../src/simulator/estate.js";
import { cleanUp, findingOf, startScanTarget } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { ACTIVITY_QUESTION_NAMES } from "../../src/azure/queries.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-000000000003";
const RULE = `union (AzureDiagnostics | where ResourceType == "MANAGEDHSMS"), AZKVAuditLogs, CloudHsmServiceOperationAuditLogs | take 1`;

/** Ten Cloud HSMs of steady logins, and one Managed HSM that does everything a reviewer must see. */
const ESTATE = `tenantId: 00000000-0000-4000-8000-0000000000cc
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Activity
    workspaces:
      - name: law-audit
        resourceGroup: rg-mon
        location: eastus
        customerId: cccccccc-0000-4000-8000-000000000003
        retentionInDays: 400
        sentinel: { onboarded: true, rules: [{ name: hsm-rule, query: '${RULE}' }] }
    cloudHsmClusters:
${Array.from(
  { length: 10 },
  (_, i) => `      - name: chsm-${i}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, logs: [{ category: HsmServiceOperations, enabled: true }] }]
        activity:
          - { every: 3h, from: P6DT20H, operations: [CN_LOGIN, HASH_SINGLE_CALL, CN_LOGOUT], callers: [10.0.0.${i}] }
${i === 3 ? "          - { ago: 2d, operation: CN_LOGIN, caller: 192.0.2.33 }\n          - { ago: 2d, operation: CN_TOMBSTONE_OBJECT, caller: 192.0.2.33 }\n" : ""}`,
).join("")}
    managedHsms:
      - name: mhsm-busy
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, logAnalyticsDestinationType: Dedicated, logs: [{ category: AuditEvent, enabled: true }] }]
        activity:
          # Signing before and after a silence of about 40 hours.
          - { every: 1h, from: P6DT20H, to: 3d, operations: [KeySign, KeyGet], callers: [10.1.0.4], identities: [svc@contoso.example] }
          - { every: 1h, from: P1DT8H, to: 10m, operations: [KeySign, KeyGet], callers: [10.1.0.4], identities: [svc@contoso.example] }
          # 30 key reads by one caller within half an hour.
          - { every: 1m, from: P1DT2H, to: P1DT1H31M, operations: [KeyGet], callers: [203.0.113.5], identities: [harvest@contoso.example] }
          # 15 refused requests within 15 minutes.
          - { every: 1m, from: 20h, to: PT19H46M, operations: [KeyDecrypt], callers: [198.51.100.7], httpStatusCode: 403 }
          - { ago: 5h, operation: KeyPurge, caller: 10.1.0.9, identity: admin@contoso.example }
`;

let result: Result;
let estate: Estate;
let queries: number;

beforeAll(async () => {
  const target = await startScanTarget(ESTATE);
  try {
    const run = await scanInProcess(target, ["--log-window", "7d"]);
    expect(run.stderr).toBe("");
    result = run.result!;
    estate = target.estate;
    queries = target.sim.requests.filter((r) => r.route === "logsQuery").length;
  } finally {
    await target.close();
  }
});

const hsmOf = (name: string): Hsm => estate.subscriptions[0]!.hsms.find((h) => h.name === name)!;
const resourceOf = (name: string): ResultResource => result.resources.find((r) => r.name === name)!;
/** The estate's records of an HSM inside the result's window. */
function recordsOf(name: string) {
  const { start, end } = result.logWindow;
  return hsmOf(name).activity.filter((r) => r.time.toISOString() >= start && r.time.toISOString() < end);
}
const day = (d: Date) => d.toISOString().slice(0, 10);

test("one query per question for the workspace, whatever the number of HSMs", () => {
  expect(result.resources).toHaveLength(11);
  expect(queries).toBe(1 + ACTIVITY_QUESTION_NAMES.length);
});

test("operations, callers and failures per HSM equal the estate's records", () => {
  for (const name of ["chsm-3", "mhsm-busy"]) {
    const records = recordsOf(name);
    const details = resourceOf(name).activity![0]!.details!;
    expect(details.state).toBe("ok");
    const byOperation = new Map<string, number>();
    for (const r of records) byOperation.set(r.operation, (byOperation.get(r.operation) ?? 0) + 1);
    expect(new Map(details.operations.map((o) => [o.name, o.records]))).toEqual(byOperation);
    const byCaller = new Map<string, number>();
    for (const r of records) byCaller.set(r.caller!, (byCaller.get(r.caller!) ?? 0) + 1);
    expect(new Map(details.callers.map((c) => [c.address, c.records]))).toEqual(byCaller);
    expect(details.firstRecord).toBe(records.map((r) => r.time.toISOString()).sort()[0]);
  }
  const busy = resourceOf("mhsm-busy").activity![0]!.details!;
  expect(busy.failedRequests).toBe(recordsOf("mhsm-busy").filter((r) => (r.httpStatusCode ?? 200) >= 400).length);
  expect(busy.failedRequests).toBe(15);
  const cloud = resourceOf("chsm-3").activity![0]!.details!;
  expect(cloud.outcomesKnown).toBe(false);
  expect(cloud.failedRequests).toBeUndefined();
  expect(cloud.operations.find((o) => o.name === "CN_TOMBSTONE_OBJECT")).toMatchObject({ command: "deleteKey" });
});

test("records per day and the longest silence equal the estate's", () => {
  const records = recordsOf("mhsm-busy");
  const perDay = new Map<string, number>();
  for (const r of records) perDay.set(day(r.time), (perDay.get(day(r.time)) ?? 0) + 1);
  const activity = resourceOf("mhsm-busy").activity![0]!;
  expect(new Map(activity.perDay!.map((d) => [d.day, d.records]))).toEqual(perDay);
  // The longest silence counted by the hour: between the hours that hold records.
  const hours = [...new Set(records.map((r) => Math.floor(r.time.getTime() / 3_600_000)))].sort((a, b) => a - b);
  const longest = Math.max(...hours.slice(1).map((h, i) => h - hours[i]! - 1));
  expect(activity.details!.longestSilence!.hours).toBe(longest);
  expect(longest).toBeGreaterThan(24);
});

test("each highlight found what the estate holds, with its rows", () => {
  const gap = findingOf(result, "activity-trail-gap", "mhsm-busy")!;
  expect(gap.status).toBe("fail");
  expect(gap.severity).toBe("info");

  const mass = findingOf(result, "activity-mass-retrieval", "mhsm-busy")!;
  const harvestGets = recordsOf("mhsm-busy").filter((r) => r.caller === "203.0.113.5").length;
  expect(mass.status).toBe("fail");
  expect(mass.message).toContain("harvest@contoso.example");
  expect(mass.details!.rows).toEqual([expect.objectContaining({ caller: "203.0.113.5", count: harvestGets })]);

  const failed = findingOf(result, "activity-failed-access", "mhsm-busy")!;
  expect(failed.status).toBe("fail");
  expect(failed.message).toMatch(/most 15\) from 198\.51\.100\.7; 15 failed requests/);

  const sensitive = findingOf(result, "activity-sensitive-operations", "mhsm-busy")!;
  expect(sensitive.message).toMatch(/KeyPurge \(key purge\) ×1/);
  expect(sensitive.details!.rows[0]).toMatchObject({ caller: "10.1.0.9", identity: "admin@contoso.example" });
  // The queries that found them: the count per operation, and the capped rows.
  expect(sensitive.details!.queries).toHaveLength(2);
  expect(sensitive.details!.queries.some((q) => /make_list\(bag_pack/.test(q))).toBe(true);

  const newCaller = findingOf(result, "activity-new-callers", "chsm-3")!;
  expect(newCaller.status).toBe("fail");
  expect(newCaller.details!.rows).toEqual([expect.objectContaining({ caller: "192.0.2.33" })]);
  expect(findingOf(result, "activity-sensitive-operations", "chsm-3")!.message).toMatch(
    /CN_TOMBSTONE_OBJECT \(deleteKey\) ×1/,
  );
});

test("quiet HSMs pass every highlight, and the Sentinel rule covers both kinds", () => {
  for (const policy of ["activity-sensitive-operations", "activity-new-callers", "activity-trail-gap"]) {
    expect(findingOf(result, policy, "chsm-5")!.status).toBe("pass");
  }
  expect(findingOf(result, "activity-failed-access", "chsm-5")!.status).toBe("not_applicable");
  expect(findingOf(result, "sentinel-coverage", "chsm-5")!.status).toBe("pass");
  expect(findingOf(result, "sentinel-coverage", "mhsm-busy")!.status).toBe("pass");
  // The highlights are info: the gate is decided by the rest, and this estate is compliant.
  expect(result.summary.compliant).toBe(true);
});
