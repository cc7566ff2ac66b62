// A trail that covers a moment is not a trail that covers the period, end to end: the CLI's scan (in this process, the
// real SDK clients over HTTPS) reads the simulator over a 30-day window. Four records in the last three hours leave 30 days of silence before them; an HSM that wrote
// nothing gets no highlight as "pass"; and a diagnostic setting deleted and recreated inside the window is found in
// the Activity Log.
import type { Result } from "../../src/model/result.js";
import { cleanUp, findingOf, startScanTarget } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-00000000007a";
const AUDIT = "logs: [{ category: HsmServiceOperations, enabled: true }]";

const estate = (faults = "") => `tenantId: 00000000-0000-4000-8000-0000000000cc
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Trail
    pageSize: 2 # the Activity Log answers in pages of two events (nextLink)
    workspaces:
      - name: law-audit
        resourceGroup: rg-mon
        location: eastus
        customerId: cccccccc-0000-4000-8000-00000000007a
        retentionInDays: 400
    cloudHsmClusters:
      # Four records, all in the last three hours of a 30-day window.
      - name: chsm-moment
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, ${AUDIT} }]
        activity:
          - { every: 1h, from: 3h, to: 0s, operations: [CN_LOGIN], callers: [10.0.0.1] }
      # Nothing at all in the log.
      - name: chsm-mute
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, ${AUDIT} }]
      # A record every six hours over the whole window: no silence.
      - name: chsm-steady
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, ${AUDIT} }]
        activity:
          - { every: 6h, from: 30d, to: 0s, operations: [CN_LOGIN], callers: [10.0.0.3] }
        settingEvents:
          # A delete that the service refused changed nothing.
          - { ago: 20d, operation: delete, setting: audit, status: Failed, caller: intern@contoso.example }
      # Its audit setting deleted on day 12 and recreated on day 10: present at the scan, absent for two days.
      - name: chsm-recreated
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, ${AUDIT} }]
        activity:
          - { every: 6h, from: 30d, to: 0s, operations: [CN_LOGIN], callers: [10.0.0.4] }
        settingEvents:
          - { ago: 12d, operation: delete, setting: audit, status: Started, correlationId: del-1, caller: mallory@contoso.example }
          - { ago: 12d, operation: delete, setting: audit, correlationId: del-1, caller: mallory@contoso.example }
          - { ago: 10d, operation: write, setting: audit, caller: mallory@contoso.example }
      # The event names the setting's id in capitals, as a caller may have spelled it.
      - name: chsm-shouting
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, ${AUDIT} }]
        activity:
          - { every: 6h, from: 30d, to: 0s, operations: [CN_LOGIN], callers: [10.0.0.5] }
        settingEvents:
          - ago: 5d
            operation: write
            setting: audit
            caller: mallory@contoso.example
            resourceId: /SUBSCRIPTIONS/${SUB.toUpperCase()}/RESOURCEGROUPS/RG-HSM/PROVIDERS/MICROSOFT.HARDWARESECURITYMODULES/CLOUDHSMCLUSTERS/CHSM-SHOUTING/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/AUDIT
${faults}`;

let result: Result;
let activityLogRequests: string[];

beforeAll(async () => {
  const target = await startScanTarget(estate());
  try {
    const run = await scanInProcess(target, ["--log-window", "30d"]);
    expect(run.stderr).toBe("");
    result = run.result!;
    activityLogRequests = target.sim.requests.filter((r) => r.route === "activityLog").map((r) => r.url);
  } finally {
    await target.close();
  }
});

test("four records in the last three hours of a 30-day window: the silence before them fails the trail-gap check", () => {
  const gap = findingOf(result, "activity-trail-gap", "chsm-moment")!;
  expect(gap.status).toBe("fail");
  expect(gap.message).toMatch(/wrote nothing from the start of the window \(/);
  expect(gap.message).toContain(result.logWindow.start);
  expect(findingOf(result, "logs-flowing", "chsm-moment")!.status).toBe("pass");
});

test("a trail that covers the window passes the trail-gap check", () => {
  const gap = findingOf(result, "activity-trail-gap", "chsm-steady")!;
  expect(gap.status).toBe("pass");
});

test("an HSM with no record in the log: every highlight is not applicable with the reason, none passes", () => {
  expect(findingOf(result, "logs-flowing", "chsm-mute")!.status).toBe("fail");
  const highlights = result.findings.filter(
    (f) => f.policyId.startsWith("activity-") && f.resourceId.toLowerCase().endsWith("/chsm-mute"),
  );
  expect(highlights.length).toBeGreaterThanOrEqual(5);
  for (const finding of highlights)
    expect([finding.policyId, finding.status]).toEqual([finding.policyId, "not_applicable"]);
  // Those that judge Cloud HSMs at all say why: nothing was recorded.
  const judged = highlights.filter((f) => !/does not apply to Cloud HSMs/.test(f.message));
  expect(judged.length).toBeGreaterThanOrEqual(3);
  for (const finding of judged) {
    expect(finding.message).toMatch(/holds no audit record of chsm-mute in the window .* \(see logs-flowing\)/);
  }
});

describe("diagnostic-setting-continuous: the audit setting existed throughout the period", () => {
  test("the Activity Log of the group is read over the whole window, every page, filtered as the service documents", () => {
    expect(activityLogRequests.length).toBeGreaterThan(1);
    const first = new URL(activityLogRequests[0]!, "https://sim");
    expect(first.searchParams.get("api-version")).toBe("2015-04-01");
    expect(first.searchParams.get("$filter")).toBe(
      `eventTimestamp ge '${result.logWindow.start}' and eventTimestamp le '${result.logWindow.end}' and resourceGroupName eq 'rg-hsm'`,
    );
    expect(activityLogRequests.slice(1).every((u) => u.includes("skiptoken"))).toBe(true);
  });

  test("a setting deleted and recreated inside the window fails, naming the time, the operation and the caller", () => {
    const finding = findingOf(result, "diagnostic-setting-continuous", "chsm-recreated")!;
    expect(finding.status).toBe("fail");
    expect(finding.severity).toBe("high");
    expect(finding.message).toMatch(
      /changed inside the window .*: a delete of setting 'audit' at \S+ by mallory@contoso.example \(2 changes in all\)/,
    );
    expect(finding.evidence.length).toBeGreaterThan(0);
    // It is present now: the checks of the state at the scan pass.
    expect(findingOf(result, "diagnostic-setting-present", "chsm-recreated")!.status).toBe("pass");
  });

  test("an event on the setting's id spelled in capitals counts", () => {
    const finding = findingOf(result, "diagnostic-setting-continuous", "chsm-shouting")!;
    expect(finding.status).toBe("fail");
    expect(finding.message).toMatch(/a write of setting 'AUDIT'/);
  });

  test("no change in the window (a refused delete changes nothing): pass", () => {
    const steady = findingOf(result, "diagnostic-setting-continuous", "chsm-steady")!;
    expect(steady.status).toBe("pass");
    expect(steady.message).toMatch(/1 failed attempt/);
    expect(findingOf(result, "diagnostic-setting-continuous", "chsm-moment")!.status).toBe("pass");
  });

  test("a page of the Activity Log that fails: error, exit 3 when nothing fails", async () => {
    const target = await startScanTarget(
      estate("faults:\n  - { route: activityLog, after: 1, status: 500, times: 100 }\n"),
    );
    try {
      const run = await scanInProcess(target, ["--log-window", "30d", "--fail-on", "critical"]);
      const finding = findingOf(run.result, "diagnostic-setting-continuous", "chsm-steady")!;
      expect(finding.status).toBe("error");
      expect(finding.message).toMatch(/could not be read .*HTTP 500/);
      expect(run.code).toBe(3);
    } finally {
      await target.close();
    }
  });

  test("a window that starts more than 90 days before the scan: error, with the reason", async () => {
    const target = await startScanTarget(estate());
    try {
      const run = await scanInProcess(target, ["--log-window", "100d"]);
      const finding = findingOf(run.result, "diagnostic-setting-continuous", "chsm-steady")!;
      expect(finding.status).toBe("error");
      expect(finding.message).toMatch(/more than 90 days before the scan .* keeps only 90 days/);
      expect(target.sim.requests.filter((r) => r.route === "activityLog")).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});
