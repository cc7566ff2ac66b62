// Microsoft Sentinel watches the HSM's audit trail: a workspace that receives it has Sentinel onboarded and at least
// one enabled analytic rule whose query reads the HSM's audit records in the table this HSM's setting writes there.
// Sentinel's own Key Vault rules filter `ResourceType == "VAULTS"` and never see a Managed HSM or a Cloud HSM, so this
// needs a rule written for them. The rule's query is read as a syntax tree at evaluate time, from the query the
// snapshot holds (src/engine/rule-coverage.ts), so that `evaluate` of a saved snapshot gives the same verdict.
import { sameId } from "../../domain/ids.js";
import { isKnown } from "../../model/snapshot.js";
import type { DiagnosticSetting, HsmFacts } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { anyWorkspaceProves, auditCategoriesSchema, isVerdict, names, noWorkspaceVerdict } from "../audit-trail.js";
import { memoFor } from "../memo.js";
import { hsmRecords, ruleReads, type HsmRecords } from "../rule-coverage.js";

/** The records the settings that carry the audit trail to one workspace write there (one table per mode). */
function recordsIn(hsm: HsmFacts, settings: DiagnosticSetting[]): HsmRecords[] {
  const out = new Map<string, HsmRecords>();
  for (const setting of settings) {
    const records = hsmRecords(hsm, setting.logAnalyticsDestinationType);
    if (records && !out.has(records.table)) out.set(records.table, records);
  }
  return [...out.values()];
}

/** What the rules must read, in words: "AZKVAuditLogs (where setting 'x' writes them, in resource-specific mode)". */
function describeRecords(hsm: HsmFacts, records: HsmRecords[], settings: DiagnosticSetting[]): string {
  return records
    .map((r) => {
      const writers = names(settings.filter((s) => hsmRecords(hsm, s.logAnalyticsDestinationType)?.table === r.table));
      if (r.table === "AzureDiagnostics") {
        return `AzureDiagnostics rows of ResourceType MANAGEDHSMS (where setting ${writers} writes them)`;
      }
      if (r.table === "AZKVAuditLogs") {
        return `AZKVAuditLogs (where setting ${writers} writes them, in resource-specific mode)`;
      }
      return r.table;
    })
    .join(" or ");
}

/** At most three rules that could not be analysed, with why. */
function unanalysed(rules: { displayName: string; why: string }[]): string {
  const shown = rules.slice(0, 3).map((r) => `'${r.displayName}' (${r.why})`);
  const more = rules.length > 3 ? ` and ${rules.length - 3} more` : "";
  return `${rules.length === 1 ? "1 enabled rule" : `${rules.length} enabled rules`} could not be analysed, so ${rules.length === 1 ? "it does" : "they do"} not count: ${shown.join("; ")}${more}`;
}

export default defineCheck({
  name: "sentinel-coverage",
  description:
    "A workspace that receives the HSM's audit log has Microsoft Sentinel onboarded and an enabled analytic rule whose query reads that HSM kind's audit records.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: { categories: auditCategoriesSchema },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    const hsm = target.hsm;
    const lookup = memoFor(snapshot, memo);
    const trail = lookup.auditTrail(hsm, params.categories);
    if (isVerdict(trail)) return trail;
    if (trail.workspaceIds.length === 0) {
      return noWorkspaceVerdict(trail, "no Sentinel rule can see it", "Microsoft Sentinel cannot watch it");
    }
    return anyWorkspaceProves(
      trail,
      (id, label, found, evidence) => {
        const workspace = lookup.workspace(id);
        if (workspace) evidence.push(...workspace.info.evidence);
        if (isKnown(workspace?.info) && !workspace.info.value.exists) {
          found.lacking.push(`${label} does not exist`);
          return;
        }
        const sentinel = workspace?.sentinel;
        if (!sentinel) {
          found.unknown.push(`${label}: Sentinel was not read`);
          return;
        }
        evidence.push(...sentinel.evidence);
        if (!isKnown(sentinel)) {
          found.unknown.push(`${label}: ${sentinel.error.message}`);
          return;
        }
        if (!sentinel.value.onboarded) {
          found.lacking.push(`Microsoft Sentinel is not onboarded on ${label}`);
          return;
        }
        const sending = trail.carryingAny.filter((s) => s.workspaceId !== undefined && sameId(s.workspaceId, id));
        const records = recordsIn(hsm, sending);
        const reading: typeof sentinel.value.rules = [];
        const unproven: { displayName: string; why: string }[] = [];
        for (const rule of sentinel.value.rules) {
          if (!rule.query) continue;
          const answer = ruleReads(rule.query, records);
          if (answer.reads === true) reading.push(rule);
          else if (answer.reads === "unknown" && rule.enabled)
            unproven.push({ displayName: rule.displayName, why: answer.why });
        }
        const enabled = reading.filter((r) => r.enabled);
        if (enabled.length > 0) {
          found.proven.push(`${label}: ${enabled.map((r) => `'${r.displayName}'`).join(", ")}`);
          return;
        }
        const total = sentinel.value.rules.length;
        const what = describeRecords(hsm, records, sending);
        const gap =
          reading.length > 0
            ? `on ${label} the rules that read its records are disabled (${reading.map((r) => `'${r.displayName}'`).join(", ")})`
            : total === 0
              ? `${label} has no analytic rule`
              : unproven.length > 0
                ? `no analytic rule on ${label} is proven to read ${what}`
                : total === 1
                  ? `the only analytic rule on ${label} does not read ${what}`
                  : `none of the ${total} analytic rules on ${label} reads ${what}`;
        found.lacking.push(unproven.length > 0 ? `${gap}; ${unanalysed(unproven)}` : gap);
      },
      {
        pass: (covered) =>
          `Microsoft Sentinel watches the audit log of ${hsm.name}: enabled rules that read it on ${covered.join("; ")}.`,
        error: (unknown) => `Whether Microsoft Sentinel watches ${hsm.name} is unknown: ${unknown.join("; ")}.`,
        fail: (gaps) => `Microsoft Sentinel does not watch the audit log of ${hsm.name}: ${gaps.join("; ")}.`,
      },
    );
  },
});
