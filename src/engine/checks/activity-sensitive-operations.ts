// Sensitive operations in the window: key destruction and export, user and access changes, backup and restore.
import type { Verdict } from "../check.js";
import { defineHighlight, highlightVerdict, plural } from "../activity.js";
import { operationLabel } from "../glossary.js";
import { CLOUD_HSM_SENSITIVE, MANAGED_HSM_SENSITIVE } from "../../domain/sensitive-operations.js";

export default defineHighlight({
  name: "activity-sensitive-operations",
  description: "No sensitive operation (of the lists in params) was recorded for the HSM in the log window.",
  kinds: ["cloudHsm", "managedHsm"],
  questions: ["operations", "sensitive"],
  params: {
    operations: {
      type: "object",
      properties: {
        cloudHsm: { type: "array", items: { type: "string", minLength: 1 }, default: [...CLOUD_HSM_SENSITIVE] },
        managedHsm: { type: "array", items: { type: "string", minLength: 1 }, default: [...MANAGED_HSM_SENSITIVE] },
      },
      additionalProperties: false,
      default: { cloudHsm: [...CLOUD_HSM_SENSITIVE], managedHsm: [...MANAGED_HSM_SENSITIVE] },
    },
    // Also any operation whose name contains one of these words (case-insensitive).
    nameContains: { type: "array", items: { type: "string", minLength: 1 }, default: ["backup", "restore"] },
  },
  judge(activity, params): Verdict {
    const hsm = activity.hsm;
    const listed = new Set(
      (hsm.kind === "cloudHsm" ? params.operations.cloudHsm : params.operations.managedHsm).map((o) => o.toLowerCase()),
    );
    const sensitive = (operation: string) =>
      listed.has(operation.toLowerCase()) ||
      params.nameContains.some((word) => operation.toLowerCase().includes(word.toLowerCase()));
    // Counts come from the per-operation totals (every operation is counted); rows, where the query returned them.
    const counts = new Map<string, number>();
    for (const row of activity.rows.operations) {
      if (sensitive(row.operation)) counts.set(row.operation, (counts.get(row.operation) ?? 0) + row.records);
    }
    if (counts.size === 0) {
      return highlightVerdict(activity, undefined, `No sensitive operation of ${hsm.name} was recorded in the window`);
    }
    const rows = activity.rows.sensitive
      .filter((r) => counts.has(r.operation))
      .flatMap((r) =>
        r.rows.map((row) => ({
          time: row.time,
          operation: operationLabel(hsm.kind, r.operation),
          caller: row.caller,
          ...(row.identity ? { identity: row.identity } : {}),
          ...(row.outcome && row.outcome !== "unknown" ? { note: row.outcome } : {}),
        })),
      );
    const summary = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([operation, n]) => `${operationLabel(hsm.kind, operation)} ×${n}`)
      .join(", ");
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const verdict = highlightVerdict(
      activity,
      { summary: `${plural(total, "sensitive operation")} of ${hsm.name} in the window: ${summary}`, rows },
      "",
    );
    // The count is exact; rows beyond those the query returned are counted, not listed.
    if (verdict.details) verdict.details.total = Math.max(verdict.details.total, total);
    return verdict;
  },
});
