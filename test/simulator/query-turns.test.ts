// The simulator evaluates Log Analytics queries on its one thread; an ARM read that falls due while a heavy query runs
// is answered before the next query starts, as Azure's services answer independently (a slow log query never holds an
// ARM read back). Observed in the order the simulator finished its answers.
import { request } from "node:https";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator.js";
import { faultLabEstate, FAULT_LAB_SUBSCRIPTION, FAULT_LAB_WORKSPACE } from "../helpers/estates.js";

const SUB = FAULT_LAB_SUBSCRIPTION;
const WORKSPACE = FAULT_LAB_WORKSPACE;

// A month of records, one a minute: enough that each query below takes a while to evaluate (about a quarter of a
// second here). The provider's read waits 150 ms before it is answered, so it falls due while the first query runs.
const ESTATE = faultLabEstate(
  "  - { route: provider, latencyMs: 150 }",
  "{ every: 1m, from: 30d, operations: [CN_LOGIN, CN_LOGOUT], callers: [10.0.0.1] }",
);

const HEAVY =
  "CloudHsmServiceOperationAuditLogs | summarize Count = count() by OperationName, TimeGenerated | order by TimeGenerated asc | take 1";

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator(ESTATE);
});
afterAll(() => t.close());

function send(method: string, path: string, body?: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.sim.url}${path}`,
      {
        method,
        agent: t.agent,
        headers: { authorization: `Bearer ${t.sim.token}`, "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test("an ARM read due during a heavy log query is answered before the next query is evaluated", async () => {
  const query = (text = HEAVY) => send("POST", `/v1/workspaces/${WORKSPACE}/query`, { query: text, timespan: "P31D" });
  // Three connections opened first, so that the two queries arrive together, as a scan's do.
  const light = "CloudHsmServiceOperationAuditLogs | take 1";
  expect(await Promise.all([query(light), query(light), query(light)])).toEqual([200, 200, 200]);
  const before = t.sim.requests.length;
  const provider = send("GET", `/subscriptions/${SUB}/providers/Microsoft.Insights?api-version=2021-04-01`);
  // The read reaches the simulator (and starts its wait) before the queries are sent.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const statuses = await Promise.all([provider, query(), query()]);
  expect(statuses).toEqual([200, 200, 200]);
  const answered = t.sim.requests.slice(before);
  const finished = answered.map((r) => r.route);
  expect(finished.filter((route) => route !== "provider")).toHaveLength(2);
  // The provider's answer comes between the two queries', not after both.
  expect(finished.indexOf("provider")).toBe(1);
  // The first query was still running when the read fell due (or the order above would prove nothing).
  const [read, first] = [answered.find((r) => r.route === "provider")!, answered[0]!];
  expect(Date.parse(first.time) + first.durationMs).toBeGreaterThan(Date.parse(read.time) + 150);
});
