// Management groups: the subscriptions under the groups a scan is scoped to (their descendants, nested groups
// included), each then read once by a GET as a subscription named with --subscription is.
import type { CollectorContext } from "./context.js";
import { distinct, listAll, read } from "./context.js";
import { readSubscriptions, type Readable } from "./subscriptions.js";
import { descendantsOf } from "../derive/management-groups.js";
import { isKnown, type ManagementGroupScope, type SubscriptionFacts } from "../../model/snapshot.js";
import { managementGroupResourceId } from "../../domain/management-groups.js";

/**
 * Lists the descendants of each management group of `groupIds`, every page, then reads each subscription they name by
 * a GET, once however many groups name it: a subscription that cannot be read is an error of its own (and its
 * inventory one), never left out. Each group's list is a fact of its own: when one cannot be read, the subscriptions
 * of the others are still read, and that group's fact says why it covered none.
 */
export async function readManagementGroups(
  ctx: CollectorContext,
  groupIds: string[],
): Promise<{ managementGroups: ManagementGroupScope[]; subscriptions: SubscriptionFacts[]; readable: Readable }> {
  const managementGroups = await Promise.all(
    firstOfEach(groupIds).map(async (groupId): Promise<ManagementGroupScope> => {
      const what = `the descendants of management group ${groupId}`;
      const descendants = await read(ctx, what, managementGroupResourceId(groupId), async () => {
        const client = await ctx.clients.managementGroups();
        const items = await listAll(client.managementGroups.listDescendants(groupId), (d) => d.id, what);
        return descendantsOf(items, groupId);
      });
      return { id: groupId, descendants };
    }),
  );
  const named = distinct(
    managementGroups.flatMap((g) => (isKnown(g.descendants) ? g.descendants.value.subscriptions : [])),
  );
  if (named.length === 0) return { managementGroups, subscriptions: [], readable: new Map() };
  const { subscriptions, readable } = await readSubscriptions(ctx, named);
  return { managementGroups, subscriptions, readable };
}

/** The ids given, each once (Azure's management group ids ignore case), as first spelt, in the order given. */
function firstOfEach(ids: string[]): string[] {
  const seen = new Map<string, string>();
  for (const id of ids) if (!seen.has(id.toLowerCase())) seen.set(id.toLowerCase(), id);
  return [...seen.values()];
}
