// The Resource Graph inventory (src/azure/collectors/inventory-graph.ts) over a fake SDK client: which scope a query
// names (chunks of subscription ids, or the management groups), and what Resource Graph's answer proves. Its silence
// about a subscription is "no HSM there" only for a subscription proven readable; an HSM it lists in a subscription
// the scan did not hold is, under management groups, read by a GET and audited, never dropped; by subscriptions, it
// sends the inventory back to ARM. The same reads through the real SDK and the simulator:
// test/simulator/graph-management-groups.test.ts and test/e2e/management-group.test.ts.
import { RestError } from "@azure/core-rest-pipeline";
import type { AzureClients } from "../../src/azure/clients.js";
import type { CollectorContext } from "../../src/azure/collectors/context.js";
import { readInventoryGraph } from "../../src/azure/collectors/inventory-graph.js";
import type { Readable } from "../../src/azure/collectors/subscriptions.js";
import { EvidenceLog } from "../../src/azure/pipeline.js";
import { isKnown, type SubscriptionFacts } from "../../src/model/snapshot.js";

const S1 = "11111111-1111-4111-8111-111111111111";
const S2 = "22222222-2222-4222-8222-222222222222";
const S3 = "33333333-3333-4333-8333-333333333333";

const cloudHsm = (subscriptionId: string, name: string) => ({
  id: `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/${name}`,
  name,
  type: "microsoft.hardwaresecuritymodules/cloudhsmclusters",
  location: "eastus",
  subscriptionId,
  resourceGroup: "rg",
  skuName: "Standard_B1",
  provisioningState: "Succeeded",
});

const blank = (subscriptionId: string): SubscriptionFacts => ({
  subscriptionId,
  inventory: {} as SubscriptionFacts["inventory"],
});

interface Case {
  name: string;
  /** The subscriptions the scan holds, and those proven readable (by a GET); the others' GETs failed. */
  subscriptions: string[];
  proven: string[];
  managementGroups?: string[];
  /** Resource Graph's rows (one page), or its refusal. */
  answer: Record<string, unknown>[] | RestError;
  /** Subscriptions whose GET (when the collector reads one) fails. */
  unreadable?: string[];
  /** The subscriptions Resource Graph's group scope covers (default: the scan's and those its rows name). */
  covered?: string[];
  expect: {
    /** The scope of each query sent. */
    queries: Array<{ subscriptions?: string[]; managementGroups?: string[] }>;
    reason?: RegExp;
    hsms?: number;
    /** Subscriptions whose inventory is proven, and those whose inventory is an error. */
    known?: string[];
    unknown?: string[];
    added?: string[];
    gets?: string[];
  };
}

const refused = new RestError("AuthorizationFailed: no", { statusCode: 403, code: "AuthorizationFailed" });

const CASES: Case[] = [
  {
    name: "by subscriptions: one query naming them; silence about a proven subscription is no HSM there",
    subscriptions: [S1, S2],
    proven: [S1, S2],
    answer: [cloudHsm(S1, "a")],
    expect: { queries: [{ subscriptions: [S1, S2] }], hsms: 1, known: [S1, S2], unknown: [], added: [], gets: [] },
  },
  {
    name: "by management groups: one query naming the groups, no subscription ids",
    subscriptions: [S1, S2],
    proven: [S1, S2],
    managementGroups: ["mg-a", "mg-b"],
    answer: [cloudHsm(S1, "a"), cloudHsm(S2, "b")],
    expect: {
      queries: [{ managementGroups: ["mg-a", "mg-b"] }],
      hsms: 2,
      known: [S1, S2],
      unknown: [],
      added: [],
      gets: [],
    },
  },
  {
    name: "by management groups: silence about a subscription not proven readable is an error, never 'no HSM'",
    subscriptions: [S1, S2],
    proven: [S1],
    managementGroups: ["mg-a"],
    answer: [],
    expect: { queries: [{ managementGroups: ["mg-a"] }], hsms: 0, known: [S1], unknown: [S2], added: [], gets: [] },
  },
  {
    name: "by management groups: an HSM of a subscription no descendants list named is read by a GET and kept",
    subscriptions: [S1],
    proven: [S1],
    managementGroups: ["mg-a"],
    answer: [cloudHsm(S1, "a"), cloudHsm(S3, "late")],
    expect: {
      queries: [{ managementGroups: ["mg-a"] }],
      hsms: 2,
      known: [S1, S3],
      unknown: [],
      added: [S3],
      gets: [S3],
    },
  },
  {
    name: "by management groups: such a subscription whose GET fails is kept, its inventory an error",
    subscriptions: [S1],
    proven: [S1],
    managementGroups: ["mg-a"],
    answer: [cloudHsm(S3, "late")],
    unreadable: [S3],
    expect: {
      queries: [{ managementGroups: ["mg-a"] }],
      hsms: 1,
      known: [S1],
      unknown: [S3],
      added: [S3],
      gets: [S3],
    },
  },
  {
    name: "by management groups: a proven subscription the groups' scope did not cover is an error, never 'no HSM'",
    subscriptions: [S1, S2],
    proven: [S1, S2],
    managementGroups: ["mg-a"],
    answer: [cloudHsm(S1, "a")],
    covered: [S1],
    expect: { queries: [{ managementGroups: ["mg-a"] }], hsms: 1, known: [S1], unknown: [S2], added: [], gets: [] },
  },
  {
    name: "by subscriptions: an HSM of a subscription not asked for sends the inventory back to ARM",
    subscriptions: [S1],
    proven: [S1],
    answer: [cloudHsm(S3, "stray")],
    expect: { queries: [{ subscriptions: [S1] }], reason: /not asked for/ },
  },
  {
    name: "by management groups: a refused query sends the inventory back to ARM, with the reason",
    subscriptions: [S1],
    proven: [S1],
    managementGroups: ["mg-a"],
    answer: refused,
    expect: { queries: [{ managementGroups: ["mg-a"] }], reason: /AuthorizationFailed/ },
  },
];

function fakeContext(c: Case) {
  const queries: Array<Record<string, unknown>> = [];
  const coverageQueries: Array<Record<string, unknown>> = [];
  const gets: string[] = [];
  const resourceGraph = {
    async resources(request: Record<string, unknown>) {
      const { query, options: _o, ...scope } = request;
      if (String(query).startsWith("resourcecontainers")) {
        coverageQueries.push(scope);
        const ids = c.covered ?? [
          ...c.subscriptions,
          ...(c.answer instanceof RestError ? [] : c.answer.map((r) => String(r.subscriptionId))),
        ];
        const rows = [...new Set(ids)].map((id) => ({ id: `/subscriptions/${id}`, subscriptionId: id }));
        return { totalRecords: rows.length, count: rows.length, resultTruncated: "false", data: rows };
      }
      queries.push(scope);
      if (c.answer instanceof RestError) throw c.answer;
      return { totalRecords: c.answer.length, count: c.answer.length, resultTruncated: "false", data: c.answer };
    },
  };
  const subscriptions = {
    subscriptions: {
      async get(id: string) {
        gets.push(id);
        if (c.unreadable?.includes(id)) throw refused;
        return { subscriptionId: id, displayName: "late", tenantId: "t" };
      },
    },
  };
  const ctx: CollectorContext = {
    clients: {
      resourceGraph: async () => resourceGraph,
      subscriptions: async () => subscriptions,
    } as unknown as AzureClients,
    evidence: new EvidenceLog(),
    errors: [],
    counts: { readAlone: 0, askedAgainAlone: 0, retries: 0 },
    armEndpoint: "https://management.example",
  };
  return { ctx, queries, coverageQueries, gets };
}

describe("readInventoryGraph", () => {
  test.each(CASES)("$name", async (c) => {
    const { ctx, queries, coverageQueries, gets } = fakeContext(c);
    const readable: Readable = new Map(
      c.subscriptions.map((id) => [
        id.toLowerCase(),
        c.proven.includes(id)
          ? { value: { via: "get" as const }, evidence: [] }
          : { error: { message: "HTTP 403", status: 403 }, evidence: [] },
      ]),
    );
    const read = await readInventoryGraph(ctx, c.subscriptions.map(blank), readable, c.managementGroups);
    expect(queries).toEqual(c.expect.queries);
    // Under management groups, what the groups' scope covered is asked in the same scope (unless the first failed).
    const failed = c.answer instanceof RestError;
    expect(coverageQueries).toEqual(c.managementGroups && !failed ? c.expect.queries : []);
    if (c.expect.reason) {
      expect("reason" in read && read.reason).toMatch(c.expect.reason);
      return;
    }
    if ("reason" in read) throw new Error(`fell back: ${read.reason}`);
    expect(read.hsms).toHaveLength(c.expect.hsms!);
    expect(read.added.map((s) => s.subscriptionId)).toEqual(c.expect.added);
    expect(gets).toEqual(c.expect.gets);
    const proven = [...read.inventories].filter(([, inv]) => Object.values(inv).every((f) => isKnown(f)));
    const unproven = [...read.inventories].filter(([, inv]) => Object.values(inv).some((f) => !isKnown(f)));
    expect(proven.map(([id]) => id)).toEqual(c.expect.known!.map((id) => id.toLowerCase()));
    expect(unproven.map(([id]) => id)).toEqual(c.expect.unknown!.map((id) => id.toLowerCase()));
    // Every HSM listed belongs to a subscription with an inventory: none is dropped.
    for (const hsm of read.hsms) expect(read.inventories.has(hsm.subscriptionId.toLowerCase())).toBe(true);
  });
});
