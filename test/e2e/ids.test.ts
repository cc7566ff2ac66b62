// Two spellings of one workspace, end to end: a diagnostic setting may name its workspace in another case or with a
// trailing slash, and ARM (so the simulator) routes its records to that workspace all the same. The scan must read it
// as one workspace, and every HSM that sends to it must keep its own records: the verdicts equal those of the same
// estate spelled canonically.
import type { Result } from "../../src/model/result.js";
import { idKey } from "../../src/domain/ids.js";
import { cleanUp, findingOf, startScanTarget, statusOf } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-000000000005";
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-audit`;

/** A Managed HSM that deleted a key, sending to `law-audit` by name; a Cloud HSM sending to it as `spelling` says. */
function estate(spelling: string) {
  return `tenantId: 00000000-0000-4000-8000-0000000000ee
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Spellings
    workspaces:
      - name: law-audit
        resourceGroup: rg-mon
        location: eastus
        customerId: eeeeeeee-0000-4000-8000-000000000005
        retentionInDays: 400
    managedHsms:
      - name: mhsm-keys
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: law-audit, logs: [{ category: AuditEvent, enabled: true }] }]
        activity:
          - { every: 2h, from: 3d, operations: [KeySign, KeyGet], callers: [10.1.0.4] }
          - { ago: 5h, operation: KeyDelete, caller: 10.1.0.9, identity: admin@contoso.example }
    cloudHsmClusters:
      - name: chsm-other
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings: [{ name: audit, workspace: '${spelling}', logs: [{ category: HsmServiceOperations, enabled: true }] }]
        activity:
          - { every: 3h, from: 3d, operations: [CN_LOGIN, CN_LOGOUT], callers: [10.0.0.4] }
`;
}

async function scanOf(spelling: string): Promise<Result> {
  const target = await startScanTarget(estate(spelling));
  try {
    const run = await scanInProcess(target, ["--log-window", "7d"]);
    expect(run.stderr).toBe("");
    return run.result!;
  } finally {
    await target.close();
  }
}

const verdicts = (result: Result) =>
  result.findings
    .map((f) => `${f.policyId} ${f.resourceId.toLowerCase()} ${f.status}`)
    .sort()
    .join("\n");

let canonical: Result;
beforeAll(async () => {
  canonical = await scanOf("law-audit");
});

test("the canonical spelling: both HSMs' records are found, and the key deletion is seen", () => {
  expect(statusOf(canonical, "logs-flowing", "mhsm-keys")).toBe("pass");
  expect(statusOf(canonical, "logs-flowing", "chsm-other")).toBe("pass");
  expect(statusOf(canonical, "activity-sensitive-operations", "mhsm-keys")).toBe("fail");
  expect(findingOf(canonical, "activity-sensitive-operations", "mhsm-keys")!.message).toMatch(/KeyDelete/);
});

test.each([
  ["a trailing slash", `${WORKSPACE}/`],
  ["another case and a trailing slash", `${WORKSPACE.replace("law-audit", "LAW-Audit").toUpperCase()}/`],
  ["two trailing slashes", `${WORKSPACE}//`],
  ["another case", WORKSPACE.replace("/resourceGroups/rg-mon/", "/resourcegroups/RG-MON/")],
])(
  "a setting naming the workspace with %s: one workspace, and the verdicts of the canonical spelling",
  async (_, spelling) => {
    const result = await scanOf(spelling);
    // The correctly configured HSM keeps its records, and its key deletion is still seen.
    expect(statusOf(result, "logs-flowing", "mhsm-keys")).toBe("pass");
    expect(statusOf(result, "activity-sensitive-operations", "mhsm-keys")).toBe("fail");
    expect(findingOf(result, "activity-sensitive-operations", "mhsm-keys")!.message).toMatch(/KeyDelete/);
    expect(statusOf(result, "logs-flowing", "chsm-other")).toBe("pass");
    expect(verdicts(result)).toBe(verdicts(canonical));
    // One workspace in the report.
    const destinations = result.resources.flatMap((r) => r.destinations ?? []).filter((d) => d.kind === "workspace");
    expect(new Set(destinations.map((d) => idKey(d.id)))).toEqual(new Set([idKey(WORKSPACE)]));
  },
);
