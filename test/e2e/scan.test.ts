// `hsm-audit scan` end to end: the real Azure SDK clients, HTTPS to the simulator, result.json and the exit code. Each
// test reads as: the estate (and its faults), the command, the verdicts and exit code expected. The CLI's contract
// (exit codes 0, 1, 2 and 3, what it prints, signing in through `az`, evaluate, demo, policies) is tested on the real
// CLI, spawned; the rest run the same `scan()` in this process (test/helpers/scan-in-process.ts), whose retries and
// pacing wait on a virtual clock instead of real time.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { RESULT_SCHEMA } from "../../src/model/schemas.js";
import type { Result } from "../../src/model/result.js";
import { CONTOSO, ROOT } from "../helpers/simulator.js";
import { ACTIVITY_QUESTION_NAMES } from "../../src/azure/queries.js";
import {
  BIN,
  cleanUp,
  findingOf,
  KNOWN_AUDIENCES,
  runCli,
  scan,
  startScanTarget,
  statusOf,
  tempDir,
  type Run,
  type ScanRun,
  type ScanTarget,
} from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { main } from "../../src/cli/main.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const validateResult = new Ajv({ strict: false }).compile(RESULT_SCHEMA);

const POLICIES = join(ROOT, "policies");
const SUB = "aaaaaaaa-0000-4000-8000-000000000001";
const HSM_POLICIES = [
  "diagnostic-setting-present",
  "audit-category-enabled",
  "log-destination-configured",
  "log-destination-exists",
  "workspace-retention",
  "logs-flowing",
];

/** A compliant estate: a Cloud HSM and a Managed HSM whose audit logs reach one workspace and keep flowing. */
function estate(options: { faults?: string; cloudHsms?: string[]; displayName?: string; settingName?: string } = {}) {
  const cloudHsms = (options.cloudHsms ?? ["chsm-a"])
    .map(
      (name) => `      - name: ${name}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: ${JSON.stringify(options.settingName ?? "audit-to-law")}
            workspace: law-audit
            logs: [{ category: HsmServiceOperations, enabled: true }]
        activity:
          - { every: 6h, from: 3d, operations: [CN_LOGIN, HASH_SINGLE_CALL, CN_LOGOUT], callers: [10.0.0.4] }`,
    )
    .join("\n");
  return `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${SUB}
    displayName: ${JSON.stringify(options.displayName ?? "Payments")}
    workspaces:
      - { name: law-audit, resourceGroup: rg-mon, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001, retentionInDays: 400 }
    cloudHsmClusters:
${cloudHsms}
    managedHsms:
      - name: mhsm-a
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit-group
            workspace: law-audit
            logs: [{ categoryGroup: audit, enabled: true }]
        activity:
          - { every: 4h, from: 2d, operations: [KeySign, KeyGet] }
${options.faults ? `faults:\n${options.faults}\n` : ""}`;
}

/**
 * Starts the estate, scans it in this process (or with the spawned CLI: `spawned`), stops the simulator; returns the
 * run and the requests the simulator answered.
 */
async function scanEstate(yaml: string, args: string[] = [], options: { pageSize?: number; spawned?: boolean } = {}) {
  const target = await startScanTarget(yaml, options.pageSize ? { pageSize: options.pageSize } : {});
  try {
    const run = await (options.spawned ? scan : scanInProcess)(target, args);
    return { run, requests: [...target.sim.requests], target };
  } finally {
    await target.close();
  }
}

/**
 * The CLI's `main()` in this process, with `env` set while it runs: its exit code and what it wrote. No sign-in can
 * succeed (the environment allows the az CLI only, and none is on the PATH given).
 */
async function runMain(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function expectContractValid(run: ScanRun): Result {
  expect(run.result).toBeDefined();
  const result = run.result!;
  if (!validateResult(result)) throw new Error(JSON.stringify(validateResult.errors));
  // summary.compliant is true exactly when the exit code is 0, and the counts are those of the findings.
  expect(result.summary.compliant).toBe(run.code === 0);
  const count = (s: string) => result.findings.filter((f) => f.status === s).length;
  expect(result.summary).toMatchObject({
    pass: count("pass"),
    fail: count("fail"),
    error: count("error"),
    manual: count("manual"),
    notApplicable: count("not_applicable"),
  });
  // A pass never appears without evidence, and every evidence id a finding cites is in the result.
  const ids = new Set(result.evidence.map((e) => e.id));
  for (const f of result.findings) {
    if (f.status === "pass") expect(f.evidence.length).toBeGreaterThan(0);
    for (const id of f.evidence) expect(ids.has(id)).toBe(true);
  }
  // One finding per (policy, resource) pair.
  const pairs = result.findings.map((f) => `${f.policyId} ${f.resourceId.toLowerCase()}`);
  expect(new Set(pairs).size).toBe(pairs.length);
  return result;
}

function statuses(result: Result | undefined, resource: string) {
  return Object.fromEntries(HSM_POLICIES.map((p) => [p, statusOf(result, p, resource)]));
}

const allPass = Object.fromEntries(HSM_POLICIES.map((p) => [p, "pass"]));
const allError = Object.fromEntries(HSM_POLICIES.map((p) => [p, "error"]));

describe("a compliant estate", () => {
  let run: ScanRun;
  let requests: ScanTarget["sim"]["requests"];
  let azCalls: string;
  let snapshot: string;
  let token: string;
  beforeAll(async () => {
    const target = await startScanTarget(estate());
    snapshot = join(tempDir(), "snapshot.json");
    token = target.sim.token;
    try {
      run = await scan(target, ["--snapshot-out", snapshot]);
      requests = [...target.sim.requests];
      azCalls = readFileSync(target.azCalls, "utf8");
    } finally {
      await target.close();
    }
  });

  test("exits 0 with every applicable policy passing, each with its evidence", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = expectContractValid(run);
    expect(statuses(result, "chsm-a")).toEqual(allPass);
    expect(statuses(result, "mhsm-a")).toEqual(allPass);
    expect(statusOf(result, "insights-provider-registered", `/subscriptions/${SUB}`)).toBe("pass");
    expect(statusOf(result, "hsm-inventory-complete", `/subscriptions/${SUB}`)).toBe("pass");
    expect(statusOf(result, "appliance-audit-evidence", "chsm-a")).toBe("not_applicable");
    expect(result.summary).toMatchObject({ error: 0, compliant: true });
    // Only info findings may fail (no Sentinel on this workspace): they are reported, not counted.
    expect(result.findings.filter((f) => f.status === "fail" && f.severity !== "info")).toEqual([]);
    expect(statusOf(result, "sentinel-coverage", "chsm-a")).toBe("fail");
    expect(run.stdout).toContain("COMPLIANT (exit code 0)");
  });

  test("the Managed HSM's `audit` group is resolved through the categories API", () => {
    expect(findingOf(run.result, "audit-category-enabled", "mhsm-a")!.message).toBe(
      "mhsm-a has AuditEvent by 'audit-group' enabled.",
    );
  });

  test("records every exchange as evidence, hashed, with its purpose", () => {
    const evidence = run.result!.evidence;
    expect(evidence.length).toBeGreaterThan(5);
    for (const e of evidence) {
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.url.startsWith("https://127.0.0.1:")).toBe(true);
    }
    const flowing = findingOf(run.result, "logs-flowing", "chsm-a")!;
    const cited = evidence.filter((e) => flowing.evidence.includes(e.id));
    expect(cited.some((e) => e.method === "POST" && e.url.includes("/v1/workspaces/bbbbbbbb-"))).toBe(true);
    expect(cited.some((e) => e.url.includes("diagnosticSettings"))).toBe(true);
  });

  test("one Log Analytics query per workspace and question, never one per HSM", () => {
    const queries = requests.filter((r) => r.route === "logsQuery" || r.route === "logsBatch");
    expect(queries).toHaveLength(1 + ACTIVITY_QUESTION_NAMES.length);
  });

  test("signs in through DefaultAzureCredential (az) for ARM and for Log Analytics, never with a secret of its own", () => {
    expect(azCalls).toContain("--resource https://management.azure.com");
    expect(azCalls).toContain("--resource https://api.loganalytics.io");
  });

  test("every client asks for a token of the cloud's audience, never of the --arm-endpoint it was pointed at", () => {
    // Entra ID refuses an audience it does not know (AADSTS500011), and so does the stub az: a client that asked for
    // the endpoint's would have no token, and its findings (Microsoft Sentinel's first) would be errors.
    const audiences = azCalls.match(/--resource \S+/g) ?? [];
    expect(audiences.length).toBeGreaterThan(0);
    for (const audience of audiences) expect(KNOWN_AUDIENCES).toContain(audience.slice("--resource ".length));
    expect(azCalls).not.toContain("127.0.0.1");
    expect(findingOf(run.result, "sentinel-coverage", "chsm-a")!.message).not.toMatch(/AADSTS/);
  });

  test("evaluate --snapshot gives, offline, the same result.json byte for byte", async () => {
    const out = join(tempDir(), "offline");
    const offline = await runCli(["evaluate", "--snapshot", snapshot, "--out", out], { NODE_EXTRA_CA_CERTS: "" });
    expect(offline.code).toBe(0);
    expect(readFileSync(join(out, "result.json"), "utf8")).toBe(readFileSync(join(run.out, "result.json"), "utf8"));
    // The snapshot keeps the bodies, never a token.
    const text = readFileSync(snapshot, "utf8");
    expect(text).toContain('"body"');
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
    expect(text).not.toContain(token);
    expect(readFileSync(join(run.out, "result.json"), "utf8")).not.toContain(token);
  });
});

describe("clouds", () => {
  test("--cloud AzureUSGovernment asks for tokens of that cloud's audiences and names the cloud in the result", async () => {
    const target = await startScanTarget(estate());
    try {
      const run = await scanInProcess(target, ["--cloud", "AzureUSGovernment"]);
      expect(run.code).toBe(0);
      expect(run.result!.scope.cloud).toBe("AzureUSGovernment");
      // The audiences asked for, as the stub az logs them (`--resource AUDIENCE`).
      const calls = run.audiences.map((a) => `--resource ${a}`).join("\n");
      expect(calls).toContain("--resource https://management.usgovcloudapi.net");
      expect(calls).toContain("--resource https://api.loganalytics.us");
      expect(calls).not.toContain("management.azure.com");
      expect(calls).not.toContain("127.0.0.1");
      expect(statusOf(run.result, "sentinel-coverage", "chsm-a")).toBe("fail");
    } finally {
      await target.close();
    }
  });
});

describe("workspace retention: the archive tier counts toward the total only", () => {
  test("a table that keeps 4 days interactively and 400 in all fails workspace-retention, and says why; exit 1", async () => {
    const yaml = estate().replace(
      "retentionInDays: 400 }",
      "retentionInDays: 400, tableRetention: { CloudHsmServiceOperationAuditLogs: { retentionInDays: 4, totalRetentionInDays: 400 } } }",
    );
    expect(yaml).toContain("totalRetentionInDays: 400");
    const { run } = await scanEstate(yaml);
    expectContractValid(run);
    expect(run.code).toBe(1);
    const finding = findingOf(run.result, "workspace-retention", "chsm-a")!;
    expect(finding.status).toBe("fail");
    expect(finding.message).toMatch(
      /keeps 400 days \(4 interactive, 396 archived\).*only 4 of them interactive, fewer than 90/,
    );
    // The Managed HSM writes to another table, which takes the workspace's 400 interactive days.
    expect(statusOf(run.result, "workspace-retention", "mhsm-a")).toBe("pass");
  });
});

describe("every built-in policy passes and fails where the Contoso estate says it should", () => {
  let run: ScanRun;
  let requests: ScanTarget["sim"]["requests"];
  beforeAll(async () => {
    ({ run, requests } = await scanEstate(readFileSync(CONTOSO, "utf8")));
  });

  test("one Log Analytics query per question for all the workspaces, however many HSMs send to them", () => {
    const queried = requests.filter((r) => r.route === "logsQuery");
    // Contoso's settings name 4 workspaces, one of them deleted: 3 can be queried, and 7 HSMs send to them. One
    // query spans the three (addressed to the first, the others in its body).
    expect(queried).toHaveLength(1 + ACTIVITY_QUESTION_NAMES.length);
  });

  test("exits 1 with a contract-valid result", () => {
    expect(run.code).toBe(1);
    expectContractValid(run);
    expect(run.result!.resources).toHaveLength(12);
  });

  test.each([
    ["insights-provider-registered", "/subscriptions/11111111-1111-4111-8111-111111111111", "pass"],
    ["insights-provider-registered", "/subscriptions/33333333-3333-4333-8333-333333333333", "fail"],
    ["hsm-inventory-complete", "/subscriptions/22222222-2222-4222-8222-222222222222", "pass"],
    ["diagnostic-setting-present", "chsm-payments-eus", "pass"],
    ["diagnostic-setting-present", "chsm-identity-01", "fail"],
    ["audit-category-enabled", "mhsm-payments-keys", "pass"],
    ["audit-category-enabled", "chsm-identity-02", "fail"],
    ["audit-category-enabled", "mhsm-research", "fail"],
    ["log-destination-configured", "chsm-payments-wus", "pass"],
    ["log-destination-configured", "mhsm-identity-backup", "fail"],
    ["log-destination-exists", "mhsm-payments-keys", "pass"],
    ["log-destination-exists", "chsm-research-01", "fail"],
    ["workspace-retention", "chsm-research-02", "pass"],
    ["workspace-retention", "mhsm-identity-signing", "fail"],
    ["logs-flowing", "mhsm-identity-signing", "pass"],
    ["logs-flowing", "chsm-research-02", "fail"],
    ["appliance-audit-evidence", "dhsm-payments-luna-01", "manual"],
    ["appliance-audit-evidence", "chsm-payments-eus", "not_applicable"],
    ["logs-flowing", "dhsm-payments-luna-02", "not_applicable"],
  ])("%s on %s: %s", (policy, resource, expected) => {
    expect(statusOf(run.result, policy, resource)).toBe(expected);
  });

  test("a failing finding carries its fix with the resource's ids filled in and quoted", () => {
    const f = findingOf(run.result, "diagnostic-setting-present", "chsm-identity-01")!;
    expect(f.remediation.azCli).toContain(
      "--resource '/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-identity-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-identity-01'",
    );
    expect(f.remediation.powershell).toContain("-ResourceId '/subscriptions/22222222-2222-4222-8222-222222222222/");
  });

  test("--fail-on sets which failures count: critical still fails; never leaves the manual Dedicated HSMs unproven", async () => {
    const yaml = readFileSync(CONTOSO, "utf8");
    const critical = (await scanEstate(yaml, ["--fail-on", "critical"])).run;
    expect(critical.code).toBe(1);
    const never = (await scanEstate(yaml, ["--fail-on", "never"])).run;
    expect(never.code).toBe(3);
    expect(never.result!.summary).toMatchObject({ compliant: false, error: 0, manual: 2 });
    expect(never.result!.summary.fail).toBeGreaterThan(0);
    expect(never.stdout).toMatch(
      /NOT PROVEN: 2 finding\(s\) need manual review; .*The gate is off \(--fail-on never\)/,
    );
  });

  test("--subscription scans only the subscriptions named", async () => {
    const { run: one } = await scanEstate(readFileSync(CONTOSO, "utf8"), [
      "--subscription",
      "11111111-1111-4111-8111-111111111111",
    ]);
    // Its Cloud and Managed HSMs pass; its two Dedicated HSMs await manual review, so compliance is not proven.
    expect(one.code).toBe(3);
    expect(one.result!.summary).toMatchObject({ error: 0, manual: 2 });
    // What fails is the activity a reviewer must see, at info: reported, not counted.
    expect(one.result!.findings.filter((f) => f.status === "fail" && f.severity !== "info")).toEqual([]);
    expect(one.result!.scope.subscriptions).toEqual(["11111111-1111-4111-8111-111111111111"]);
    expect(one.result!.resources.map((r) => r.name).sort()).toEqual([
      "chsm-payments-eus",
      "chsm-payments-wus",
      "dhsm-payments-luna-01",
      "dhsm-payments-luna-02",
      "mhsm-payments-keys",
    ]);
  });

  test("a user policy (--policies) changes a built-in's params: 90 days is enough", async () => {
    const dir = tempDir();
    const builtIn = readFileSync(join(POLICIES, "workspace-retention.yaml"), "utf8");
    writeFileSync(join(dir, "workspace-retention.yaml"), builtIn.replace("minimumDays: 365", "minimumDays: 90"));
    const { run: custom } = await scanEstate(readFileSync(CONTOSO, "utf8"), ["--policies", dir]);
    expect(statusOf(custom.result, "workspace-retention", "mhsm-identity-signing")).toBe("pass");
  });
});

describe("faults: evidence that could not be gathered is an error, never a pass", () => {
  test("403 on one HSM's diagnostic settings: its findings are errors, the other HSM passes, exit 3", async () => {
    const { run } = await scanEstate(
      estate({ faults: "  - { route: diagnosticSettings, match: chsm-a, status: 403 }" }),
      [],
      { spawned: true },
    );
    expect(run.code).toBe(3);
    const result = expectContractValid(run);
    expect(statuses(result, "chsm-a")).toEqual(allError);
    expect(statuses(result, "mhsm-a")).toEqual(allPass);
    expect(findingOf(result, "diagnostic-setting-present", "chsm-a")!.message).toMatch(/403 AuthorizationFailed/);
    expect(result.errors.some((e) => e.status === 403 && e.resourceId?.endsWith("/chsm-a"))).toBe(true);
    expect(run.stdout).toContain("NOT PROVEN");
  });

  test.each([
    [
      "429 with Retry-After",
      "{ route: diagnosticSettings, status: 429, retryAfter: 1, times: 2 }",
      "diagnosticSettings",
    ],
    ["429 without Retry-After", "{ route: diagnosticSettings, status: 429, times: 2 }", "diagnosticSettings"],
    ["503", "{ route: provider, status: 503, times: 2 }", "provider"],
    ["a reset connection", "{ route: hsmList, drop: true, times: 1 }", "hsmList"],
    [
      "a truncated body",
      "{ route: diagnosticSettingsCategories, truncate: true, times: 2 }",
      "diagnosticSettingsCategories",
    ],
    ["a throttled log query", "{ route: logsQuery, status: 429, times: 1 }", "logsQuery"],
  ])("%s is retried and the scan still proves compliance", async (_name, fault, route) => {
    const { run, requests } = await scanEstate(estate({ faults: `  - ${fault}` }));
    expect(run.code).toBe(0);
    expectContractValid(run);
    // Reads that travel in ARM's batch are logged inside the batch request: both count.
    const seen = [...requests, ...requests.flatMap((r) => r.inner ?? [])].filter((r) => r.route === route);
    expect(seen.some((r) => r.faults.length > 0)).toBe(true);
    expect(seen.some((r) => r.status === 200 && r.faults.length === 0)).toBe(true);
  });

  test("a 503 that outlasts the retries: the provider finding is an error, exit 3", async () => {
    const { run } = await scanEstate(estate({ faults: "  - { route: provider, status: 503 }" }), [
      "--max-retries",
      "1",
    ]);
    expect(run.code).toBe(3);
    expect(statusOf(run.result, "insights-provider-registered", `/subscriptions/${SUB}`)).toBe("error");
    expect(statuses(run.result, "chsm-a")).toEqual(allPass);
  });

  test("bodies cut short every time: an error, never a parse of half an answer", async () => {
    const { run } = await scanEstate(
      estate({ faults: "  - { route: diagnosticSettings, match: mhsm-a, truncate: true }" }),
      ["--max-retries", "1"],
    );
    expect(run.code).toBe(3);
    expect(statuses(run.result, "mhsm-a")).toEqual(allError);
    expect(statuses(run.result, "chsm-a")).toEqual(allPass);
  });

  test("a nextLink that never ends: the inventory is an error, exit 3, and the scan stops by itself", async () => {
    const { run, requests } = await scanEstate(
      estate({ faults: "  - { route: hsmList, match: cloudHsmClusters, endlessNextLink: true }" }),
    );
    expect(run.code).toBe(3);
    expect(statusOf(run.result, "hsm-inventory-complete", `/subscriptions/${SUB}`)).toBe("error");
    expect(findingOf(run.result, "hsm-inventory-complete", SUB)!.message).toMatch(
      /Cloud HSMs: .*(listed twice|nextLink)/,
    );
    expect(requests.filter((r) => r.route === "hsmList").length).toBeLessThan(20);
  });

  test("a failing Log Analytics query: logs-flowing is an error for every HSM of the workspace, exit 3", async () => {
    const { run } = await scanEstate(estate({ faults: "  - { route: logsQuery, status: 500 }" }), [
      "--max-retries",
      "1",
    ]);
    expect(run.code).toBe(3);
    for (const hsm of ["chsm-a", "mhsm-a"]) {
      expect(statusOf(run.result, "logs-flowing", hsm)).toBe("error");
      expect(statusOf(run.result, "workspace-retention", hsm)).toBe("pass");
    }
  });

  test("a partial query answer proves the records it holds, and says it was partial in the snapshot", async () => {
    const dir = tempDir();
    const { run } = await scanEstate(estate({ faults: "  - { route: logsQuery, partialError: true }" }), [
      "--snapshot-out",
      join(dir, "s.json"),
    ]);
    expect(statusOf(run.result, "logs-flowing", "chsm-a")).toBe("pass");
    const snapshot = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as {
      logSamples: { result: { value: { partial?: { message: string } } } }[];
    };
    expect(snapshot.logSamples[0]!.result.value.partial!.message).toMatch(/failed in part/);
  });

  test("a 404 that does not say the thing is gone (a gateway's HttpResourceNotFound) is an error, never 'none there'", async () => {
    // A table with its own short retention, a lifecycle rule that deletes after 30 days, Sentinel with an HSM rule:
    // read as "no such table", "no lifecycle policy" and "Sentinel not onboarded", each 404 would change the verdict.
    const yaml = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Payments
    workspaces:
      - name: law-audit
        resourceGroup: rg-mon
        location: eastus
        customerId: bbbbbbbb-0000-4000-8000-000000000001
        retentionInDays: 400
        tableRetention: { CloudHsmServiceOperationAuditLogs: { retentionInDays: 30 } }
        sentinel:
          onboarded: true
          rules: [{ name: hsm-rule, query: "CloudHsmServiceOperationAuditLogs | where OperationName == 'CN_LOGIN'" }]
    storageAccounts:
      - name: starchive
        resourceGroup: rg-mon
        location: eastus
        lifecycle:
          rules:
            - name: cost-saver
              definition: { actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 30 } } } }
    cloudHsmClusters:
      - name: chsm-a
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law-audit
            storageAccount: starchive
            logs: [{ category: HsmServiceOperations, enabled: true }]
        activity:
          - { every: 6h, from: 3d, operations: [CN_LOGIN, CN_LOGOUT], callers: [10.0.0.4] }
`;
    const policies = ["workspace-retention", "archive-retention", "sentinel-coverage"];
    const clean = await scanEstate(yaml);
    expect(policies.map((p) => statusOf(clean.run.result, p, "chsm-a"))).toEqual(["fail", "fail", "pass"]);
    const gateway = (route: string) => `  - { route: ${route}, status: 404, code: HttpResourceNotFound }`;
    const { run } = await scanEstate(
      `${yaml}faults:\n${["workspaceTables", "managementPolicy", "sentinelOnboarding"].map(gateway).join("\n")}\n`,
    );
    expectContractValid(run);
    expect(policies.map((p) => statusOf(run.result, p, "chsm-a"))).toEqual(["error", "error", "error"]);
    expect(findingOf(run.result, "archive-retention", "chsm-a")!.message).toMatch(/HttpResourceNotFound/);
  });

  test("lists paged one item at a time are followed to the end", async () => {
    const { run, requests } = await scanEstate(estate({ cloudHsms: ["chsm-a", "chsm-b", "chsm-c"] }), [], {
      pageSize: 1,
    });
    expect(run.code).toBe(0);
    expect(run.result!.resources.map((r) => r.name).sort()).toEqual(["chsm-a", "chsm-b", "chsm-c", "mhsm-a"]);
    expect(requests.filter((r) => r.route === "hsmList" && r.url.includes("cloudHsmClusters")).length).toBe(3);
  });

  test("hostile names from Azure pass through as data: result.json holds them verbatim, the terminal shows them inert", async () => {
    const hostile = `<script>alert('x')</script> "Pay\u001b[31mments"`;
    const { run } = await scanEstate(
      estate({ displayName: hostile, settingName: `audit"<img src=x onerror=alert(1)>` }),
    );
    expect(run.code).toBe(0);
    expect(run.result!.scope.subscriptionNames![SUB]).toBe(hostile);
    expect(findingOf(run.result, "diagnostic-setting-present", "chsm-a")!.message).toContain(
      `'audit"<img src=x onerror=alert(1)>'`,
    );
    expect(run.stdout).not.toContain("\u001b[31m");
    expect(run.stdout).toContain("\\u001b[31m");
  });
});

describe("a subscription not registered for an HSM provider", () => {
  test("holds none of its HSMs: ARM's MissingSubscriptionRegistration is an empty list, not a failed inventory", async () => {
    const yaml = estate()
      .replace(/ {4}cloudHsmClusters:\n[\s\S]*? {4}managedHsms:\n/, "    managedHsms:\n")
      .replace(
        '    displayName: "Payments"\n',
        '    displayName: "Payments"\n    providers: { Microsoft.HardwareSecurityModules: NotRegistered }\n',
      );
    const { run, requests } = await scanEstate(yaml);
    expect(run.code).toBe(0);
    expect(requests.filter((r) => r.route === "hsmList" && r.status === 409)).toHaveLength(2);
    const inventory = findingOf(run.result, "hsm-inventory-complete", SUB)!;
    expect(inventory.status).toBe("pass");
    expect(inventory.message).toContain(
      "no Cloud HSM (the subscription is not registered for Microsoft.HardwareSecurityModules)",
    );
    expect(run.result!.resources.map((r) => r.name)).toEqual(["mhsm-a"]);
  });
});

describe("the log window", () => {
  const quiet = estate().replace(
    "{ every: 6h, from: 3d, operations: [CN_LOGIN, HASH_SINGLE_CALL, CN_LOGOUT], callers: [10.0.0.4] }",
    "{ every: 6h, from: 3d, to: 2d, operations: [CN_LOGIN] }",
  );

  test.each([
    ["7d", "pass"],
    ["P1D", "fail"],
    ["24h", "fail"],
  ])("--log-window %s: the Cloud HSM that last wrote two days ago is %s", async (window, expected) => {
    const { run } = await scanEstate(quiet, ["--log-window", window]);
    expect(statusOf(run.result, "logs-flowing", "chsm-a")).toBe(expected);
    expect(run.code).toBe(expected === "pass" ? 0 : 1);
  });
});

describe("usage errors: exit 2, a clear message, nothing written", () => {
  test.each([
    [["--fail-on", "severe"], /--fail-on must be one of critical, high, medium, low, info, never/],
    [["--log-window", "a week"], /--log-window must be a duration/],
    [["--paper", "legal"], /--paper must be one of a4, letter/],
    [["--pdf-detail", "brief"], /--pdf-detail must be one of summary, full, not 'brief'/],
    [["--period", "2026-10", "--from", "2026-10-01", "--to", "2026-10-02"], /cannot be used together/],
    [["--format", "docx"], /unknown format 'docx'/],
    [["--subscription", "not-a-guid"], /--subscription must be a subscription id/],
    [["--cloud", "Mars"], /--cloud must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud/],
    [["--arm-endpoint", "http://127.0.0.1:1"], /must be an https:\/\/ URL/],
    [["--logs-endpoint", "https://127.0.0.1:1/v1"], /without \/v1/],
  ])("scan %j", async (args, message) => {
    // The CLI's `main()` in this process, as bin/hsm-audit.js calls it; the contract of the spawned CLI for exit 2 is
    // tested below.
    const out = join(tempDir(), "out");
    const run = await runMain(["scan", ...args, "--out", out], {
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
      PATH: "/nonexistent",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  test("an invalid policy names its file and line", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "my-retention.yaml"),
      readFileSync(join(POLICIES, "workspace-retention.yaml"), "utf8")
        .replace("id: workspace-retention", "id: my-retention")
        .replace("minimumDays: 365", "minimumDays: a year"),
    );
    const out = join(tempDir(), "out");
    const run = await runCli(["scan", "--policies", dir, "--out", out]);
    expect(run.code).toBe(2);
    const line =
      readFileSync(join(dir, "my-retention.yaml"), "utf8")
        .split("\n")
        .findIndex((l) => l.includes("a year")) + 1;
    expect(run.stderr).toContain(`${join(dir, "my-retention.yaml")}:${line}: params.minimumDays: must be integer`);
    expect(existsSync(out)).toBe(false);
  });

  test("an --out that cannot be created is refused before any request", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "afile"), "");
    const target = await startScanTarget(estate());
    try {
      const run = await scan(target, ["--out", join(dir, "afile", "sub")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${join(dir, "afile")} exists and is not a directory`);
      expect(target.sim.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  test("evaluate with a file that is not a snapshot", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "s.json"), '{"schemaVersion": 1}');
    const run = await runCli(["evaluate", "--snapshot", join(dir, "s.json"), "--out", join(dir, "out")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not an hsm-audit snapshot/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("--out that is a file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "");
    const run = await runCli(["evaluate", "--snapshot", join(dir, "nope.json"), "--out", join(dir, "file")]);
    expect(run.code).toBe(2);
  });
});

describe("hsm-audit demo", () => {
  test("scans the built-in estate through the SDK over HTTPS, writes a contract-valid result.json and exits 1", async () => {
    const out = join(tempDir(), "demo");
    // No credential of the user's and no trust store of theirs is needed or used.
    const run = await runCli(["demo", "--out", out], { AZURE_TOKEN_CREDENTIALS: "", NODE_EXTRA_CA_CERTS: "" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
    expectContractValid({ ...run, result, out });
    expect(result.resources).toHaveLength(12);
    expect(run.stdout).toContain(`Open ${join(out, "report.pdf")} (or report.html)`);
    expect(run.stdout).toContain(join(out, "result.json"));
    // The demo writes the whole evidence pack.
    for (const file of ["report.pdf", "report.html"]) expect(existsSync(join(out, file))).toBe(true);
    expect(run.stdout).toContain("NOT COMPLIANT");
  });

  test("a reader that stops early (demo | head) does not crash it", async () => {
    const out = join(tempDir(), "demo");
    mkdirSync(out);
    // A small estate whose Cloud HSM sends its logs nowhere: the same lines to a closed pipe, exit 1, in less time.
    const small = join(out, "..", "small.yaml");
    writeFileSync(
      small,
      estate().replace(/ {8}diagnosticSettings:\n {10}- name: "audit-to-law"\n[^\n]*\n[^\n]*\n/, ""),
    );
    expect(readFileSync(small, "utf8")).not.toContain("audit-to-law");
    const child = spawn(process.execPath, [BIN, "demo", "--estate", small, "--out", out], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe("");
  });
});

describe("policies", () => {
  test("list names every built-in policy", async () => {
    const run = await runCli(["policies", "list"]);
    expect(run.code).toBe(0);
    for (const id of ["insights-provider-registered", ...HSM_POLICIES, "appliance-audit-evidence"]) {
      expect(run.stdout).toContain(id);
    }
  });

  test("show prints the rationale, the fix and the controls it maps to", async () => {
    const run = await runCli(["policies", "show", "workspace-retention"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("PCI DSS 4.0 10.5.1");
    expect(run.stdout).toContain("az monitor log-analytics workspace update");
  });

  test("show with an unknown id exits 2", async () => {
    const run = await runCli(["policies", "show", "no-such-policy"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no policy 'no-such-policy'");
  });
});
