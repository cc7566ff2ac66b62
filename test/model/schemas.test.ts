// The schemas published in docs/ are the ones the tool validates with (regenerate them with `npm run schemas`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  firstError,
  RESULT_SCHEMA,
  SNAPSHOT_SCHEMA,
  snapshotRefusal,
  validateResult,
  validateSnapshot,
} from "../../src/model/schemas.js";
import { activity, cloudHsm, managedHsm, setting, snapshot, WORKSPACE } from "../helpers/snapshots.js";
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
  // Every object names its fields: one the contract does not name is refused, at the top and deep inside.
  expect(validateResult({ ...result(finding), unnamed: 1 })).toBe(false);
  expect(validateResult(result({ ...finding, remediation: { azCli: "", powershell: "", bash: "" } }))).toBe(false);
  // The fields this version adds are named; a result without them (an earlier version's) is valid as well.
  const collection = {
    concurrency: 8,
    armBatch: { size: 20, batches: 1, answered: 3, readAlone: 0 },
    logQueries: { workspacesPerQuery: 100, askedAgainAlone: 0 },
    retries: 0,
  };
  const current = result(finding) as ReturnType<typeof result> & { summary: Record<string, unknown> };
  current.summary = { ...current.summary, exitCode: 0 };
  current.scope = { ...current.scope, collection } as typeof current.scope;
  expect(validateResult(current)).toBe(true);
  expect(validateResult({ ...current, scope: { ...current.scope, collection: { ...collection, extra: 1 } } })).toBe(
    false,
  );
});

test("the snapshot schema refuses activity rows the engine could not read, before anything evaluates them", () => {
  const hsm = cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] });
  const good = snapshot({
    hsms: [hsm],
    activitySamples: [
      activity(WORKSPACE, [hsm], {
        failures: [
          {
            hsmId: hsm.id,
            caller: "10.0.0.4",
            identity: "",
            bin: "2025-06-03T10:00:00.000Z",
            failures: 3,
            operations: ["KeyGet"],
          },
        ],
      }),
    ],
  });
  expect(validateSnapshot(good)).toBe(true);
  const bad = JSON.parse(JSON.stringify(good)) as typeof good;
  const failures = bad.activitySamples![0]!.questions.failures.result as { value: { rows: unknown[] } };
  failures.value.rows = [{ hsmId: hsm.id }];
  expect(validateSnapshot(bad)).toBe(false);
  const series = bad.activitySamples![0]!.questions.series.result as { value: { rows: unknown[] } };
  failures.value.rows = [];
  series.value.rows = [{ hsmId: hsm.id, bin: "not a date", records: 1 }];
  expect(validateSnapshot(bad)).toBe(false);
});

test("the snapshot schema is closed: a field it does not name is refused, and the error names the field", () => {
  const hsm = cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] });
  const good = snapshot({ hsms: [hsm] });
  expect(validateSnapshot(good)).toBe(true);
  expect(validateSnapshot({ ...good, runId: "6f1d0c0e-0000-4000-8000-000000000000" })).toBe(true);
  /** The first error of the snapshot with `value` set at `path` (a field of an object, made when missing). */
  const refused = (path: (string | number)[], value: unknown): string => {
    const bad = JSON.parse(JSON.stringify(good)) as Record<string | number, unknown>;
    let node = bad;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]!] = value;
    expect(validateSnapshot(bad)).toBe(false);
    return firstError(validateSnapshot.errors);
  };
  expect(refused(["unnamed"], 1)).toBe("(document): has a field the schema does not name: 'unnamed'");
  expect(refused(["scope", "region"], "westeurope")).toBe("/scope: has a field the schema does not name: 'region'");
  // Inside a Fact: the value read, or the error that stopped the read.
  expect(refused(["hsms", 0, "diagnosticSettings", "value", 0, "owner"], "x")).toBe(
    "/hsms/0/diagnosticSettings/value/0: has a field the schema does not name: 'owner'",
  );
  expect(refused(["hsms", 0, "categories"], { error: { message: "m", retryAfter: 5 }, evidence: [] })).toBe(
    "/hsms/0/categories/error: has a field the schema does not name: 'retryAfter'",
  );
  expect(refused(["subscriptions", 0, "inventory", "paymentHsm"], { value: { count: 0 }, evidence: [] })).toMatch(
    /^\/subscriptions\/0\/inventory: the field name 'paymentHsm' must be equal to one of the allowed values/,
  );
});

describe("snapshotRefusal", () => {
  const keyGetsRow = { hsmId: managedHsm().id, caller: "10.0.0.4", identity: "", gets: 3 };
  const withKeyGets = (row: Record<string, unknown>) =>
    JSON.parse(
      JSON.stringify(
        snapshot({
          hsms: [managedHsm()],
          activitySamples: [activity(WORKSPACE, [managedHsm()], { keyGets: [row as never] })],
        }),
      ),
    ) as unknown;

  test("a snapshot of this version: none", () => {
    expect(snapshotRefusal(withKeyGets({ ...keyGetsRow, bin: "2025-06-03T10:00:00.000Z" }))).toBeUndefined();
  });

  test("one saved when key retrievals were counted per UTC day: said in those words", () => {
    expect(snapshotRefusal(withKeyGets({ ...keyGetsRow, day: "2025-06-03T00:00:00.000Z" }))).toMatch(
      /^it was saved by an earlier hsm-audit, which counted key retrievals per UTC day .*evaluate it with the version that saved it, or scan again$/,
    );
  });

  test("any other refusal: the schema's first error", () => {
    expect(snapshotRefusal({ schemaVersion: 1 })).toBe(firstError(validateSnapshot.errors));
    expect(snapshotRefusal({ schemaVersion: 1 })).toMatch(/must have required property/);
  });
});
