// Log Analytics workspaces: their properties, and the retention of the tables HSM audit records land in.
import type { CollectorContext } from "./context.js";
import { answersAbsent, read, readDestination } from "./context.js";
import type { WorkspaceFacts, WorkspaceTable } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { isWorkspaceId, parseResourceId } from "../../domain/ids.js";
import { AUDIT_TABLE_NAMES } from "../../domain/hsm-kinds.js";
import { toTable, toWorkspaceInfo } from "../derive/workspace.js";

export async function readWorkspace(ctx: CollectorContext, id: string): Promise<WorkspaceFacts> {
  const workspace = await readWorkspaceProperties(ctx, id);
  if (!isKnown(workspace.info) || !workspace.info.value.exists) return workspace;
  const parsed = parseResourceId(id)!;
  const tables = await read(ctx, `the audit tables' retention in workspace ${id}`, id, () =>
    Promise.all(
      AUDIT_TABLE_NAMES.map(async (name): Promise<WorkspaceTable> => {
        try {
          const table = await (
            await ctx.clients.operationalInsights(parsed.subscriptionId)
          ).tables.get(parsed.resourceGroup, parsed.name, name);
          return toTable(name, table);
        } catch (error) {
          // A table the workspace has never received is no error: records that arrive take the workspace default.
          if (answersAbsent(error, ["ResourceNotFound", "NotFound"])) return { name, exists: false };
          throw error;
        }
      }),
    ),
  );
  return { ...workspace, tables };
}

function readWorkspaceProperties(ctx: CollectorContext, id: string): Promise<WorkspaceFacts> {
  return readDestination(ctx, id, { label: "Log Analytics workspace", matches: isWorkspaceId }, async (parsed) => {
    const workspace = await (
      await ctx.clients.operationalInsights(parsed.subscriptionId)
    ).workspaces.get(parsed.resourceGroup, parsed.name);
    return toWorkspaceInfo(workspace);
  });
}
