// Resource Graph's management-group scope in the simulator, through the real SDK client (@azure/arm-resourcegraph):
// a `resources` query naming `managementGroups` answers with the resources of every subscription below those groups,
// nested groups included, and leaves out without a word the subscriptions the credential cannot read; a request
// naming both scopes, or a group that does not exist, is refused; the request log keeps the scope each query named.
import { startTestSimulator, type TestSimulator } from "../helpers/simulator.js";
import { hsmInventoryQuery, subscriptionsCoveredQuery } from "../../src/azure/queries.js";
import { HSM_TYPES } from "../../src/domain/hsm-kinds.js";

const TENANT = "00000000-0000-4000-8000-0000000000aa";
const S1 = "aaaaaaaa-0000-4000-8000-000000000001";
const S2 = "aaaaaaaa-0000-4000-8000-000000000002";
const S3 = "aaaaaaaa-0000-4000-8000-000000000003";
const S4 = "aaaaaaaa-0000-4000-8000-000000000004";

const hsm = (name: string) => `      - { name: ${name}, resourceGroup: rg-hsm, location: eastus }`;
const ESTATE = `tenantId: ${TENANT}
subscriptions:
  - subscriptionId: ${S1}
    displayName: Payments
    cloudHsmClusters:
${hsm("chsm-payments")}
  - subscriptionId: ${S2}
    displayName: Payments EU
    cloudHsmClusters:
${hsm("chsm-payments-eu")}
  - subscriptionId: ${S3}
    displayName: Identity
    access: denied
    cloudHsmClusters:
${hsm("chsm-identity")}
  - subscriptionId: ${S4}
    displayName: Unplaced
    cloudHsmClusters:
${hsm("chsm-unplaced")}
managementGroups:
  - name: mg-contoso
    managementGroups:
      - name: mg-payments
        subscriptions: [${S1}]
        managementGroups:
          - { name: mg-payments-eu, subscriptions: [${S2}] }
      - { name: mg-identity, subscriptions: [${S3}] }
`;

const QUERY = hsmInventoryQuery(Object.values(HSM_TYPES).map((t) => t.type));

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator(ESTATE);
});
afterAll(() => t.close());

const names = (data: unknown) => (data as Array<{ name: string }>).map((r) => r.name).sort();

describe("Resource Graph scoped to management groups, through @azure/arm-resourcegraph", () => {
  test.each([
    [["mg-payments"], ["chsm-payments", "chsm-payments-eu"]],
    [["mg-payments-eu"], ["chsm-payments-eu"]],
    [
      ["MG-Payments-EU", "mg-payments"],
      ["chsm-payments", "chsm-payments-eu"],
    ],
    // mg-identity's subscription cannot be read: left out, and nothing in the answer says so.
    [["mg-contoso"], ["chsm-payments", "chsm-payments-eu"]],
    [["mg-identity"], []],
    // The tenant root group holds every subscription, the unplaced one too.
    [[TENANT], ["chsm-payments", "chsm-payments-eu", "chsm-unplaced"]],
  ])("%j answers %j", async (managementGroups, expected) => {
    const before = t.sim.requests.length;
    const answer = await (
      await t.clients.resourceGraph()
    ).resources({
      managementGroups,
      query: QUERY,
      options: { top: 1, resultFormat: "objectArray" },
    });
    // Paged one row a page: the first page, and the count of all.
    expect(answer.totalRecords).toBe(expected.length);
    const rows = [...(answer.data as unknown[])];
    let skipToken = answer.skipToken;
    while (skipToken) {
      const next = await (
        await t.clients.resourceGraph()
      ).resources({
        managementGroups,
        query: QUERY,
        options: { top: 1, skipToken, resultFormat: "objectArray" },
      });
      rows.push(...(next.data as unknown[]));
      skipToken = next.skipToken;
    }
    expect(names(rows)).toEqual(expected);
    const logged = t.sim.requests.slice(before).filter((r) => r.route === "resourceGraph");
    expect(logged.length).toBeGreaterThan(0);
    for (const entry of logged) expect(entry.graphScope).toEqual({ managementGroups });
  });

  test("resourcecontainers under the groups: the subscriptions the credential can read", async () => {
    const answer = await (
      await t.clients.resourceGraph()
    ).resources({ managementGroups: ["mg-contoso"], query: subscriptionsCoveredQuery() });
    expect((answer.data as Array<{ subscriptionId: string }>).map((r) => r.subscriptionId)).toEqual([S1, S2]);
  });

  test("a group the estate does not hold is refused (403)", async () => {
    await expect(
      (await t.clients.resourceGraph()).resources({ managementGroups: ["mg-nowhere"], query: QUERY }),
    ).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
  });

  test("a request naming both subscriptions and management groups is refused (400)", async () => {
    await expect(
      (await t.clients.resourceGraph()).resources({
        subscriptions: [S1],
        managementGroups: ["mg-payments"],
        query: QUERY,
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  test("scoped to subscriptions, as before", async () => {
    const answer = await (await t.clients.resourceGraph()).resources({ subscriptions: [S2, S4], query: QUERY });
    expect(names(answer.data)).toEqual(["chsm-payments-eu", "chsm-unplaced"]);
    expect(t.sim.requests.at(-1)!.graphScope).toEqual({ subscriptions: [S2, S4] });
  });
});
