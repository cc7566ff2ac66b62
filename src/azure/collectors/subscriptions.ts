// Subscriptions: the ones named, each read by a GET, or every one the credential can list.
import type { CollectorContext } from "./context.js";
import { distinct, listAll, read } from "./context.js";
import type { Fact, SubscriptionFacts } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { sortBy } from "../derive/common.js";

/**
 * What proves that the credential can read a subscription, by lower-cased id: the subscription list that named it, or
 * the GET of it that succeeded; or the error of that GET. Resource Graph's silence about a subscription counts as "no
 * HSM there" only when this proves it readable, because Resource Graph leaves out, without a word, what it cannot read.
 */
export type Readable = Map<string, Fact<{ via: "list" | "get" }>>;

export async function readSubscriptions(
  ctx: CollectorContext,
  named: string[],
): Promise<{ subscriptionList?: Fact<{ count: number }>; subscriptions: SubscriptionFacts[]; readable: Readable }> {
  const readable: Readable = new Map();
  const blank = (subscriptionId: string, displayName?: string, tenantId?: string): SubscriptionFacts => ({
    subscriptionId,
    ...(displayName ? { displayName } : {}),
    ...(tenantId ? { tenantId } : {}),
    inventory: {} as SubscriptionFacts["inventory"],
  });
  if (named.length > 0) {
    const subscriptions = await Promise.all(
      distinct(named).map(async (id) => {
        const fact = await read(ctx, `subscription ${id}`, `/subscriptions/${id}`, async () => {
          return (await ctx.clients.subscriptions()).subscriptions.get(id);
        });
        readable.set(
          id.toLowerCase(),
          isKnown(fact)
            ? { value: { via: "get" }, evidence: fact.evidence }
            : { error: fact.error, evidence: fact.evidence },
        );
        return isKnown(fact) ? blank(id, fact.value.displayName, fact.value.tenantId) : blank(id);
      }),
    );
    return { subscriptions, readable };
  }
  const listed = await read(ctx, "the subscriptions the credential can see", undefined, async () => {
    const all = await listAll(
      (await ctx.clients.subscriptions()).subscriptions.list(),
      (s) => s.subscriptionId,
      "the subscription list",
    );
    return all.map((s) => ({
      subscriptionId: s.subscriptionId!,
      ...(s.displayName ? { displayName: s.displayName } : {}),
      ...(s.tenantId ? { tenantId: s.tenantId } : {}),
    }));
  });
  if (!isKnown(listed)) return { subscriptionList: listed, subscriptions: [], readable };
  for (const s of listed.value)
    readable.set(s.subscriptionId.toLowerCase(), { value: { via: "list" }, evidence: listed.evidence });
  return {
    readable,
    subscriptionList: { value: { count: listed.value.length }, evidence: listed.evidence },
    subscriptions: sortBy(
      listed.value.map((s) => blank(s.subscriptionId, s.displayName, s.tenantId)),
      (s) => s.subscriptionId,
    ),
  };
}
