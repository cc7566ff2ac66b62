// Management groups: the descendants of a group (its nested groups and the subscriptions under them, at every depth),
// in the shape of the REST specification's `DescendantInfo`, paged with `nextLink`.
import { armError } from "../http.js";
import type { Estate, ManagementGroup } from "../estate.js";
import { MANAGEMENT_GROUP_TYPE, managementGroupResourceId } from "../../domain/management-groups.js";
import { armRoute, get, type ArmRequest, type RouteEntry } from "./route.js";

/**
 * Every descendant of `group`, depth first: the subscriptions directly under it, then each nested group followed by
 * its own descendants. Subscriptions are listed whatever the credential may read in them (`access`): the descendants
 * list is the hierarchy's, and a subscription it names may still refuse its own reads.
 */
function descendants(estate: Estate, group: ManagementGroup): unknown[] {
  const parent = { id: managementGroupResourceId(group.name) };
  const items: unknown[] = [];
  for (const id of group.subscriptions) {
    const sub = estate.subscriptions.find((s) => s.subscriptionId === id)!;
    items.push({
      id: `/subscriptions/${sub.subscriptionId}`,
      type: "/subscriptions",
      name: sub.subscriptionId,
      properties: { displayName: sub.displayName, parent },
    });
  }
  for (const key of group.groups) {
    const child = estate.managementGroups.get(key)!;
    items.push({
      id: managementGroupResourceId(child.name),
      type: MANAGEMENT_GROUP_TYPE,
      name: child.name,
      properties: { displayName: child.displayName, parent },
    });
    items.push(...descendants(estate, child));
  }
  return items;
}

export const MANAGEMENT_GROUP_ROUTES: RouteEntry<ArmRequest>[] = [
  get(/^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)\/descendants$/i, (m, { estate }) =>
    armRoute(
      "managementGroupDescendants",
      undefined,
      () => {
        const group = estate.managementGroups.get(m[1]!.toLowerCase());
        // A group the estate does not have is refused as one the caller may not read.
        if (!group) {
          return armError(
            403,
            "AuthorizationFailed",
            `The client '00000000-0000-0000-0000-00000000c11e' with object id '00000000-0000-0000-0000-00000000c11e' does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '${managementGroupResourceId(m[1]!)}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
          );
        }
        return { status: 200, page: { items: descendants(estate, group) } };
      },
      MANAGEMENT_GROUP_TYPE,
    ),
  ),
];
