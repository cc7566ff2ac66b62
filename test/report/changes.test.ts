// Month over month: the changes between two results, case by case: each finding's move, HSMs that appear and go,
// ids re-cased, scopes that differ, waivers that expired, errors that are new; and the exit code of `diff`.
import { summarise } from "../../src/engine/evaluate.js";
import { changeKind, changesExitCode, computeChanges } from "../../src/report/changes.js";
import type { FailOn, Finding, Result, ResultWaiver, Severity, Status } from "../../src/model/result.js";
import { validateResult, firstError } from "../../src/model/schemas.js";

const SUB = "11111111-2222-4333-8444-555555555555";
const OTHER_SUB = "99999999-8888-4777-8666-555555555555";
const hsmId = (name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/${name}`;

type Spec = [policy: string, hsm: string, status: Status, severity?: Severity];

interface ResultSpec {
  findings: Spec[];
  hsms?: string[];
  failOn?: FailOn;
  startedAt?: string;
  cloud?: string;
  tenantIds?: string[];
  subscriptions?: string[];
  waivers?: ResultWaiver[];
  errors?: Result["errors"];
  excluded?: string[];
  policyPack?: string;
}

function result(spec: ResultSpec): Result {
  const failOn = spec.failOn ?? "low";
  const findings: Finding[] = spec.findings.map(([policyId, hsm, status, severity]) => ({
    policyId,
    resourceId: hsm.startsWith("/") ? hsm : hsmId(hsm),
    status,
    severity: severity ?? "high",
    message: `${hsm} ${status}s ${policyId}.`,
    evidence: [],
    remediation: { azCli: "", powershell: "" },
    title: policyId,
  }));
  const hsms = spec.hsms ?? [...new Set(spec.findings.map(([, hsm]) => hsm))];
  const startedAt = spec.startedAt ?? "2026-11-01T10:00:00.000Z";
  return {
    schemaVersion: 1,
    tool: { name: "hsm-audit", version: "0.1.0" },
    runId: `run-${startedAt}`,
    startedAt,
    finishedAt: startedAt,
    scope: {
      cloud: spec.cloud ?? "AzureCloud",
      subscriptions: spec.subscriptions ?? [SUB],
      ...(spec.tenantIds ? { tenantIds: spec.tenantIds } : {}),
    },
    logWindow: { duration: "P7D", start: startedAt, end: startedAt },
    policyPack: { version: "0.1.0", sha256: spec.policyPack ?? "a".repeat(64) },
    failOn,
    summary: summarise(findings, failOn, spec.waivers),
    resources: hsms.map((hsm) => {
      const id = hsm.startsWith("/") ? hsm : hsmId(hsm);
      return {
        id,
        type: "Microsoft.HardwareSecurityModules/cloudHsmClusters",
        kind: "cloudHsm" as const,
        name: id.split("/").pop()!,
        subscriptionId: id.split("/")[2]!,
        resourceGroup: "rg-hsm",
        location: "eastus",
      };
    }),
    findings,
    errors: spec.errors ?? [],
    evidence: [],
    ...(spec.waivers ? { waivers: spec.waivers } : {}),
    ...(spec.excluded ? { excluded: spec.excluded.map((h) => ({ resourceId: hsmId(h), pattern: "*" })) } : {}),
  };
}

const previousOf = (spec: ResultSpec) => ({
  result: result({ startedAt: "2026-10-01T10:00:00.000Z", ...spec }),
  sha256: "b".repeat(64),
});

/** Each change as `kind policy hsm before>after [gating]`, for tables that read as specifications. */
const lines = (before: ResultSpec, after: ResultSpec) =>
  computeChanges(previousOf(before), result(after)).findings.map(
    (f) =>
      `${f.kind} ${f.policyId} ${f.resourceId.split("/").pop()} ${f.before ?? "-"}>${f.after ?? "-"}${f.gating ? " gating" : ""}`,
  );

describe("changeKind: how a finding moved", () => {
  test.each<[Status | undefined, Status | undefined, string | undefined]>([
    ["pass", "fail", "new-failure"],
    [undefined, "fail", "new-failure"],
    ["waived", "fail", "new-failure"],
    ["error", "fail", "new-failure"],
    ["fail", "pass", "resolved"],
    ["fail", "not_applicable", "changed"],
    ["pass", "error", "new-error"],
    ["fail", "error", "new-error"],
    [undefined, "error", "new-error"],
    ["fail", "waived", "changed"],
    ["fail", "manual", "changed"],
    ["error", "pass", "changed"],
    ["fail", undefined, "changed"],
    ["error", undefined, "changed"],
    [undefined, "waived", "changed"],
    ["pass", "pass", undefined],
    ["fail", "fail", undefined],
    [undefined, "pass", undefined],
    [undefined, "not_applicable", undefined],
    ["pass", undefined, undefined],
  ])("%s -> %s: %s", (before, after, kind) => {
    expect(changeKind(before, after)).toBe(kind);
  });
});

describe("computeChanges: findings by (policy, resource)", () => {
  test.each<[string, ResultSpec, ResultSpec, string[]]>([
    ["nothing changed", { findings: [["p1", "a", "fail"]] }, { findings: [["p1", "a", "fail"]] }, []],
    [
      "a pass that fails is a new gating failure",
      { findings: [["p1", "a", "pass"]] },
      { findings: [["p1", "a", "fail"]] },
      ["new-failure p1 a pass>fail gating"],
    ],
    [
      "a new failure below fail-on is listed, not gating",
      { findings: [["p1", "a", "pass", "info"]] },
      { findings: [["p1", "a", "fail", "info"]] },
      ["new-failure p1 a pass>fail"],
    ],
    [
      "a failure fixed is resolved",
      { findings: [["p1", "a", "fail"]] },
      { findings: [["p1", "a", "pass"]] },
      ["resolved p1 a fail>pass"],
    ],
    [
      "a failure now waived is a changed verdict, not resolved",
      { findings: [["p1", "a", "fail"]] },
      { findings: [["p1", "a", "waived"]] },
      ["changed p1 a fail>waived"],
    ],
    [
      "a failure that can no longer be judged is a new error, not resolved",
      { findings: [["p1", "a", "fail"]] },
      { findings: [["p1", "a", "error"]] },
      ["new-error p1 a fail>error"],
    ],
    [
      "re-casing the id hides nothing: same HSM, and its new failure is found",
      { findings: [["p1", "chsm-a", "pass"]] },
      { findings: [["p1", hsmId("CHSM-A").toUpperCase(), "fail"]] },
      ["new-failure p1 CHSM-A pass>fail gating"],
    ],
    [
      "a trailing slash hides nothing either",
      { findings: [["p1", "a", "fail"]] },
      { findings: [["p1", `${hsmId("a")}/`, "fail"]] },
      [],
    ],
    [
      "an HSM re-created under another name: its failure is new and gating; the old one's is gone",
      { findings: [["p1", "a", "fail"]] },
      { findings: [["p1", "a-renamed", "fail"]] },
      ["new-failure p1 a-renamed ->fail gating", "changed p1 a fail>-"],
    ],
    [
      "a failure whose severity rose past fail-on is a new gating failure",
      { findings: [["p1", "a", "fail", "info"]] },
      { findings: [["p1", "a", "fail", "high"]] },
      ["new-failure p1 a fail>fail gating"],
    ],
    [
      "a result naming a pair twice is compared by the worse finding",
      { findings: [["p1", "a", "pass"]] },
      {
        findings: [
          ["p1", "a", "pass"],
          ["p1", hsmId("A"), "fail"],
        ],
        hsms: ["a"],
      },
      ["new-failure p1 A pass>fail gating"],
    ],
    [
      "a new HSM that passes says nothing per finding",
      { findings: [["p1", "a", "pass"]] },
      {
        findings: [
          ["p1", "a", "pass"],
          ["p1", "b", "pass"],
        ],
      },
      [],
    ],
    [
      "gating failures first, then errors, changes, resolutions",
      {
        findings: [
          ["p1", "a", "fail"],
          ["p2", "a", "pass"],
          ["p3", "a", "pass"],
          ["p4", "a", "pass", "info"],
        ],
      },
      {
        findings: [
          ["p1", "a", "pass"],
          ["p2", "a", "error"],
          ["p3", "a", "fail"],
          ["p4", "a", "fail", "info"],
        ],
      },
      [
        "new-failure p3 a pass>fail gating",
        "new-failure p4 a pass>fail",
        "new-error p2 a pass>error",
        "resolved p1 a fail>pass",
      ],
    ],
  ])("%s", (_name, before, after, expected) => {
    expect(lines(before, after)).toEqual(expected);
  });
});

describe("computeChanges: HSMs, scope, waivers, errors", () => {
  test("new and removed HSMs, with why one is gone and what it left unresolved", () => {
    const changes = computeChanges(
      previousOf({
        findings: [
          ["p1", "kept", "pass"],
          ["p1", "deleted", "fail"],
          ["p1", "excluded", "error"],
          ["p1", hsmId("elsewhere", OTHER_SUB), "fail"],
        ],
        subscriptions: [SUB, OTHER_SUB],
      }),
      result({
        findings: [
          ["p1", "kept", "pass"],
          ["p1", "new", "fail"],
        ],
        excluded: ["excluded"],
      }),
    );
    expect(changes.newHsms.map((h) => [h.name, h.unresolved])).toEqual([["new", 1]]);
    expect(changes.removedHsms.map((h) => [h.name, h.reason, h.unresolved])).toEqual([
      ["deleted", "not-found", 1],
      ["excluded", "excluded", 1],
      ["elsewhere", "out-of-scope", 1],
    ]);
    expect(changes.differences).toEqual([{ field: "subscriptions", before: `${SUB}, ${OTHER_SUB}`, after: SUB }]);
    expect(changes.comparable).toBe(true);
    expect(changes.gating).toBe(1);
  });

  test.each<[string, Partial<ResultSpec>, Partial<ResultSpec>, boolean, string[]]>([
    ["the same estate", {}, {}, true, []],
    ["another cloud", {}, { cloud: "AzureUSGovernment" }, false, ["cloud"]],
    ["the cloud's name in another case", {}, { cloud: "azurecloud" }, true, []],
    ["another tenant", { tenantIds: ["t-one"] }, { tenantIds: ["t-two"] }, false, ["tenants"]],
    ["a tenant added", { tenantIds: ["t-one"] }, { tenantIds: ["t-one", "t-two"] }, true, ["tenants"]],
    ["subscriptions sharing none", {}, { subscriptions: [OTHER_SUB] }, false, ["subscriptions"]],
    ["the subscription id in upper case", {}, { subscriptions: [SUB.toUpperCase()] }, true, []],
    [
      "another policy pack and threshold",
      {},
      { policyPack: "c".repeat(64), failOn: "high" },
      true,
      ["policyPack", "failOn"],
    ],
  ])("scope: %s", (_name, before, after, comparable, fields) => {
    const changes = computeChanges(
      previousOf({ findings: [["p1", "a", "pass"]], ...before }),
      result({ findings: [["p1", "a", "pass"]], ...after }),
    );
    expect(changes.comparable).toBe(comparable);
    expect(changes.differences.map((d) => d.field)).toEqual(fields);
  });

  const waiver = (state: ResultWaiver["state"], expires = "2026-10-15"): ResultWaiver => ({
    index: 1,
    policy: "p1",
    resource: hsmId("a"),
    reason: "accepted",
    owner: "owner",
    ticket: "SEC-1",
    expires,
    state,
    findings: [],
  });
  test.each<[string, ResultWaiver[] | undefined, ResultWaiver[] | undefined, number]>([
    ["applied then, expired now", [waiver("applied")], [waiver("expired")], 1],
    ["not on file then, expired now", undefined, [waiver("expired")], 1],
    ["already expired then", [waiver("expired")], [waiver("expired")], 0],
    ["the same waiver renewed", [waiver("applied")], [waiver("applied", "2027-01-31")], 0],
    ["a renewed waiver that expired again", [waiver("expired")], [waiver("expired", "2026-10-31")], 1],
  ])("waivers: %s", (_name, before, after, expired) => {
    const changes = computeChanges(
      previousOf({ findings: [["p1", "a", "pass"]], ...(before ? { waivers: before } : {}) }),
      result({ findings: [["p1", "a", "pass"]], ...(after ? { waivers: after } : {}) }),
    );
    expect(changes.expiredWaivers).toHaveLength(expired);
  });

  test("read errors: new ones only, once each, the resource compared case-insensitively", () => {
    const err = (purpose: string, id: string) => ({ for: purpose, resourceId: id, message: `${purpose} failed` });
    const changes = computeChanges(
      previousOf({ findings: [["p1", "a", "pass"]], errors: [err("diagnostic settings", hsmId("a"))] }),
      result({
        findings: [["p1", "a", "pass"]],
        errors: [err("diagnostic settings", hsmId("A")), err("workspace", hsmId("a")), err("workspace", hsmId("a"))],
      }),
    );
    expect(changes.newReadErrors.map((e) => e.for)).toEqual(["workspace"]);
  });
});

describe("at scale", () => {
  test("two packs of 3,000 HSMs that share none: every HSM new and gone, each with its unresolved count", () => {
    const estate = (prefix: string): Spec[] =>
      Array.from({ length: 3000 }, (_, i) =>
        ["p1", "p2", "p3", "p4", "p5"].map((p, j): Spec => [p, `${prefix}-${i}`, j === 0 ? "fail" : "pass"]),
      ).flat();
    // Every element read of the packs' findings and resources is counted (no clock): linear in them, where counting
    // each HSM's findings over all of them would read 3,000 x 15,000.
    let reads = 0;
    const counted = <T>(list: T[]): T[] =>
      new Proxy(list, {
        get(target, key, receiver) {
          if (typeof key === "string" && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    const watched = (r: Result): Result => ({ ...r, findings: counted(r.findings), resources: counted(r.resources) });
    const previous = previousOf({ findings: estate("old") });
    const changes = computeChanges(
      { ...previous, result: watched(previous.result) },
      watched(result({ findings: estate("new") })),
    );
    const elements = 2 * (15_000 + 3_000);
    expect(reads).toBeGreaterThanOrEqual(elements);
    expect(reads).toBeLessThan(10 * elements);
    expect(changes.newHsms).toHaveLength(3000);
    expect(changes.removedHsms).toHaveLength(3000);
    expect(changes.removedHsms.every((h) => h.unresolved === 1)).toBe(true);
    expect(changes.gating).toBe(3000);
  });
});

describe("changesExitCode: what diff exits with", () => {
  test.each<[string, Spec[], Spec[], ResultSpec["errors"], number]>([
    ["no change", [["p1", "a", "fail"]], [["p1", "a", "fail"]], [], 0],
    ["a new gating failure", [["p1", "a", "pass"]], [["p1", "a", "fail"]], [], 1],
    ["a new failure below fail-on", [["p1", "a", "pass", "info"]], [["p1", "a", "fail", "info"]], [], 0],
    ["a resolved failure", [["p1", "a", "fail"]], [["p1", "a", "pass"]], [], 0],
    ["a new error finding", [["p1", "a", "pass"]], [["p1", "a", "error"]], [], 3],
    ["a new read error", [["p1", "a", "pass"]], [["p1", "a", "pass"]], [{ for: "x", message: "403" }], 3],
    [
      "a new gating failure beside a new error",
      [
        ["p1", "a", "pass"],
        ["p2", "a", "pass"],
      ],
      [
        ["p1", "a", "fail"],
        ["p2", "a", "error"],
      ],
      [],
      1,
    ],
  ])("%s", (_name, before, after, errors, code) => {
    const changes = computeChanges(previousOf({ findings: before }), result({ findings: after, errors: errors ?? [] }));
    expect(changesExitCode(changes)).toBe(code);
  });
});

describe("the changes field of result.json", () => {
  test("a result with changes is valid against the result schema", () => {
    const current = result({ findings: [["p1", "a", "fail"]] });
    const withChanges = {
      ...current,
      changes: computeChanges(
        previousOf({
          findings: [
            ["p1", "a", "pass"],
            ["p1", "gone", "fail"],
          ],
        }),
        current,
      ),
    };
    expect(validateResult(withChanges) || firstError(validateResult.errors)).toBe(true);
  });

  test("a field the schema does not name is refused", () => {
    const current = result({ findings: [["p1", "a", "fail"]] });
    const changes = { ...computeChanges(previousOf({ findings: [["p1", "a", "pass"]] }), current), extra: 1 };
    expect(validateResult({ ...current, changes })).toBe(false);
  });
});
