// Log Analytics answers -> facts: a workspace's properties and its audit tables' retention.
import type { WorkspaceTable } from "../../model/snapshot.js";
import { booleanOf, MalformedAnswer, numberOf } from "./common.js";

/** `GET .../workspaces/{name}` (its `properties` lifted). */
export function toWorkspaceInfo(workspace: { customerId?: unknown; retentionInDays?: unknown }): {
  customerId: string;
  retentionInDays?: number;
} {
  if (typeof workspace.customerId !== "string" || !workspace.customerId)
    throw new MalformedAnswer("the workspace answer has no customerId");
  const retentionInDays = numberOf(workspace.retentionInDays);
  return { customerId: workspace.customerId, ...(retentionInDays !== undefined ? { retentionInDays } : {}) };
}

/** `GET .../workspaces/{name}/tables/{table}` answered 200 (its `properties` lifted). */
export function toTable(
  name: string,
  table: { retentionInDays?: unknown; totalRetentionInDays?: unknown; retentionInDaysAsDefault?: unknown },
): WorkspaceTable {
  const days = (value: unknown) => {
    const n = numberOf(value);
    return n !== undefined && n >= 0 ? n : undefined;
  };
  const retentionInDays = days(table.retentionInDays);
  const totalRetentionInDays = days(table.totalRetentionInDays);
  const asDefault = booleanOf(table.retentionInDaysAsDefault);
  return {
    name,
    exists: true,
    ...(retentionInDays !== undefined ? { retentionInDays } : {}),
    ...(totalRetentionInDays !== undefined ? { totalRetentionInDays } : {}),
    ...(asDefault !== undefined ? { retentionInDaysAsDefault: asDefault } : {}),
  };
}
