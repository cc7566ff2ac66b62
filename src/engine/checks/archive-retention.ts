// No lifecycle management rule of a storage archive deletes the audit log's blobs before the required days.
import { isKnown, type LifecycleRule } from "../../model/snapshot.js";
import { defineArchiveCheck } from "../archive.js";
import { archivePrefix, logContainerName } from "../../domain/archive-naming.js";

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

export default defineArchiveCheck({
  name: "archive-retention",
  description:
    "No enabled lifecycle management rule of a storage account that archives the audit category deletes the log blobs sooner than the required number of days.",
  params: { minimumDays: { type: "integer", minimum: 1, maximum: 146000, default: 365 } },
  reading: "its lifecycle rules",
  judge(archive, properties, results, { params, hsm, evidence }) {
    const days = params.minimumDays;
    const lifecycle = archive.facts?.lifecycle;
    if (lifecycle) evidence.push(...lifecycle.evidence);
    if (!isKnown(lifecycle)) {
      results.unknown.push(
        `the lifecycle policy of ${archive.label} could not be read (${lifecycle ? lifecycle.error.message : "not read"})`,
      );
      return;
    }
    if (!lifecycle.value.policy) {
      results.passes.push(`${archive.label} has no lifecycle policy, so nothing deletes its blobs by age`);
      return;
    }
    const paths = archive.categories.map((c) => `${logContainerName(c)}/${archivePrefix(hsm.id)}`);
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
  },
  sentences: ({ params, hsm }) => {
    const days = params.minimumDays;
    const name = hsm.name;
    return {
      pass: (list) => `No lifecycle rule deletes the archived audit log of ${name} before ${days} days: ${list}.`,
      fail: (list) => `The archived audit log of ${name} is deleted before ${days} days: ${list}.`,
      error: (list) => `Whether the archived audit log of ${name} is kept ${days} days is not proven: ${list}.`,
    };
  },
  values: (params) => ({ minimumDays: String(params.minimumDays) }),
});
