// The inventory end to end, through the real CLI and the simulator: a subscription the credential cannot read is never
// taken for one that holds no HSM (Resource Graph leaves out what it cannot see without a word), Resource Graph is
// asked about at most 1,000 subscriptions at a time, and an exclusion never hides that an inventory is incomplete.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, startScanTarget, statusOf, tempDir, type ScanTarget } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";

jest.setTimeout(180_000);
afterAll(cleanUp);

const READABLE = "aaaaaaaa-0000-4000-8000-000000000001";
const GONE = "bbbbbbbb-0000-4000-8000-000000000002";
const DENIED = "cccccccc-0000-4000-8000-000000000003";

/**
 * A readable subscription that holds no HSM, and two the credential cannot read (ARM answers 404 SubscriptionNotFound
 * for one, 403 AuthorizationFailed for the other), each holding a Dedicated HSM that nobody has checked.
 */
const UNREADABLE = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${READABLE}
    displayName: Readable
  - subscriptionId: ${GONE}
    displayName: Elsewhere
    access: notFound
    dedicatedHsms:
      - { name: dhsm-hidden, resourceGroup: rg-hsm, location: eastus }
  - subscriptionId: ${DENIED}
    displayName: Locked
    access: denied
    dedicatedHsms:
      - { name: dhsm-locked, resourceGroup: rg-hsm, location: eastus }
`;

async function withTarget<T>(yaml: string, fn: (target: ScanTarget) => Promise<T>): Promise<T> {
  const target = await startScanTarget(yaml);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

describe("a subscription the credential cannot read", () => {
  test.each([
    ["404 SubscriptionNotFound", GONE, /HTTP 404 SubscriptionNotFound/],
    ["403 AuthorizationFailed", DENIED, /HTTP 403 AuthorizationFailed/],
  ])(
    "ARM answers %s: its inventory is an error under Resource Graph as under ARM (exit 3)",
    async (_name, unreadable, cause) => {
      await withTarget(UNREADABLE, async (target) => {
        const scope = ["--subscription", `${READABLE},${unreadable}`];
        const graph = await scanInProcess(target, [...scope, "--inventory", "resource-graph"]);
        const arm = await scanInProcess(target, [...scope, "--inventory", "arm"]);
        for (const run of [graph, arm]) {
          expect(run.code).toBe(3);
          expect(run.result!.summary.compliant).toBe(false);
          expect(statusOf(run.result, "hsm-inventory-complete", `/subscriptions/${unreadable}`)).toBe("error");
          expect(run.stdout).not.toMatch(/2 subscription\(s\) in scope hold no HSM/);
        }
        // Resource Graph was used (it did not fall back to ARM's lists), and it said nothing of the subscription.
        expect(graph.result!.scope.inventory).toEqual({ source: "resource-graph" });
        expect(target.sim.requests.some((r) => r.route === "resourceGraph")).toBe(true);
        const finding = graph.result!.findings.find(
          (f) => f.policyId === "hsm-inventory-complete" && f.resourceId === `/subscriptions/${unreadable}`,
        )!;
        expect(finding.message).toMatch(cause);
        expect(finding.message).toMatch(/Resource Graph/);
        expect(finding.evidence.length).toBeGreaterThan(0);
        // The readable subscription is proven readable and holds no HSM.
        expect(graph.stdout).toMatch(/1 subscription\(s\) in scope hold no HSM/);
      });
    },
  );

  test("the subscription list proves what the credential can read: Resource Graph's silence then counts", async () => {
    await withTarget(UNREADABLE, async (target) => {
      const run = await scanInProcess(target, ["--inventory", "resource-graph"]);
      // Unreadable subscriptions are not listed, so they are not in scope (as far as the credential can see).
      expect(run.result!.scope.subscriptions).toEqual([READABLE]);
      expect(run.code).toBe(0);
      expect(run.result!.scope.inventory).toEqual({ source: "resource-graph" });
    });
  });
});

describe("Resource Graph takes at most 1,000 subscriptions a query", () => {
  test("a credential with 1,500 subscriptions is asked about in two queries, and every HSM is listed", async () => {
    const at = new Set([0, 999, 1000, 1499]);
    const subs = Array.from({ length: 1500 }, (_, i) => {
      const id = `dddddddd-0000-4000-8000-${String(i).padStart(12, "0")}`;
      const hsm = at.has(i)
        ? `\n    dedicatedHsms:\n      - { name: dhsm-${i}, resourceGroup: rg-hsm, location: eastus }`
        : "";
      return `  - subscriptionId: ${id}\n    displayName: Sub ${i}${hsm}`;
    }).join("\n");
    await withTarget(`tenantId: 00000000-0000-4000-8000-0000000000aa\nsubscriptions:\n${subs}\n`, async (target) => {
      const run = await scanInProcess(target, ["--inventory", "resource-graph"]);
      const queries = target.sim.requests.filter((r) => r.route === "resourceGraph");
      expect(queries.map((q) => q.status)).toEqual([200, 200]);
      expect(target.sim.requests.filter((r) => r.route === "hsmList")).toEqual([]);
      expect(run.result!.scope.inventory).toEqual({ source: "resource-graph" });
      expect(run.result!.scope.subscriptions.length).toBe(1500);
      expect(run.result!.resources.map((r) => r.name).sort()).toEqual(
        ["dhsm-0", "dhsm-1000", "dhsm-1499", "dhsm-999"].sort(),
      );
      expect(run.result!.findings.filter((f) => f.policyId === "hsm-inventory-complete").map((f) => f.status)).toEqual([
        "pass",
        "pass",
        "pass",
        "pass",
      ]);
    });
  });
});

describe("exclude never hides an incomplete inventory", () => {
  const HELD = "eeeeeeee-0000-4000-8000-000000000004";
  const estate = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${READABLE}
    displayName: Clean
  - subscriptionId: ${HELD}
    displayName: Refused
    dedicatedHsms:
      - { name: dhsm-unseen, resourceGroup: rg-hsm, location: eastus }
faults:
  - { route: hsmList, match: ${HELD}, status: 403 }
`;

  test.each([[`/subscriptions/${HELD}`], ["/subscriptions/*"], [`/subscriptions/${HELD}/**`]])(
    "exclude %s: the subscription whose HSM lists answered 403 is still an error (exit 3)",
    async (pattern) => {
      await withTarget(estate, async (target) => {
        const dir = tempDir();
        const config = join(dir, "hsm-audit.config.yaml");
        writeFileSync(config, `exclude:\n  - "${pattern}"\n`);
        const run = await scanInProcess(target, ["--config", config, "--format", "html"]);
        expect(run.code).toBe(3);
        expect(statusOf(run.result, "hsm-inventory-complete", `/subscriptions/${HELD}`)).toBe("error");
        // Nothing else is said of the subscription: the exclusion drops its other findings.
        expect(
          run.result!.findings.filter((f) => f.resourceId.toLowerCase().startsWith(`/subscriptions/${HELD}`)),
        ).toHaveLength(1);
        const html = readFileSync(join(run.out, "report.html"), "utf8");
        expect(html).not.toMatch(/and all evidence was gathered/);
        expect(html).toMatch(/NOT PROVEN/);
      });
    },
  );

  test("an excluded HSM whose settings could not be read leaves exit 0, but the pack never says all evidence was gathered", async () => {
    const yaml = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${READABLE}
    displayName: Lab
    cloudHsmClusters:
      - { name: chsm-lab, resourceGroup: rg-lab, location: eastus }
faults:
  - { route: diagnosticSettings, match: chsm-lab, status: 403 }
  - { route: diagnosticSettingsCategories, match: chsm-lab, status: 403 }
`;
    await withTarget(yaml, async (target) => {
      const dir = tempDir();
      const config = join(dir, "hsm-audit.config.yaml");
      writeFileSync(config, "exclude:\n  - /subscriptions/*/resourceGroups/rg-lab/**\n");
      const run = await scanInProcess(target, ["--config", config, "--format", "html"]);
      expect(run.code).toBe(0);
      expect(run.result!.errors.length).toBeGreaterThan(0);
      const html = readFileSync(join(run.out, "report.html"), "utf8");
      const verdict = /data-testid="verdict">([\s\S]*?)<\/p>/.exec(html)![1]!;
      expect(verdict).not.toMatch(/and all evidence was gathered/);
      expect(verdict).toMatch(
        new RegExp(`not all evidence was gathered: ${run.result!.errors.length} read\\(s\\) failed`),
      );
      const section = /<section id="errors">([\s\S]*?)<\/section>/.exec(html)![1]!;
      expect(section).toMatch(new RegExp(`${run.result!.errors.length} read\\(s\\) failed`));
    });
  });
});
