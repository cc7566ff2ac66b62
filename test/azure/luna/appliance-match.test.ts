// Which Dedicated HSM an appliance entry is: by the resourceId it names, or by its host being an HSM's private IP.
// Each case: the inventory, the entries, and what each entry is matched to (or why not).
import {
  matchAppliances,
  matchedInWords,
  normaliseIp,
  type MatchableHsm,
} from "../../../src/domain/appliance-match.js";

const SUB = "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups";
const idOf = (rg: string, name: string) =>
  `${SUB}/${rg}/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/${name}`;
const nic = (rg: string, name: string) => `${SUB}/${rg}/providers/Microsoft.Network/networkInterfaces/${name}`;
const luna = (name: string, ip: string, rg = "rg-a"): MatchableHsm => ({
  id: idOf(rg, name),
  name,
  kind: "dedicatedHsm",
  sku: "SafeNet Luna Network HSM A790",
  networkInterfaces: [{ id: nic(rg, `${name}-nic`), privateIpAddress: ip }],
});
const PAY = {
  ...luna("phsm-pay", "10.9.0.4"),
  sku: "payShield10K_LMK1_CPS60",
};
const A = luna("dhsm-a", "10.2.0.4", "rg-a");
const B = luna("dhsm-b", "10.2.0.5", "rg-b");
const A_TWIN = luna("dhsm-a-twin", "10.2.0.4", "rg-other-vnet");
const V6 = luna("dhsm-v6", "FD00:0:0:0::4");
const CLOUD: MatchableHsm = {
  id: `${SUB}/rg-a/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/c`,
  name: "c",
  kind: "cloudHsm",
};

type Expected = { hsm?: string; by: string; privateIp?: string; candidates?: string[]; warning?: RegExp };

const CASES: Array<{
  name: string;
  hsms: MatchableHsm[];
  entries: Array<{ name: string; resourceId?: string; host?: string }>;
  expect: Expected[];
}> = [
  {
    name: "the entry names its HSM, and its host is that HSM's private IP: by resourceId, no warning",
    hsms: [A, B],
    entries: [{ name: "luna-a", resourceId: A.id, host: "10.2.0.4" }],
    expect: [{ hsm: A.id, by: "resourceId" }],
  },
  {
    name: "a resourceId spelt in another case: the same HSM",
    hsms: [A],
    entries: [{ name: "luna-a", resourceId: A.id.toUpperCase() }],
    expect: [{ hsm: A.id, by: "resourceId" }],
  },
  {
    name: "no resourceId, host the private IP of one Dedicated HSM: by that IP, naming the interface",
    hsms: [A, B, CLOUD],
    entries: [{ name: "luna-b", host: "10.2.0.5" }],
    expect: [{ hsm: B.id, by: "privateIp", privateIp: "10.2.0.5" }],
  },
  {
    name: "IPv6 spelt differently (case, zeros, ::): the same address",
    hsms: [A, V6],
    entries: [{ name: "luna-v6", host: "fd00::0004" }],
    expect: [{ hsm: V6.id, by: "privateIp", privateIp: "FD00:0:0:0::4" }],
  },
  {
    name: "an IPv4-mapped IPv6 host: the IPv4 address",
    hsms: [A, B],
    entries: [{ name: "luna-a", host: "::ffff:10.2.0.4" }],
    expect: [{ hsm: A.id, by: "privateIp" }],
  },
  {
    name: "two Dedicated HSMs (in different VNets) with the same private IP: neither, naming both",
    hsms: [A, A_TWIN, B],
    entries: [{ name: "luna-a", host: "10.2.0.4" }],
    expect: [
      {
        by: "none",
        candidates: [A.id, A_TWIN.id],
        warning:
          /appliance luna-a: its host 10.2.0.4 is the private IP of 2 Dedicated HSMs \(dhsm-a, dhsm-a-twin, in different networks\), so it matches none of them; give its resourceId/,
      },
    ],
  },
  {
    name: "no HSM has the address: no match, a warning naming the entry",
    hsms: [A, B],
    entries: [{ name: "luna-x", host: "10.2.0.99" }],
    expect: [
      { by: "none", warning: /^appliance luna-x: no Dedicated HSM the scan found has the private IP 10.2.0.99/ },
    ],
  },
  {
    name: "resourceId and address disagree: the resourceId wins, with a warning naming the other HSM",
    hsms: [A, B],
    entries: [{ name: "luna-a", resourceId: A.id, host: "10.2.0.5" }],
    expect: [
      {
        hsm: A.id,
        by: "resourceId",
        warning:
          /luna-a: its host 10.2.0.5 is not a private IP of dhsm-a, the Dedicated HSM its resourceId names \(it is dhsm-b's\); the resourceId is used/,
      },
    ],
  },
  {
    name: "a host name beside a resourceId: nothing to compare, no warning",
    hsms: [A],
    entries: [{ name: "luna-a", resourceId: A.id, host: "luna-a.contoso.example" }],
    expect: [{ hsm: A.id, by: "resourceId" }],
  },
  {
    name: "a resourceId the inventory does not hold: kept, with a warning (its evidence judges no HSM)",
    hsms: [A],
    entries: [{ name: "luna-gone", resourceId: idOf("rg-a", "dhsm-gone") }],
    expect: [
      {
        hsm: idOf("rg-a", "dhsm-gone"),
        by: "resourceId",
        warning: /luna-gone: its resourceId .*dhsm-gone names no Dedicated HSM the scan found/,
      },
    ],
  },
  {
    name: "the only HSM with the address is a Payment HSM: never matched, saying it is a payShield",
    hsms: [A, PAY],
    entries: [{ name: "luna-p", host: "10.9.0.4" }],
    expect: [
      {
        by: "none",
        warning: /10.9.0.4 is the private IP of phsm-pay, an Azure Payment HSM \(a payShield, not a Luna appliance\)/,
      },
    ],
  },
  {
    name: "a Payment HSM and a Luna HSM share the address: the Luna HSM is matched",
    hsms: [{ ...PAY, networkInterfaces: [{ privateIpAddress: "10.2.0.4" }] }, A],
    entries: [{ name: "luna-a", host: "10.2.0.4" }],
    expect: [{ hsm: A.id, by: "privateIp" }],
  },
  {
    name: "an entry naming a Payment HSM by resourceId: kept (its finding stays manual), with a warning",
    hsms: [PAY],
    entries: [{ name: "luna-p", resourceId: PAY.id }],
    expect: [{ hsm: PAY.id, by: "resourceId", warning: /names phsm-pay, an Azure Payment HSM .*stays manual/ }],
  },
  {
    name: "two entries with the same address: neither is matched",
    hsms: [A],
    entries: [
      { name: "luna-1", host: "10.2.0.4" },
      { name: "luna-2", host: "10.2.0.4" },
    ],
    expect: [
      { by: "none", candidates: [A.id], warning: /luna-1: .*also the host of appliance luna-2/ },
      { by: "none", candidates: [A.id], warning: /luna-2: .*also the host of appliance luna-1/ },
    ],
  },
  {
    name: "one entry names the HSM, another has its address: the named one wins",
    hsms: [A],
    entries: [
      { name: "luna-named", resourceId: A.id },
      { name: "luna-by-ip", host: "10.2.0.4" },
    ],
    expect: [
      { hsm: A.id, by: "resourceId" },
      { by: "none", warning: /luna-by-ip: .*that appliance luna-named names by resourceId/ },
    ],
  },
  {
    name: "an HSM whose inventory has no interfaces, or an address that is not one: never matched by IP",
    hsms: [
      { ...A, networkInterfaces: [] },
      { ...B, networkInterfaces: [{ privateIpAddress: "not-an-ip" }] },
    ],
    entries: [
      { name: "luna-a", host: "10.2.0.4" },
      { name: "luna-b", host: "not-an-ip" },
    ],
    expect: [
      { by: "none", warning: /no Dedicated HSM the scan found has the private IP 10.2.0.4/ },
      { by: "none", warning: /no resourceId and its host not-an-ip is not an IP address/ },
    ],
  },
];

describe("matchAppliances", () => {
  test.each(CASES)("$name", ({ hsms, entries, expect: expected }) => {
    const matched = matchAppliances(hsms, entries);
    expect(matched).toHaveLength(expected.length);
    matched.forEach((m, i) => {
      const want = expected[i]!;
      expect(m.hsmId).toBe(want.hsm);
      expect(m.match.by).toBe(want.by);
      if (want.privateIp) expect(m.match.privateIp).toBe(want.privateIp);
      expect(m.match.candidates).toEqual(want.candidates);
      if (want.warning) expect(m.match.warning).toMatch(want.warning);
      else expect(m.match.warning).toBeUndefined();
    });
  });

  test("the finding's words name the address and the interface", () => {
    const [m] = matchAppliances([A, B], [{ name: "luna-b", host: "10.2.0.5" }]);
    expect(m!.match.networkInterface).toBe(nic("rg-b", "dhsm-b-nic"));
    expect(matchedInWords(m!.match)).toBe("matched by private IP 10.2.0.5 of dhsm-b-nic");
    expect(matchedInWords({ by: "resourceId" })).toBeUndefined();
  });
});

describe("normaliseIp", () => {
  test.each([
    ["10.2.0.4", "10.2.0.4"],
    [" 10.2.0.4 ", "10.2.0.4"],
    ["FD00:0000::0004", "fd00::4"],
    ["fd00:0:0:0:0:0:0:4", "fd00::4"],
    ["::ffff:10.2.0.4", "10.2.0.4"],
    ["::FFFF:a02:4", "10.2.0.4"],
    ["010.2.0.4", undefined],
    ["10.2.0", undefined],
    ["10.2.0.256", undefined],
    ["fe80::1%eth0", undefined],
    ["fd00::4/64", undefined],
    ["luna.contoso.example", undefined],
    ["", undefined],
  ])("%j is %j", (text, expected) => {
    expect(normaliseIp(text)).toBe(expected);
  });
});
