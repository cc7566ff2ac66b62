// Management groups: the subscriptions under the group a scan is scoped to (its descendants, nested groups included),
// each then read by a GET as a subscription named with --subscription is.
import type { CollectorContext } from "./context.js";
import { listAll, read } from "./context.js";
import { readSubscriptions, type Readable } from "./subscriptions.js";
import { descendantsOf } from "../derive/management-groups.js";
import { isKnown, type ManagementGroupScope, type SubscriptionFacts } from "../../model/snapshot.js";
import { managementGroupResourceId } from "../../domain/management-groups.js";

/**
 * Lists the descendants of management group `groupId`, every page, then reads each subscription it names by a GET:
 * a subscription that cannot be read is an error of its own (and its inventory one), never left out. When the list
 * cannot be read, no subscription is in scope and the fact says why.
 */
export async function readManagementGroup(
  ctx: CollectorContext,
  groupId: string,
): Promise<{ managementGroup: ManagementGroupScope; subscriptions: SubscriptionFacts[]; readable: Readable }> {
  const what = `the descendants of management group ${groupId}`;
  const descendants = await read(ctx, what, managementGroupResourceId(groupId), async () => {
    const client = await ctx.clients.managementGroups();
    const items = await listAll(client.managementGroups.listDescendants(groupId), (d) => d.id, what);
    return descendantsOf(items, groupId);
  });
  const managementGroup = { id: groupId, descendants };
  if (!isKnown(descendants) || descendants.value.subscriptions.length === 0) {
    return { managementGroup, subscriptions: [], readable: new Map() };
  }
  const { subscriptions, readable } = await readSubscriptions(ctx, descendants.value.subscriptions);
  return { managementGroup, subscriptions, readable };
}
