// The storage archive end to end: the CLI's scan in this process over the real SDK clients, the simulator for ARM, and Azurite (the real blob
// service emulator) holding the archived hourly blobs in Azure's layout. Each HSM of the estate has one archive
// misconfiguration (or none), and the test reads its verdicts from result.json.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Snapshot } from "../../src/model/snapshot.js";
import { join } from "node:path";
import { generateCertificates } from "../../src/simulator/certs.js";
import { archiveBlobs } from "../../src/simulator/storage.js";
import type { Result } from "../../src/model/result.js";
import { startAzurite, storageToken, type RunningAzurite } from "../helpers/azurite.js";
import {
  cleanUp,
  findingOf,
  startScanTarget,
  statusOf,
  tempDir,
  type ScanRun,
  type ScanTarget,
} from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";

import { jest } from "@jest/globals";
jest.setTimeout(180_000);

const TENANT = "00000000-0000-4000-8000-0000000000aa";
const SUB = "aaaaaaaa-0000-4000-8000-000000000007";
const ARCHIVE_POLICIES = ["archive-immutable", "archive-retention", "archive-secure", "archive-flowing"];
const LOCKED =
  "{ name: insights-logs-auditevent, immutabilityPolicy: { days: 400, state: Locked, allowProtectedAppendWrites: true } }";

/** A Managed HSM that sends AuditEvent to the workspace and to `account`, with activity `activity` (YAML flow). */
function managed(
  name: string,
  account: string | undefined,
  activity = "{ every: 2h, from: 3d, to: 1h, operations: [KeyGet, KeySign] }",
  extra = "",
) {
  return `      - name: ${name}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law-audit
            ${account ? `storageAccount: ${account}` : ""}
            logs: [{ category: AuditEvent, enabled: true }]
${extra}        activity:
          - ${activity}`;
}

function estateYaml(azurite: string): string {
  return `tenantId: ${TENANT}
token: ${storageToken(TENANT)}
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Archive
    workspaces:
      - { name: law-audit, resourceGroup: rg-mon, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000007, retentionInDays: 400 }
      - name: law-short-table
        resourceGroup: rg-mon
        location: eastus
        customerId: bbbbbbbb-0000-4000-8000-000000000008
        retentionInDays: 400
        tableRetention: { AZKVAuditLogs: { retentionInDays: 30 } }
    storageAccounts:
      # Compliant: locked for 400 days, deleted after 400, blobs in Azurite as JSON lines.
      - name: stlocked
        resourceGroup: rg-mon
        location: eastus
        containers: [${LOCKED}]
        lifecycle:
          rules:
            - name: keep-400d
              definition:
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 400 } } }
                filters: { blobTypes: [appendBlob], prefixMatch: [insights-logs-] }
        archive: { blobEndpoint: "${azurite}" }
      # Compliant, account-level immutability, blobs in Azurite in the older records document.
      - name: stlegacy
        resourceGroup: rg-mon
        location: eastus
        properties:
          immutableStorageWithVersioning:
            enabled: true
            immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 400, state: Locked }
        archive: { blobEndpoint: "${azurite}", format: records }
      # Mutable, and a lifecycle rule that deletes every blob after 30 days.
      - name: stmutable
        resourceGroup: rg-mon
        location: eastus
        lifecycle:
          rules:
            - name: cost-saver
              definition: { actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 30 } } } }
        archive: { blobEndpoint: "${azurite}" }
      - name: stunlocked
        resourceGroup: rg-mon
        location: eastus
        containers: [{ name: insights-logs-auditevent, immutabilityPolicy: { days: 365, state: Unlocked } }]
        archive: { blobEndpoint: "${azurite}" }
      # Old TLS, public access, another region, Premium.
      - name: stinsecure
        resourceGroup: rg-mon
        location: westeurope
        sku: Premium_LRS
        kind: BlockBlobStorage
        containers: [${LOCKED}]
        properties: { minimumTlsVersion: TLS1_0, allowBlobPublicAccess: true }
        archive: { blobEndpoint: "${azurite}" }
      # Nothing archived inside the window.
      - name: stsilent
        resourceGroup: rg-mon
        location: eastus
        containers: [${LOCKED}]
        archive: { blobEndpoint: "${azurite}" }
      # The scanning identity has no data-plane role (the simulator answers 403 AuthorizationPermissionMismatch).
      - name: stdenied
        resourceGroup: rg-mon
        location: eastus
        containers: [${LOCKED}]
        archive: { dataAccess: denied }
    managedHsms:
${managed("mhsm-locked", "stlocked")}
${managed("mhsm-mutable", "stmutable")}
${managed("mhsm-unlocked", "stunlocked")}
${managed("mhsm-insecure", "stinsecure")}
${managed("mhsm-silent", "stsilent", "{ every: 1d, from: 30d, to: 20d, operations: [KeyGet] }")}
${managed("mhsm-denied", "stdenied")}
${managed("mhsm-noarchive", undefined)}
      - name: mhsm-table
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law-short-table
            logAnalyticsDestinationType: Dedicated
            logs: [{ category: AuditEvent, enabled: true }]
          - name: to-event-hub
            eventHubAuthorizationRuleId: /subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.EventHub/namespaces/eh-audit/authorizationRules/RootManageSharedAccessKey
            eventHubName: hsm-audit
            logs: [{ category: AuditEvent, enabled: true }]
          - name: to-partner
            marketplacePartnerId: /subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.Datadog/monitors/dd-audit
            logs: [{ category: AuditEvent, enabled: true }]
        activity:
          - { every: 2h, from: 3d, to: 1h, operations: [KeyGet] }
    cloudHsmClusters:
      - name: chsm-legacy
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law-audit
            storageAccount: stlegacy
            logs: [{ categoryGroup: allLogs, enabled: true }]
        activity:
          - { every: 3h, from: 3d, to: 2h, operations: [CN_LOGIN, HASH_SINGLE_CALL, CN_LOGOUT] }
`;
}

let azurite: RunningAzurite;
let target: ScanTarget;
let run: ScanRun;
let result: Result;
let seeded: number;
let snapshotFile: string;

beforeAll(async () => {
  const certificates = generateCertificates();
  azurite = await startAzurite(certificates);
  target = await startScanTarget(estateYaml(azurite.blobEndpoint), { certificates });
  seeded = await azurite.seed(target.estate);
  snapshotFile = join(tempDir("hsm-audit-snapshot-"), "snapshot.json");
  run = await scanInProcess(target, ["--log-window", "7d", "--snapshot-out", snapshotFile]);
  result = run.result!;
});

afterAll(async () => {
  await target?.close();
  await azurite?.close();
  cleanUp();
});

const archiveStatuses = (hsm: string) => Object.fromEntries(ARCHIVE_POLICIES.map((p) => [p, statusOf(result, p, hsm)]));

describe("a scan of storage archives (simulator + Azurite)", () => {
  test("the blobs Azurite holds are those the estate archives", () => {
    const accounts = ["stlocked", "stlegacy", "stmutable", "stunlocked", "stinsecure", "stsilent"];
    const expected = accounts.reduce((n, a) => n + (archiveBlobs(target.estate).get(a)?.length ?? 0), 0);
    expect(seeded).toBe(expected);
    expect(seeded).toBeGreaterThan(0);
    expect(result).toBeDefined();
    expect(run.stderr).not.toMatch(/TypeError|ReferenceError/);
  });

  test("a locked, long-kept archive of JSON lines passes every archive policy", () => {
    expect(archiveStatuses("mhsm-locked")).toEqual(Object.fromEntries(ARCHIVE_POLICIES.map((p) => [p, "pass"])));
    expect(findingOf(result, "archive-flowing", "mhsm-locked")?.message).toMatch(
      /JSON lines, first record Key(Get|Sign)/,
    );
  });

  test("account-level immutability and the older records document pass (a Cloud HSM through allLogs)", () => {
    expect(archiveStatuses("chsm-legacy")).toEqual(Object.fromEntries(ARCHIVE_POLICIES.map((p) => [p, "pass"])));
    expect(findingOf(result, "archive-flowing", "chsm-legacy")?.message).toMatch(/a records document/);
  });

  test("a mutable archive with a 30-day delete rule fails immutability and retention", () => {
    expect(archiveStatuses("mhsm-mutable")).toEqual({
      "archive-immutable": "fail",
      "archive-retention": "fail",
      "archive-secure": "pass",
      "archive-flowing": "pass",
    });
    expect(findingOf(result, "archive-immutable", "mhsm-mutable")?.message).toMatch(/no immutability policy/);
    expect(findingOf(result, "archive-retention", "mhsm-mutable")?.message).toMatch(
      /rule 'cost-saver' deletes them 30 days after last modification/,
    );
    // The fix names the account: the remediation is filled for this finding.
    expect(findingOf(result, "archive-retention", "mhsm-mutable")?.remediation.azCli).toMatch(/stmutable/);
  });

  test("an Unlocked retention policy fails with its own message", () => {
    expect(statusOf(result, "archive-immutable", "mhsm-unlocked")).toBe("fail");
    expect(findingOf(result, "archive-immutable", "mhsm-unlocked")?.message).toMatch(
      /Unlocked retention policy of 365 days/,
    );
  });

  test("old TLS, public access, another region and Premium are each listed", () => {
    const finding = findingOf(result, "archive-secure", "mhsm-insecure");
    expect(finding?.status).toBe("fail");
    expect(finding?.message).toMatch(/TLS1_0.*anonymous.*westeurope.*Premium/);
  });

  test("nothing archived inside the window fails archive-flowing, after listing only the window's days", () => {
    expect(statusOf(result, "archive-flowing", "mhsm-silent")).toBe("fail");
    expect(findingOf(result, "archive-flowing", "mhsm-silent")?.message).toMatch(
      /holds no hourly blob of mhsm-silent on the 8 day\(s\)/,
    );
  });

  test("a 403 from the blob data plane is an error that names the role, never a pass", () => {
    const finding = findingOf(result, "archive-flowing", "mhsm-denied");
    expect(finding?.status).toBe("error");
    expect(finding?.message).toMatch(
      /HTTP 403 AuthorizationPermissionMismatch\): grant the scanning identity the Storage Blob Data Reader role/,
    );
    expect(run.code).toBe(1);
  });

  test("an HSM without a storage destination is not applicable to the archive policies", () => {
    expect(archiveStatuses("mhsm-noarchive")).toEqual(
      Object.fromEntries(ARCHIVE_POLICIES.map((p) => [p, "not_applicable"])),
    );
  });

  test("a table's own retention shorter than the workspace's fails workspace-retention", () => {
    expect(statusOf(result, "workspace-retention", "mhsm-table")).toBe("fail");
    expect(findingOf(result, "workspace-retention", "mhsm-table")?.message).toMatch(
      /table AZKVAuditLogs of workspace law-short-table keeps 30 days/,
    );
  });

  test("blobs are listed by one day's prefix at a time, never the whole container (Azurite's log and the evidence)", () => {
    const lists = azurite.requests().filter((line) => /comp=list/i.test(line));
    expect(lists.length).toBeGreaterThan(0);
    for (const line of lists)
      expect(decodeURIComponent(line)).toMatch(/prefix=resourceId=\/SUBSCRIPTIONS\/[^ ]*\/y=\d{4}\/m=\d{2}\/d=\d{2}\//);
    const evidence = result.evidence.filter((e) => /comp=list/.test(e.url));
    // Each list request is one day of one HSM: at most the window's 8 calendar days per HSM archived in Azurite.
    expect(evidence.length).toBeGreaterThan(0);
    for (const e of evidence)
      expect(decodeURIComponent(e.url)).toMatch(/prefix=resourceId=\/SUBSCRIPTIONS\/.*\/d=\d{2}\//);
    const silent = evidence.filter((e) => decodeURIComponent(e.url).includes("/MHSM-SILENT/"));
    expect(silent.length).toBe(8);
  });

  test("the blob exchanges are evidence, and the archive shows in the HSM's destinations", () => {
    const reads = result.evidence.filter((e) => e.url.startsWith(azurite.blobEndpoint) && /PT1H\.json/.test(e.url));
    expect(reads.length).toBeGreaterThan(0);
    const locked = result.resources.find((r) => r.name === "mhsm-locked");
    const archive = locked?.destinations?.find((d) => d.kind === "storageAccount");
    expect(archive?.detail).toMatch(/insights-logs-auditevent locked 400 days/);
    expect(archive?.detail).toMatch(/newest archived hour/);
  });
});

describe("the snapshot's archive facts", () => {
  test("the newest hour read is the estate's newest archived blob of the HSM, hashed as read from Azurite", () => {
    const snapshot = JSON.parse(readFileSync(snapshotFile, "utf8")) as Snapshot;
    const account = snapshot.storageAccounts.find((a) => a.id.endsWith("/stlocked"))!;
    const arrival = account.arrivals!.find((a) => a.hsmId.endsWith("/mhsm-locked"))!;
    if (!("value" in arrival.result)) throw new Error(arrival.result.error.message);
    const newest = arrival.result.value.newest!;
    const blobs = archiveBlobs(target.estate).get("stlocked")!;
    const last = blobs.filter((b) => b.name.includes("/MHSM-LOCKED/")).pop()!;
    expect(newest.name).toBe(last.name);
    expect(newest.headBytes).toBe(last.content.length);
    expect(newest.headSha256).toBe(createHash("sha256").update(last.content).digest("hex"));
    // Only the window's days were listed, newest first, and the walk stopped at the first day with an hour.
    const days = arrival.result.value.daysListed;
    expect(days[days.length - 1]).toBe(`${last.name.split("/h=")[0]}/`);
  });
});

describe("Event Hub and partner destinations", () => {
  test("are recorded in the HSM's destinations as not checked", () => {
    const hsm = result.resources.find((r) => r.name === "mhsm-table");
    const kinds = Object.fromEntries((hsm?.destinations ?? []).map((d) => [d.kind, d.state]));
    expect(kinds).toMatchObject({ eventHub: "not-checked", partner: "not-checked", workspace: "exists" });
  });

  test("a policy profile can require them through log-destination-configured's params", async () => {
    const dir = join(tempDir("hsm-audit-profile-"), "policies");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "streaming-required.yaml"),
      `id: streaming-required
title: Audit log streamed to the SIEM
description: The audit category also reaches an event hub and a partner solution.
severity: high
appliesTo: [cloudHsm, managedHsm]
check: destination-configured
params:
  destinations: [logAnalytics, eventHub, partner]
rationale: The SOC reads the stream.
remediation:
  azCli: az monitor diagnostic-settings list --resource {{resourceId}}
  powershell: Get-AzDiagnosticSetting -ResourceId {{resourceId}}
references: []
`,
    );
    const profiled = await scanInProcess(target, ["--policies", dir]);
    expect(statusOf(profiled.result, "streaming-required", "mhsm-table")).toBe("pass");
    expect(statusOf(profiled.result, "streaming-required", "mhsm-locked")).toBe("fail");
    expect(findingOf(profiled.result, "streaming-required", "mhsm-locked")?.message).toMatch(
      /not to an event hub or a partner solution/,
    );
  });
});
