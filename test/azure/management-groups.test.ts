// The management group collector (src/azure/collectors/management-groups.ts) over fake SDK clients: which descendants
// become subscriptions, paging, what makes the list an error, and each subscription it names read by a GET. The same
// reads through the real SDK client and the simulator: test/simulator/management-groups.test.ts and
// test/e2e/management-group.test.ts.
import { RestError } from "@azure/core-rest-pipeline";
import type { AzureClients } from "../../src/azure/clients.js";
import type { CollectorContext } from "../../src/azure/collectors/context.js";
import { readManagementGroups } from "../../src/azure/collectors/management-groups.js";
import { EvidenceLog } from "../../src/azure/pipeline.js";
import { isKnown } from "../../src/model/snapshot.js";

const S1 = "11111111-1111-4111-8111-111111111111";
const S2 = "22222222-2222-4222-8222-222222222222";
const S3 = "33333333-3333-4333-8333-333333333333";
const MG = "/providers/Microsoft.Management/managementGroups";

const group = (name: string, parent: string) => ({
  id: `${MG}/${name}`,
  type: "Microsoft.Management/managementGroups",
  name,
  displayName: name,
  parent: { id: `${MG}/${parent}` },
});
const subscription = (id: string, parent: string, type = "/subscriptions") => ({
  id: `/subscriptions/${id}`,
  type,
  name: id,
  displayName: `Subscription ${id.slice(0, 4)}`,
  parent: { id: `${MG}/${parent}` },
});

const refused = (status: number, code: string) =>
  new RestError(`${code}: the client may not read this`, { statusCode: status, code });

type Page = Record<string, unknown>[] | RestError;

interface Case {
  name: string;
  /** The pages the descendants list answers, in order; an error stops the list there. */
  pages: Page[];
  /** Subscriptions whose GET fails, with the error. */
  unreadable?: Record<string, RestError>;
  expect:
    { subscriptions: string[]; managementGroups: string[]; pages: number; unreadable?: string[] } | { error: RegExp };
}

const CASES: Case[] = [
  {
    name: "nested groups: the subscriptions at every depth, and the groups under the group",
    pages: [
      [
        subscription(S1, "mg-root"),
        group("mg-payments", "mg-root"),
        subscription(S2, "mg-payments"),
        group("mg-payments-eu", "mg-payments"),
        subscription(S3, "mg-payments-eu"),
      ],
    ],
    expect: { subscriptions: [S1, S2, S3], managementGroups: ["mg-payments", "mg-payments-eu"], pages: 1 },
  },
  {
    name: "paging: every page is read, the descendants of later pages included",
    pages: [[subscription(S1, "mg-root")], [group("mg-payments", "mg-root")], [subscription(S2, "mg-payments")]],
    expect: { subscriptions: [S1, S2], managementGroups: ["mg-payments"], pages: 3 },
  },
  {
    name: "both spellings of the subscription type (the specification's enum and its example)",
    pages: [
      [subscription(S1, "mg-root"), subscription(S2, "mg-root", "Microsoft.Management/managementGroups/subscriptions")],
    ],
    expect: { subscriptions: [S1, S2], managementGroups: [], pages: 1 },
  },
  {
    name: "a subscription listed twice (a nextLink back to a page already read) is a malformed answer",
    pages: [[subscription(S1, "mg-root"), subscription(S2, "mg-root")], [subscription(S1, "mg-root")]],
    expect: { error: /listed twice/ },
  },
  {
    name: "a refused list is an error",
    pages: [refused(403, "AuthorizationFailed")],
    expect: { error: /could not read the descendants of management group mg-root: HTTP 403 AuthorizationFailed/ },
  },
  {
    name: "a page refused after the first is an error, not a shorter list",
    pages: [[subscription(S1, "mg-root")], refused(429, "TooManyRequests")],
    expect: { error: /HTTP 429 TooManyRequests/ },
  },
  {
    name: "a descendant of a type the tool does not know is an error, never skipped",
    pages: [[subscription(S1, "mg-root"), { id: "/something/else", type: "Microsoft.Other/things", name: "x" }]],
    expect: { error: /neither a subscription nor a management group/ },
  },
  {
    name: "a subscription whose name is not its id is an error",
    pages: [[{ ...subscription(S1, "mg-root"), name: "Payments" }]],
    expect: { error: /is not its subscription id/ },
  },
  {
    name: "an item without an id is an error",
    pages: [[{ type: "/subscriptions", name: S1 }]],
    expect: { error: /without an id/ },
  },
  {
    name: "an empty group: no subscription and no error (the engine makes it an error finding)",
    pages: [[group("mg-empty-child", "mg-root")]],
    expect: { subscriptions: [], managementGroups: ["mg-empty-child"], pages: 1 },
  },
  {
    name: "a group with no descendants at all",
    pages: [[]],
    expect: { subscriptions: [], managementGroups: [], pages: 1 },
  },
  {
    name: "a descendant subscription that cannot be read stays in scope, with its error",
    pages: [[subscription(S1, "mg-root"), subscription(S2, "mg-root")]],
    unreadable: { [S2]: refused(403, "AuthorizationFailed") },
    expect: { subscriptions: [S1, S2], managementGroups: [], pages: 1, unreadable: [S2] },
  },
];

function fakeContext(c: Case) {
  const calls = { pages: 0, listedGroups: [] as string[], got: [] as string[], listedSubscriptions: 0 };
  const managementGroups = {
    managementGroups: {
      listDescendants(groupId: string): AsyncIterable<Record<string, unknown>> {
        calls.listedGroups.push(groupId);
        return (async function* () {
          for (const page of c.pages) {
            calls.pages++;
            if (page instanceof RestError) throw page;
            yield* page;
          }
        })();
      },
    },
  };
  const subscriptions = {
    subscriptions: {
      async get(id: string) {
        calls.got.push(id);
        const error = c.unreadable?.[id];
        if (error) throw error;
        return { subscriptionId: id, displayName: `Subscription ${id.slice(0, 4)}`, tenantId: "t" };
      },
      list() {
        calls.listedSubscriptions++;
        return (async function* () {})();
      },
    },
  };
  const ctx: CollectorContext = {
    clients: {
      managementGroups: async () => managementGroups,
      subscriptions: async () => subscriptions,
    } as unknown as AzureClients,
    evidence: new EvidenceLog(),
    errors: [],
    counts: { readAlone: 0, askedAgainAlone: 0, retries: 0 },
    armEndpoint: "https://management.example",
  };
  return { ctx, calls };
}

describe("readManagementGroups", () => {
  test.each(CASES)("$name", async (c) => {
    const { ctx, calls } = fakeContext(c);
    const read = await readManagementGroups(ctx, ["mg-root"]);
    expect(calls.listedGroups).toEqual(["mg-root"]);
    // The tenant's subscription list is never what a management group scan scans.
    expect(calls.listedSubscriptions).toBe(0);
    expect(read.managementGroups[0]!.id).toBe("mg-root");
    const descendants = read.managementGroups[0]!.descendants;
    if ("error" in c.expect) {
      expect(isKnown(descendants)).toBe(false);
      expect(!isKnown(descendants) && descendants.error.message).toMatch(c.expect.error);
      expect(read.subscriptions).toEqual([]);
      expect(calls.got).toEqual([]);
      expect(ctx.errors).toEqual([
        expect.objectContaining({
          for: "the descendants of management group mg-root",
          resourceId: `${MG}/mg-root`,
          message: expect.stringMatching(c.expect.error),
        }),
      ]);
      return;
    }
    expect(isKnown(descendants) && descendants.value).toEqual({
      subscriptions: c.expect.subscriptions,
      managementGroups: c.expect.managementGroups,
    });
    expect(calls.pages).toBe(c.expect.pages);
    // Each subscription named is read by a GET, once, and is in scope whether or not the GET succeeded.
    expect([...calls.got].sort()).toEqual([...c.expect.subscriptions].sort());
    expect(read.subscriptions.map((s) => s.subscriptionId)).toEqual([...c.expect.subscriptions].sort());
    const unreadable = c.expect.unreadable ?? [];
    for (const id of c.expect.subscriptions) {
      const proof = read.readable.get(id.toLowerCase());
      expect(proof && isKnown(proof)).toBe(!unreadable.includes(id));
    }
    expect(ctx.errors.map((e) => e.resourceId)).toEqual(unreadable.map((id) => `/subscriptions/${id}`));
    for (const error of ctx.errors) expect(error.message).toMatch(/HTTP 403 AuthorizationFailed/);
  });
});
