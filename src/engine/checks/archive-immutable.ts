// The storage archive of the audit trail cannot be altered or deleted for the required days: account-level immutable
// storage with versioning, or a locked time-based retention policy on the category's `insights-logs-*` container.
import { isKnown } from "../../model/snapshot.js";
import { defineArchiveCheck } from "../archive.js";
import { logContainerName } from "../../domain/archive-naming.js";

export default defineArchiveCheck({
  name: "archive-immutable",
  description:
    "Every storage account that archives the audit category keeps it immutable: account-level immutable storage with versioning, or a Locked time-based retention policy of at least the required days on the category's container.",
  params: { minimumDays: { type: "integer", minimum: 1, maximum: 146000, default: 365 } },
  reading: "its immutability",
  judge(archive, properties, results, { params, evidence }) {
    const days = params.minimumDays;
    // Account-level immutability protects blobs only through a Locked default policy of enough days; short of that,
    // the containers' own policies decide.
    const accountPolicy = properties.accountImmutabilityPolicy;
    if (
      properties.immutableStorageWithVersioning === true &&
      accountPolicy?.state === "Locked" &&
      accountPolicy.periodDays >= days
    ) {
      results.passes.push(
        `${archive.label} has account-level immutable storage with a Locked default policy of ${accountPolicy.periodDays} days`,
      );
      return;
    }
    const containers = archive.facts?.containers;
    if (containers) evidence.push(...containers.evidence);
    if (!isKnown(containers)) {
      results.unknown.push(
        `the containers of ${archive.label} could not be read (${containers ? containers.error.message : "not read"})`,
      );
      return;
    }
    for (const category of archive.categories) {
      const name = logContainerName(category);
      const where = `container ${name} of ${archive.label}`;
      const container = containers.value.find((c) => c.name.toLowerCase() === name);
      const policy = container?.immutabilityPolicy;
      if (!container) {
        results.failures.push(`${archive.label} has no container ${name} yet, so no immutability policy protects it`);
      } else if (!policy || policy.periodDays === 0) {
        results.failures.push(`${where} has no immutability policy: its blobs can be overwritten or deleted`);
      } else if (policy.state !== "Locked") {
        results.failures.push(
          `${where} has an ${policy.state} retention policy of ${policy.periodDays} days, which can be shortened or deleted: lock it`,
        );
      } else if (policy.periodDays < days) {
        results.failures.push(`${where} is locked for ${policy.periodDays} days, fewer than ${days}`);
      } else {
        results.passes.push(`${where} is locked for ${policy.periodDays} days`);
      }
    }
  },
  sentences: ({ params, hsm }) => {
    const days = params.minimumDays;
    const name = hsm.name;
    return {
      pass: (list) => `The archived audit log of ${name} is immutable: ${list}.`,
      fail: (list) => `The archived audit log of ${name} is not protected from change for ${days} days: ${list}.`,
      error: (list) => `Whether the archived audit log of ${name} is immutable is not proven: ${list}.`,
    };
  },
  values: (params) => ({ minimumDays: String(params.minimumDays) }),
});
