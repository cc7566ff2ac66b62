// A workspace that receives the audit category keeps data for at least the required number of days.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { parseResourceId, sameId } from "../../azure/ids.js";
import type { HsmKind } from "../../model/snapshot.js";
import {
  auditCategoriesSchema,
  isVerdict,
  lastSegment,
  noWorkspaceVerdict,
  unresolvedWorkspaces,
  unique,
} from "../audit-trail.js";
import { memoFor } from "../memo.js";

export default defineCheck<{ categories: Record<string, string[]>; minimumDays: number }>({
  name: "destination-retention",
  description:
    "A Log Analytics workspace that receives the audit category keeps its data at least the required number of days, in the audit table the HSM writes to (a table's own retention overrides the workspace default).",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      minimumDays: { type: "integer", minimum: 1, maximum: 4383, default: 365 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    if (target.scope !== "hsm") throw new Error("destination-retention judges HSMs");
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    const values: Record<string, string> = { minimumDays: String(params.minimumDays) };
    const ids = trail.workspaceIds;
    if (ids.length === 0) {
      // No workspace receives the log: the fix is to send it to one, not to lengthen one's retention.
      const days = params.minimumDays;
      return {
        ...noWorkspaceVerdict(trail, `no workspace keeps its audit log ${days} days`, `none keeps it ${days} days`),
        values,
        fix: "noWorkspace",
      };
    }
    /** The fix for the first short retention found: its table's own, or its workspace's default. */
    let fix: { case: string; values: Record<string, string> } | undefined;
    const shortOf = (id: string, table?: string) => {
      if (fix) return;
      const parsed = parseResourceId(id);
      fix = {
        case: table ? "table" : "workspace",
        values: {
          workspaceId: id,
          workspaceResourceGroup: parsed?.resourceGroup ?? "",
          workspaceName: parsed?.name ?? lastSegment(id),
          ...(table ? { table } : {}),
        },
      };
    };
    const evidence = [...trail.evidence];
    const kept: string[] = [];
    const short: string[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const workspace = lookup.workspace(id);
      const info = workspace?.info;
      if (info) evidence.push(...info.evidence);
      const label = `workspace ${lastSegment(id)}`;
      if (!isKnown(info)) {
        unknown.push(`${label} (${info ? info.error.message : "not collected"})`);
        continue;
      }
      if (!info.value.exists) {
        short.push(`${label} does not exist`);
        continue;
      }
      const fallback = info.value.retentionInDays;
      // The audit tables this HSM writes to in this workspace; a table's own retention overrides the default.
      const tables = unique(
        trail.carryingAny
          .filter((s) => s.workspaceId && sameId(s.workspaceId, id))
          .flatMap((s) => auditTableOf(target.hsm.kind, s.logAnalyticsDestinationType)),
      );
      const tableFacts = workspace?.tables;
      if (tableFacts) evidence.push(...tableFacts.evidence);
      if (tableFacts && !isKnown(tableFacts)) {
        unknown.push(`the audit tables of ${label} (${tableFacts.error.message})`);
        continue;
      }
      for (const name of tables) {
        const table = tableFacts?.value.find((t) => t.name.toLowerCase() === name.toLowerCase());
        const own = table?.exists ? (table.totalRetentionInDays ?? table.retentionInDays) : undefined;
        const ownSet = table?.exists && table.retentionInDaysAsDefault !== true;
        const days = own ?? fallback;
        const where = own !== undefined ? `table ${name} of ${label}` : label;
        if (days === undefined) unknown.push(`${where} (its answer has no retentionInDays)`);
        else if (days >= params.minimumDays)
          kept.push(`${where} keeps ${days} days${ownSet && own !== fallback ? " (its own retention)" : ""}`);
        else {
          short.push(`${where} keeps ${days} days${ownSet && own !== fallback ? " (its own retention)" : ""}`);
          // A table with its own retention keeps it whatever the workspace's default: the table is what to change.
          shortOf(id, ownSet && own !== undefined ? name : undefined);
        }
      }
    }
    unknown.push(...unresolvedWorkspaces(trail));
    if (kept.length > 0) {
      return {
        status: "pass",
        message: `The audit log of ${target.hsm.name} is kept at least ${params.minimumDays} days: ${kept.join(", ")}.`,
        evidence,
        values,
      };
    }
    if (unknown.length > 0) {
      return {
        status: "error",
        message: `The retention of the audit log of ${target.hsm.name} is not proven: ${[...unknown, ...short].join("; ")}.`,
        evidence,
        values,
      };
    }
    // Only workspaces that do not exist were found: the log must go to one that does.
    const chosen: { case: string; values: Record<string, string> } = fix ?? { case: "noWorkspace", values: {} };
    return {
      status: "fail",
      message: `The audit log of ${target.hsm.name} is not kept ${params.minimumDays} days: ${short.join("; ")}.`,
      evidence,
      values: { ...values, ...chosen.values },
      fix: chosen.case,
    };
  },
});

/** The table an HSM's audit records land in (DOMAIN.md §1), by kind and the setting's destination type. */
export function auditTableOf(kind: HsmKind, destinationType: string | undefined): string[] {
  if (kind === "cloudHsm") return ["CloudHsmServiceOperationAuditLogs"];
  if (kind === "managedHsm") return [destinationType === "Dedicated" ? "AZKVAuditLogs" : "AzureDiagnostics"];
  return [];
}
