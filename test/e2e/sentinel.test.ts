// sentinel-coverage end to end: the CLI's scan reads Microsoft Sentinel's analytic rules from the simulator through the
// Azure SDK, and a rule counts only when its query, read as a syntax tree, reads the table this HSM's setting writes
// through filters that keep its records. Rules that name the HSM's logs but cannot see them are not a pass.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import type { Result } from "../../src/model/result.js";
import { cleanUp, findingOf, startScanTarget, tempDir } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { runMain } from "../helpers/main-in-process.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-000000000014";

const workspace = (name: string, n: number, rules: { name: string; query: string; enabled?: boolean }[]) =>
  `      - name: ${name}
        resourceGroup: rg-mon
        location: eastus
        customerId: dddddddd-0000-4000-8000-00000000001${n}
        retentionInDays: 400
        sentinel:
          onboarded: true
          rules:
${rules.map((r) => `            - { name: ${r.name}, query: ${JSON.stringify(r.query)}${r.enabled === false ? ", enabled: false" : ""} }`).join("\n")}`;

const managedHsm = (name: string, law: string, dedicated: boolean) => `      - name: ${name}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: ${law}${dedicated ? "\n            logAnalyticsDestinationType: Dedicated" : ""}
            logs: [{ category: AuditEvent, enabled: true }]
        activity:
          - { every: 4h, from: 2d, operations: [KeySign, KeyGet] }`;

const ESTATE = `tenantId: 00000000-0000-4000-8000-0000000000dd
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Sentinel
    workspaces:
${workspace("law-dedicated", 1, [
  // Reads AzureDiagnostics, but this HSM's setting writes AZKVAuditLogs (resource-specific mode).
  {
    name: "mhsm-key-destruction",
    query: 'AzureDiagnostics | where ResourceType == "MANAGEDHSMS" | where OperationName in ("KeyDelete", "KeyPurge")',
  },
  // Reads AZKVAuditLogs, but only the rows of key vaults.
  {
    name: "kv-key-deletion",
    query: 'AZKVAuditLogs | where _ResourceId has "/vaults/" | where OperationName == "KeyDelete"',
  },
  // A parser function whose body is not in the query: it may read anything.
  { name: "hsm-parser", query: 'HsmAuditParser() | where OperationName == "KeyPurge"' },
])}
${workspace("law-legacy", 2, [
  {
    name: "not-managed-hsms",
    query: 'AzureDiagnostics | where not(ResourceType == "MANAGEDHSMS") | where OperationName == "KeyDelete"',
  },
  {
    name: "other-resources",
    query: 'AzureDiagnostics | where ResourceType <> "MANAGEDHSMS" | where OperationName == "KeyDelete"',
  },
])}
${workspace("law-watched", 3, [
  {
    name: "mhsm-purge",
    query: 'AZKVAuditLogs | where _ResourceId has "/managedHSMs/" | where OperationName == "KeyPurge"',
  },
])}
    managedHsms:
${managedHsm("mhsm-dedicated", "law-dedicated", true)}
${managedHsm("mhsm-legacy", "law-legacy", false)}
${managedHsm("mhsm-watched", "law-watched", true)}
`;

const sentinelFindings = (result: Result | undefined) =>
  Object.fromEntries(
    ["mhsm-dedicated", "mhsm-legacy", "mhsm-watched"].map((name) => {
      const finding = findingOf(result, "sentinel-coverage", name);
      return [name, finding && { status: finding.status, message: finding.message }];
    }),
  );

test("rules that name the HSM's logs but cannot see its records are not a pass; evaluate of the snapshot agrees", async () => {
  const target = await startScanTarget(ESTATE);
  const snapshotFile = join(tempDir(), "snapshot.json");
  let scanned: Result | undefined;
  try {
    const run = await scanInProcess(target, ["--snapshot-out", snapshotFile]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0); // sentinel-coverage is an info policy: its findings are reported, not counted
    scanned = run.result;
  } finally {
    await target.close();
  }
  const findings = sentinelFindings(scanned);
  expect(findings["mhsm-dedicated"]).toEqual({
    status: "fail",
    message: expect.stringMatching(
      /^Microsoft Sentinel does not watch the audit log of mhsm-dedicated: no analytic rule on workspace law-dedicated is proven to read AZKVAuditLogs \(where setting 'audit' writes them, in resource-specific mode\); 1 enabled rule could not be analysed, so it does not count: 'hsm-parser' \(it calls HsmAuditParser\(\), whose body is not in the query\)\.$/,
    ),
  });
  expect(findings["mhsm-legacy"]).toEqual({
    status: "fail",
    message: expect.stringMatching(
      /none of the 2 analytic rules on workspace law-legacy reads AzureDiagnostics rows of ResourceType MANAGEDHSMS/,
    ),
  });
  expect(findings["mhsm-watched"]).toEqual({
    status: "pass",
    message:
      "Microsoft Sentinel watches the audit log of mhsm-watched: enabled rules that read it on workspace law-watched: 'mhsm-purge'.",
  });

  // The verdict is the snapshot's: evaluated again from the saved snapshot, with no Azure at all.
  const out = join(tempDir(), "out");
  const evaluated = await runMain(["evaluate", "--snapshot", snapshotFile, "--out", out], tempDir());
  expect(evaluated.code).toBe(0);
  const again = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
  expect(sentinelFindings(again)).toEqual(findings);
});
