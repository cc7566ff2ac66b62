// The schemas published in docs/ are the ones the tool validates with (regenerate them with `npm run schemas`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RESULT_SCHEMA, SNAPSHOT_SCHEMA, validateResult } from "../../src/model/schemas.js";
import { ROOT } from "../helpers/simulator.js";

test.each([
  ["docs/result.schema.json", RESULT_SCHEMA],
  ["docs/snapshot.schema.json", SNAPSHOT_SCHEMA],
])("%s is current", (file, schema) => {
  expect(JSON.parse(readFileSync(join(ROOT, file), "utf8"))).toEqual(JSON.parse(JSON.stringify(schema)));
});

test("the result schema holds the contract: a finding without its status, or with another, is refused", () => {
  const finding = {
    policyId: "logs-flowing",
    resourceId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/managedHSMs/m",
    status: "pass",
    severity: "high",
    message: "Audit records are flowing.",
    evidence: ["ev-00001"],
    remediation: { azCli: "", powershell: "" },
  };
  const result = (f: Record<string, unknown>) => ({
    schemaVersion: 1,
    tool: { name: "hsm-audit", version: "0.1.0" },
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
    scope: { cloud: "AzureCloud", subscriptions: ["s"] },
    summary: { pass: 1, fail: 0, error: 0, waived: 0, notApplicable: 0, manual: 0, compliant: true },
    resources: [],
    findings: [f],
    evidence: [],
  });
  expect(validateResult(result(finding))).toBe(true);
  expect(validateResult(result({ ...finding, status: "passed" }))).toBe(false);
  const { status: _status, ...withoutStatus } = finding;
  expect(validateResult(result(withoutStatus))).toBe(false);
});
