// A workspace that receives the audit category keeps data for at least the required number of days in all, and at
// least the required number of days interactively (immediately available to queries): archived (long-term) days
// count toward the total only.
import { isKnown } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { parseResourceId, sameId } from "../../domain/ids.js";
import { auditTableOf } from "../../domain/hsm-kinds.js";
import {
  anyWorkspaceProves,
  auditCategoriesSchema,
  isVerdict,
  lastSegment,
  noWorkspaceVerdict,
  unique,
} from "../audit-trail.js";
import { memoFor } from "../memo.js";

export default defineCheck({
  name: "destination-retention",
  description:
    "A Log Analytics workspace that receives the audit category keeps its data at least the required number of days in all (archive included) and at least the required number of days interactively, in the audit table the HSM writes to (a table's own retention overrides the workspace default).",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      minimumDays: { type: "integer", minimum: 1, maximum: 4383, default: 365 },
      minimumInteractiveDays: { type: "integer", minimum: 1, maximum: 730, default: 90 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(target.hsm, params.categories);
    if (isVerdict(trail)) return trail;
    // Interactive days beyond the total cannot be asked for: a policy of 30 days in all asks 30 interactive at most.
    const interactiveDays = Math.min(params.minimumInteractiveDays, params.minimumDays);
    const values: Record<string, string> = {
      minimumDays: String(params.minimumDays),
      minimumInteractiveDays: String(interactiveDays),
    };
    const required = `${params.minimumDays} days (${interactiveDays} of them interactive)`;
    if (trail.workspaceIds.length === 0) {
      // No workspace receives the log: the fix is to send it to one, not to lengthen one's retention.
      return {
        ...noWorkspaceVerdict(trail, `no workspace keeps its audit log ${required}`, `none keeps it ${required}`),
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
    const verdict = anyWorkspaceProves(
      trail,
      (id, label, found, evidence) => {
        const workspace = lookup.workspace(id);
        const info = workspace?.info;
        if (info) evidence.push(...info.evidence);
        if (!isKnown(info)) {
          found.unknown.push(`${label} (${info ? info.error.message : "not collected"})`);
          return;
        }
        if (!info.value.exists) {
          found.lacking.push(`${label} does not exist`);
          return;
        }
        const fallback = info.value.retentionInDays;
        // The audit tables this HSM writes to in this workspace; a table's own retention overrides the default.
        const tables = unique(
          trail.carryingAny
            .filter((s) => s.workspaceId && sameId(s.workspaceId, id))
            .flatMap((s) => auditTableOf(target.hsm.kind, s.logAnalyticsDestinationType) ?? []),
        );
        const tableFacts = workspace?.tables;
        if (tableFacts) evidence.push(...tableFacts.evidence);
        if (tableFacts && !isKnown(tableFacts)) {
          found.unknown.push(`the audit tables of ${label} (${tableFacts.error.message})`);
          return;
        }
        for (const name of tables) {
          const table = tableFacts?.value.find((t) => t.name.toLowerCase() === name.toLowerCase());
          // A table's `retentionInDays` is its interactive retention, `totalRetentionInDays` the interactive and the
          // archived (long-term) days together; without a total, nothing is archived. A table that does not exist (or
          // states no retention of its own) takes the workspace's, which is interactive.
          const ownInteractive = table?.exists ? table.retentionInDays : undefined;
          const interactive = ownInteractive ?? fallback;
          const total = (table?.exists ? table.totalRetentionInDays : undefined) ?? interactive;
          const own = ownInteractive !== undefined || (table?.exists && table.totalRetentionInDays !== undefined);
          const ownSet = table?.exists && table.retentionInDaysAsDefault !== true;
          const where = own ? `table ${name} of ${label}` : label;
          if (interactive === undefined || total === undefined) {
            found.unknown.push(`${where} (its answer has no retentionInDays)`);
            continue;
          }
          const archived = total > interactive ? ` (${interactive} interactive, ${total - interactive} archived)` : "";
          const tag = ownSet && (ownInteractive !== fallback || total !== interactive) ? " (its own retention)" : "";
          const keeps = `${where} keeps ${total} days${archived}${tag}`;
          const lacks: string[] = [];
          if (total < params.minimumDays) lacks.push(`fewer than ${params.minimumDays} days in all`);
          if (interactive < interactiveDays)
            lacks.push(`only ${interactive} of them interactive, fewer than ${interactiveDays}`);
          if (lacks.length === 0) found.proven.push(keeps);
          else {
            found.lacking.push(`${keeps}: ${lacks.join(", ")}`);
            // A table with its own retention keeps it whatever the workspace's default: the table is what to change.
            shortOf(id, own ? name : undefined);
          }
        }
      },
      {
        pass: (kept) => `The audit log of ${target.hsm.name} is kept at least ${required}: ${kept.join(", ")}.`,
        error: (unknown) =>
          `The retention of the audit log of ${target.hsm.name} is not proven: ${unknown.join("; ")}.`,
        fail: (short) => `The audit log of ${target.hsm.name} is not kept ${required}: ${short.join("; ")}.`,
      },
    );
    if (verdict.status !== "fail") return { ...verdict, values };
    // Only workspaces that do not exist were found: the log must go to one that does.
    const chosen: { case: string; values: Record<string, string> } = fix ?? { case: "noWorkspace", values: {} };
    return { ...verdict, values: { ...values, ...chosen.values }, fix: chosen.case };
  },
});
