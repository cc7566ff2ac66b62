// The simulator's Activity Log route, read by the real `@azure/arm-monitor` client over HTTPS: the EventData shape,
// paging, and a `$filter` parsed as strictly as the service documents it.
import { isRestError } from "@azure/core-rest-pipeline";
import { collect, hsmId, startTestSimulator, SUB_IDENTITY, type TestSimulator } from "../helpers/simulator.js";

const MHSM_IDENTITY = hsmId(SUB_IDENTITY, "rg-identity-hsm", "managedHsm", "mhsm-identity-signing");
const DAY = 86_400_000;

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(async () => t.close());

const iso = (ms: number) => new Date(ms).toISOString();
const window = (days: number) => {
  const now = t.estate.now.getTime() + 60_000;
  return `eventTimestamp ge '${iso(now - days * DAY)}' and eventTimestamp le '${iso(now)}'`;
};
const list = (filter: string) => collect(t.clients.monitor(SUB_IDENTITY).activityLogs.list(filter));

test("a resource group's events: the demo's deleted and recreated audit setting, newest first, as EventData", async () => {
  const events = await list(`${window(7)} and resourceGroupName eq 'RG-IDENTITY-HSM'`);
  expect(events.map((e) => [e.operationName?.value, e.status?.value])).toEqual([
    ["Microsoft.Insights/diagnosticSettings/write", "Succeeded"],
    ["Microsoft.Insights/diagnosticSettings/delete", "Succeeded"],
    ["Microsoft.Insights/diagnosticSettings/delete", "Started"],
  ]);
  const [write, deleted, started] = events;
  expect(write!.resourceId).toBe(`${MHSM_IDENTITY}/providers/microsoft.insights/diagnosticSettings/audit-dedicated`);
  expect(write!.eventTimestamp).toBeInstanceOf(Date);
  expect(write!.caller).toBe("iam-admin@contoso.example");
  expect(write!.category?.value).toBe("Administrative");
  expect(write!.resourceGroupName).toBe("rg-identity-hsm");
  expect(deleted!.correlationId).toBe(started!.correlationId);
  expect(new Set(events.map((e) => e.eventDataId)).size).toBe(3);
});

test("a resourceUri filter on the HSM matches the HSM only, not its settings (child resources)", async () => {
  expect(await list(`${window(7)} and resourceUri eq '${MHSM_IDENTITY}'`)).toEqual([]);
});

test("a window that leaves the events out returns none", async () => {
  const now = t.estate.now.getTime();
  const events = await list(
    `eventTimestamp ge '${iso(now - 2 * DAY)}' and eventTimestamp le '${iso(now + 60_000)}' and resourceGroupName eq 'rg-identity-hsm'`,
  );
  expect(events).toEqual([]);
});

test.each([
  (w: string) => w.replace(/'[^']+'/g, "'x'"),
  () => "resourceGroupName eq 'rg-identity-hsm'",
  (w: string) => w.replace(" and ", " or "),
  (w: string) => w.replace("eventTimestamp ge", "EVENTTIMESTAMP GE"),
  (w: string) => `${w} and levels eq 'Error'`,
  (w: string) => `${w} and resourceGroupName eq 'rg-identity-hsm' and resourceUri eq '${MHSM_IDENTITY}'`,
])("a filter outside the documented shapes is refused with 400 (%#)", async (spoil) => {
  // A recent window, so that only the shape is wrong; the same window alone is accepted.
  await expect(list(window(7))).resolves.toBeDefined();
  const error = await list(spoil(window(7))).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRestError(error) && error.statusCode).toBe(400);
});

test("a start more than 90 days back is refused with 400: the Activity Log keeps 90 days", async () => {
  const error = await list(`${window(91)} and resourceGroupName eq 'rg-identity-hsm'`).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRestError(error) && error.statusCode).toBe(400);
});

test("the answer is paged with nextLink when it holds more events than a page", async () => {
  const sub = t.estate.subscriptions.find((s) => s.subscriptionId === SUB_IDENTITY)!;
  const before = t.sim.requests.length;
  sub.pageSize = 2;
  try {
    const events = await list(`${window(7)} and resourceGroupName eq 'rg-identity-hsm'`);
    expect(events).toHaveLength(3);
  } finally {
    delete sub.pageSize;
  }
  const pages = t.sim.requests.slice(before).filter((r) => r.route === "activityLog");
  expect(pages).toHaveLength(2);
  expect(pages[1]!.url).toContain("skiptoken");
});
