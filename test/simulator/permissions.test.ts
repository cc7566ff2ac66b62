// The simulator's Microsoft.Authorization/permissions route, read by the real `@azure/arm-authorization` client over
// HTTPS: the REST spec's shape, the estate's per-group entries (names compared case-insensitively), the Reader
// default, paging, and ARM's 404 for a group the estate does not hold.
import { isRestError } from "@azure/core-rest-pipeline";
import { collect, startTestSimulator, type TestSimulator } from "../helpers/simulator.js";

const SUB = "cccccccc-0000-4000-8000-000000000001";
const ESTATE = `tenantId: 00000000-0000-4000-8000-0000000000cc
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Permissions
    pageSize: 1
    permissions:
      RG-Narrow:
        - { actions: ["*/read"], notActions: ["Microsoft.Insights/diagnosticSettings/*"] }
        - { actions: ["Microsoft.KeyVault/managedHSMs/read"] }
    cloudHsmClusters:
      - { name: chsm-default, resourceGroup: rg-default, location: eastus }
      - { name: chsm-narrow, resourceGroup: rg-narrow, location: eastus }
`;

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator(ESTATE);
});
afterAll(async () => t.close());

const list = (rg: string) => collect(t.clients.authorization(SUB).permissions.listForResourceGroup(rg));

test.each<[string, string, unknown[]]>([
  ["a group the estate does not name: the Reader role", "rg-default", [{ actions: ["*/read"], notActions: [] }]],
  [
    "a restricted group, every entry over its pages (one a page), named in another case",
    "rg-narrow",
    [
      { actions: ["*/read"], notActions: ["Microsoft.Insights/diagnosticSettings/*"] },
      { actions: ["Microsoft.KeyVault/managedHSMs/read"], notActions: [] },
    ],
  ],
])("%s", async (_name, rg, expected) => {
  const entries = await list(rg);
  expect(entries).toEqual(expected.map((e) => ({ ...(e as object), dataActions: [], notDataActions: [] })));
});

test("a group the subscription does not hold is ARM's 404 ResourceGroupNotFound", async () => {
  const error = await list("rg-nowhere").catch((e: unknown) => e);
  expect(isRestError(error) && [error.statusCode, error.code]).toEqual([404, "ResourceGroupNotFound"]);
});

test("the answer as sent: a value list of the spec's four lists, and an api-version the route does not know refused", async () => {
  const arm = t.clients.arm();
  const path = `/subscriptions/${SUB}/resourceGroups/rg-default/providers/Microsoft.Authorization/permissions`;
  const ok = await arm.pathUnchecked(path).get({ queryParameters: { "api-version": "2022-04-01" } });
  expect(ok.status).toBe("200");
  expect(ok.body).toEqual({ value: [{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }] });
  const refused = await arm.pathUnchecked(path).get({ queryParameters: { "api-version": "1999-01-01" } });
  expect(refused.status).toBe("400");
  expect((refused.body as { error: { code: string } }).error.code).toBe("InvalidApiVersionParameter");
});
