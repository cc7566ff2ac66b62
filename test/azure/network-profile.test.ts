// A Dedicated HSM's networkProfile as the inventory keeps it (ARM list and Resource Graph rows both pass through toHsm):
// its interfaces' private IPs, by which an appliance entry without resourceId is matched. What ARM answers is hostile:
// what is not as the API describes it is left out, never guessed.
import { networkProfileOf, toHsm } from "../../src/azure/collectors/inventory-arm.js";

const SUB = "aaaaaaaa-0000-4000-8000-000000000001";
const ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/dhsm-1`;
const NIC = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/dhsm-1-nic`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;

describe("networkProfileOf", () => {
  test.each([
    [
      "the API's shape",
      { subnet: { id: SUBNET }, networkInterfaces: [{ id: NIC, privateIpAddress: "10.2.0.4" }] },
      { subnetId: SUBNET, networkInterfaces: [{ id: NIC, privateIpAddress: "10.2.0.4" }] },
    ],
    [
      "an interface without id",
      { networkInterfaces: [{ privateIpAddress: "10.2.0.4" }] },
      { networkInterfaces: [{ privateIpAddress: "10.2.0.4" }] },
    ],
    ["absent", undefined, {}],
    ["null", null, {}],
    ["a string", "10.2.0.4", {}],
    ["interfaces not a list", { networkInterfaces: { privateIpAddress: "10.2.0.4" } }, {}],
    [
      "interfaces without an address, or with a number",
      { networkInterfaces: [{ id: NIC }, { privateIpAddress: 167903236 }, null, "x"] },
      {},
    ],
    ["an address too long to be one", { networkInterfaces: [{ privateIpAddress: "1".repeat(65) }] }, {}],
    [
      "an id that is not a string: the address is kept, the id not",
      { networkInterfaces: [{ id: 7, privateIpAddress: "10.2.0.4" }] },
      { networkInterfaces: [{ privateIpAddress: "10.2.0.4" }] },
    ],
  ])("%s", (_what, profile, expected) => {
    expect(networkProfileOf(profile)).toEqual(expected);
  });

  test("a hostile list of interfaces is cut to eight", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ privateIpAddress: `10.2.${i >> 8}.${i & 255}` }));
    expect(networkProfileOf({ networkInterfaces: many }).networkInterfaces).toHaveLength(8);
  });
});

describe("toHsm keeps the interfaces of a Dedicated HSM only", () => {
  const properties = {
    provisioningState: "Succeeded",
    networkProfile: { networkInterfaces: [{ privateIpAddress: "10.2.0.4" }] },
  };

  test("a Dedicated HSM", () => {
    expect(toHsm({ id: ID, name: "dhsm-1", properties }, "dedicatedHsm", SUB)).toMatchObject({
      kind: "dedicatedHsm",
      provisioningState: "Succeeded",
      networkInterfaces: [{ privateIpAddress: "10.2.0.4" }],
    });
  });

  test("a Cloud HSM with a networkProfile: not kept", () => {
    const cloud = ID.replace("dedicatedHSMs", "cloudHsmClusters");
    expect(toHsm({ id: cloud, name: "dhsm-1", properties }, "cloudHsm", SUB)).not.toHaveProperty("networkInterfaces");
  });
});
