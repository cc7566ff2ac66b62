// The diagnostic setting that carries the audit category existed throughout the log window: the Activity Log of the
// HSM's resource group, read over the whole window, shows no change (write or delete) to the HSM's settings in it.
// A setting present at the scan says nothing of the month: deleted on the 3rd and recreated on the 20th, it stopped
// the trail for 17 days that no other check can see once the gap has aged out of the workspace's answers.
import type { ActivityLogRead, SettingEvent, Snapshot } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { defineCheck, type Verdict } from "../check.js";
import { ACTIVITY_LOG_DAYS, SETTING_OPERATION_PREFIX, activityLogKeeps } from "../../domain/audit-trail.js";
import { auditCategoriesSchema, isVerdict, names, noCarrierVerdict } from "../audit-trail.js";
import { memoFor } from "../memo.js";

const CHANGES = new Set([`${SETTING_OPERATION_PREFIX}write`, `${SETTING_OPERATION_PREFIX}delete`]);

/** How many changes a finding lists; the total is always given. */
const ROWS_CAP = 20;

export default defineCheck({
  name: "diagnostic-setting-continuous",
  description:
    "The diagnostic setting that carries the audit category existed throughout the log window: the Activity Log, read over the whole window, shows no successful write or delete of the HSM's diagnostic settings in it, and a setting carries the category now.",
  scope: "hsm",
  kinds: ["cloudHsm", "managedHsm"],
  // The Activity Log is read over the window, counted on the scanner's clock: skewed clocks leave part of it unread.
  dependsOnWindow: true,
  paramsSchema: {
    type: "object",
    properties: { categories: auditCategoriesSchema },
    additionalProperties: false,
  },
  evaluate(target, params, snapshot, memo): Verdict {
    const hsm = target.hsm;
    const window = snapshot.logWindow;
    const period = `${window.start} to ${window.end}`;
    if (!activityLogKeeps(window.start, snapshot.startedAt)) {
      return {
        status: "error",
        message: `The log window starts at ${window.start}, more than ${ACTIVITY_LOG_DAYS} days before the scan (${snapshot.startedAt}), and the Activity Log keeps only ${ACTIVITY_LOG_DAYS} days: whether the diagnostic settings of ${hsm.name} changed in the window cannot be read. Scan a shorter or more recent window.`,
        evidence: [],
      };
    }
    const trail = memoFor(snapshot, memo).auditTrail(hsm, params.categories);
    if (isVerdict(trail)) return trail;
    if (trail.carryingAny.length === 0 || trail.uncarried.length > 0) {
      const missing = trail.uncarried.length > 0 ? trail.uncarried : trail.categories;
      return noCarrierVerdict(
        { ...trail, categories: missing },
        "it did not carry the audit log throughout the window (see audit-category-enabled)",
      );
    }
    const read = readFor(snapshot, hsm.subscriptionId, hsm.resourceGroup);
    const evidence = [...trail.evidence];
    if (!read) {
      return {
        status: "error",
        message: `The Activity Log of resource group ${hsm.resourceGroup} was not read over the window ${period}, so whether the diagnostic settings of ${hsm.name} existed throughout it is not proven.`,
        evidence,
      };
    }
    evidence.push(...read.result.evidence);
    if (!isKnown(read.result)) {
      return {
        status: "error",
        message: `The Activity Log of resource group ${hsm.resourceGroup} could not be read (${read.result.error.message}), so whether the diagnostic settings of ${hsm.name} existed throughout ${period} is not proven.`,
        evidence,
      };
    }
    const answer = read.result.value;
    if (answer.outside > 0) {
      return {
        status: "error",
        message: `The Activity Log of resource group ${hsm.resourceGroup} answered ${answer.outside} event(s) outside the period or group asked for (${answer.outsideExample ?? "no example"}): its filter was not applied as sent, so what it shows of ${hsm.name} proves nothing.`,
        evidence,
      };
    }
    const mine = answer.settingEvents.filter(
      (e) => CHANGES.has(e.operation.toLowerCase()) && isSettingOf(e.resourceId, hsm.id),
    );
    const { changes, failed, unknown } = outcomes(mine);
    const rows = changes.map((e) => ({
      time: e.time,
      operation: e.operation,
      caller: e.caller ?? "",
      note: `setting '${settingName(e.resourceId)}'`,
    }));
    if (changes.length > 0) {
      const first = changes[0]!;
      const more = changes.length > 1 ? ` (${changes.length} changes in all)` : "";
      return {
        status: "fail",
        message: `The diagnostic settings of ${hsm.name} changed inside the window ${period}: ${verb(first)} of setting '${settingName(first.resourceId)}' at ${first.time} by ${first.caller ?? "an unnamed caller"}${more}, so the audit trail may have stopped in between; a setting present at the scan does not prove the period.`,
        evidence,
        details: { rows: [...rows].reverse().slice(0, ROWS_CAP), total: rows.length, queries: [read.filter] },
      };
    }
    if (unknown.length > 0) {
      const e = unknown[0]!;
      return {
        status: "error",
        message: `The Activity Log shows ${verb(e)} of setting '${settingName(e.resourceId)}' of ${hsm.name} at ${e.time} by ${e.caller ?? "an unnamed caller"} with no outcome (status '${e.status}'), so whether the setting changed in the window is not proven.`,
        evidence,
      };
    }
    const attempts =
      failed.length > 0
        ? ` (${failed.length} failed attempt${failed.length === 1 ? "" : "s"} to change them changed nothing)`
        : "";
    return {
      status: "pass",
      message: `The Activity Log of resource group ${hsm.resourceGroup}, read over the whole window ${period} (${answer.events} events, every page), shows no change to the diagnostic settings of ${hsm.name}${attempts}; setting ${names(trail.carryingAny)} carries ${trail.categories.join(" and ")} now.`,
      evidence,
    };
  },
});

/** The read of the HSM's resource group that covers the whole window, if any (the latest when several do). */
function readFor(snapshot: Snapshot, subscriptionId: string, resourceGroup: string): ActivityLogRead | undefined {
  const start = Date.parse(snapshot.logWindow.start);
  const end = Date.parse(snapshot.logWindow.end);
  return (snapshot.activityLogs ?? []).find(
    (r) =>
      r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
      r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() &&
      Date.parse(r.start) <= start &&
      Date.parse(r.end) >= end,
  );
}

/**
 * Whether an event's resource is one of the HSM's diagnostic settings (or the HSM itself), in any case: ARM ids are
 * case-insensitive and the Activity Log writes them as the caller spelled them.
 */
function isSettingOf(resourceId: string, hsmId: string): boolean {
  const id = resourceId.toLowerCase().replace(/\/+$/, "");
  const hsm = hsmId.toLowerCase().replace(/\/+$/, "");
  return id === hsm || id.startsWith(`${hsm}/providers/microsoft.insights/diagnosticsettings/`);
}

function settingName(resourceId: string): string {
  const m = /\/diagnosticsettings\/([^/]+)/i.exec(resourceId);
  return m ? m[1]! : "(unnamed)";
}

const verb = (e: SettingEvent) => (e.operation.toLowerCase().endsWith("/delete") ? "a delete" : "a write");

/**
 * The operations, each once (its events share a correlation id): changed (some event `Succeeded`, at that event's
 * time), failed (`Failed` and no success: nothing changed), or of unknown outcome (only `Started`, `Accepted`, ...).
 */
function outcomes(events: SettingEvent[]): {
  changes: SettingEvent[];
  failed: SettingEvent[];
  unknown: SettingEvent[];
} {
  const byOperation = new Map<string, SettingEvent[]>();
  for (const e of events) {
    const key = (e.correlationId ?? e.id).toLowerCase();
    const list = byOperation.get(key) ?? [];
    if (list.length === 0) byOperation.set(key, list);
    list.push(e);
  }
  const changes: SettingEvent[] = [];
  const failed: SettingEvent[] = [];
  const unknown: SettingEvent[] = [];
  for (const list of byOperation.values()) {
    const succeeded = list.filter((e) => e.status.toLowerCase() === "succeeded");
    if (succeeded.length > 0) changes.push(...succeeded);
    else if (list.some((e) => e.status.toLowerCase() === "failed")) failed.push(list[0]!);
    else unknown.push(list[0]!);
  }
  const byTime = (a: SettingEvent, b: SettingEvent) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  return { changes: changes.sort(byTime), failed, unknown: unknown.sort(byTime) };
}
