// `Microsoft.Authorization/permissions` of a resource group: what the caller may do there, one entry per role
// assignment (REST spec authorization-RoleDefinitionsCalls.json 2022-04-01, `Permissions_ListForResourceGroup`). The
// estate says it per resource group; a group it does not name answers the Reader role's `*/read`.
import { armError } from "../http.js";
import { DEFAULT_PERMISSIONS } from "../estate.js";
import {
  UNDER_SUBSCRIPTION,
  armRoute,
  get,
  resourceGroupExists,
  subscriptionNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

export const PERMISSION_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(
      `${UNDER_SUBSCRIPTION}\\/resourcegroups\\/([^/]+)\\/providers\\/microsoft\\.authorization\\/permissions$`,
      "i",
    ),
    (m, { subscriptionId, sub }) =>
      armRoute(
        "permissions",
        subscriptionId,
        () => {
          if (!sub) return subscriptionNotFound(subscriptionId!);
          const rg = decodeURIComponent(m[1]!);
          if (!resourceGroupExists(sub, rg))
            return armError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
          const entries = sub.permissions.get(rg.toLowerCase()) ?? DEFAULT_PERMISSIONS;
          return {
            status: 200,
            page: {
              items: entries.map((e) => ({
                actions: [...e.actions],
                notActions: [...e.notActions],
                dataActions: [],
                notDataActions: [],
              })),
            },
          };
        },
        "microsoft.authorization/permissions",
      ),
  ),
];
