// A trail that covers a moment is not a trail that covers the period, end to end: the real CLI scans the simulator
// over a 30-day window. Four records in the last three hours leave 30 days of silence before them; an HSM that wrote
// nothing gets no highlight as "pass"; and a diagnostic setting deleted and recreated inside the window is found in
// the Activity Log.
import type { Result } from "../../src/model/result.js";
import { cleanUp, findingOf, scan, startScanTarget } from "../helpers/cli.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-00000000007a";
const AUDIT = "logs: [{ category: HsmServiceOperations, enabled: true }]";

const ESTATE = `tenantId: 00000000-0000-4000-8000-0000000000cc
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Trail
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
`;

let result: Result;

beforeAll(async () => {
  const target = await startScanTarget(ESTATE);
  try {
    const run = await scan(target, ["--log-window", "30d"]);
    expect(run.stderr).toBe("");
    result = run.result!;
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
