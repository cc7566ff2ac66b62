// Every check kind against its table of cases (cases.ts). Params go through parsePolicy, as a policy file's would, so
// the kind's schema defaults apply exactly as they do in a scan.
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { judges, type CheckKind, type Verdict } from "../../src/engine/check.js";
import { snapshot, subscription } from "../helpers/snapshots.js";
import { paramsWithDefaults } from "../helpers/policies.js";
import { CASES, type CheckCase } from "./cases.js";

function kindOf(name: string): CheckKind {
  const kind = CHECK_KINDS.get(name);
  if (!kind) throw new Error(`no check kind ${name}`);
  return kind;
}

function run(kindName: string, c: CheckCase): Verdict {
  const kind = kindOf(kindName);
  return kind.evaluate(c.target, paramsWithDefaults(kind, c.params), c.snapshot);
}

const ALL = Object.entries(CASES).flatMap(([kind, cases]) => cases.map((c) => ({ kind, c })));

describe.each(Object.entries(CASES))("check kind %s", (kindName, cases) => {
  test.each(cases)("$name → $expect.status", (c) => {
    const verdict = run(kindName, c);
    expect({ status: verdict.status, message: verdict.message }).toEqual({
      status: c.expect.status,
      message: c.expect.message ? expect.stringMatching(c.expect.message) : expect.any(String),
    });
    expect(verdict.message.length).toBeGreaterThan(0);
    if (c.expect.evidence) expect(verdict.evidence).toEqual(expect.arrayContaining(c.expect.evidence));
    if (c.expect.fix !== undefined) expect(verdict.fix).toBe(c.expect.fix ?? undefined);
    if (c.expect.values) expect(verdict.values).toMatchObject(c.expect.values);
  });
});

describe("the case table", () => {
  test("covers exactly the registered check kinds", () => {
    expect(Object.keys(CASES).sort()).toEqual([...CHECK_KINDS.keys()].sort());
  });

  const JUDGING_KINDS = [...CHECK_KINDS.keys()];

  test.each([...CHECK_KINDS.keys()])("%s has a pass-or-manual case", (kindName) => {
    const statuses = new Set((CASES[kindName as keyof typeof CASES] ?? []).map((c) => c.expect.status));
    expect(statuses.has("pass") || statuses.has("manual")).toBe(true);
  });

  test.each(JUDGING_KINDS)("%s has a fail-or-error case", (kindName) => {
    const statuses = new Set((CASES[kindName as keyof typeof CASES] ?? []).map((c) => c.expect.status));
    expect(statuses.has("fail") || statuses.has("error")).toBe(true);
  });

  test("appliance-evidence passes only on appliance evidence: without it, or for a Payment HSM, it is manual", () => {
    const verdicts = CASES["appliance-evidence"].map((c) => ({ c, verdict: run("appliance-evidence", c) }));
    for (const { c, verdict } of verdicts) {
      if (verdict.status === "pass") expect(c.snapshot.appliances?.length).toBeGreaterThan(0);
      if (!c.snapshot.applianceEvidence) expect(verdict.status).toBe("manual");
    }
    expect(new Set(verdicts.map((v) => v.verdict.status))).toEqual(new Set(["pass", "fail", "error", "manual"]));
  });

  test("check kinds other than inventory-complete have pass, fail and error cases", () => {
    const missing = Object.entries(CASES)
      .filter(([kind]) => kind !== "inventory-complete")
      .flatMap(([kind, cases]) =>
        (["pass", "fail", "error"] as const)
          .filter((status) => !cases.some((c) => c.expect.status === status))
          .map((status) => `${kind} has no ${status} case`),
      );
    expect(missing).toEqual([]);
  });

  test("every pass rests on evidence that the snapshot records", () => {
    const passes = ALL.map(({ kind, c }) => ({
      kind,
      name: c.name,
      snapshot: c.snapshot,
      verdict: run(kind, c),
    })).filter((r) => r.verdict.status === "pass");
    expect(passes.length).toBeGreaterThan(10);
    const unbacked = passes
      .filter((r) => {
        const recorded = new Set(r.snapshot.evidence.map((e) => e.id));
        return r.verdict.evidence.length === 0 || r.verdict.evidence.some((id) => !recorded.has(id));
      })
      .map((r) => `${r.kind}: ${r.name}`);
    expect(unbacked).toEqual([]);
  });

  test("a check never reads what the snapshot does not hold: evaluating does not change the snapshot", () => {
    for (const { kind, c } of ALL) {
      const before = JSON.stringify(c.snapshot);
      run(kind, c);
      expect(JSON.stringify(c.snapshot)).toBe(before);
    }
  });
});

describe("params", () => {
  test.each([
    ["destination-retention", { minimumDays: 365 }],
    ["logs-flowing", { minimumRecords: 1 }],
    ["diagnostic-setting-present", { minimum: 1 }],
    ["destination-configured", { destinations: ["logAnalytics"] }],
    ["destination-exists", { unverifiable: "error" }],
    ["provider-registered", { states: ["Registered"] }],
    ["audit-category-enabled", { categories: { cloudHsm: ["HsmServiceOperations"], managedHsm: ["AuditEvent"] } }],
  ])("%s defaults to %j", (kindName, defaults) => {
    expect(paramsWithDefaults(kindOf(kindName))).toEqual(expect.objectContaining(defaults));
  });

  test("defaults do not leak between policies (a policy's params are its own)", () => {
    const kind = kindOf("audit-category-enabled");
    const first = paramsWithDefaults(kind) as { categories: { cloudHsm: string[] } };
    first.categories.cloudHsm.push("Tampered");
    const second = paramsWithDefaults(kind) as { categories: { cloudHsm: string[] } };
    expect(second.categories.cloudHsm).toEqual(["HsmServiceOperations"]);
  });
});

describe("the targets a kind judges", () => {
  const tenant = { scope: "tenant", resourceId: "/subscriptions" } as const;
  const sub = { scope: "subscription", subscription: subscription(), resourceId: "/subscriptions/s" } as const;
  const hsmOnly = [...CHECK_KINDS.values()].filter((k) => k.scope === "hsm");
  const subscriptionOnly = [...CHECK_KINDS.values()].filter((k) => k.scope === "subscription");

  test("an HSM kind refuses a subscription or the tenant, naming what it judges", () => {
    expect(hsmOnly.length).toBeGreaterThan(0);
    for (const kind of hsmOnly) {
      expect(judges(kind, sub)).toBe(false);
      expect(judges(kind, tenant)).toBe(false);
      expect(() => kind.evaluate(sub, paramsWithDefaults(kind), snapshot())).toThrow(
        new RegExp(`^${kind.name} judges HSMs, not a subscription$`),
      );
    }
  });

  test("only the kind that judges the inventory judges the tenant", () => {
    expect(subscriptionOnly.filter((k) => judges(k, tenant)).map((k) => k.name)).toEqual(["inventory-complete"]);
    const provider = kindOf("provider-registered");
    expect(() => provider.evaluate(tenant, paramsWithDefaults(provider), snapshot())).toThrow(
      /^provider-registered judges subscriptions, not a tenant$/,
    );
    const inventory = kindOf("inventory-complete");
    expect(inventory.evaluate(tenant, {}, snapshot()).status).toBe("error");
  });
});
