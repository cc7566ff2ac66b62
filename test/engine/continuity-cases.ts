// The specification of diagnostic-setting-continuous, as a table (run by checks.test.ts with the other check kinds):
// the HSM's settings now, the Activity Log of its resource group over the window, and the verdict expected.
import type { ActivityLogRead, HsmFacts, SettingEvent } from "../../src/model/snapshot.js";
import type { CheckCase } from "./cases.js";
import {
  LOG_WINDOW,
  SUBSCRIPTION_ID,
  WORKSPACE,
  cloudHsm,
  failed,
  hsmTarget,
  known,
  managedHsm,
  setting,
  snapshot,
} from "../helpers/snapshots.js";

const chsm = cloudHsm({
  settings: [setting({ name: "audit", category: "HsmServiceOperations", workspaceId: WORKSPACE })],
});
const mhsm = managedHsm({ settings: [setting({ name: "audit", category: "AuditEvent", workspaceId: WORKSPACE })] });

let seq = 0;
/** An event on a setting of `hsm` (the setting's id as the Activity Log writes it, unless `resourceId` is given). */
function event(
  hsm: HsmFacts,
  spec: Partial<SettingEvent> & { op?: "write" | "delete"; setting?: string },
): SettingEvent {
  const { op = "delete", setting: name = "audit", ...rest } = spec;
  seq++;
  return {
    id: `event-${seq}`,
    time: "2025-06-03T09:00:00.000Z",
    operation: `Microsoft.Insights/diagnosticSettings/${op}`,
    status: "Succeeded",
    resourceId: `${hsm.id}/providers/microsoft.insights/diagnosticSettings/${name}`,
    caller: "mallory@contoso.example",
    correlationId: `correlation-${seq}`,
    ...rest,
  };
}

/** The Activity Log of the HSMs' resource group over the fixtures' window. */
function log(
  settingEvents: SettingEvent[],
  extra: Partial<Omit<ActivityLogRead, "result">> & { outside?: number; events?: number } = {},
): ActivityLogRead {
  const { outside = 0, events, ...read } = extra;
  return {
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: "RG-Hsm",
    start: LOG_WINDOW.start,
    end: LOG_WINDOW.end,
    filter: `eventTimestamp ge '${LOG_WINDOW.start}' and eventTimestamp le '${LOG_WINDOW.end}' and resourceGroupName eq 'RG-Hsm'`,
    result: known(
      {
        events: events ?? settingEvents.length + 40,
        settingEvents,
        outside,
        ...(outside ? { outsideExample: "event x at 2025-05-01T00:00:00.000Z in resource group other" } : {}),
      },
      "ev-activity-log",
    ),
    ...read,
  };
}

function on(hsm: HsmFacts, activityLogs: ActivityLogRead[] | undefined): Pick<CheckCase, "target" | "snapshot"> {
  return { target: hsmTarget(hsm), snapshot: snapshot({ hsms: [hsm], ...(activityLogs ? { activityLogs } : {}) }) };
}

export const diagnosticSettingContinuous: CheckCase[] = [
  {
    name: "no change to the HSM's settings in the whole window, every page read: pass, citing the read",
    ...on(chsm, [log([])]),
    expect: {
      status: "pass",
      message: /read over the whole window .* \(40 events, every page\), shows no change .* setting 'audit' carries/,
      evidence: ["ev-activity-log"],
    },
  },
  {
    name: "the audit setting deleted and recreated inside the window: fail, naming the time, operation and caller",
    ...on(mhsm, [
      log([
        event(mhsm, { op: "delete", time: "2025-06-03T09:00:00.000Z" }),
        event(mhsm, { op: "write", time: "2025-06-05T17:00:00.000Z", caller: "mallory@contoso.example" }),
      ]),
    ]),
    expect: {
      status: "fail",
      message:
        /changed inside the window .*: a delete of setting 'audit' at 2025-06-03T09:00:00.000Z by mallory@contoso.example \(2 changes in all\)/,
    },
  },
  {
    name: "an event on the setting's id spelled in another case still counts",
    ...on(chsm, [
      log([
        event(chsm, { resourceId: `${chsm.id.toUpperCase()}/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/AUDIT` }),
      ]),
    ]),
    expect: { status: "fail", message: /a delete of setting 'AUDIT'/ },
  },
  {
    name: "operation names in another case still count",
    ...on(chsm, [log([event(chsm, { operation: "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE" })])]),
    expect: { status: "fail", message: /a write of setting 'audit'/ },
  },
  {
    name: "a failed delete changed nothing: pass, saying it was attempted",
    ...on(chsm, [log([event(chsm, { status: "Failed" })])]),
    expect: { status: "pass", message: /1 failed attempt to change them changed nothing/ },
  },
  {
    name: "a delete started and then succeeded (one correlation id): fail, at the time it succeeded",
    ...on(chsm, [
      log([
        event(chsm, { status: "Started", correlationId: "op-1", time: "2025-06-04T10:00:00.000Z" }),
        event(chsm, { status: "Succeeded", correlationId: "op-1", time: "2025-06-04T10:00:02.000Z" }),
      ]),
    ]),
    expect: { status: "fail", message: /at 2025-06-04T10:00:02.000Z/ },
  },
  {
    name: "a delete started with no outcome in the log: error, not pass",
    ...on(chsm, [log([event(chsm, { status: "Started" })])]),
    expect: { status: "error", message: /with no outcome \(status 'Started'\)/ },
  },
  {
    name: "changes to another HSM's settings in the same group do not count",
    ...on(chsm, [log([event(mhsm, {})])]),
    expect: { status: "pass" },
  },
  {
    name: "a resource whose name begins like the HSM's is another resource",
    ...on(chsm, [
      log([event(chsm, { resourceId: `${chsm.id}-2/providers/microsoft.insights/diagnosticSettings/audit` })]),
    ]),
    expect: { status: "pass" },
  },
  {
    name: "the read failed: error with the cause",
    ...on(chsm, [{ ...log([]), result: failed("could not read the Activity Log: HTTP 403 AuthorizationFailed", 403) }]),
    expect: { status: "error", message: /could not be read \(could not read the Activity Log: HTTP 403/ },
  },
  {
    name: "the service answered events outside the period or group asked for (a filter it ignored): error",
    ...on(chsm, [log([], { outside: 3 })]),
    expect: {
      status: "error",
      message: /answered 3 event\(s\) outside the period or group .* its filter was not applied/,
    },
  },
  {
    name: "a read that covers only part of the window proves nothing: error",
    ...on(chsm, [log([], { start: "2025-06-05T00:00:00.000Z" })]),
    expect: { status: "error", message: /was not read over the window/ },
  },
  {
    name: "the Activity Log was not read (a snapshot of an earlier version): error",
    ...on(chsm, undefined),
    expect: { status: "error", message: /was not read over the window/ },
  },
  {
    name: "the read of another resource group does not count",
    ...on(chsm, [log([], { resourceGroup: "rg-other" })]),
    expect: { status: "error", message: /was not read over the window/ },
  },
  {
    name: "a window that starts more than 90 days before the scan: error with the reason",
    target: hsmTarget(chsm),
    snapshot: {
      ...snapshot({ hsms: [chsm], activityLogs: [log([])] }),
      logWindow: { duration: "P120D", start: "2025-02-08T12:00:00.000Z", end: "2025-06-08T12:00:00.000Z" },
    },
    expect: { status: "error", message: /more than 90 days before the scan .* keeps only 90 days/ },
  },
  {
    name: "no setting carries the audit category now: fail (see audit-category-enabled), never pass",
    ...on(cloudHsm({ settings: [setting({ name: "metrics", category: "AllMetrics", workspaceId: WORKSPACE })] }), [
      log([]),
    ]),
    expect: { status: "fail", message: /carries HsmServiceOperations.*see audit-category-enabled/ },
  },
  {
    name: "the settings could not be read: error",
    ...on(cloudHsm({ settings: failed("HTTP 500", 500) }), [log([])]),
    expect: { status: "error", message: /could not be read/ },
  },
];
