// evaluate(): the built-in policies over builder snapshots. One finding per (policy, resource), a summary and an exit
// code that agree, the same result every time, and remediation commands that are safe to paste.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate } from "../../src/engine/evaluate.js";
import { BUILT_IN_POLICIES, loadPolicies } from "../../src/engine/policy.js";
import { exitCode, FAIL_ON_VALUES, type FailOn, type Finding, type Result } from "../../src/model/result.js";
import type { HsmFacts, ManagementGroupScope, Snapshot } from "../../src/model/snapshot.js";
import {
  activity,
  activityLogRead,
  sentinelWorkspace,
  OTHER_SUBSCRIPTION_ID,
  SUBSCRIPTION_ID,
  WORKSPACE,
  STORAGE,
  archiveAccount,
  arrival,
  newestHour,
  cloudHsm,
  dedicatedHsm,
  failed,
  known,
  managedHsm,
  row,
  sample,
  setting,
  snapshot,
  subscription,
  workspace,
  workspaceId,
} from "../helpers/snapshots.js";

const policies = loadPolicies();
const HSM_POLICIES = policies.filter((p) => !p.appliesTo.includes("subscription")).map((p) => p.id);
const SUBSCRIPTION_POLICIES = policies.filter((p) => p.appliesTo.includes("subscription")).map((p) => p.id);
const THIRD_SUBSCRIPTION_ID = "33333333-3333-4333-8333-333333333333";

/** A Cloud HSM whose audit trail is complete: setting, category, workspace that exists and keeps a year, records. */
const compliantCloudHsm = cloudHsm({
  settings: [
    setting({ name: "audit-to-law", category: "HsmServiceOperations", workspaceId: WORKSPACE }),
    setting({ name: "audit-to-archive", category: "HsmServiceOperations", storageAccountId: STORAGE }),
  ],
});
const compliantManagedHsm = managedHsm({
  settings: [setting({ name: "audit-to-law", category: "AuditEvent", workspaceId: WORKSPACE })],
});
const bareManagedHsm = managedHsm({ name: "Mhsm-Bare", settings: [] });
const luna = dedicatedHsm();

/** Quiet, regular activity: a record every six hours from the same address, and nothing sensitive. */
function quietActivity(...hsms: HsmFacts[]) {
  const series = hsms.flatMap((h) =>
    Array.from({ length: 28 }, (_, i) => ({
      hsmId: h.id.toLowerCase(),
      bin: new Date(Date.parse("2025-06-01T13:00:00Z") + i * 6 * 3_600_000).toISOString(),
      records: 2,
    })),
  );
  const callers = hsms.map((h) => ({
    hsmId: h.id.toLowerCase(),
    caller: "10.0.0.4",
    identity: "",
    records: 56,
    failures: 0,
    first: "2025-06-01T13:00:00.000Z",
    last: "2025-06-08T07:00:00.000Z",
    firstLogin: "2025-06-01T13:00:00.000Z",
  }));
  // The operations add up to what the log query counted (row() in logSamples): the answers agree.
  const operations = hsms.map((h) => ({
    hsmId: h.id.toLowerCase(),
    operation: h.kind === "cloudHsm" ? "CN_LOGIN" : "KeySign",
    records: 20,
    failures: 0,
    first: "2025-06-01T13:00:00.000Z",
    last: "2025-06-08T07:00:00.000Z",
  }));
  return activity(WORKSPACE, hsms, { series, callers, operations });
}

const HSM_RULE =
  'union AZKVAuditLogs, CloudHsmServiceOperationAuditLogs | where OperationName in ("KeyDelete", "CN_TOMBSTONE_OBJECT")';

const compliantDestinations = {
  workspaces: [
    sentinelWorkspace(WORKSPACE, { onboarded: true, rules: [{ name: "HSM key destruction", query: HSM_RULE }] }),
  ],
  logSamples: [sample(WORKSPACE, { rows: [row(compliantCloudHsm, 20), row(compliantManagedHsm, 5)] })],
  activitySamples: [quietActivity(compliantCloudHsm, compliantManagedHsm)],
  // The Activity Log of their group shows no change to their settings in the window.
  activityLogs: [activityLogRead()],
  // An immutable archive with no lifecycle policy, whose newest hour of the Cloud HSM is inside the window.
  storageAccounts: [
    archiveAccount(STORAGE, {
      properties: {
        immutableStorageWithVersioning: true,
        accountImmutabilityPolicy: { periodDays: 400, state: "Locked" },
      },
      arrivals: [
        arrival(
          compliantCloudHsm,
          "HsmServiceOperations",
          newestHour(compliantCloudHsm, "HsmServiceOperations", "2025-06-08T11:00:00.000Z"),
        ),
      ],
    }),
  ],
};

/**
 * Subscription A holds a compliant Cloud HSM, a Managed HSM without settings and a Dedicated HSM; B holds no HSM and
 * every list was read; C holds no HSM found, but its Managed HSM list failed.
 */
function estate(): Snapshot {
  return snapshot({
    subscriptions: [
      subscription({
        subscriptionId: SUBSCRIPTION_ID,
        displayName: "Payments",
        inventory: { cloudHsm: 1, managedHsm: 1, dedicatedHsm: 1 },
      }),
      subscription({ subscriptionId: OTHER_SUBSCRIPTION_ID }),
      subscription({
        subscriptionId: THIRD_SUBSCRIPTION_ID,
        inventory: { managedHsm: failed("AuthorizationFailed", 403) },
      }),
    ],
    hsms: [compliantCloudHsm, bareManagedHsm, luna],
    ...compliantDestinations,
  });
}

const run = (s: Snapshot, failOn: FailOn = "low") => evaluate(s, policies, { failOn });
const findingOf = (result: Result, policyId: string, resourceId: string) =>
  result.findings.find((f) => f.policyId === policyId && f.resourceId === resourceId);

describe("findings", () => {
  const result = run(estate());

  test("one finding per (policy, resource): every HSM policy per HSM, subscription policies per judged subscription", () => {
    const keys = result.findings.map((f) => `${f.policyId} ${f.resourceId}`);
    const expected = [
      ...[compliantCloudHsm, bareManagedHsm, luna].flatMap((h) => HSM_POLICIES.map((p) => `${p} ${h.id}`)),
      ...SUBSCRIPTION_POLICIES.map((p) => `${p} /subscriptions/${SUBSCRIPTION_ID}`),
      // A subscription whose lists failed is not known to hold an HSM: only its inventory is judged.
      `hsm-inventory-complete /subscriptions/${THIRD_SUBSCRIPTION_ID}`,
    ];
    expect([...keys].sort()).toEqual([...expected].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("a subscription that holds no HSM and whose lists were all read gets no finding", () => {
    expect(result.findings.filter((f) => f.resourceId.includes(OTHER_SUBSCRIPTION_ID))).toEqual([]);
  });

  test("a subscription whose HSM list failed is judged, and its inventory is an error", () => {
    expect(findingOf(result, "hsm-inventory-complete", `/subscriptions/${THIRD_SUBSCRIPTION_ID}`)?.status).toBe(
      "error",
    );
    expect(findingOf(result, "hsm-inventory-complete", `/subscriptions/${SUBSCRIPTION_ID}`)?.status).toBe("pass");
  });

  test("a Dedicated HSM is manual for appliance evidence and not applicable for the rest", () => {
    const statuses = Object.fromEntries(
      result.findings.filter((f) => f.resourceId === luna.id).map((f) => [f.policyId, f.status]),
    );
    expect(statuses).toEqual(
      Object.fromEntries(HSM_POLICIES.map((p) => [p, p === "appliance-audit-evidence" ? "manual" : "not_applicable"])),
    );
  });

  test("appliance evidence is not applicable to Cloud and Managed HSMs, with a message saying so", () => {
    for (const hsm of [compliantCloudHsm, bareManagedHsm]) {
      const finding = findingOf(result, "appliance-audit-evidence", hsm.id);
      expect(finding?.status).toBe("not_applicable");
      expect(finding?.message).toMatch(/does not apply to (Cloud|Managed) HSMs/);
    }
  });

  test("the compliant Cloud HSM passes every policy that applies to it", () => {
    const statuses = result.findings
      .filter((f) => f.resourceId === compliantCloudHsm.id && f.policyId !== "appliance-audit-evidence")
      .map((f) => `${f.policyId}: ${f.status}`);
    const forCloudHsm = policies.filter((p) => p.appliesTo.includes("cloudHsm")).map((p) => p.id);
    expect(statuses).toEqual(
      HSM_POLICIES.filter((p) => p !== "appliance-audit-evidence").map(
        (p) => `${p}: ${forCloudHsm.includes(p) ? "pass" : "not_applicable"}`,
      ),
    );
  });

  test("a Managed HSM without settings fails the policies that need one, and passes none", () => {
    const findings = result.findings.filter((f) => f.resourceId === bareManagedHsm.id);
    expect(findings).toHaveLength(HSM_POLICIES.length);
    // What it did cannot be read without a workspace: the highlights do not apply, and say why.
    const highlights = findings.filter((f) => f.policyId.startsWith("activity-"));
    expect(highlights.map((f) => f.status)).toEqual(highlights.map(() => "not_applicable"));
    // A storage archive is optional: without one, the archive policies do not apply.
    const archive = findings.filter((f) => f.policyId.startsWith("archive-"));
    expect(archive.map((f) => f.status)).toEqual(archive.map(() => "not_applicable"));
    expect(archive.length).toBe(4);
    const rest = findings.filter(
      (f) =>
        !f.policyId.startsWith("activity-") &&
        !f.policyId.startsWith("archive-") &&
        !f.policyId.startsWith("appliance-"),
    );
    expect(rest.filter((f) => f.status !== "fail").map((f) => `${f.policyId}: ${f.status}`)).toEqual([]);
    expect(rest.length).toBeGreaterThan(6);
  });

  test("a finding carries its policy's severity and title, and its evidence sorted without repeats", () => {
    for (const f of result.findings) {
      const policy = policies.find((p) => p.id === f.policyId)!;
      expect({ severity: f.severity, title: f.title }).toEqual({ severity: policy.severity, title: policy.title });
      expect(f.evidence).toEqual([...new Set(f.evidence)].sort());
    }
  });

  test("every evidence id a finding cites is listed in the result's evidence", () => {
    const listed = new Set(result.evidence.map((e) => e.id));
    const cited = result.findings.flatMap((f) => f.evidence);
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((id) => !listed.has(id))).toEqual([]);
  });

  test("every exchange is listed in the evidence, cited or not (an empty list is evidence too)", () => {
    const s = estate();
    s.evidence.push(
      { ...s.evidence[0]!, id: "ev-uncited-403", status: 403 },
      { ...s.evidence[0]!, id: "ev-uncited-200" },
    );
    const ids = run(s).evidence.map((e) => e.id);
    expect(ids).toEqual(s.evidence.map((e) => e.id));
    expect(ids).toContain("ev-uncited-403");
    expect(ids).toContain("ev-uncited-200");
  });

  test("resources list every HSM", () => {
    expect(result.resources.map((r) => r.id)).toEqual([compliantCloudHsm.id, bareManagedHsm.id, luna.id]);
  });

  test("a tenant whose subscriptions could not be listed gets the inventory finding alone", () => {
    const tenant = run(
      snapshot({ subscriptions: [], subscriptionList: failed("AuthorizationFailed listing subscriptions", 403) }),
    );
    expect(tenant.findings.map((f) => [f.policyId, f.resourceId, f.status])).toEqual([
      ["hsm-inventory-complete", "/subscriptions", "error"],
    ]);
    expect(exitCode(tenant.findings, "low")).toBe(3);
  });
});

describe("a scan scoped to management groups", () => {
  const group = (descendants: ManagementGroupScope["descendants"], id = "mg-payments"): ManagementGroupScope => ({
    id,
    descendants,
  });

  test("its descendants list unread: the inventory finding alone, an error, with everything excluded too", () => {
    const s = snapshot({
      subscriptions: [],
      managementGroups: [
        group(failed("could not read the descendants of management group mg-payments: HTTP 403", 403)),
      ],
    });
    for (const result of [run(s), evaluate(s, policies, { failOn: "low", exclude: ["/**"] })]) {
      expect(result.findings.map((f) => [f.policyId, f.resourceId, f.status])).toEqual([
        ["hsm-inventory-complete", "/subscriptions", "error"],
      ]);
      expect(result.summary.compliant).toBe(false);
      expect(result.summary.exitCode).toBe(3);
      expect(result.scope.managementGroups).toEqual([{ id: "mg-payments" }]);
    }
  });

  test("a group that holds no subscription is an error, never compliant", () => {
    const result = run(
      snapshot({
        subscriptions: [],
        managementGroups: [group(known({ subscriptions: [], managementGroups: [] }, "ev-mg"))],
      }),
    );
    expect(result.findings.map((f) => [f.policyId, f.status, f.evidence])).toEqual([
      ["hsm-inventory-complete", "error", ["ev-mg"]],
    ]);
    expect(result.summary.compliant).toBe(false);
    expect(result.scope.managementGroups).toEqual([{ id: "mg-payments", subscriptions: 0 }]);
  });

  test("its subscriptions are judged as any others, and the scope records how many it named", () => {
    const s = snapshot({
      hsms: [compliantCloudHsm],
      managementGroups: [group(known({ subscriptions: [SUBSCRIPTION_ID], managementGroups: ["mg-eu"] }, "ev-mg"))],
    });
    const result = run(s);
    expect(result.scope.managementGroups).toEqual([{ id: "mg-payments", subscriptions: 1 }]);
    expect(result.scope.subscriptions).toEqual([SUBSCRIPTION_ID]);
    expect(result.findings.some((f) => f.resourceId === "/subscriptions")).toBe(false);
    // The findings are those of the same subscriptions scanned by name.
    const { managementGroups: _scoped, ...byName } = s.scope;
    expect(result.findings).toEqual(run({ ...s, scope: byName }).findings);
  });

  test("one group unread among several: the inventory is an error naming it, the others' subscriptions still judged", () => {
    const s = snapshot({
      hsms: [compliantCloudHsm],
      managementGroups: [
        group(known({ subscriptions: [SUBSCRIPTION_ID], managementGroups: [] }, "ev-mg")),
        group(failed("HTTP 403", 403), "mg-denied"),
      ],
    });
    const result = run(s);
    expect(result.scope.managementGroups).toEqual([{ id: "mg-payments", subscriptions: 1 }, { id: "mg-denied" }]);
    const tenant = result.findings.filter((f) => f.resourceId === "/subscriptions");
    expect(tenant.map((f) => [f.policyId, f.status])).toEqual([["hsm-inventory-complete", "error"]]);
    expect(tenant[0]!.message).toMatch(/management group mg-denied could not be listed/);
    expect(tenant[0]!.message).not.toMatch(/mg-payments/);
    const { managementGroups: _scoped, ...byName } = s.scope;
    const alone = run({ ...s, scope: byName }).findings;
    expect(result.findings.filter((f) => f.resourceId !== "/subscriptions")).toEqual(alone);
    expect(result.summary.exitCode).toBe(3);
  });
});

describe("determinism", () => {
  test("evaluating twice gives byte-identical results", () => {
    const s = estate();
    expect(JSON.stringify(run(s))).toBe(JSON.stringify(run(s)));
  });

  test("a copy of the snapshot (as saved and loaded) gives the same result", () => {
    const s = estate();
    expect(JSON.stringify(run(JSON.parse(JSON.stringify(s)) as Snapshot))).toBe(JSON.stringify(run(s)));
  });

  test("evaluation does not change the snapshot", () => {
    const s = estate();
    const before = JSON.stringify(s);
    run(s);
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe("each evaluation reads its own snapshot", () => {
  // evaluate() looks each HSM's audit trail and each record up once per call: nothing it looked up may carry over
  // to the next call, whether that call judges another snapshot or the same snapshot changed since.
  const statusOf = (result: Result, policyId: string) => findingOf(result, policyId, compliantCloudHsm.id)?.status;
  const POLICIES = ["audit-category-enabled", "log-destination-configured", "logs-flowing", "workspace-retention"];
  const statuses = (result: Result) => POLICIES.map((id) => statusOf(result, id));
  const compliant = () => snapshot({ hsms: [compliantCloudHsm], ...compliantDestinations });

  test("another snapshot with the same HSM id but other settings gets its own verdicts", () => {
    const a = compliant();
    const first = run(a);
    expect(statuses(first)).toEqual(["pass", "pass", "pass", "pass"]);
    // The same HSM id with no diagnostic setting at all.
    const bare = cloudHsm({ settings: [] });
    expect(bare.id).toBe(compliantCloudHsm.id);
    const second = run(snapshot({ hsms: [bare], ...compliantDestinations }));
    expect(statuses(second)).toEqual(["fail", "fail", "fail", "fail"]);
    expect(second.resources[0]!.diagnosticSettings).toEqual({ evidence: expect.any(Array), settings: [] });
    // The same settings, but a workspace that keeps a month and holds no record of it.
    const third = run(
      snapshot({
        hsms: [cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] })],
        ...compliantDestinations,
        workspaces: [workspace(WORKSPACE, { retentionInDays: 30 })],
        logSamples: [sample(WORKSPACE, { rows: [] }, [compliantCloudHsm.id])],
      }),
    );
    expect(statuses(third)).toEqual(["pass", "pass", "fail", "fail"]);
    expect(third.resources[0]!.activity).toEqual([expect.objectContaining({ records: 0 })]);
    // And the first snapshot again: exactly its first result.
    expect(JSON.stringify(run(a))).toBe(JSON.stringify(first));
  });

  test("a snapshot changed between two evaluations is judged as it is at the second", () => {
    const s = compliant();
    expect(statuses(run(s))).toEqual(["pass", "pass", "pass", "pass"]);
    s.hsms[0] = { ...s.hsms[0]!, diagnosticSettings: known([]) };
    expect(statuses(run(s))).toEqual(["fail", "fail", "fail", "fail"]);
    s.hsms[0] = compliantCloudHsm;
    s.workspaces = [workspace(WORKSPACE, { retentionInDays: 30 })];
    s.logSamples = [sample(WORKSPACE, { rows: [row(compliantCloudHsm, 0)] })];
    expect(statuses(run(s))).toEqual(["pass", "pass", "fail", "fail"]);
  });
});

describe("exclusions", () => {
  test("a pattern that matches everything leaves HSMs out, never a failed subscription list or HSM list", () => {
    const s = snapshot({
      subscriptions: [],
      subscriptionList: failed("AuthorizationFailed listing subscriptions", 403),
    });
    const result = evaluate(s, policies, { failOn: "low", exclude: ["/**"] });
    expect(result.findings.map((f) => [f.policyId, f.resourceId, f.status])).toEqual([
      ["hsm-inventory-complete", "/subscriptions", "error"],
    ]);
    expect(result.summary.compliant).toBe(false);
    const hsms = evaluate(estate(), policies, { failOn: "low", exclude: ["/**"] });
    // The estate's one subscription whose Managed HSM list failed keeps its inventory error, and nothing else.
    const failedList = estate().subscriptions.filter((sub) => Object.values(sub.inventory).some((f) => "error" in f));
    expect(failedList.length).toBe(1);
    const failedId = `/subscriptions/${failedList[0]!.subscriptionId}`;
    expect(hsms.findings.map((f) => [f.policyId, f.resourceId, f.status])).toEqual([
      ["hsm-inventory-complete", failedId, "error"],
    ]);
    expect(hsms.summary.compliant).toBe(false);
    expect(hsms.excluded!.length).toBeGreaterThan(3);
  });
});

describe("fixes that look at the records", () => {
  test("query the log window of the scan, not a fixed week", () => {
    const silent = cloudHsm({
      name: "chsm-silent",
      settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })],
    });
    const result = run(
      snapshot({
        hsms: [silent],
        workspaces: [workspace(WORKSPACE, { retentionInDays: 400 })],
        logSamples: [sample(WORKSPACE, { rows: [] }, [silent.id])],
      }),
    );
    const fix = findingOf(result, "logs-flowing", silent.id)!;
    expect(fix.status).toBe("fail");
    expect(fix.remediation.azCli).toContain("--timespan '2025-06-01T12:00:00.000Z/2025-06-08T12:00:00.000Z'");
    expect(fix.remediation.powershell).toContain("New-TimeSpan -Days '7'");
  });
});

describe("summary and exit code", () => {
  const tally = (findings: Finding[]) => ({
    pass: findings.filter((f) => f.status === "pass").length,
    fail: findings.filter((f) => f.status === "fail").length,
    error: findings.filter((f) => f.status === "error").length,
    waived: findings.filter((f) => f.status === "waived").length,
    notApplicable: findings.filter((f) => f.status === "not_applicable").length,
    manual: findings.filter((f) => f.status === "manual").length,
  });

  test("the summary counts the findings", () => {
    const result = run(estate());
    const { compliant: _compliant, exitCode: _exitCode, ...counts } = result.summary;
    expect(counts).toEqual(tally(result.findings));
    expect(counts.pass + counts.fail + counts.error + counts.notApplicable + counts.manual).toBe(
      result.findings.length,
    );
    expect(Math.min(counts.pass, counts.fail, counts.error, counts.notApplicable, counts.manual)).toBeGreaterThan(0);
  });

  test.each(FAIL_ON_VALUES)("summary.compliant is exitCode(...) === 0 with --fail-on %s", (failOn) => {
    for (const s of [estate(), snapshot({ hsms: [compliantCloudHsm, luna], ...compliantDestinations })]) {
      const result = run(s, failOn);
      expect(result.failOn).toBe(failOn);
      expect(result.summary.compliant).toBe(exitCode(result.findings, failOn) === 0);
      expect(result.summary.exitCode).toBe(exitCode(result.findings, failOn));
    }
  });

  test("a compliant estate exits 0", () => {
    const result = run(snapshot({ hsms: [compliantCloudHsm, compliantManagedHsm], ...compliantDestinations }));
    expect(result.summary).toMatchObject({ fail: 0, error: 0, manual: 0, compliant: true });
    expect(exitCode(result.findings, "low")).toBe(0);
  });

  test("a Dedicated HSM awaiting manual review leaves compliance unproven: exit 3", () => {
    const result = run(snapshot({ hsms: [compliantCloudHsm, compliantManagedHsm, luna], ...compliantDestinations }));
    expect(result.summary).toMatchObject({ fail: 0, error: 0, manual: 1, compliant: false });
    expect(exitCode(result.findings, "low")).toBe(3);
  });

  test("a medium fail (retention) counts at --fail-on medium, not at --fail-on high", () => {
    const s = snapshot({
      hsms: [compliantCloudHsm],
      ...compliantDestinations,
      workspaces: [
        { ...compliantDestinations.workspaces[0]!, info: workspace(WORKSPACE, { retentionInDays: 30 }).info },
      ],
    });
    expect(
      run(s, "medium")
        .findings.filter((f) => f.status === "fail")
        .map((f) => f.policyId),
    ).toEqual(["workspace-retention"]);
    expect([exitCode(run(s, "medium").findings, "medium"), run(s, "medium").summary.compliant]).toEqual([1, false]);
    expect([exitCode(run(s, "high").findings, "high"), run(s, "high").summary.compliant]).toEqual([0, true]);
  });

  test("an unreadable destination makes the run incomplete (exit 3), never compliant", () => {
    const s = snapshot({
      hsms: [compliantCloudHsm],
      ...compliantDestinations,
      workspaces: [workspace(WORKSPACE, failed("AuthorizationFailed reading the workspace", 403))],
    });
    const result = run(s);
    expect(result.summary).toMatchObject({ fail: 0, compliant: false });
    expect(result.summary.error).toBeGreaterThan(0);
    expect(exitCode(result.findings, "low")).toBe(3);
  });

  const f = (status: Finding["status"], severity: Finding["severity"] = "high") => ({ status, severity });
  test.each<[string, ReturnType<typeof f>[], FailOn, 0 | 1 | 3]>([
    ["fail above failOn", [f("fail", "critical")], "high", 1],
    ["fail at failOn", [f("fail", "high")], "high", 1],
    ["fail below failOn", [f("fail", "medium")], "high", 0],
    ["info fail at failOn info", [f("fail", "info")], "info", 1],
    ["info fail below the default low", [f("fail", "info")], "low", 0],
    ["error with no fail", [f("pass"), f("error", "low")], "low", 3],
    ["error with a fail below failOn", [f("fail", "low"), f("error", "critical")], "high", 3],
    ["fail and error", [f("error", "critical"), f("fail", "medium")], "low", 1],
    ["never with a fail", [f("fail", "critical")], "never", 0],
    ["never with an error", [f("fail", "critical"), f("error", "info")], "never", 3],
    ["manual only: not proven", [f("manual", "critical"), f("manual")], "low", 3],
    ["manual and a counted fail", [f("manual"), f("fail", "high")], "low", 1],
    ["pass, not applicable and waived", [f("pass"), f("not_applicable"), f("waived", "critical")], "info", 0],
    ["nothing", [], "low", 0],
  ])("%s → %i", (_label, findings, failOn, code) => {
    expect(exitCode(findings, failOn)).toBe(code);
  });
});

describe("remediation", () => {
  const hostile = "chsm'; rm -rf / #$(whoami)";
  const hostileHsm = cloudHsm({ name: hostile });
  const result = run(snapshot({ hsms: [hostileHsm] }));
  const remediation = findingOf(result, "diagnostic-setting-present", hostileHsm.id)!.remediation;

  test("an id holding quotes and $(...) is single-quoted for the shell, with ' written as '\\''", () => {
    expect(hostileHsm.id).toContain(hostile);
    const quotedName = `chsm'\\''; rm -rf / #$(whoami)'`;
    expect(remediation.azCli).toContain(
      `--resource '/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-Hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/${quotedName}`,
    );
  });

  test("an id holding quotes is a PowerShell verbatim string, with ' doubled", () => {
    expect(remediation.powershell).toContain(
      `-ResourceId '/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-Hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm''; rm -rf / #$(whoami)'`,
    );
  });

  test("typographic quotes, which also close PowerShell strings, are doubled", () => {
    const hsm = cloudHsm({ name: "chsm\u2019x" });
    const powershell = findingOf(run(snapshot({ hsms: [hsm] })), "diagnostic-setting-present", hsm.id)!.remediation
      .powershell;
    expect(powershell).toContain("/chsm\u2019\u2019x'");
  });

  test("the shell reads the quoted id back as one argument, exactly (harmless payload)", () => {
    const payload = 'chsm\'; echo INJECTED #$(echo INJECTED) `echo INJECTED` "x"';
    // With a workspace, so that no placeholder is left as <name> (which a shell reads as a redirection).
    const hsm = cloudHsm({ name: payload, settings: [setting({ category: "Other", workspaceId: WORKSPACE })] });
    const azCli = findingOf(run(snapshot({ hsms: [hsm] })), "audit-category-enabled", hsm.id)!.remediation.azCli;
    // `az` replaced by a function that prints its arguments, one a line.
    const shell = spawnSync("sh", ["-c", `az() { for a in "$@"; do printf '%s\\n' "$a"; done; }\n${azCli}`], {
      encoding: "utf8",
    });
    expect({ status: shell.status, stderr: shell.stderr }).toEqual({ status: 0, stderr: "" });
    const args = shell.stdout.split("\n");
    expect(args[args.indexOf("--resource") + 1]).toBe(hsm.id);
    expect(args).not.toContain("INJECTED");
  });

  test("subscription placeholders are filled and quoted", () => {
    const finding = findingOf(run(estate()), "hsm-inventory-complete", `/subscriptions/${THIRD_SUBSCRIPTION_ID}`)!;
    expect(finding.status).toBe("error");
    expect(finding.remediation.azCli).toContain(`--scope '/subscriptions/${THIRD_SUBSCRIPTION_ID}'`);
  });

  test("a passing finding carries no fix", () => {
    const finding = findingOf(run(estate()), "insights-provider-registered", `/subscriptions/${SUBSCRIPTION_ID}`)!;
    expect(finding.status).toBe("pass");
    expect(finding.remediation).toEqual({ azCli: "", powershell: "" });
  });

  test("a value that is not known is left as '<name>' for the reader, never silently empty and never a redirection", () => {
    expect(remediation.azCli).toContain("--workspace '<workspaceId>'");
    expect(remediation.azCli).toContain(`--logs '[{"category":"HsmServiceOperations","enabled":true}]'`);
  });

  test("the workspace of the HSM's setting is filled in where it is known", () => {
    const finding = findingOf(
      run(
        snapshot({
          hsms: [compliantCloudHsm],
          ...compliantDestinations,
          workspaces: [workspace(WORKSPACE, { retentionInDays: 30 })],
        }),
      ),
      "workspace-retention",
      compliantCloudHsm.id,
    )!;
    expect(finding.status).toBe("fail");
    expect(finding.remediation.azCli).toBe(
      `az monitor log-analytics workspace update --ids '${WORKSPACE}' --retention-time '365'`,
    );
    expect(finding.remediation.powershell).toContain("-ResourceGroupName 'RG-Logs' -Name 'law-audit'");
  });
});

describe("the one rule: a pass must rest on evidence", () => {
  test("a pass with no evidence record behind it becomes an error", () => {
    const hsm = compliantCloudHsm;
    const result = run(
      snapshot({
        subscriptions: [subscription({ provider: known({ registrationState: "Registered" }, []) })],
        hsms: [hsm],
        ...compliantDestinations,
      }),
    );
    const finding = findingOf(result, "insights-provider-registered", `/subscriptions/${SUBSCRIPTION_ID}`)!;
    expect(finding).toMatchObject({ status: "error", evidence: [] });
    expect(finding.message).toMatch(/Registered.*no evidence record backs it/);
    expect(exitCode(result.findings, "low")).toBe(3);
    expect(result.summary.compliant).toBe(false);
  });

  test("the same fact with its evidence passes", () => {
    const result = run(
      snapshot({
        subscriptions: [subscription({ provider: known({ registrationState: "Registered" }, "ev-provider") })],
        hsms: [compliantCloudHsm],
        ...compliantDestinations,
      }),
    );
    expect(findingOf(result, "insights-provider-registered", `/subscriptions/${SUBSCRIPTION_ID}`)).toMatchObject({
      status: "pass",
      evidence: ["ev-provider"],
    });
  });

  test("a manual finding without evidence stays manual (it claims nothing)", () => {
    const s = snapshot({
      subscriptions: [subscription({ inventory: { dedicatedHsm: known({ count: 1 }, []) } })],
      hsms: [luna],
    });
    expect(findingOf(run(s), "appliance-audit-evidence", luna.id)).toMatchObject({ status: "manual", evidence: [] });
  });
});

describe("remediation names what the finding is about", () => {
  const metrics = workspaceId("law-metrics");
  const hsm = cloudHsm({
    settings: [
      setting({ name: "a-metrics-to-law", category: "HsmMetricsLogs", workspaceId: metrics }),
      setting({ name: "b-audit-to-law", category: "HsmServiceOperations", workspaceId: WORKSPACE }),
    ],
  });

  test("the retention fix targets the workspace that receives the audit log, not another one the HSM sends to", () => {
    const result = run(
      snapshot({
        hsms: [hsm],
        workspaces: [workspace(metrics, { retentionInDays: 730 }), workspace(WORKSPACE, { retentionInDays: 30 })],
      }),
    );
    const finding = findingOf(result, "workspace-retention", hsm.id)!;
    expect(finding.status).toBe("fail");
    expect(finding.remediation.azCli).toContain(`--ids '${WORKSPACE}'`);
    expect(finding.remediation.azCli).not.toContain("law-metrics");
  });

  test("the categories of a user policy are the ones its fix enables", () => {
    const dir = mkdtempSync(join(tmpdir(), "hsm-audit-policy-"));
    try {
      const builtIn = readFileSync(join(BUILT_IN_POLICIES, "audit-category-enabled.yaml"), "utf8");
      writeFileSync(
        join(dir, "audit-category-enabled.yaml"),
        builtIn.replace("cloudHsm: [HsmServiceOperations]", "cloudHsm: [HsmServiceOperations, HsmOperations]"),
      );
      const custom = loadPolicies([dir]);
      const result = evaluate(snapshot({ hsms: [hsm] }), custom, { failOn: "low" });
      const finding = findingOf(result, "audit-category-enabled", hsm.id)!;
      expect(finding.status).toBe("fail");
      expect(finding.remediation.azCli).toContain(
        `--logs '[{"category":"HsmServiceOperations","enabled":true},{"category":"HsmOperations","enabled":true}]'`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a policy that does not apply carries no fix", () => {
    const finding = findingOf(run(snapshot({ hsms: [luna] })), "diagnostic-setting-present", luna.id)!;
    expect(finding.status).toBe("not_applicable");
    expect(finding.remediation).toEqual({ azCli: "", powershell: "" });
  });
});
