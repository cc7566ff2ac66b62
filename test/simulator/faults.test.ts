// Each fault kind the estate can declare, observed as the Azure SDK sees it.
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRestError } from "@azure/core-rest-pipeline";
import { LogsQueryResultStatus } from "@azure/monitor-query-logs";
import { collect, startTestSimulator, type TestSimulator } from "../helpers/simulator.js";
import { faultLabEstate, FAULT_LAB_SUBSCRIPTION, FAULT_LAB_WORKSPACE } from "../helpers/estates.js";

const SUB = FAULT_LAB_SUBSCRIPTION;
const WORKSPACE = FAULT_LAB_WORKSPACE;
const estate = (faults: string) => faultLabEstate(faults);

const HSM = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-a`;

async function outcome(
  promise: Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const settings = (sim: TestSimulator) => collect(sim.clients.monitor(SUB).diagnosticSettings.list(HSM.slice(1)));

describe("faults as the SDK sees them", () => {
  test("429 with Retry-After: the SDK waits, retries, and succeeds", async () => {
    t = await startTestSimulator(estate("  - { route: diagnosticSettings, status: 429, retryAfter: 0, times: 2 }"));
    const result = await settings(t);
    expect(result.map((s) => s.name)).toEqual(["audit"]);
    const seen = t.sim.requests.filter((r) => r.route === "diagnosticSettings");
    expect(seen.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(seen[0]!.faults).toEqual(["status:429:retry-after:0"]);
  });

  test("429 without Retry-After: the SDK does not retry, so the caller sees the 429", async () => {
    t = await startTestSimulator(estate("  - { route: diagnosticSettings, status: 429, times: 1 }"));
    const result = await outcome(settings(t));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(isRestError(result.error) && result.error.statusCode).toBe(429);
      expect(isRestError(result.error) && result.error.code).toBe("SubscriptionRequestsThrottled");
    }
    expect(t.sim.requests.filter((r) => r.route === "diagnosticSettings")).toHaveLength(1);
  });

  test("503 once: the SDK backs off and succeeds", async () => {
    t = await startTestSimulator(estate("  - { route: provider, status: 503, times: 1 }"));
    const provider = await t.clients.resources(SUB).providers.get("Microsoft.Insights");
    expect(provider.registrationState).toBe("Registered");
    expect(t.sim.requests.filter((r) => r.route === "provider").map((r) => r.status)).toEqual([503, 200]);
  });

  test("a lasting 500 exhausts the retries and fails with the ARM error code", async () => {
    t = await startTestSimulator(estate("  - { route: provider, status: 500 }"), { maxRetries: 2 });
    const result = await outcome(t.clients.resources(SUB).providers.get("Microsoft.Insights"));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isRestError(result.error) && result.error.statusCode).toBe(500);
    expect(t.sim.requests.filter((r) => r.route === "provider")).toHaveLength(3);
  });

  test("403 is not retried and carries AuthorizationFailed", async () => {
    t = await startTestSimulator(estate("  - { route: resource, match: /workspaces/law, status: 403 }"));
    const result = await outcome(t.clients.operationalInsights(SUB).workspaces.get("rg", "law"));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(isRestError(result.error) && result.error.statusCode).toBe(403);
      expect(isRestError(result.error) && result.error.code).toBe("AuthorizationFailed");
    }
    expect(t.sim.requests.filter((r) => r.route === "resource")).toHaveLength(1);
  });

  test("a dropped connection: retried once, then served", async () => {
    t = await startTestSimulator(estate("  - { route: subscriptions, drop: true, times: 1 }"));
    const subs = await collect(t.clients.subscriptions().subscriptions.list());
    expect(subs.map((s) => s.subscriptionId)).toEqual([SUB]);
    expect(t.sim.requests.filter((r) => r.route === "subscriptions").map((r) => r.faults)).toEqual([["drop"], []]);
  });

  test("connections dropped every time end in a network error, never a result", async () => {
    t = await startTestSimulator(estate("  - { route: subscriptions, drop: true }"), { maxRetries: 1 });
    const result = await outcome(collect(t.clients.subscriptions().subscriptions.list()));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(String((result.error as { code?: string }).code)).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
  });

  test("a truncated body never parses as an answer", async () => {
    t = await startTestSimulator(estate("  - { route: diagnosticSettings, truncate: true }"), { maxRetries: 1 });
    const result = await outcome(settings(t));
    expect(result.ok).toBe(false);
    const seen = t.sim.requests.filter((r) => r.route === "diagnosticSettings");
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.faults.includes("truncate"))).toBe(true);
  });

  test("latency beyond the caller's timeout aborts the request", async () => {
    t = await startTestSimulator(estate("  - { route: provider, latencyMs: 3000 }"));
    const result = await outcome(
      t.clients.resources(SUB).providers.get("Microsoft.Insights", { abortSignal: AbortSignal.timeout(200) }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect((result.error as Error).name).toBe("AbortError");
    // The caller gave up before the simulator answered: no answer had been sent when the abort reached the caller.
    expect(t.sim.requests.filter((r) => r.route === "provider" && r.status !== 0)).toEqual([]);
  });

  test("latency within the timeout only slows the answer", async () => {
    t = await startTestSimulator(estate("  - { route: provider, latencyMs: 150 }"));
    const provider = await t.clients.resources(SUB).providers.get("Microsoft.Insights");
    expect(provider.registrationState).toBe("Registered");
    expect(t.sim.requests.find((r) => r.route === "provider")!.durationMs).toBeGreaterThanOrEqual(140);
  });

  test("an endless nextLink keeps the SDK paging until the caller stops", async () => {
    t = await startTestSimulator(estate("  - { route: resources, endlessNextLink: true }"));
    const items = await collect(t.clients.resources(SUB).resources.list(), 40);
    expect(items).toHaveLength(40);
    // Each page repeats the same items under a new $skiptoken: a client must guard against it.
    expect(new Set(items.map((i) => i.id)).size).toBeLessThan(items.length);
    expect(t.sim.requests.filter((r) => r.route === "resources").length).toBeGreaterThan(5);
  });

  test("a partial error in a logs query is a PartialFailure with its tables", async () => {
    t = await startTestSimulator(estate("  - { route: logsQuery, partialError: true }"));
    const result = await t.clients
      .logs()
      .queryWorkspace(WORKSPACE, "CloudHsmServiceOperationAuditLogs | count", { duration: "P1D" });
    expect(result.status).toBe(LogsQueryResultStatus.PartialFailure);
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      expect(result.partialTables[0]!.rows[0]![0]).toBeGreaterThan(0);
      expect(result.partialError.code).toBe("PartialError");
    }
  });

  test("a throttled logs query surfaces as a 429 from the query API", async () => {
    t = await startTestSimulator(estate("  - { route: logsQuery, status: 429 }"), { maxRetries: 0 });
    const result = await outcome(
      t.clients.logs().queryWorkspace(WORKSPACE, "CloudHsmServiceOperationAuditLogs | count", { duration: "P1D" }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(isRestError(result.error) && result.error.statusCode).toBe(429);
      expect(isRestError(result.error) && result.error.code).toBe("ThrottledError");
    }
  });

  test("faults inside ARM /batch come back as per-request statuses", async () => {
    t = await startTestSimulator(estate("  - { route: diagnosticSettings, status: 429, retryAfter: 1, times: 1 }"));
    const response = await t.clients
      .arm()
      .pathUnchecked("/batch")
      .post({
        queryParameters: { "api-version": "2020-06-01" },
        body: {
          requests: [1, 2].map((n) => ({
            httpMethod: "GET",
            name: `r${n}`,
            url: `${HSM}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
          })),
        },
      });
    const answers = (response.body as { responses: { httpStatusCode: number; headers: Record<string, string> }[] })
      .responses;
    expect(answers.map((r) => r.httpStatusCode)).toEqual([429, 200]);
    expect(answers[0]!.headers["Retry-After"]).toBe("1");
  });

  test("a fault's code replaces the family's own, alone and inside ARM /batch", async () => {
    t = await startTestSimulator(
      estate(`  - { route: provider, status: 404, code: NotFound, times: 1 }
  - { route: provider, status: 404, code: ResourceNotFound, after: 1, times: 1 }
  - { route: diagnosticSettings, status: 404, code: NotFound, times: 1 }
  - { route: logsQuery, status: 404, code: NotFound, times: 1 }`),
    );
    const provider = () => outcome(t!.clients.resources(SUB).providers.get("Microsoft.Insights"));
    const gateway = await provider();
    expect(!gateway.ok && isRestError(gateway.error) && [gateway.error.statusCode, gateway.error.code]).toEqual([
      404,
      "NotFound",
    ]);
    expect(!gateway.ok && (gateway.error as Error).message).toMatch(/^A gateway answered 404 NotFound/);
    // A code that is the family's own for the status keeps its usual message.
    const usual = await provider();
    expect(!usual.ok && (usual.error as Error).message).toBe("The resource was not found.");
    const query = await outcome(t.clients.logs().queryWorkspace(WORKSPACE, "print 1", { duration: "P1D" }));
    expect(!query.ok && isRestError(query.error) && query.error.code).toBe("NotFound");
    const response = await t.clients
      .arm()
      .pathUnchecked("/batch")
      .post({
        queryParameters: { "api-version": "2020-06-01" },
        body: {
          requests: [
            {
              httpMethod: "GET",
              name: "r1",
              url: `${HSM}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
            },
          ],
        },
      });
    const [inner] = (response.body as { responses: { httpStatusCode: number; content: { error: { code: string } } }[] })
      .responses;
    expect([inner!.httpStatusCode, inner!.content.error.code]).toEqual([404, "NotFound"]);
    expect(t.sim.requests.find((r) => r.route === "provider")!.faults).toEqual(["status:404:code:NotFound"]);
  });

  test("after/times select which matching requests fail", async () => {
    t = await startTestSimulator(estate("  - { route: provider, status: 404, after: 1, times: 1 }"));
    const first = await outcome(t.clients.resources(SUB).providers.get("Microsoft.Insights"));
    const second = await outcome(t.clients.resources(SUB).providers.get("Microsoft.Insights"));
    const third = await outcome(t.clients.resources(SUB).providers.get("Microsoft.Insights"));
    expect([first.ok, second.ok, third.ok]).toEqual([true, false, true]);
  });

  test("the request log file holds one JSON line per request", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hsm-audit-log-")), "requests.jsonl");
    t = await startTestSimulator(estate("  - { route: provider, status: 503, times: 1 }"), { requestLog: file });
    await t.clients.resources(SUB).providers.get("Microsoft.Insights");
    await collect(t.clients.subscriptions().subscriptions.list());
    await t.close();
    t = undefined;
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { route: string; status: number; method: string });
    expect(lines.map((l) => [l.method, l.route, l.status])).toEqual([
      ["GET", "provider", 503],
      ["GET", "provider", 200],
      ["GET", "subscriptions", 200],
    ]);
  });
});

describe("the server itself", () => {
  test("closing while a slow request is in flight neither crashes nor loses its log line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hsm-audit-log-")), "requests.jsonl");
    t = await startTestSimulator(estate("  - { route: provider, latencyMs: 60000 }"), { requestLog: file });
    const slow = outcome(t.clients.resources(SUB).providers.get("Microsoft.Insights"));
    await collect(t.clients.subscriptions().subscriptions.list());
    // The subscriptions answer has come back; give the slow request a moment to reach its wait, then close.
    await new Promise((r) => setTimeout(r, 100));
    await t.close();
    t = undefined;
    expect((await slow).ok).toBe(false);
    const routes = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { route: string; status: number }).route);
    expect(routes.sort()).toEqual(["provider", "subscriptions"]);
  });

  test("a fault's match also finds what the URL carries encoded ($skiptoken)", async () => {
    t = await startTestSimulator(
      estate("  - { route: resources, match: $skiptoken, status: 500 }").replace(
        "displayName: Fault Lab",
        "displayName: Fault Lab\n    pageSize: 1\n    storageAccounts: [{ name: stlab, resourceGroup: rg, location: eastus }]",
      ),
      { maxRetries: 0 },
    );
    const result = await outcome(collect(t.clients.resources(SUB).resources.list()));
    expect(result.ok).toBe(false);
    const pages = t.sim.requests.filter((r) => r.route === "resources");
    expect(pages.map((r) => r.status)).toEqual([200, 500]);
  });

  test.each([
    ["grouping parentheses", "(resourceType eq 'x' or name eq 'y') and resourceGroup eq 'rg'"],
    ["a tag filter", "tagName eq 'owner'"],
  ])("a $filter with %s is refused rather than misread", async (_what, filter) => {
    t = await startTestSimulator(estate(""));
    const result = await outcome(collect(t.clients.resources(SUB).resources.list({ filter })));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isRestError(result.error) && result.error.statusCode).toBe(400);
  });

  test.each([
    [
      "no api-version",
      {},
      { requests: [{ httpMethod: "GET", name: "a", url: "/subscriptions?api-version=2022-12-01" }] },
      "MissingApiVersionParameter",
    ],
    [
      "an unknown api-version",
      { "api-version": "2015-11-01" },
      { requests: [{ httpMethod: "GET", name: "a", url: "/subscriptions?api-version=2022-12-01" }] },
      "InvalidApiVersionParameter",
    ],
    ["a null request", { "api-version": "2020-06-01" }, { requests: [null] }, "InvalidBatchRequest"],
    [
      "21 requests",
      { "api-version": "2020-06-01" },
      {
        requests: Array.from({ length: 21 }, () => ({
          httpMethod: "GET",
          url: "/subscriptions?api-version=2022-12-01",
        })),
      },
      "InvalidBatchRequest",
    ],
  ])("ARM /batch with %s is a 400", async (_what, queryParameters, body, code) => {
    t = await startTestSimulator(estate(""));
    const response = await t.clients.arm().pathUnchecked("/batch").post({ queryParameters, body });
    expect(response.status).toBe("400");
    expect((response.body as { error: { code: string } }).error.code).toBe(code);
  });

  test("Log Analytics $batch with a null request is a 400", async () => {
    t = await startTestSimulator(estate(""));
    const response = await t.clients
      .arm()
      .pathUnchecked("/v1/$batch")
      .post({ body: { requests: [null] } });
    expect(response.status).toBe("400");
    expect(JSON.stringify(response.body)).toContain("BatchValidationError");
  });
});
