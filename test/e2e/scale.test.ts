// Scheduling end to end: the CLI's `scan()`, in this process (test/helpers/scan-in-process.ts), against the simulator,
// which enforces Azure's published limits where a test asks it to. Pacing, retries and the simulator's limits all run
// on one virtual clock, so that what is asserted does not depend on how busy the machine is. ARM's batch carries the diagnostic settings; Resource Graph lists the HSMs when
// asked; every way of reading gives the same verdicts; the scan's own pacing never draws a 429.
import { readFileSync } from "node:fs";
import { jest } from "@jest/globals";
import { CONTOSO } from "../helpers/simulator.js";
import { cleanUp, startScanTarget, type ScanRun, type ScanTarget } from "../helpers/cli.js";
import { scanInProcess, virtualClock } from "../helpers/scan-in-process.js";
import type { Result } from "../../src/model/result.js";
import { queryGroups, type QueryTarget } from "../../src/azure/collectors/log-queries.js";
import type { RequestLogEntry } from "../../src/simulator/server.js";
import { AZURE_PUBLISHED_LIMITS } from "../../src/simulator/limits.js";

jest.setTimeout(180_000);
afterAll(cleanUp);

/** Each finding's status and message, with the instants of the run (window bounds, record times) taken out. */
function verdicts(result: Result | undefined): Map<string, string> {
  return new Map(
    (result?.findings ?? []).map((f) => [
      `${f.policyId} ${f.resourceId}`,
      // The two scans start apart (minutes on a busy machine): instants, and the silence between the window's start
      // and the first record counted by the hour, may differ; statuses and the rest of each message may not.
      `${f.status} ${f.message
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<instant>")
        .replace(/\d+( to \d+)? hours?/g, "<n> hours")}`,
    ]),
  );
}

async function scanned(estateYaml: string, args: string[] = [], options: Parameters<typeof startScanTarget>[1] = {}) {
  // The simulator's limits refill by the clock the scan paces itself and waits out its retries by.
  const clock = virtualClock();
  const target: ScanTarget = await startScanTarget(estateYaml, { ...options, limitsClock: clock.now });
  try {
    const run: ScanRun = await scanInProcess(target, args, { clock });
    return { run, requests: [...target.sim.requests], limits: target.sim.limitCounters, elapsedS: clock.now() / 1000 };
  } finally {
    await target.close();
  }
}

const inner = (requests: RequestLogEntry[]) => requests.flatMap((r) => r.inner ?? []);
const contoso = readFileSync(CONTOSO, "utf8");

describe("ARM's batch API carries the diagnostic settings, categories and provider states", () => {
  let batched: Awaited<ReturnType<typeof scanned>>;
  let single: Awaited<ReturnType<typeof scanned>>;
  beforeAll(async () => {
    [batched, single] = await Promise.all([scanned(contoso), scanned(contoso, ["--no-arm-batch"])]);
  });

  test("reads travel 20 to a batch, none alone; --no-arm-batch reads each alone; the verdicts are the same", () => {
    const batches = batched.requests.filter((r) => r.route === "armBatch");
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.inner!.length <= 20)).toBe(true);
    const innerRoutes = new Set(inner(batched.requests).map((r) => r.route));
    expect([...innerRoutes].sort()).toEqual([
      "diagnosticSettings",
      "diagnosticSettingsCategories",
      "permissions",
      "provider",
    ]);
    expect(batched.requests.filter((r) => r.route === "diagnosticSettings")).toEqual([]);

    expect(single.requests.filter((r) => r.route === "armBatch")).toEqual([]);
    expect(single.requests.filter((r) => r.route === "diagnosticSettings").length).toBe(
      inner(batched.requests).filter((r) => r.route === "diagnosticSettings").length,
    );
    expect(batched.run.code).toBe(single.run.code);
    expect(verdicts(batched.run.result)).toEqual(verdicts(single.run.result));
  });

  test("each inner answer is evidence of its own, tied to the batch exchange that carried it", () => {
    const evidence = new Map(batched.run.result!.evidence.map((e) => [e.id, e]));
    const derived = batched.run.result!.evidence.filter((e) => e.via);
    expect(derived.length).toBe(inner(batched.requests).length);
    for (const record of derived) {
      expect(record.method).toBe("GET");
      expect(evidence.get(record.via!)).toMatchObject({ method: "POST", status: 200 });
      expect(evidence.get(record.via!)!.url).toMatch(/\/batch\?api-version=2020-06-01$/);
    }
    const finding = batched.run.result!.findings.find(
      (f) => f.policyId === "diagnostic-setting-present" && f.resourceId.endsWith("/chsm-payments-eus"),
    )!;
    expect(finding.status).toBe("pass");
    const cited = finding.evidence.map((id) => evidence.get(id)!);
    expect(
      cited.some((e) => e.via && /chsm-payments-eus\/providers\/Microsoft\.Insights\/diagnosticSettings\?/.test(e.url)),
    ).toBe(true);
  });
});

describe("when the batch API is not there or fails, each read is made alone", () => {
  test.each([
    ["404 (no batch API)", "{ route: armBatch, status: 404 }"],
    ["500 on every attempt", "{ route: armBatch, status: 500 }"],
    [
      "an inner read throttled",
      "{ route: diagnosticSettings, match: chsm-payments-eus, status: 429, retryAfter: 0, times: 1 }",
    ],
    ["an inner read failing on the server", "{ route: diagnosticSettingsCategories, status: 503, times: 3 }"],
  ])("%s: the verdicts are those of a scan without faults", async (_name, fault) => {
    const [clean, faulty] = await Promise.all([
      scanned(contoso, ["--no-arm-batch"]),
      scanned(`${contoso}\nfaults:\n  - ${fault}\n`, ["--max-retries", "2"]),
    ]);
    expect(faulty.run.code).toBe(clean.run.code);
    expect(verdicts(faulty.run.result)).toEqual(verdicts(clean.run.result));
    expect(
      faulty.requests.some((r) => r.route === "diagnosticSettings" || r.route === "diagnosticSettingsCategories"),
    ).toBe(true);
  });

  test("an inner read refused for good (403) is an error of that HSM, as a single call's would be", async () => {
    const { run } = await scanned(
      `${contoso}\nfaults:\n  - { route: diagnosticSettings, match: chsm-payments-wus, status: 403 }\n`,
    );
    expect(run.code).toBe(1);
    const finding = run.result!.findings.find(
      (f) => f.policyId === "diagnostic-setting-present" && f.resourceId.endsWith("/chsm-payments-wus"),
    )!;
    expect(finding.status).toBe("error");
    expect(finding.message).toMatch(/HTTP 403 AuthorizationFailed/);
  });
});

describe("--inventory resource-graph", () => {
  test("lists every HSM in one query and gives the verdicts of the per-subscription lists", async () => {
    const [arm, graph] = await Promise.all([scanned(contoso), scanned(contoso, ["--inventory", "resource-graph"])]);
    expect(graph.requests.filter((r) => r.route === "resourceGraph").length).toBe(1);
    expect(graph.requests.filter((r) => r.route === "hsmList")).toEqual([]);
    expect(arm.requests.filter((r) => r.route === "hsmList").length).toBeGreaterThan(0);
    expect(graph.run.result!.scope.inventory).toEqual({ source: "resource-graph" });
    expect(arm.run.result!.scope.inventory).toEqual({ source: "arm" });
    const identity = (r: Result["resources"][number]) => {
      const { id, type, kind, name, subscriptionId, resourceGroup, location, sku, provisioningState } =
        r as typeof r & {
          sku?: string;
          provisioningState?: string;
        };
      return { id, type, kind, name, subscriptionId, resourceGroup, location, sku, provisioningState };
    };
    expect(graph.run.result!.resources.map(identity)).toEqual(arm.run.result!.resources.map(identity));
    expect(graph.run.code).toBe(arm.run.code);
    expect(verdicts(graph.run.result)).toEqual(verdicts(arm.run.result));
  });

  test("pages are followed to the end", async () => {
    // 1,000 rows a page: an estate of 1,001 HSMs takes two.
    const hsms = Array.from(
      { length: 1001 },
      (_, i) => `      - { name: dhsm-${String(i).padStart(4, "0")}, resourceGroup: rg, location: eastus }`,
    ).join("\n");
    const yaml = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Appliances
    dedicatedHsms:
${hsms}
`;
    const { run, requests } = await scanned(yaml, ["--inventory", "resource-graph"]);
    expect(requests.filter((r) => r.route === "resourceGraph").length).toBe(2);
    expect(run.result!.resources.length).toBe(1001);
    expect(run.result!.scope.inventory).toEqual({ source: "resource-graph" });
  });

  test("when Resource Graph refuses, the HSMs are listed per subscription and the result says why", async () => {
    const [arm, fallback] = await Promise.all([
      scanned(contoso),
      scanned(`${contoso}\nfaults:\n  - { route: resourceGraph, status: 403 }\n`, ["--inventory", "resource-graph"]),
    ]);
    expect(fallback.run.result!.scope.inventory).toMatchObject({
      source: "arm",
      fallbackFrom: "resource-graph",
      reason: expect.stringMatching(/HTTP 403 AuthorizationFailed/),
    });
    expect(fallback.requests.filter((r) => r.route === "hsmList").length).toBeGreaterThan(0);
    expect(verdicts(fallback.run.result)).toEqual(verdicts(arm.run.result));
  });

  test("a bad --inventory is a usage error, exit 2", async () => {
    const { run } = await scanned(contoso, ["--inventory", "graph"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--inventory must be arm or resource-graph/);
  });
});

describe("pacing within Azure's limits", () => {
  /**
   * One subscription with `n` Cloud HSMs in one resource group over three workspaces: 2 + 2n ARM reads (the provider,
   * each HSM's settings and categories, the group's permissions), 21 log queries.
   */
  function crowded(n: number): string {
    const hsms = Array.from(
      { length: n },
      (_, i) => `      - name: chsm-${i}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - { name: audit, workspace: law-${i % 3}, logs: [{ category: HsmServiceOperations, enabled: true }] }
        activity:
          - { every: 12h, from: 2d, operations: [CN_LOGIN], callers: [10.0.0.4] }`,
    ).join("\n");
    const workspaces = [0, 1, 2]
      .map(
        (w) =>
          `      - { name: law-${w}, resourceGroup: rg-mon, location: eastus, customerId: c0000000-0000-4000-8000-00000000000${w}, retentionInDays: 400 }`,
      )
      .join("\n");
    return `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Crowded
    workspaces:
${workspaces}
    cloudHsmClusters:
${hsms}
`;
  }

  test("302 reads of one subscription (more than its 250-read bucket) and 21 queries: no 429, every HSM proven", async () => {
    const { run, requests, limits, elapsedS } = await scanned(crowded(150), [], { limits: true });
    expect(limits.throttled).toEqual({ armReads: 0, logsConcurrent: 0, logsWindow: 0, graph: 0 });
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    expect(run.result!.summary.error).toBe(0);
    expect(run.result!.findings.filter((f) => f.policyId === "logs-flowing" && f.status === "pass").length).toBe(150);
    // The bucket held the last reads back: 52 reads past the 250 come at 25 a second (on the virtual clock).
    expect(elapsedS).toBeGreaterThan((302 - AZURE_PUBLISHED_LIMITS.armReads.capacity) / 25);
  });

  test("a service that allows fewer reads than published is heeded through its remaining-reads header: no 429", async () => {
    const fewer = { capacity: 100, refillPerSecond: 50 };
    const heeded = await scanned(crowded(150), [], { limits: { ...AZURE_PUBLISHED_LIMITS, armReads: fewer } });
    const elapsedS = heeded.elapsedS;
    // The inventory's first answers say 97 reads remain, before the settings are asked for.
    expect(heeded.limits.throttled.armReads).toBe(0);
    expect(elapsedS).toBeGreaterThan((302 - 100) / 50);
    expect(heeded.run.result!.summary.error).toBe(0);
    // The same service without the header: the scan learns only from 429s, which it waits out.
    const blind = await scanned(crowded(150), [], {
      limits: { ...AZURE_PUBLISHED_LIMITS, armReads: { ...fewer, remainingHeader: false } },
    });
    expect(blind.limits.throttled.armReads).toBeGreaterThan(0);
    expect(blind.run.result!.summary.error).toBe(0);
    expect(blind.run.code).toBe(0);
  });
});

describe("one query asks all the workspaces a question", () => {
  const EUS = "a1b2c3d4-0001-4000-8000-000000000001";
  const IDENTITY = "a1b2c3d4-0002-4000-8000-000000000002";
  const logQueries = (requests: RequestLogEntry[]) => requests.filter((r) => r.route === "logsQuery");

  test("Contoso's 3 workspaces: 7 queries in all, each spanning the three, the answers split by workspace", async () => {
    const { run, requests } = await scanned(contoso);
    expect(logQueries(requests).length).toBe(7);
    expect(run.result!.summary.error).toBe(0);
    // Every answer was split by workspace: each HSM's records are those of its own workspace.
    const activity = run.result!.resources.flatMap(
      (r) => (r as { activity?: { workspaceId: string; state: string }[] }).activity ?? [],
    );
    const answered = activity.filter((a) => a.state === "ok").map((a) => a.workspaceId.split("/").pop());
    expect([...new Set(answered)].sort()).toEqual(["law-identity", "law-research", "law-security-eus"]);
  });

  test("a shared query that fails once is asked of each workspace alone: same verdicts", async () => {
    const [clean, faulty] = await Promise.all([
      scanned(contoso),
      scanned(`${contoso}\nfaults:\n  - { route: logsQuery, match: ${EUS}, status: 403, times: 1 }\n`),
    ]);
    // One question fell back to three single-workspace queries.
    expect(logQueries(faulty.requests).length).toBe(7 + 3);
    expect(verdicts(faulty.run.result)).toEqual(verdicts(clean.run.result));
  });

  test("a workspace the credential cannot query: only its HSMs' log findings are errors", async () => {
    const { run } = await scanned(`${contoso}\nfaults:\n  - { route: logsQuery, match: ${IDENTITY}, status: 403 }\n`);
    const status = (policy: string, hsm: string) =>
      run.result!.findings.find((f) => f.policyId === policy && f.resourceId.endsWith(`/${hsm}`))!.status;
    expect(status("logs-flowing", "mhsm-identity-signing")).toBe("error");
    expect(status("logs-flowing", "chsm-payments-eus")).toBe("pass");
    expect(status("logs-flowing", "mhsm-payments-keys")).toBe("pass");
    expect(run.code).toBe(1);
  });

  test("a shared answer in part is not trusted: each workspace is asked alone", async () => {
    const [clean, partial] = await Promise.all([
      scanned(contoso),
      scanned(`${contoso}\nfaults:\n  - { route: logsQuery, partialError: true, times: 1 }\n`),
    ]);
    expect(logQueries(partial.requests).length).toBe(7 + 3);
    expect(verdicts(partial.run.result)).toEqual(verdicts(clean.run.result));
  });
});

describe("how workspaces are grouped into queries", () => {
  const target = (i: number, hsms: number): QueryTarget =>
    ({
      workspace: { id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w${i}` },
      customerId: `c${i}`,
      hsmIds: Array.from({ length: hsms }, (_, h) => `hsm-${i}-${h}`),
    }) as unknown as QueryTarget;
  const start = new Date("2026-11-01T00:00:00Z");
  const week = new Date("2026-11-08T00:00:00Z");

  test("at most 100 workspaces a query", () => {
    const groups = queryGroups(
      Array.from({ length: 250 }, (_, i) => target(i, 1)),
      start,
      week,
      "1h",
    );
    expect(groups.map((g) => g.length)).toEqual([100, 100, 50]);
  });

  test("at most as many HSMs as keep the hourly answer within the row budget", () => {
    // A week by the hour is 169 bins an HSM: 1,479 HSMs fit 250,000 rows.
    const groups = queryGroups(
      Array.from({ length: 20 }, (_, i) => target(i, 100)),
      start,
      week,
      "1h",
    );
    expect(groups.map((g) => g.length)).toEqual([14, 6]);
    expect(groups.flat()).toHaveLength(20);
  });

  test("a workspace larger than the budget is asked alone, never split or dropped", () => {
    const groups = queryGroups([target(0, 1), target(1, 5000), target(2, 1)], start, week, "1h");
    expect(groups.map((g) => g.map((t) => t.customerId))).toEqual([["c0"], ["c1"], ["c2"]]);
  });
});
