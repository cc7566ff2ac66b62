// The inventory through Azure Resource Graph: every HSM of the scanned subscriptions in one paged query per 1,000, or,
// for a scan scoped to management groups, in one paged query scoped to the groups.
import type { CollectorContext } from "./context.js";
import { toCollectionError } from "./context.js";
import type { HsmFacts, SubscriptionFacts } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { HSM_KINDS, HSM_TYPES, kindOfType } from "../../domain/hsm-kinds.js";
import { idKey } from "../../domain/ids.js";
import { hsmInventoryQuery, subscriptionsCoveredQuery } from "../queries.js";
import { MalformedAnswer } from "../derive/common.js";
import { toHsm } from "./inventory-arm.js";
import { readSubscriptions, type Readable } from "./subscriptions.js";

/** Resource Graph answers at most this many rows a page, and takes at most this many subscriptions a query. */
const GRAPH_PAGE_ROWS = 1000;
const GRAPH_SUBSCRIPTIONS_PER_QUERY = 1000;
const GRAPH_MAX_PAGES = 1000;

/**
 * Every HSM of the scanned subscriptions in one paged Resource Graph query per 1,000 subscriptions (the most one
 * query may name). Any failure, a truncated answer or pages that do not add up leave the inventory to the
 * per-subscription lists, which read ARM itself: the reason is kept in the snapshot, and nothing is inferred from a
 * partial answer. Resource Graph answers only for what the credential can read and says nothing of the rest, so a
 * subscription it lists nothing for holds no HSM only when `readable` proves that the credential can read it; the
 * inventory of any other subscription is an error. Answers the HSMs, and each subscription's inventory by its
 * lower-cased id.
 *
 * With `managementGroups` (the groups whose descendants were read), the query is scoped to the groups instead: one
 * query, paged, whatever the number of subscriptions. Resource Graph then answers for every subscription below them
 * that the credential can read, which may include one their descendants lists did not name (placed in a group
 * between the two reads, say). Its HSMs are not left out: that subscription is read by a GET, as the groups' are,
 * added to the scan (`added`) and audited like the others; its inventory is proven only if that GET succeeds. And
 * since the groups' scope is Resource Graph's own view of the hierarchy, a second query lists the subscriptions it
 * covered: Resource Graph's silence is "no HSM" only for a subscription proven readable that it covered, so that one
 * moved out of the groups between the reads is an error, never a quiet "no HSM".
 */
export async function readInventoryGraph(
  ctx: CollectorContext,
  subscriptions: SubscriptionFacts[],
  readable: Readable,
  managementGroups: string[] = [],
): Promise<
  | { hsms: HsmFacts[]; inventories: Map<string, SubscriptionFacts["inventory"]>; added: SubscriptionFacts[] }
  | { reason: string }
> {
  const query = hsmInventoryQuery(Object.values(HSM_TYPES).map((t) => t.type));
  const hsms: HsmFacts[] = [];
  /** The exchanges of the query that covered each subscription, by lower-cased id. */
  const evidenceOf = new Map<string, string[]>();
  const grouped = managementGroups.length > 0;
  const scopes: GraphScope[] = grouped
    ? [{ managementGroups }]
    : Array.from({ length: Math.ceil(subscriptions.length / GRAPH_SUBSCRIPTIONS_PER_QUERY) }, (_, n) => ({
        subscriptions: subscriptions
          .slice(n * GRAPH_SUBSCRIPTIONS_PER_QUERY, (n + 1) * GRAPH_SUBSCRIPTIONS_PER_QUERY)
          .map((s) => s.subscriptionId),
      }));
  let groupEvidence: string[] = [];
  /** Under management groups, the subscriptions Resource Graph's scope covered (lower-cased ids). */
  let covered: Set<string> | undefined;
  for (const scope of scopes) {
    const purpose =
      "managementGroups" in scope
        ? `the HSMs under management group(s) ${scope.managementGroups.join(", ")}, in Azure Resource Graph`
        : "the HSMs of the scanned subscriptions, in Azure Resource Graph";
    const outcome = await ctx.evidence.attribute(purpose, () => graphPages(ctx, query, scope));
    if ("managementGroups" in scope) groupEvidence = outcome.evidence;
    else for (const id of scope.subscriptions) evidenceOf.set(id.toLowerCase(), outcome.evidence);
    if (!outcome.ok) return { reason: toCollectionError(outcome.error, "the Resource Graph inventory").message };
    if ("managementGroups" in scope) {
      const covering = await ctx.evidence.attribute(
        `the subscriptions under management group(s) ${scope.managementGroups.join(", ")}, in Azure Resource Graph`,
        () => graphPages(ctx, subscriptionsCoveredQuery(), scope),
      );
      groupEvidence = [...groupEvidence, ...covering.evidence];
      if (!covering.ok) return { reason: toCollectionError(covering.error, "the Resource Graph inventory").message };
      covered = new Set(covering.value.map((r) => String(r.subscriptionId).toLowerCase()));
    }
    for (const raw of outcome.value) {
      const kind = typeof raw.type === "string" ? kindOfType(raw.type) : undefined;
      const subscriptionId = typeof raw.subscriptionId === "string" ? raw.subscriptionId : "";
      if (!kind) return { reason: `Resource Graph listed '${String(raw.id)}' of type '${String(raw.type)}'` };
      try {
        hsms.push(
          toHsm(
            {
              id: raw.id,
              name: raw.name,
              // ARG lower-cases types: the HSM keeps ARM's spelling of its type, as the ARM lists give it.
              type: HSM_TYPES[kind].type,
              location: raw.location,
              ...(typeof raw.skuName === "string" && raw.skuName ? { sku: { name: raw.skuName } } : {}),
              properties: {
                ...(typeof raw.provisioningState === "string" && raw.provisioningState
                  ? { provisioningState: raw.provisioningState }
                  : {}),
                // A Dedicated HSM's interfaces: a Luna appliance entry without a resourceId is matched by them.
                ...(raw.networkProfile !== undefined && raw.networkProfile !== null
                  ? { networkProfile: raw.networkProfile }
                  : {}),
              },
            },
            kind,
            subscriptionId,
          ),
        );
      } catch (error) {
        return { reason: (error as Error).message };
      }
    }
  }
  const scanned = new Map(subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s]));
  const outside = [...new Set(hsms.map((h) => h.subscriptionId).filter((id) => !scanned.has(id.toLowerCase())))];
  if (outside.length > 0 && !grouped)
    return { reason: "Resource Graph listed an HSM of a subscription that was not asked for" };
  let added: SubscriptionFacts[] = [];
  if (outside.length > 0) {
    // Under the groups as Resource Graph sees them, yet named by no descendants list: read and audited all the same.
    const read = await readSubscriptions(ctx, outside);
    added = read.subscriptions;
    readable = new Map([...readable, ...read.readable]);
  }
  if (grouped) {
    for (const s of [...subscriptions, ...added]) evidenceOf.set(s.subscriptionId.toLowerCase(), groupEvidence);
  }
  const counts = new Map<string, number>();
  for (const h of hsms) {
    const key = `${h.subscriptionId.toLowerCase()} ${h.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const inventories = new Map<string, SubscriptionFacts["inventory"]>();
  for (const subscription of [...subscriptions, ...added]) {
    const id = subscription.subscriptionId.toLowerCase();
    const evidence = evidenceOf.get(id) ?? [];
    const proof = readable.get(id);
    const inventory = {} as SubscriptionFacts["inventory"];
    inventories.set(id, inventory);
    for (const kind of HSM_KINDS) {
      const count = counts.get(`${id} ${kind}`) ?? 0;
      if (isKnown(proof) && covered && !covered.has(id)) {
        inventory[kind] = {
          error: {
            message:
              `Resource Graph, asked about management group(s) ${managementGroups.join(", ")}, did not cover subscription ` +
              `${subscription.subscriptionId} (moved out of them since their descendants were read?), so its silence ` +
              `proves nothing of the ${HSM_TYPES[kind].label}s there`,
          },
          evidence: [...evidence, ...proof.evidence],
        };
        continue;
      }
      if (isKnown(proof)) {
        inventory[kind] = { value: { count }, evidence: [...evidence, ...proof.evidence] };
        continue;
      }
      const why = proof ? proof.error.message : `subscription ${subscription.subscriptionId} was not read`;
      inventory[kind] = {
        error: {
          message:
            `Resource Graph listed ${count} ${HSM_TYPES[kind].label}(s) of subscription ${subscription.subscriptionId}, ` +
            `but it leaves out without a word what the credential cannot read, and the subscription itself could not ` +
            `be read (${why})`,
          ...(proof?.error.status ? { status: proof.error.status } : {}),
          ...(proof?.error.code ? { code: proof.error.code } : {}),
        },
        evidence: [...(proof?.evidence ?? []), ...evidence],
      };
    }
  }
  return { hsms, inventories, added };
}

/** What one Resource Graph query covers: the subscriptions it names, or the management groups. */
type GraphScope = { subscriptions: string[] } | { managementGroups: string[] };

async function graphPages(ctx: CollectorContext, query: string, scope: GraphScope): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const tokens = new Set<string>();
  const ids = new Set<string>();
  let skipToken: string | undefined;
  let total: number | undefined;
  for (let page = 0; ; page++) {
    if (page >= GRAPH_MAX_PAGES) throw new MalformedAnswer(`Resource Graph did not stop after ${page} pages`);
    const answer = await (
      await ctx.clients.resourceGraph()
    ).resources({
      ...scope,
      query,
      options: { top: GRAPH_PAGE_ROWS, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
    });
    if (answer.resultTruncated !== "false") throw new MalformedAnswer("Resource Graph truncated its answer");
    if (!Array.isArray(answer.data)) throw new MalformedAnswer("the Resource Graph answer has no rows");
    total ??= answer.totalRecords;
    for (const raw of answer.data as unknown[]) {
      if (!raw || typeof raw !== "object") throw new MalformedAnswer("a Resource Graph row is not an object");
      const row = raw as Record<string, unknown>;
      const id = typeof row.id === "string" ? idKey(row.id) : undefined;
      if (!id) throw new MalformedAnswer("a Resource Graph row has no id");
      if (ids.has(id)) throw new MalformedAnswer(`Resource Graph listed '${String(row.id)}' twice`);
      ids.add(id);
      rows.push(row);
    }
    if (!answer.skipToken) break;
    if (tokens.has(answer.skipToken)) throw new MalformedAnswer("Resource Graph's skipToken went round in a circle");
    tokens.add(answer.skipToken);
    skipToken = answer.skipToken;
  }
  if (typeof total === "number" && total !== rows.length)
    throw new MalformedAnswer(`Resource Graph counted ${total} rows but its pages held ${rows.length}`);
  return rows;
}
