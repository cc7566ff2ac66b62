// Management groups in the simulator: the estate's hierarchy (nested groups under the tenant root group), its checks,
// and the descendants route read through the real SDK client (@azure/arm-managementgroups), paged with nextLink and
// refused by a fault; then the collector over it, through collect().
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEstate } from "../../src/simulator/estate.js";
import { collectFrom, ROOT, startTestSimulator, type TestSimulator } from "../helpers/simulator.js";
import { isKnown } from "../../src/model/snapshot.js";
import { verifySnapshot } from "../../src/azure/verify.js";
import { estateProblems } from "../helpers/estates.js";

const TENANT = "00000000-0000-4000-8000-0000000000aa";
const S1 = "aaaaaaaa-0000-4000-8000-000000000001";
const S2 = "aaaaaaaa-0000-4000-8000-000000000002";
const S3 = "aaaaaaaa-0000-4000-8000-000000000003";
const S4 = "aaaaaaaa-0000-4000-8000-000000000004";

const ESTATE = (extra = "") => `tenantId: ${TENANT}
pageSize: 2
subscriptions:
  - { subscriptionId: ${S1}, displayName: Payments }
  - { subscriptionId: ${S2}, displayName: Payments EU }
  - { subscriptionId: ${S3}, displayName: Identity, access: denied }
  - { subscriptionId: ${S4}, displayName: Unplaced }
managementGroups:
  - name: mg-contoso
    displayName: Contoso
    managementGroups:
      - name: mg-payments
        displayName: Payments
        subscriptions: [${S1}]
        managementGroups:
          - { name: mg-payments-eu, subscriptions: [${S2}] }
      - { name: mg-identity, subscriptions: [${S3}] }
      - name: mg-empty
${extra}`;

const problemsOf = (text: string) => estateProblems(text, "mg.yaml");

describe("the estate's management groups", () => {
  test("nested groups under the tenant root group, which holds every subscription placed in none", () => {
    const estate = parseEstate(ESTATE(), "mg.yaml");
    const root = estate.managementGroups.get(TENANT)!;
    expect(root).toEqual({
      name: TENANT,
      displayName: "Tenant Root Group",
      groups: ["mg-contoso"],
      subscriptions: [S4],
    });
    expect(estate.managementGroups.get("mg-payments")).toEqual({
      name: "mg-payments",
      displayName: "Payments",
      groups: ["mg-payments-eu"],
      subscriptions: [S1],
    });
    expect(estate.managementGroups.get("mg-empty")).toMatchObject({ displayName: "mg-empty", subscriptions: [] });
  });

  test("an estate without management groups keeps working: every subscription is under the root", () => {
    const estate = parseEstate(
      `tenantId: ${TENANT}\nsubscriptions:\n  - { subscriptionId: ${S1}, displayName: A }\n`,
      "x",
    );
    expect([...estate.managementGroups.keys()]).toEqual([TENANT]);
    expect(estate.managementGroups.get(TENANT)!.subscriptions).toEqual([S1]);
  });

  test.each([
    [
      "a group id used twice",
      "  - { name: MG-Payments }\n",
      "mg.yaml:19: managementGroups[1].name: management group 'MG-Payments' is already declared at managementGroups[0].managementGroups[0]",
    ],
    [
      "the root group's id",
      `  - { name: ${TENANT} }\n`,
      `managementGroups[1].name: management group '${TENANT}' is already the tenant root group`,
    ],
    [
      "a subscription placed twice",
      `  - { name: mg-other, subscriptions: [${S1}] }\n`,
      `managementGroups[1].subscriptions[0]: subscription ${S1} is already placed at managementGroups[0].managementGroups[0].subscriptions[0]: a subscription has one parent group`,
    ],
    [
      "a subscription the estate does not have",
      "  - { name: mg-other, subscriptions: [bbbbbbbb-0000-4000-8000-000000000009] }\n",
      "managementGroups[1].subscriptions[0]: no subscription bbbbbbbb-0000-4000-8000-000000000009 in this estate",
    ],
    ["an id Azure does not allow", "  - { name: 'mg.' }\n", "managementGroups[1].name"],
    ["an unknown key", "  - { name: mg-x, parent: mg-contoso }\n", "managementGroups[1]"],
  ])("%s is refused", (_name, extra, expected) => {
    expect(problemsOf(ESTATE(extra))).toContain(expected);
  });
});

describe("the management groups example in docs/estate.md", () => {
  test("parses beside the subscriptions it places", () => {
    const doc = readFileSync(join(ROOT, "docs/estate.md"), "utf8");
    const example = /```yaml\n(managementGroups:[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const estate = parseEstate(
      `tenantId: ${TENANT}\nsubscriptions:\n  - { subscriptionId: ${S1}, displayName: A }\n  - { subscriptionId: ${S2}, displayName: B }\n${example!}`,
      "docs/estate.md",
    );
    expect(estate.managementGroups.get("mg-payments-eu")!.subscriptions).toEqual([S2]);
    expect(estate.managementGroups.get("mg-empty")!.subscriptions).toEqual([]);
  });
});

describe("GET .../managementGroups/{id}/descendants through @azure/arm-managementgroups", () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator(
      ESTATE() + "faults:\n  - { route: managementGroupDescendants, match: mg-identity, status: 403 }\n",
      { maxRetries: 0 },
    );
  });
  afterAll(() => t.close());

  const descendants = async (group: string) => {
    const before = t.sim.requests.length;
    const items = [];
    for await (const item of t.clients.managementGroups().managementGroups.listDescendants(group)) items.push(item);
    return { items, requests: t.sim.requests.slice(before) };
  };

  test("every descendant at every depth, in the specification's shape, over pages of 2 with nextLink", async () => {
    const { items, requests } = await descendants("mg-contoso");
    expect(items.map((i) => [i.type, i.name, i.parent?.id])).toEqual([
      [
        "Microsoft.Management/managementGroups",
        "mg-payments",
        "/providers/Microsoft.Management/managementGroups/mg-contoso",
      ],
      ["/subscriptions", S1, "/providers/Microsoft.Management/managementGroups/mg-payments"],
      [
        "Microsoft.Management/managementGroups",
        "mg-payments-eu",
        "/providers/Microsoft.Management/managementGroups/mg-payments",
      ],
      ["/subscriptions", S2, "/providers/Microsoft.Management/managementGroups/mg-payments-eu"],
      [
        "Microsoft.Management/managementGroups",
        "mg-identity",
        "/providers/Microsoft.Management/managementGroups/mg-contoso",
      ],
      // Listed though the credential cannot read it: the hierarchy names it, its own reads refuse.
      ["/subscriptions", S3, "/providers/Microsoft.Management/managementGroups/mg-identity"],
      [
        "Microsoft.Management/managementGroups",
        "mg-empty",
        "/providers/Microsoft.Management/managementGroups/mg-contoso",
      ],
    ]);
    expect(items[1]).toMatchObject({ id: `/subscriptions/${S1}`, displayName: "Payments" });
    expect(items[0]).toMatchObject({ id: "/providers/Microsoft.Management/managementGroups/mg-payments" });
    expect(requests.map((r) => r.route)).toEqual(Array(4).fill("managementGroupDescendants"));
    expect(requests[0]!.url).toMatch(/api-version=2021-04-01/);
    expect(requests[1]!.url).toMatch(/skiptoken=2/i);
  });

  test("the tenant root group's descendants are the whole hierarchy, unplaced subscriptions first", async () => {
    const { items } = await descendants(TENANT);
    expect(items.filter((i) => i.type === "/subscriptions").map((i) => i.name)).toEqual([S4, S1, S2, S3]);
  });

  test("a group without descendants answers an empty list", async () => {
    expect((await descendants("mg-empty")).items).toEqual([]);
  });

  test("a fault refuses a group's list (403), and a group the estate does not have is refused too", async () => {
    await expect(descendants("mg-identity")).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    await expect(descendants("mg-nowhere")).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
  });

  test("an api-version the route does not know is refused", async () => {
    const answer = await t.clients
      .arm()
      .path("/providers/Microsoft.Management/managementGroups/{groupId}/descendants", "mg-contoso")
      .get({ queryParameters: { "api-version": "1999-01-01" } });
    expect(answer.status).toBe("400");
    expect(answer.body).toMatchObject({ error: { code: "InvalidApiVersionParameter" } });
  });
});

describe("collect() scoped to management groups, against the simulator", () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator(ESTATE());
  });
  afterAll(() => t.close());

  test("the subscriptions of the group and its nested groups, each read by a GET; an unreadable one stays in scope", async () => {
    const snapshot = await collectFrom(t, { managementGroups: ["mg-contoso"] });
    expect(snapshot.scope.subscriptions).toEqual([S1, S2, S3]);
    expect(snapshot.scope.managementGroups).toHaveLength(1);
    const group = snapshot.scope.managementGroups![0]!;
    expect(group.id).toBe("mg-contoso");
    expect(isKnown(group.descendants) && group.descendants.value).toEqual({
      subscriptions: [S1, S2, S3],
      managementGroups: ["mg-payments", "mg-payments-eu", "mg-identity", "mg-empty"],
    });
    expect(snapshot.subscriptionList).toBeUndefined();
    expect(snapshot.errors.map((e) => [e.for, e.status])).toEqual(
      expect.arrayContaining([[`subscription ${S3}`, 403]]),
    );
    // The descendants list's pages are evidence of the group's read.
    const pages = snapshot.evidence.filter((e) => e.purpose === "the descendants of management group mg-contoso");
    expect(pages).toHaveLength(4);
    expect(group.descendants.evidence).toEqual(pages.map((e) => e.id));
  });

  test("the snapshot's descendants are verified against their pages: an edit of the fact is caught", async () => {
    const snapshot = await collectFrom(t, { managementGroups: ["mg-payments"] });
    const clean = verifySnapshot(snapshot);
    expect(clean.tampered).toEqual([]);
    expect(clean.unverifiable).toEqual([]);
    const edited = structuredClone(snapshot);
    const descendants = edited.scope.managementGroups![0]!.descendants;
    if (!isKnown(descendants)) throw new Error("the descendants were not read");
    // A subscription dropped from the fact: the scan would then seem to have covered the whole group.
    descendants.value.subscriptions = descendants.value.subscriptions.slice(0, 1);
    expect(verifySnapshot(edited).tampered).toEqual([
      expect.objectContaining({ fact: "scope.managementGroups[0].descendants" }),
    ]);
    // A fact whose pages were not kept cannot be verified: it becomes an error, never a pass.
    const stripped = structuredClone(snapshot);
    for (const record of stripped.evidence) {
      if (record.purpose === "the descendants of management group mg-payments") delete record.body;
    }
    const unverified = verifySnapshot(stripped);
    expect(unverified.unverifiable.map((u) => u.fact)).toEqual(["scope.managementGroups[0].descendants"]);
    expect(isKnown(unverified.snapshot.scope.managementGroups![0]!.descendants)).toBe(false);
  });

  test("several groups: the union of their subscriptions, each read once, each group's list a fact of its own", async () => {
    // mg-payments-eu is nested in mg-payments, and S2 is under both; mg-identity's S3 cannot be read.
    const snapshot = await collectFrom(t, {
      managementGroups: ["mg-payments", "mg-payments-eu", "MG-PAYMENTS", "mg-identity"],
    });
    expect(snapshot.scope.subscriptions).toEqual([S1, S2, S3]);
    expect(
      snapshot.scope.managementGroups!.map((g) => [g.id, isKnown(g.descendants) && g.descendants.value.subscriptions]),
    ).toEqual([
      ["mg-payments", [S1, S2]],
      ["mg-payments-eu", [S2]],
      ["mg-identity", [S3]],
    ]);
    for (const id of [S1, S2, S3]) {
      expect(
        snapshot.evidence.filter((e) => e.method === "GET" && e.url.includes(`/subscriptions/${id}?`)),
      ).toHaveLength(1);
    }
    expect(verifySnapshot(snapshot).tampered).toEqual([]);
  });

  test("a group whose list cannot be read, and an empty one, leave the others scanned", async () => {
    const snapshot = await collectFrom(t, { managementGroups: ["mg-nowhere", "mg-empty", "mg-payments-eu"] });
    expect(snapshot.scope.subscriptions).toEqual([S2]);
    const [nowhere, empty, eu] = snapshot.scope.managementGroups!;
    expect(isKnown(nowhere!.descendants)).toBe(false);
    expect(isKnown(empty!.descendants) && empty!.descendants.value.subscriptions).toEqual([]);
    expect(isKnown(eu!.descendants) && eu!.descendants.value.subscriptions).toEqual([S2]);
    expect(snapshot.errors.map((e) => e.for)).toContain("the descendants of management group mg-nowhere");
  });
});
