// Log Analytics workspaces as ARM resources, and their tables' retention.
import { armError, type SimResponse } from "../http.js";
import type { Workspace } from "../estate.js";
import type { KqlTable } from "../kql/types.js";
import {
  UNDER_SUBSCRIPTION,
  armRoute,
  get,
  missingSubscription,
  resourceNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

export function workspaceBody(w: Workspace) {
  return {
    // Log Analytics answers with a lower-cased id (`resourcegroups`, `microsoft.operationalinsights`).
    id: w.id.toLowerCase(),
    name: w.name,
    type: w.type,
    location: w.location,
    tags: w.tags,
    etag: '"0b00a1b2-0000-0100-0000-65a000000000"',
    properties: {
      provisioningState: "Succeeded",
      customerId: w.customerId,
      sku: { name: w.sku, lastSkuUpdate: "2025-01-15T10:00:00.0000000Z" },
      retentionInDays: w.retentionInDays,
      features: { legacy: 0, searchVersion: 1, enableLogAccessUsingOnlyResourcePermissions: true },
      workspaceCapping: {
        dailyQuotaGb: -1,
        quotaNextResetTime: "2026-01-01T00:00:00Z",
        dataIngestionStatus: "RespectQuota",
      },
      publicNetworkAccessForIngestion: "Enabled",
      publicNetworkAccessForQuery: "Enabled",
      createdDate: "2025-01-15T10:00:00.0000000Z",
      modifiedDate: "2025-06-01T10:00:00.0000000Z",
    },
  };
}

/** `Microsoft.OperationalInsights/workspaces/tables` (REST spec `Tables.json`): retention of one table. */
function tableBody(w: Workspace, name: string, tables: Map<string, KqlTable> | undefined): SimResponse {
  const own = Object.entries(w.tableRetention).find(([t]) => t.toLowerCase() === name.toLowerCase());
  const known = [...(tables?.keys() ?? [])].find((t) => t.toLowerCase() === name.toLowerCase());
  const tableName = own?.[0] ?? known;
  if (!tableName) {
    return armError(
      404,
      "ResourceNotFound",
      `The table '${name}' was not found in workspace '${w.name}'. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  const retentionInDays = own?.[1].retentionInDays ?? w.retentionInDays;
  const totalRetentionInDays = own?.[1].totalRetentionInDays ?? retentionInDays;
  return {
    status: 200,
    body: {
      id: `${w.id}/tables/${tableName}`,
      name: tableName,
      type: "Microsoft.OperationalInsights/workspaces/tables",
      properties: {
        retentionInDays,
        totalRetentionInDays,
        archiveRetentionInDays: totalRetentionInDays - retentionInDays,
        retentionInDaysAsDefault: own?.[1].retentionInDays === undefined,
        totalRetentionInDaysAsDefault: own?.[1].totalRetentionInDays === undefined,
        plan: "Analytics",
        schema: { name: tableName, tableType: "Microsoft", columns: [], standardColumns: [] },
        provisioningState: "Succeeded",
      },
    },
  };
}

/** `.../resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{w}/tables/{table}`. */
export const WORKSPACE_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(
      `${UNDER_SUBSCRIPTION}\\/resourceGroups\\/([^/]+)\\/providers\\/Microsoft\\.OperationalInsights\\/workspaces\\/([^/]+)\\/tables\\/([^/]+)$`,
      "i",
    ),
    (m, { context, subscriptionId, sub }) => {
      const [, rg, workspaceName, tableName] = m as unknown as [string, string, string, string];
      if (!sub) return missingSubscription("workspaceTables", subscriptionId!);
      return armRoute(
        "workspaceTables",
        subscriptionId,
        () => {
          const w = sub.workspaces.find(
            (x) =>
              x.name.toLowerCase() === workspaceName.toLowerCase() &&
              x.resourceGroup.toLowerCase() === rg.toLowerCase(),
          );
          if (!w) return resourceNotFound(sub, rg, `Microsoft.OperationalInsights/workspaces/${workspaceName}`);
          return tableBody(w, tableName, context.tables.get(w.id.toLowerCase()));
        },
        "microsoft.operationalinsights/workspaces",
      );
    },
  ),
];
