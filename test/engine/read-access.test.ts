// What the credential could read in each resource group, as evaluation derives it from the snapshot's permissions:
// granted, the missing actions named, or unknown with the read's error; and the groups the scan asks about.
import { readAccessOf } from "../../src/engine/read-access.js";
import { resourceGroupsOf } from "../../src/azure/collectors/permissions.js";
import type { ResourceGroupPermissions } from "../../src/model/snapshot.js";

const SUB = "11111111-2222-4333-8444-555555555555";
const SETTINGS = "Microsoft.Insights/diagnosticSettings/read";
const CATEGORIES = "Microsoft.Insights/diagnosticSettingsCategories/read";

const read = (
  kinds: ResourceGroupPermissions["kinds"],
  result: ResourceGroupPermissions["result"],
): ResourceGroupPermissions => ({ subscriptionId: SUB, resourceGroup: "rg-hsm", kinds, result });

test.each<[string, ResourceGroupPermissions, object]>([
  [
    "Reader: granted",
    read(["managedHsm"], { value: { permissions: [{ actions: ["*/read"], notActions: [] }] }, evidence: ["ev-1"] }),
    { access: "granted", evidence: ["ev-1"] },
  ],
  [
    "settings taken away: missing, named",
    read(["cloudHsm"], {
      value: { permissions: [{ actions: ["*/read"], notActions: ["Microsoft.Insights/diagnosticSettings*"] }] },
      evidence: ["ev-2"],
    }),
    { access: "missing", missing: [SETTINGS, CATEGORIES], evidence: ["ev-2"] },
  ],
  [
    "a Dedicated HSM's group needs only its own read",
    read(["dedicatedHsm"], {
      value: { permissions: [{ actions: ["Microsoft.HardwareSecurityModules/*"], notActions: [] }] },
      evidence: ["ev-3"],
    }),
    { access: "granted", needed: ["Microsoft.HardwareSecurityModules/dedicatedHSMs/read"] },
  ],
  [
    "the read failed: unknown, with its error and the evidence of the attempt",
    read(["cloudHsm"], {
      error: { message: "could not read ...: HTTP 403 AuthorizationFailed", status: 403 },
      evidence: ["ev-4"],
    }),
    { access: "unknown", reason: "could not read ...: HTTP 403 AuthorizationFailed", evidence: ["ev-4"] },
  ],
])("%s", (_name, permissions, expected) => {
  const access = readAccessOf(permissions);
  expect(access).toMatchObject({ subscriptionId: SUB, resourceGroup: "rg-hsm", ...expected });
  if (access.access !== "missing") expect(access).not.toHaveProperty("missing");
});

test("the groups asked about: each group holding an HSM once (compared case-insensitively), with its kinds", () => {
  expect(
    resourceGroupsOf([
      { subscriptionId: SUB, resourceGroup: "rg-b", kind: "managedHsm" },
      { subscriptionId: SUB, resourceGroup: "RG-B", kind: "cloudHsm" },
      { subscriptionId: SUB, resourceGroup: "rg-a", kind: "dedicatedHsm" },
      { subscriptionId: SUB, resourceGroup: "rg-b", kind: "cloudHsm" },
    ]),
  ).toEqual([
    { subscriptionId: SUB, resourceGroup: "rg-a", kinds: ["dedicatedHsm"] },
    { subscriptionId: SUB, resourceGroup: "rg-b", kinds: ["cloudHsm", "managedHsm"] },
  ]);
});
