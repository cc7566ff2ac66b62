// No lifecycle management rule of a storage archive deletes the audit log's blobs before the required days.
import { isKnown, type LifecycleRule } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { auditCategoriesSchema } from "../audit-trail.js";
import { accountProperties, archiveTrail, archiveValues, combine, isArchiveVerdict } from "../archive.js";
import { archivePrefix, logContainerName } from "../../azure/archive.js";

/**
 * Whether a rule's filters reach the HSM's log blobs: no prefix filter, or a prefix that the blobs' path starts with
 * (`insights-logs-`), or one inside it (a narrower rule still deletes some of them). Compared without case, so that a
 * rule is never taken to miss the logs because of how a prefix was spelt.
 */
export function ruleReaches(rule: LifecycleRule, path: string): boolean {
  const reachesType = rule.blobTypes.length === 0 || rule.blobTypes.some((t) => /^(append|block)blob$/i.test(t));
  if (!reachesType) return false;
  if (rule.prefixMatch.length === 0) return true;
  const p = path.toLowerCase();
  return rule.prefixMatch.some((prefix) => p.startsWith(prefix.toLowerCase()) || prefix.toLowerCase().startsWith(p));
}

const BASIS = { modification: "last modification", creation: "creation", lastAccess: "last access" } as const;

export default defineCheck<{ categories: Record<string, string[]>; minimumDays: number }>({
  name: "archive-retention",
  description:
    "No enabled lifecycle management rule of a storage account that archives the audit category deletes the log blobs sooner than the required number of days.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  paramsSchema: {
    type: "object",
    properties: {
      categories: auditCategoriesSchema,
      minimumDays: { type: "integer", minimum: 1, maximum: 146000, default: 365 },
    },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot): Verdict {
    if (target.scope !== "hsm") throw new Error("archive-retention judges HSMs");
    const found = archiveTrail(target.hsm, params.categories, snapshot, "its lifecycle rules");
    if (isArchiveVerdict(found)) return found;
    const { archives, evidence } = found;
    const results = { failures: [] as string[], unknown: [] as string[], passes: [] as string[] };
    const days = params.minimumDays;
    for (const archive of archives) {
      const account = accountProperties(archive);
      if ("unknown" in account) {
        results.unknown.push(account.unknown);
        continue;
      }
      if ("missing" in account) {
        results.failures.push(account.missing);
        continue;
      }
      const lifecycle = archive.facts?.lifecycle;
      if (lifecycle) evidence.push(...lifecycle.evidence);
      if (!isKnown(lifecycle)) {
        results.unknown.push(
          `the lifecycle policy of ${archive.label} could not be read (${lifecycle ? lifecycle.error.message : "not read"})`,
        );
        continue;
      }
      if (!lifecycle.value.policy) {
        results.passes.push(`${archive.label} has no lifecycle policy, so nothing deletes its blobs by age`);
        continue;
      }
      const paths = archive.categories.map((c) => `${logContainerName(c)}/${archivePrefix(target.hsm.id)}`);
      const early: string[] = [];
      const late: string[] = [];
      for (const rule of lifecycle.value.rules) {
        if (!rule.enabled || !paths.some((p) => ruleReaches(rule, p))) continue;
        for (const d of rule.deletes.filter((x) => x.target === "baseBlob")) {
          const text = `rule '${rule.name}' deletes them ${d.days} days after ${BASIS[d.after]}`;
          (d.days < days ? early : late).push(text);
        }
      }
      if (early.length > 0) results.failures.push(`in ${archive.label}, ${early.join(" and ")}`);
      else
        results.passes.push(
          late.length > 0
            ? `in ${archive.label}, ${late.join(" and ")}`
            : `no enabled lifecycle rule of ${archive.label} deletes the log blobs`,
        );
    }
    const name = target.hsm.name;
    return combine(
      results,
      evidence,
      {
        pass: (list) => `No lifecycle rule deletes the archived audit log of ${name} before ${days} days: ${list}.`,
        fail: (list) => `The archived audit log of ${name} is deleted before ${days} days: ${list}.`,
        error: (list) => `Whether the archived audit log of ${name} is kept ${days} days is not proven: ${list}.`,
      },
      { minimumDays: String(days), ...archiveValues(archives) },
    );
  },
});
