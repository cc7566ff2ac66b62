// Waivers: what a waivers file may say (every mistake names file, line and reason), when a waiver holds (to the end
// of its day, UTC, by the snapshot's clock), what it matches, and what it may never change.
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicies } from "../../src/engine/policy.js";
import { applyWaivers, endOf, parseWaivers, WaiverError, type Waiver } from "../../src/engine/waivers.js";
import { resourceMatcher } from "../../src/engine/resource-pattern.js";
import type { Finding, Status } from "../../src/model/result.js";
import { cloudHsm, snapshot, SUBSCRIPTION_ID } from "../helpers/snapshots.js";

const policies = loadPolicies();
const RUN = Date.parse("2025-06-08T12:00:00.000Z");
const rules = { policyIds: new Set(policies.map((p) => p.id)), runTime: RUN, maxDays: 365 };
const HSM = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-HSM/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-a`;

const waiverYaml = (fields: Record<string, string>) =>
  `- ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n  ")}\n`;
const VALID = {
  policy: "logs-flowing",
  resource: HSM,
  reason: "Idle standby HSM",
  owner: "alice@contoso.example",
  ticket: "SEC-1",
  expires: "2025-12-31",
};

function waiver(overrides: Partial<Waiver> = {}): Waiver {
  return { index: 1, line: 1, ...VALID, ...overrides };
}
function finding(status: Status, overrides: Partial<Finding> = {}): Finding {
  return {
    policyId: "logs-flowing",
    resourceId: HSM,
    status,
    severity: "high",
    message: "m",
    evidence: [],
    remediation: { azCli: "", powershell: "" },
    title: "t",
    ...overrides,
  };
}

describe("a valid waivers file", () => {
  test("reads every waiver with its position and line; ticket may be left out", () => {
    const { ticket: _t, ...noTicket } = VALID;
    const text = `# accepted exceptions\n${waiverYaml(VALID)}${waiverYaml(noTicket)}`;
    const waivers = parseWaivers(text, "waivers.yaml", rules);
    expect(waivers).toEqual([
      { index: 1, line: 2, ...VALID },
      { index: 2, line: 8, ...noTicket, ticket: "" },
    ]);
  });
  test("an empty file waives nothing", () => {
    expect(parseWaivers("", "w.yaml", rules)).toEqual([]);
    expect(parseWaivers("# none yet\n", "w.yaml", rules)).toEqual([]);
  });
  test("an expiry exactly maxDays after the run is allowed; maxDays is configurable", () => {
    expect(parseWaivers(waiverYaml({ ...VALID, expires: "2026-06-08" }), "w.yaml", rules)).toHaveLength(1);
    expect(() =>
      parseWaivers(waiverYaml({ ...VALID, expires: "2025-07-09" }), "w.yaml", { ...rules, maxDays: 30 }),
    ).toThrow(/w\.yaml:6: waiver 0\.expires: 2025-07-09 is more than 30 days after the run \(at most 2025-07-08\)/);
  });
  test("an expiry already past is not a mistake: it is reported as expired", () => {
    expect(parseWaivers(waiverYaml({ ...VALID, expires: "2020-01-01" }), "w.yaml", rules)).toHaveLength(1);
  });
});

describe("every invalid waivers file is refused with file:line: reason", () => {
  const { owner: _o, ...noOwner } = VALID;
  const { expires: _e, ...noExpires } = VALID;
  const { reason: _r, ...noReason } = VALID;
  test.each([
    ["bad YAML", "- policy: [unclosed\n", /^w\.yaml:2: not valid YAML/],
    ["not a list", "policy: logs-flowing\n", /^w\.yaml:1: must be a list of waivers/],
    ["a list of strings", "- logs-flowing\n", /^w\.yaml:1: waiver 0: must be object/],
    ["an unknown key", waiverYaml({ ...VALID, approver: "bob" }), /^w\.yaml:7: waiver 0: unknown key 'approver'/],
    [
      "an unknown policy",
      waiverYaml({ ...VALID, policy: "no-such-policy" }),
      /^w\.yaml:1: waiver 0\.policy: no policy 'no-such-policy' is in force/,
    ],
    ["no owner", waiverYaml(noOwner), /^w\.yaml:1: waiver 0: missing required key 'owner'/],
    ["no expiry", waiverYaml(noExpires), /^w\.yaml:1: waiver 0: missing required key 'expires'/],
    ["no reason", waiverYaml(noReason), /^w\.yaml:1: waiver 0: missing required key 'reason'/],
    ["a blank owner", waiverYaml({ ...VALID, owner: '"  "' }), /^w\.yaml:4: waiver 0\.owner: must not be blank/],
    [
      "a date in another format",
      waiverYaml({ ...VALID, expires: "31/12/2025" }),
      /^w\.yaml:6: waiver 0\.expires: must be a date YYYY-MM-DD/,
    ],
    [
      "a date that does not exist",
      waiverYaml({ ...VALID, expires: "2025-02-30" }),
      /^w\.yaml:6: waiver 0\.expires: '2025-02-30' is not a calendar date/,
    ],
    [
      "an expiry beyond the maximum",
      waiverYaml({ ...VALID, expires: "2026-06-09" }),
      /^w\.yaml:6: waiver 0\.expires: 2026-06-09 is more than 365 days after the run/,
    ],
    [
      "a resource that is not an ARM id",
      waiverYaml({ ...VALID, resource: "chsm-a" }),
      /^w\.yaml:2: waiver 0\.resource: must be an ARM id/,
    ],
    [
      "a second waiver's mistake",
      `${waiverYaml(VALID)}${waiverYaml({ ...VALID, policy: "nope" })}`,
      /^w\.yaml:7: waiver 1\.policy/,
    ],
  ])("%s", (_name, text, expected) => {
    let error: unknown;
    try {
      parseWaivers(text, "w.yaml", rules);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WaiverError);
    expect((error as Error).message).toMatch(expected);
  });
});

describe("expiry: a waiver holds to the end of its day, UTC, by the run's time", () => {
  test.each([
    ["the day before the run", "2025-06-07", RUN, "expired"],
    ["the day of the run", "2025-06-08", RUN, "applied"],
    ["the day after the run", "2025-06-09", RUN, "applied"],
    ["the last millisecond of its day", "2025-06-08", Date.parse("2025-06-08T23:59:59.999Z"), "applied"],
    ["midnight after its day", "2025-06-08", Date.parse("2025-06-09T00:00:00.000Z"), "expired"],
  ])("expiring %s (%s)", (_name, expires, runTime, state) => {
    const { findings, waivers } = applyWaivers([finding("fail")], [waiver({ expires })], runTime);
    expect(waivers[0]!.state).toBe(state);
    expect(findings[0]!.status).toBe(state === "applied" ? "waived" : "fail");
    expect(waivers[0]!.findings).toEqual([{ policyId: "logs-flowing", resourceId: HSM }]);
  });
  test("endOf is the start of the next day, and nothing for a date that does not exist", () => {
    expect(endOf("2024-02-29")).toBe(Date.parse("2024-03-01T00:00:00Z"));
    expect(endOf("2025-02-29")).toBeUndefined();
  });
});

describe("what a waiver matches and changes", () => {
  test.each([
    [HSM, HSM, true],
    [HSM.toUpperCase(), HSM, true],
    [`/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-HSM/**`, HSM, true],
    [`/subscriptions/*/resourceGroups/rg-hsm/providers/*/*/chsm-*`, HSM, true],
    [`/subscriptions/*/chsm-a`, HSM, false],
    [`/subscriptions/**/chsm-a`, HSM, true],
    [
      `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/RG-HSM/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-`,
      HSM,
      false,
    ],
    ["/subscriptions/s/resourceGroups/rg(prod)/x", "/subscriptions/s/resourceGroups/rg(prod)/x", true],
    ["/subscriptions/*/resourceGroups/rg(prod)/*", "/subscriptions/s/resourceGroups/rg(prod)/x", true],
    ["/subscriptions/*/resourceGroups/rg.prod/*", "/subscriptions/s/resourceGroups/rgXprod/x", false],
    ["/subscriptions/*/resourceGroups/[ab]/*", "/subscriptions/s/resourceGroups/a/x", false],
  ])("%s matches %s: %s", (pattern, id, expected) => {
    expect(resourceMatcher(pattern)(id)).toBe(expected);
  });

  test.each<Status>(["error", "pass", "not_applicable"])("a %s finding is never waived", (status) => {
    const { findings, waivers } = applyWaivers([finding(status)], [waiver()], RUN);
    expect(findings[0]!.status).toBe(status);
    expect(findings[0]!.waiver).toBeUndefined();
    expect(waivers[0]!.state).toBe("unused");
  });

  test.each<["fail" | "manual"]>([["fail"], ["manual"]])(
    "a %s finding is waived, and says which status the waiver accepted",
    (status) => {
      const { findings, waivers } = applyWaivers([finding(status)], [waiver()], RUN);
      expect(findings[0]).toMatchObject({ status: "waived", waiver: { index: 1, accepted: status } });
      expect(waivers[0]!.state).toBe("applied");
    },
  );

  test("a manual finding whose waiver expired counts again, and the waiver names it", () => {
    const { findings, waivers } = applyWaivers([finding("manual")], [waiver({ expires: "2025-01-01" })], RUN);
    expect(findings[0]!.status).toBe("manual");
    expect(waivers[0]).toMatchObject({ state: "expired", findings: [{ policyId: "logs-flowing", resourceId: HSM }] });
  });

  test("a waiver of another policy, or another resource, is unused", () => {
    const { findings, waivers } = applyWaivers(
      [finding("fail")],
      [waiver({ policy: "workspace-retention" }), waiver({ index: 2, resource: `${HSM}-other` })],
      RUN,
    );
    expect(findings[0]!.status).toBe("fail");
    expect(waivers.map((w) => w.state)).toEqual(["unused", "unused"]);
  });

  test("the first unexpired waiver in file order applies; the waived finding cites it", () => {
    const waivers = [
      waiver({ expires: "2025-01-01" }),
      waiver({ index: 2, owner: "bob" }),
      waiver({ index: 3, owner: "carol" }),
    ];
    const out = applyWaivers([finding("fail")], waivers, RUN);
    expect(out.findings[0]).toMatchObject({
      status: "waived",
      waiver: { index: 2, owner: "bob", expires: "2025-12-31" },
    });
    expect(out.waivers.map((w) => w.state)).toEqual(["expired", "applied", "unused"]);
    // The expired one is not said to cover a failure another waiver covered.
    expect(out.waivers[0]!.findings).toEqual([]);
  });
});

test("evaluate applies waivers by the snapshot's time, and the result lists them with their state", () => {
  const bare = cloudHsm({ name: "chsm-a", resourceGroup: "RG-HSM", settings: [] });
  const snap = snapshot({ hsms: [bare] });
  const waivers = [
    waiver({ policy: "diagnostic-setting-present", resource: bare.id.toUpperCase() }),
    waiver({ index: 2, policy: "logs-flowing", expires: "2025-06-07" }),
    waiver({ index: 3, policy: "workspace-retention", resource: "/subscriptions/*/resourceGroups/elsewhere/**" }),
  ];
  const result = evaluate(snap, policies, { failOn: "low", waivers });
  const dsp = result.findings.find((f) => f.policyId === "diagnostic-setting-present")!;
  expect(dsp.status).toBe("waived");
  expect(result.findings.find((f) => f.policyId === "logs-flowing")!.status).toBe("fail");
  expect(result.waivers!.map((w) => w.state)).toEqual(["applied", "expired", "unused"]);
  expect(result.summary.waived).toBe(result.findings.filter((f) => f.status === "waived").length);
  expect(result.failOnExpiredWaivers).toBe(false);
  // Without a waivers file the result has no waivers section at all.
  expect(evaluate(snap, policies, { failOn: "low" }).waivers).toBeUndefined();
});
