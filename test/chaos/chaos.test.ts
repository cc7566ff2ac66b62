// Seeded chaos: random estates scanned through random faults must never report more than the fault-free scan proves
// (docs/chaos.md). In CI, 20 fixed seeds; `npm run chaos -- --runs N [--seed START]` runs more (CHAOS_RUNS, CHAOS_SEED).
import { jest } from "@jest/globals";
import {
  CHAOS_RETRY,
  clockSkewBroken,
  compareOutcomes,
  compareSpellings,
  describeRun,
  runSeed,
  scopeFailures,
  type Outcome,
} from "./compare.js";
import { loadPolicies } from "../../src/engine/policy.js";
import {
  generateEstate,
  generateFaults,
  generateScopePlan,
  mulberry32,
  respellDestinations,
  withUnreadable,
} from "./estate.js";
import { idKey } from "../../src/domain/ids.js";
import { parseEstate } from "../../src/simulator/estate.js";
import type { Finding, Result } from "../../src/model/result.js";

const RUNS = Number(process.env.CHAOS_RUNS ?? "0");
const START = Number(process.env.CHAOS_SEED ?? "1");
const VERBOSE = process.env.CHAOS_VERBOSE === "1";
/** The seeds CI runs on every change. */
const CI_SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

jest.setTimeout(RUNS > 0 ? RUNS * 60_000 : 60_000);

const totals = { runs: 0, failures: 0, faults: 0, started: performance.now() };
const fates: Record<string, number> = {};
afterAll(() => {
  if (totals.runs === 0) return;
  if (VERBOSE) {
    const shown = Object.entries(fates).sort(([a], [b]) => (a < b ? -1 : 1));
    process.stdout.write(`chaos: fault-free status>faulty: ${shown.map(([k, n]) => `${k}=${n}`).join(" ")}\n`);
  }
  const seconds = ((performance.now() - totals.started) / 1000).toFixed(1);
  process.stdout.write(
    `chaos: runs=${totals.runs} failures=${totals.failures} faults=${totals.faults} seconds=${seconds}\n`,
  );
});

async function chaosRun(seed: number): Promise<string[]> {
  const run = await runSeed(seed);
  totals.runs++;
  totals.faults += run.plan.length;
  if (run.failures.length) totals.failures++;
  for (const [fate, n] of Object.entries(run.tally)) fates[fate] = (fates[fate] ?? 0) + n;
  if (run.failures.length || VERBOSE) process.stdout.write(`${describeRun(run)}\n`);
  return run.failures;
}

if (RUNS > 0) {
  test(`${RUNS} chaos runs from seed ${START}`, async () => {
    const failed: number[] = [];
    for (let seed = START; seed < START + RUNS; seed++) {
      if ((await chaosRun(seed)).length) failed.push(seed);
    }
    expect(failed).toEqual([]);
  });
} else {
  describe("chaos", () => {
    test.each(CI_SEEDS)("seed %i: the faulty scan claims nothing the fault-free scan does not", async (seed) => {
      expect(await chaosRun(seed)).toEqual([]);
    });
  });

  describe("the generator", () => {
    test("mulberry32 is the same sequence for the same seed", () => {
      const a = mulberry32(42);
      const b = mulberry32(42);
      const first = [a(), a(), a()];
      expect([b(), b(), b()]).toEqual(first);
      expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
      expect(mulberry32(43)()).not.toBe(first[0]);
    });

    test("a seed is one estate and one plan; every estate is valid and small; every kind appears", () => {
      expect(generateEstate(7)).toEqual(generateEstate(7));
      expect(generateFaults(7, generateEstate(7), CHAOS_RETRY)).toEqual(
        generateFaults(7, generateEstate(7), CHAOS_RETRY),
      );
      const seen = new Set<string>();
      for (let seed = 1; seed <= 200; seed++) {
        const estate = generateEstate(seed);
        const plan = generateFaults(seed, estate, CHAOS_RETRY);
        const loaded = parseEstate(JSON.stringify({ ...estate.document, faults: plan }), `seed-${seed}.json`);
        expect(loaded.subscriptions.flatMap((s) => s.hsms).length).toBeLessThanOrEqual(12);
        for (const h of loaded.subscriptions.flatMap((s) => s.hsms)) seen.add(h.kind);
        for (const f of plan) {
          seen.add(`route:${f.route}`);
          expect(f.times).toBeGreaterThan(0);
        }
      }
      for (const kind of ["cloudHsm", "managedHsm", "dedicatedHsm"]) expect(seen.has(kind)).toBe(true);
      for (const route of ["armBatch", "logsQuery", "blobList", "blobGet", "sentinelOnboarding", "sentinelRules"])
        expect(seen.has(`route:${route}`)).toBe(true);
    });
  });

  describe("spellings", () => {
    test("a respelled estate names the same destinations otherwise (case, trailing slashes), and is valid", () => {
      let renamed = 0;
      for (let seed = 1; seed <= 100; seed++) {
        const estate = generateEstate(seed);
        const { document, respelled } = respellDestinations(estate);
        expect(respellDestinations(estate)).toEqual({ document, respelled });
        const canonical = parseEstate(JSON.stringify(estate.document), `seed-${seed}.json`);
        const other = parseEstate(JSON.stringify(document), `seed-${seed}-respelled.json`);
        const destinations = (e: typeof canonical) =>
          e.subscriptions.flatMap((s) =>
            s.hsms.flatMap((h) => h.diagnosticSettings.flatMap((d) => [d.workspaceId ?? "", d.storageAccountId ?? ""])),
          );
        const [a, b] = [destinations(canonical), destinations(other)];
        expect(b.map(idKey)).toEqual(a.map(idKey));
        for (let i = 0; i < a.length; i++) if (a[i]) expect(b[i]).not.toBe(a[i]);
        renamed += respelled;
      }
      expect(renamed).toBeGreaterThan(50);
    });

    test("the spelling comparator catches a status that changed and a finding lost, and ignores the id's case", () => {
      const HSM = "/subscriptions/aaaa/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/m1";
      const f = (policyId: string, status: Finding["status"]): Finding => ({
        policyId,
        resourceId: HSM,
        status,
        severity: "high",
        message: status,
        evidence: [],
        remediation: { azCli: "", powershell: "" },
        title: policyId,
      });
      const result = (findings: Finding[]) => ({ findings, failOn: "low" }) as unknown as Result;
      const canonical = result([f("logs-flowing", "pass"), f("activity-sensitive-operations", "fail")]);
      expect(compareSpellings(canonical, canonical)).toEqual([]);
      expect(
        compareSpellings(
          canonical,
          result([
            { ...f("logs-flowing", "pass"), resourceId: HSM.toUpperCase() },
            f("activity-sensitive-operations", "fail"),
          ]),
        ),
      ).toEqual([]);
      const lost = compareSpellings(
        canonical,
        result([f("logs-flowing", "fail"), f("activity-sensitive-operations", "pass")]),
      );
      expect(lost.join("\n")).toMatch(/logs-flowing .*: fail .*canonical pass/);
      expect(lost.join("\n")).toMatch(/activity-sensitive-operations .*: pass .*canonical fail/);
      expect(compareSpellings(canonical, result([f("logs-flowing", "pass")])).join("\n")).toMatch(/missing/);
    });
  });

  describe("the comparator", () => {
    const finding = (policyId: string, resourceId: string, status: Finding["status"], message = "m"): Finding => ({
      policyId,
      resourceId,
      status,
      severity: "high",
      message,
      evidence: [],
      remediation: { azCli: "", powershell: "" },
      title: policyId,
    });
    const SUB = "/subscriptions/aaaa";
    const HSM = `${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/m1`;
    const outcome = (findings: Finding[]): Outcome => ({ findings, failOn: "low" });
    const INVENTORY = ["hsm-inventory-complete"];
    const baseline = outcome([
      finding("hsm-inventory-complete", SUB, "pass"),
      finding("logs-flowing", HSM, "fail", "no records"),
      finding("workspace-retention", HSM, "pass", "400 days"),
    ]);

    test("the same findings, or errors in their place, keep the promise", () => {
      expect(compareOutcomes(baseline, baseline, INVENTORY)).toEqual([]);
      const degraded = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("logs-flowing", HSM, "error", "could not query"),
        finding("workspace-retention", HSM, "error", "could not read"),
      ]);
      expect(compareOutcomes(baseline, degraded, INVENTORY)).toEqual([]);
    });

    test("a pass the fault-free scan did not find is caught", () => {
      const lying = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("logs-flowing", HSM, "pass", "records found"),
        finding("workspace-retention", HSM, "pass", "400 days"),
      ]);
      const differences = compareOutcomes(baseline, lying, INVENTORY);
      expect(differences).toHaveLength(2);
      expect(differences[0]).toMatchObject({ policyId: "logs-flowing", problem: expect.stringMatching(/^a pass/) });
      expect(differences[1]).toMatchObject({ policyId: "(exit code)" });
    });

    test("a fail where the fault-free scan passes, or a changed message, is caught", () => {
      const wrong = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("logs-flowing", HSM, "fail", "no records at all"),
        finding("workspace-retention", HSM, "fail", "30 days"),
      ]);
      expect(compareOutcomes(baseline, wrong, INVENTORY).map((d) => [d.policyId, d.problem])).toEqual([
        ["logs-flowing", "the same status with another message, though every read of its evidence succeeded"],
        ["workspace-retention", "a fail where the fault-free scan says 'pass'"],
      ]);
    });

    test("a changed message is allowed only when the faulty scan could not read part of the finding's evidence", () => {
      const reworded = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("logs-flowing", HSM, "fail", "no records in the workspaces it could read"),
        finding("workspace-retention", HSM, "pass", "400 days"),
      ]);
      expect(compareOutcomes(baseline, reworded, INVENTORY)).toHaveLength(1);
      const workspace = `${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law`;
      const withError = {
        ...reworded,
        errors: [{ for: "the audit records", resourceId: workspace, message: "HTTP 500" }],
      };
      // An error of a resource that is not the HSM's destination explains nothing.
      expect(compareOutcomes(baseline, withError, INVENTORY)).toHaveLength(1);
      const resources = [
        {
          id: HSM,
          type: "Microsoft.KeyVault/managedHSMs",
          kind: "managedHsm" as const,
          name: "m1",
          subscriptionId: "aaaa",
          resourceGroup: "rg",
          location: "eastus",
          destinations: [
            {
              id: workspace,
              kind: "workspace" as const,
              carriesAudit: true,
              settings: ["audit"],
              state: "exists" as const,
              detail: "",
            },
          ],
        },
      ];
      expect(compareOutcomes(baseline, { ...withError, resources }, INVENTORY)).toEqual([]);
      // Never for another status.
      const flipped = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("logs-flowing", HSM, "pass", "records"),
        finding("workspace-retention", HSM, "pass", "400 days"),
      ]);
      expect(compareOutcomes(baseline, { ...flipped, errors: withError.errors, resources }, INVENTORY)).not.toEqual([]);
    });

    test("a finding may go missing only behind an inventory error of its subscription or the tenant", () => {
      const lost = outcome([finding("hsm-inventory-complete", SUB, "pass")]);
      expect(compareOutcomes(baseline, lost, INVENTORY).map((d) => d.policyId)).toEqual([
        "logs-flowing",
        "workspace-retention",
        "(exit code)",
      ]);
      const explained = outcome([finding("hsm-inventory-complete", SUB, "error", "list failed")]);
      expect(compareOutcomes(baseline, explained, INVENTORY)).toEqual([]);
      const tenant = outcome([finding("hsm-inventory-complete", "/subscriptions", "error", "no list")]);
      expect(compareOutcomes(baseline, tenant, INVENTORY)).toEqual([]);
      // An error of another policy explains nothing.
      const other = outcome([
        finding("hsm-inventory-complete", SUB, "pass"),
        finding("insights-provider-registered", SUB, "error"),
      ]);
      expect(compareOutcomes(baseline, other, INVENTORY).length).toBeGreaterThan(0);
    });

    test("a finding only in the faulty scan must be an error; exit 0 needs a clean fault-free scan", () => {
      const extra = outcome([...baseline.findings, finding("archive-flowing", HSM, "pass")]);
      expect(compareOutcomes(baseline, extra, INVENTORY).map((d) => d.policyId)).toEqual(["archive-flowing"]);
      const clean = outcome([finding("hsm-inventory-complete", SUB, "pass")]);
      const failing = outcome([finding("hsm-inventory-complete", SUB, "fail")]);
      expect(compareOutcomes(failing, clean, INVENTORY).map((d) => d.policyId)).toEqual([
        "hsm-inventory-complete",
        "(exit code)",
      ]);
    });

    test("under a clock skew beyond the tolerance, a window-dependent pass or fail is caught, an error is not", () => {
      const policies = loadPolicies();
      const clock = { skewMs: 30 * 86_400_000, samples: 9, toleranceMs: 300_000, beyondTolerance: true };
      const passing = {
        ...outcome([finding("logs-flowing", HSM, "pass"), finding("activity-trail-gap", HSM, "fail")]),
        clock,
      };
      expect(clockSkewBroken(passing, policies)).toHaveLength(2);
      const errors = {
        ...outcome([finding("logs-flowing", HSM, "error"), finding("workspace-retention", HSM, "pass")]),
        clock,
      };
      expect(clockSkewBroken(errors, policies)).toEqual([]);
      expect(clockSkewBroken({ ...errors, clock: { ...clock, beyondTolerance: false } }, policies)).toHaveLength(1);
    });
  });
}

// ---- unreadable subscriptions, Resource Graph and exclusions --------------------------------------------------------
if (RUNS === 0) {
  describe("unreadable subscriptions, Resource Graph and exclusions", () => {
    test("plans are seeded; every unreadable subscription is named in scope; every such estate loads", () => {
      expect(generateScopePlan(7, generateEstate(7), CHAOS_RETRY)).toEqual(
        generateScopePlan(7, generateEstate(7), CHAOS_RETRY),
      );
      const seen = { graph: 0, unreadable: 0, exclude: 0, graphFault: 0 };
      for (let seed = 1; seed <= 200; seed++) {
        const estate = generateEstate(seed);
        const plan = generateScopePlan(seed, estate, CHAOS_RETRY);
        for (const u of plan.unreadable) expect(plan.scope).toContain(u.subscriptionId);
        const loaded = parseEstate(JSON.stringify(withUnreadable(estate.document, plan)), `seed-${seed}.json`);
        expect(loaded.subscriptions.filter((s) => s.access !== "read").length).toBe(plan.unreadable.length);
        if (plan.inventory === "resource-graph") seen.graph++;
        if (plan.unreadable.length) seen.unreadable++;
        if (plan.exclude.length) seen.exclude++;
        if (plan.faults.length) seen.graphFault++;
      }
      for (const n of Object.values(seen)) expect(n).toBeGreaterThan(5);
    });

    test("a result that hides an unreadable subscription is caught", () => {
      const SUB = "aaaaaaaa-0000-4000-8000-000000000001";
      const plan = {
        inventory: "resource-graph" as const,
        unreadable: [{ subscriptionId: SUB, access: "notFound" as const }],
        exclude: [`/subscriptions/${SUB}`],
        scope: [SUB],
        faults: [],
      };
      const result = (findings: Result["findings"], errors: Result["errors"] = []): Result =>
        ({
          schemaVersion: 1,
          tool: { name: "hsm-audit", version: "0" },
          startedAt: "2026-03-02T12:00:00Z",
          finishedAt: "2026-03-02T12:00:00Z",
          scope: { cloud: "AzureCloud", subscriptions: [SUB] },
          logWindow: { duration: "P7D", start: "2026-02-23T12:00:00Z", end: "2026-03-02T12:00:00Z" },
          failOn: "low",
          summary: {
            pass: findings.filter((f) => f.status === "pass").length,
            fail: 0,
            error: findings.filter((f) => f.status === "error").length,
            waived: 0,
            notApplicable: 0,
            manual: 0,
            compliant: findings.every((f) => f.status === "pass"),
          },
          resources: [],
          findings,
          errors,
          evidence: [],
        }) as Result;
      const inventory = (status: "pass" | "error") => ({
        policyId: "hsm-inventory-complete",
        resourceId: `/subscriptions/${SUB}`,
        status,
        severity: "high" as const,
        message: "m",
        evidence: [],
        remediation: { azCli: "", powershell: "" },
        title: "Every HSM of the subscription inventoried",
      });
      const failed = [{ for: `subscription ${SUB}`, resourceId: `/subscriptions/${SUB}`, message: "HTTP 404" }];
      expect(scopeFailures(result([inventory("error")], failed), plan, ["hsm-inventory-complete"])).toEqual([]);
      expect(scopeFailures(result([], failed), plan, ["hsm-inventory-complete"])).toEqual([
        expect.stringMatching(/no inventory error says so/),
        expect.stringMatching(/^\(exit code\)/),
      ]);
      expect(scopeFailures(result([inventory("pass")]), plan, ["hsm-inventory-complete"])).toHaveLength(2);
    });
  });
}
