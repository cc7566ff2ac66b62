// The storage archive receives the audit trail: its newest hourly blob for this HSM lies inside the log window, and
// its first record is an audit record of this HSM (read from the blob data plane, not inferred from configuration).
import { isKnown } from "../../model/snapshot.js";
import { defineArchiveCheck } from "../archive.js";
import { sameId } from "../../domain/ids.js";

/** The data-plane role that lets the scanning identity list and read the archive. */
export const BLOB_READER_ROLE = "Storage Blob Data Reader";

const HOUR = 3_600_000;

export default defineArchiveCheck({
  name: "archive-flowing",
  description:
    "Every storage account that archives the audit category holds an hourly blob of the HSM inside the log window, whose first record is an audit record of that HSM and category.",
  params: {},
  reading: "the arrival of its archive",
  dependsOnWindow: true,
  judge(archive, properties, results, { snapshot, memo, hsm, evidence }) {
    const window = snapshot.logWindow;
    const arrivals = archive.facts?.arrivals ? memo.rowsOf(archive.facts.arrivals, hsm.id) : [];
    for (const category of archive.categories) {
      const arrival = arrivals.find((a) => a.category.toLowerCase() === category.toLowerCase());
      const where = `${archive.label} (${category})`;
      if (!arrival) {
        results.unknown.push(`${where} was not read`);
        continue;
      }
      evidence.push(...arrival.result.evidence);
      if (!isKnown(arrival.result)) {
        const e = arrival.result.error;
        if (e.status === 403 || e.status === 401) results.errorFix = "access";
        results.unknown.push(
          e.status === 403 || e.status === 401
            ? `${where} refused to list or read its blobs (HTTP ${e.status}${e.code ? ` ${e.code}` : ""}): grant the scanning identity the ${BLOB_READER_ROLE} role on the account`
            : `${where} could not be read (${e.message})`,
        );
        continue;
      }
      const value = arrival.result.value;
      const newest = value.newest;
      if (value.containerMissing) {
        results.failures.push(`${where} has no container ${arrival.container}: nothing was ever archived there`);
      } else if (!newest) {
        results.failures.push(
          `${where} holds no hourly blob of ${hsm.name} on the ${value.daysListed.length} day(s) of the window`,
        );
      } else if (Date.parse(newest.hour) + HOUR < Date.parse(window.start)) {
        results.failures.push(`the newest archived hour in ${where} is ${newest.hour}, before the window`);
      } else if (Date.parse(newest.hour) >= Date.parse(window.end)) {
        // An hour after the window proves nothing about it.
        results.unknown.push(`the newest archived hour read in ${where} is ${newest.hour}, after the window`);
      } else if (newest.problem) {
        results.unknown.push(
          `the blob of ${newest.hour} in ${where} could not be read as audit records: ${newest.problem}`,
        );
      } else if (!newest.record?.resourceId || !sameId(newest.record.resourceId, hsm.id)) {
        results.failures.push(
          `the blob of ${newest.hour} in ${where} holds records of ${newest.record?.resourceId ?? "no stated resource"}, not of ${hsm.name}`,
        );
      } else if ((newest.record.category ?? "").toLowerCase() !== category.toLowerCase()) {
        results.failures.push(
          `the blob of ${newest.hour} in ${where} holds ${newest.record.category ?? "uncategorised"} records, not ${category}`,
        );
      } else {
        results.passes.push(
          `${where} holds the hour of ${newest.hour} (${newest.format === "records" ? "a records document" : "JSON lines"}, first record ${newest.record.operationName ?? "?"} at ${newest.record.time ?? "?"})`,
        );
      }
    }
  },
  sentences: ({ snapshot, hsm }) => {
    const window = snapshot.logWindow;
    return {
      pass: (list) => `Audit records of ${hsm.name} are arriving in its storage archive: ${list}.`,
      fail: (list) =>
        `No audit record of ${hsm.name} arrived in its storage archive from ${window.start} to ${window.end}: ${list}.`,
      error: (list) => `Whether audit records of ${hsm.name} arrive in its storage archive is not proven: ${list}.`,
    };
  },
  values: () => ({ role: BLOB_READER_ROLE }),
});
