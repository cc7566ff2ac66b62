// `hsm-audit scan --management-group ID` end to end: the CLI's scan over the real SDK clients (@azure/arm-managementgroups
// among them) and HTTPS to the simulator, run in this process (scanInProcess: the CLI's own option parsing, an
// injected credential and a virtual clock for the retries). A group's scan covers the subscriptions under it at every
// depth and nothing else, under ARM and Resource Graph alike; a refused or empty group, or an unreadable subscription
// in it, is never a pass (exit 3); a bad id is a usage error (exit 2) before any request. The README's example runs
// here as written, on the built CLI.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, scan, startScanTarget, statusOf, tempDir, type ScanTarget } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { CONTOSO, ROOT } from "../helpers/simulator.js";
import type { Snapshot } from "../../src/model/snapshot.js";

jest.setTimeout(180_000);
afterAll(cleanUp);

const TENANT = "00000000-0000-4000-8000-0000000000aa";
const PAYMENTS = "aaaaaaaa-0000-4000-8000-000000000001";
const PAYMENTS_EU = "aaaaaaaa-0000-4000-8000-000000000002";
const OUTSIDE = "aaaaaaaa-0000-4000-8000-000000000003";
const LOCKED = "aaaaaaaa-0000-4000-8000-000000000004";

const hsm = (name: string) => `      - { name: ${name}, resourceGroup: rg-hsm, location: eastus }`;

/**
 * Payments and Payments EU under mg-payments (the second in a nested group), a subscription outside it with an HSM of
 * its own, one the credential cannot read under mg-locked, an empty group and one whose list a fault refuses. Lists
 * are paged one item a page, so the descendants list takes several pages.
 */
const ESTATE = `tenantId: ${TENANT}
pageSize: 1
subscriptions:
  - subscriptionId: ${PAYMENTS}
    displayName: Payments
    cloudHsmClusters:
${hsm("chsm-payments")}
  - subscriptionId: ${PAYMENTS_EU}
    displayName: Payments EU
    dedicatedHsms:
${hsm("dhsm-payments-eu")}
  - subscriptionId: ${OUTSIDE}
    displayName: Elsewhere
    cloudHsmClusters:
${hsm("chsm-elsewhere")}
  - subscriptionId: ${LOCKED}
    displayName: Locked
    access: denied
    cloudHsmClusters:
${hsm("chsm-locked")}
managementGroups:
  - name: mg-payments
    subscriptions: [${PAYMENTS}]
    managementGroups:
      - { name: mg-payments-eu, subscriptions: [${PAYMENTS_EU}] }
  - { name: mg-locked, subscriptions: [${LOCKED}] }
  - name: mg-empty
    managementGroups:
      - { name: mg-empty-child }
  - { name: mg-refused, subscriptions: [${OUTSIDE}] }
faults:
  - { route: managementGroupDescendants, match: mg-refused, status: 403 }
`;

let target: ScanTarget;
beforeAll(async () => {
  target = await startScanTarget(ESTATE);
});
afterAll(() => target.close());

const readSnapshot = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Snapshot;

describe("a management group's scan covers its subscriptions at every depth, and nothing else", () => {
  test.each(["arm", "resource-graph"])("--inventory %s", async (inventory) => {
    const snapshotFile = join(tempDir(), "snapshot.json");
    const before = target.sim.requests.length;
    const run = await scanInProcess(target, [
      "--management-group",
      "mg-payments",
      "--inventory",
      inventory,
      "--snapshot-out",
      snapshotFile,
    ]);
    const requests = target.sim.requests.slice(before);
    expect(run.stderr).toBe("");
    const result = run.result!;
    expect(result.scope.managementGroups).toEqual([{ id: "mg-payments", subscriptions: 2 }]);
    expect(result.scope.subscriptions).toEqual([PAYMENTS, PAYMENTS_EU]);
    expect(result.resources.map((r) => r.name).sort()).toEqual(["chsm-payments", "dhsm-payments-eu"]);
    // Resource Graph is asked for the group's HSMs and for the subscriptions its scope covered (scoped to the group,
    // not to the subscriptions' ids).
    expect(result.scope.inventory).toEqual(
      inventory === "arm" ? { source: "arm" } : { source: "resource-graph", managementGroups: ["mg-payments"] },
    );
    const graphQueries = requests.filter((r) => r.route === "resourceGraph");
    expect(graphQueries.map((r) => r.graphScope)).toEqual(
      inventory === "arm" ? [] : [{ managementGroups: ["mg-payments"] }, { managementGroups: ["mg-payments"] }],
    );
    // Both subscriptions' inventories were read to their end; the HSM without a setting fails: exit 1.
    expect(statusOf(result, "hsm-inventory-complete", `/subscriptions/${PAYMENTS}`)).toBe("pass");
    expect(statusOf(result, "hsm-inventory-complete", `/subscriptions/${PAYMENTS_EU}`)).toBe("pass");
    expect(statusOf(result, "diagnostic-setting-present", "chsm-payments")).toBe("fail");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("management group mg-payments (2 subscriptions)");
    // The descendants list was followed page by page; the tenant's subscription list was never asked for, and no
    // request went to a subscription outside the group.
    const pages = requests.filter((r) => r.route === "managementGroupDescendants");
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.every((r) => r.url.startsWith("/providers/Microsoft.Management/managementGroups/mg-payments/"))).toBe(
      true,
    );
    expect(requests.some((r) => /^\/subscriptions(\?|$)/.test(r.url))).toBe(false);
    const snapshot = readSnapshot(snapshotFile);
    expect(snapshot.evidence.some((e) => e.url.toLowerCase().includes(OUTSIDE))).toBe(false);
    expect(snapshot.scope.managementGroups![0]).toMatchObject({
      id: "mg-payments",
      descendants: { value: { subscriptions: [PAYMENTS, PAYMENTS_EU], managementGroups: ["mg-payments-eu"] } },
    });
    // Evaluated again offline, the saved snapshot gives the same scope.
    const out = join(tempDir(), "evaluated");
    const evaluated = await runMain(["evaluate", "--snapshot", snapshotFile, "--out", out], tempDir());
    expect(evaluated.code).toBe(1);
    expect(JSON.parse(readFileSync(join(out, "result.json"), "utf8")).scope.managementGroups).toEqual([
      {
        id: "mg-payments",
        subscriptions: 2,
      },
    ]);
  });
});

describe("several management groups: the union of their subscriptions, each scanned once", () => {
  test.each(["arm", "resource-graph"])("--inventory %s", async (inventory) => {
    const before = target.sim.requests.length;
    const run = await scanInProcess(target, [
      "--management-group",
      "mg-payments",
      "--management-group",
      "mg-payments-eu",
      "--management-group",
      "mg-refused",
      "--inventory",
      inventory,
      "--format",
      "md",
    ]);
    expect(run.stderr).toBe("");
    // mg-refused's list cannot be read: an error naming it; the other groups' subscriptions are scanned, and their
    // failing HSMs make the exit code 1 (a failure outranks an error: the README's exit codes).
    expect(run.code).toBe(1);
    const result = run.result!;
    expect(result.scope.managementGroups).toEqual([
      { id: "mg-payments", subscriptions: 2 },
      { id: "mg-payments-eu", subscriptions: 1 },
      { id: "mg-refused" },
    ]);
    expect(result.scope.subscriptions).toEqual([PAYMENTS, PAYMENTS_EU]);
    expect(result.resources.map((r) => r.name).sort()).toEqual(["chsm-payments", "dhsm-payments-eu"]);
    const finding = result.findings.find(
      (f) => f.policyId === "hsm-inventory-complete" && f.resourceId === "/subscriptions",
    )!;
    expect(finding.status).toBe("error");
    expect(finding.message).toMatch(/management group mg-refused could not be listed/);
    expect(finding.message).not.toMatch(/mg-payments/);
    expect(statusOf(result, "hsm-inventory-complete", `/subscriptions/${PAYMENTS}`)).toBe("pass");
    // Payments EU is under both named groups: its subscription is read once.
    const gets = target.sim.requests
      .slice(before)
      .filter((r) => r.method === "GET" && r.url.split("?")[0]!.toLowerCase() === `/subscriptions/${PAYMENTS_EU}`);
    expect(gets).toHaveLength(1);
    // Resource Graph is asked about the groups whose lists were read (their HSMs, then the subscriptions covered).
    expect(
      target.sim.requests
        .slice(before)
        .filter((r) => r.route === "resourceGraph")
        .map((r) => r.graphScope),
    ).toEqual(
      inventory === "arm"
        ? []
        : [
            { managementGroups: ["mg-payments", "mg-payments-eu"] },
            { managementGroups: ["mg-payments", "mg-payments-eu"] },
          ],
    );
    expect(readFileSync(join(run.out, "summary.md"), "utf8")).toContain(
      "management groups mg-payments \\(2 subscriptions\\), mg-payments-eu \\(1 subscription\\), mg-refused \\(its subscriptions could not be listed\\)",
    );
  });
});

describe("Resource Graph scoped to management groups gives the verdicts ARM gives", () => {
  const verdicts = (run: Awaited<ReturnType<typeof scanInProcess>>) =>
    run.result!.findings.map((f) => `${f.policyId} ${f.resourceId.toLowerCase()} ${f.status}`).sort();

  test("mg-payments and mg-locked, by ARM and by Resource Graph: the same findings", async () => {
    const groups = ["--management-group", "mg-payments", "--management-group", "mg-locked"];
    const arm = await scanInProcess(target, [...groups, "--inventory", "arm"]);
    const before = target.sim.requests.length;
    const graph = await scanInProcess(target, [...groups, "--inventory", "resource-graph"]);
    const queries = target.sim.requests.slice(before).filter((r) => r.route === "resourceGraph");
    // The HSMs, then the subscriptions the groups' scope covered: both scoped to the groups, no subscription id named.
    expect(queries.map((r) => r.graphScope)).toEqual([
      { managementGroups: ["mg-payments", "mg-locked"] },
      { managementGroups: ["mg-payments", "mg-locked"] },
    ]);
    expect(graph.result!.scope.inventory).toEqual({
      source: "resource-graph",
      managementGroups: ["mg-payments", "mg-locked"],
    });
    expect(verdicts(graph)).toEqual(verdicts(arm));
    // The locked subscription's silence in Resource Graph is not "no HSM": its inventory is an error either way.
    expect(statusOf(graph.result, "hsm-inventory-complete", `/subscriptions/${LOCKED}`)).toBe("error");
    expect(graph.code).toBe(arm.code);
  });

  test("the group-scoped query refused: the inventory falls back to ARM and says why", async () => {
    const refusing = await startScanTarget(
      ESTATE.replace("faults:\n", "faults:\n  - { route: resourceGraph, status: 403 }\n"),
    );
    try {
      const run = await scanInProcess(refusing, ["--management-group", "mg-payments", "--inventory", "resource-graph"]);
      expect(run.stderr).toBe("");
      expect(run.result!.scope.inventory).toMatchObject({ source: "arm", fallbackFrom: "resource-graph" });
      expect(run.result!.scope.inventory!.reason).toMatch(/403/);
      expect(refusing.sim.requests.filter((r) => r.route === "resourceGraph").map((r) => r.graphScope)).toContainEqual({
        managementGroups: ["mg-payments"],
      });
      expect(statusOf(run.result, "hsm-inventory-complete", `/subscriptions/${PAYMENTS}`)).toBe("pass");
      expect(run.result!.resources.map((r) => r.name).sort()).toEqual(["chsm-payments", "dhsm-payments-eu"]);
    } finally {
      await refusing.close();
    }
  });
});

describe("what a management group's scan cannot prove is never a pass", () => {
  test("the descendants list refused (403): exit 3, nothing scanned, the inventory finding says why", async () => {
    const run = await scanInProcess(target, ["--management-group", "mg-refused", "--format", "md"]);
    expect(run.code).toBe(3);
    const result = run.result!;
    expect(result.summary.compliant).toBe(false);
    expect(result.scope.managementGroups).toEqual([{ id: "mg-refused" }]);
    expect(result.scope.subscriptions).toEqual([]);
    expect(result.resources).toEqual([]);
    const finding = result.findings.find((f) => f.policyId === "hsm-inventory-complete")!;
    expect(finding).toMatchObject({ resourceId: "/subscriptions", status: "error" });
    expect(finding.message).toMatch(
      /subscriptions of management group mg-refused could not be listed \(could not read the descendants of management group mg-refused: HTTP 403 AuthorizationFailed/,
    );
    expect(finding.evidence.length).toBeGreaterThan(0);
    expect(result.findings.filter((f) => f.status === "pass")).toEqual([]);
    expect(readFileSync(join(run.out, "summary.md"), "utf8")).toContain(
      "management group mg-refused \\(its subscriptions could not be listed\\)",
    );
  });

  test("a group that does not exist is refused the same way: exit 3", async () => {
    const run = await scanInProcess(target, ["--management-group", "mg-nowhere"]);
    expect(run.code).toBe(3);
    expect(statusOf(run.result, "hsm-inventory-complete", "/subscriptions")).toBe("error");
  });

  test("a group that holds no subscription (only an empty nested group): exit 3, never compliant", async () => {
    const run = await scanInProcess(target, ["--management-group", "mg-empty"]);
    expect(run.code).toBe(3);
    expect(run.result!.scope.managementGroups).toEqual([{ id: "mg-empty", subscriptions: 0 }]);
    const finding = run.result!.findings.find((f) => f.policyId === "hsm-inventory-complete")!;
    expect(finding.status).toBe("error");
    expect(finding.message).toMatch(/Management group mg-empty holds no subscription the credential can see/);
  });

  test.each(["arm", "resource-graph"])(
    "a subscription under the group that the credential cannot read is an error, under --inventory %s (exit 3)",
    async (inventory) => {
      const run = await scanInProcess(target, ["--management-group", "mg-locked", "--inventory", inventory]);
      expect(run.code).toBe(3);
      expect(run.result!.scope.subscriptions).toEqual([LOCKED]);
      expect(statusOf(run.result, "hsm-inventory-complete", `/subscriptions/${LOCKED}`)).toBe("error");
      expect(run.result!.errors.some((e) => e.for === `subscription ${LOCKED}` && e.status === 403)).toBe(true);
    },
  );
});

describe("a bad management group id is a usage error before any request (exit 2)", () => {
  test.each([
    [["--management-group", "mg payments"], /--management-group must be a management group id/],
    [["--management-group", "mg-payments."], /not ending with '\.'/],
    [
      ["--management-group", "mg-payments", "--subscription", PAYMENTS],
      /--subscription and --management-group cannot be used together/,
    ],
  ])("%j", async (args, expected) => {
    const before = target.sim.requests.length;
    const run = await scanInProcess(target, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected);
    expect(run.result).toBeUndefined();
    expect(target.sim.requests.length).toBe(before);
  });
});

describe("the README's example", () => {
  test("scan --management-group mg-production --out audit: the Contoso groups Production and Payments", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const line = readme.split("\n").find((l) => l.includes("npx hsm-audit scan --management-group"));
    expect(line).toBeDefined();
    const args = line!.replace(/#.*$/, "").trim().split(/\s+/).slice(3); // after "npx hsm-audit scan"
    expect(args).toEqual(["--management-group", "mg-production", "--out", "audit"]);
    const contoso = await startScanTarget(readFileSync(CONTOSO, "utf8"));
    try {
      const out = join(tempDir(), "audit");
      const run = await scan(contoso, [...args.slice(0, 2), "--out", out]);
      expect(run.stderr).toBe("");
      expect(run.result!.scope.managementGroups).toEqual([{ id: "mg-production", subscriptions: 2 }]);
      expect([...run.result!.scope.subscriptions].sort()).toEqual([
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
      ]);
      const subscriptionsOfHsms = new Set(run.result!.resources.map((r) => r.subscriptionId));
      expect([...subscriptionsOfHsms].sort()).toEqual([...run.result!.scope.subscriptions].sort());
      // Contoso's production HSMs include failures on purpose: the gate fails, as the demo's does.
      expect(run.code).toBe(1);
    } finally {
      await contoso.close();
    }
  });
});
