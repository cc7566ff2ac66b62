// The scan's own permissions in each resource group that holds an HSM: `Microsoft.Authorization/permissions` through
// `@azure/arm-authorization` `permissions.listForResourceGroup` (the SDK has no subscription-wide call), one read per
// resource group, through ARM's batch API when the scan uses it. What the entries grant is the engine's business
// (src/engine/read-access.ts); this reads and keeps each entry's `actions` and `notActions`.
import type { CollectorContext } from "./context.js";
import { batchedGet, read } from "./context.js";
import type { HsmFacts, ResourceGroupPermissions } from "../../model/snapshot.js";
import { HSM_KINDS, type HsmKind } from "../../domain/hsm-kinds.js";
import { MalformedAnswer, sortBy } from "../derive/common.js";
import { MAX_PERMISSION_ENTRIES, toPermissions } from "../derive/permissions.js";

/** The API version `@azure/arm-authorization` 9 speaks for the permissions routes, asked of the batch too. */
const PERMISSIONS_API_VERSION = "2022-04-01";

/** Each resource group (compared case-insensitively) holding a listed HSM, with the kinds it holds, sorted. */
export function resourceGroupsOf(
  hsms: readonly Pick<HsmFacts, "subscriptionId" | "resourceGroup" | "kind">[],
): Array<{ subscriptionId: string; resourceGroup: string; kinds: HsmKind[] }> {
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string; kinds: Set<HsmKind> }>();
  for (const h of hsms) {
    const key = `${h.subscriptionId}/${h.resourceGroup}`.toLowerCase();
    const group = groups.get(key) ?? {
      subscriptionId: h.subscriptionId,
      resourceGroup: h.resourceGroup,
      kinds: new Set(),
    };
    groups.set(key, group);
    group.kinds.add(h.kind);
  }
  return sortBy(
    [...groups.values()].map((g) => ({ ...g, kinds: HSM_KINDS.filter((k) => g.kinds.has(k)) })),
    (g) => `${g.subscriptionId}/${g.resourceGroup}`.toLowerCase(),
  );
}

export async function readPermissions(
  ctx: CollectorContext,
  group: { subscriptionId: string; resourceGroup: string; kinds: HsmKind[] },
): Promise<ResourceGroupPermissions> {
  const { subscriptionId, resourceGroup } = group;
  const scope = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const result = await read(
    ctx,
    `the scan's permissions in resource group ${resourceGroup} of subscription ${subscriptionId}`,
    scope,
    async () => {
      const items = await batchedGet(
        ctx,
        `${scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`,
        (content) => {
          const value = (content as { value?: unknown }).value;
          if (!Array.isArray(value)) throw new MalformedAnswer("the permissions answer has no value list");
          return value as unknown[];
        },
        async () => {
          const all: unknown[] = [];
          const client = await ctx.clients.authorization(subscriptionId);
          for await (const entry of client.permissions.listForResourceGroup(resourceGroup)) {
            all.push(entry);
            if (all.length > MAX_PERMISSION_ENTRIES) break;
          }
          return all;
        },
      );
      return toPermissions(items);
    },
  );
  return { subscriptionId, resourceGroup, kinds: group.kinds, result };
}
