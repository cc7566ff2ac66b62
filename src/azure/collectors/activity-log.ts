// The Azure Activity Log (administrative events) of the resource groups that hold HSMs, over the log window: the
// events on diagnostic settings, read through `@azure/arm-monitor` `activityLogs.list(filter)`, every page. Whether a
// `resourceUri` filter on an HSM also returns the events of its settings (child resources) is not documented, so the
// read asks for the whole resource group and the engine matches the settings' ids under the HSM's id.
import type { MonitorClient } from "@azure/arm-monitor";
import type { ActivityLogRead, Fact, HsmFacts, SettingEvent } from "../../model/snapshot.js";
import { SETTING_OPERATION_PREFIX } from "../../domain/audit-trail.js";

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The `$filter` of one resource group's events over a period, in the only shape the service documents for it. */
export function activityLogFilter(start: Date, end: Date, resourceGroup: string): string {
  return `eventTimestamp ge ${quote(start.toISOString())} and eventTimestamp le ${quote(end.toISOString())} and resourceGroupName eq ${quote(resourceGroup)}`;
}

/** The resource group an event names: its `resourceGroupName`, else the one in its `resourceId`. */
function groupOf(event: { resourceGroupName?: string; resourceId?: string }): string | undefined {
  if (event.resourceGroupName) return event.resourceGroupName;
  return /\/resourceGroups\/([^/]+)/i.exec(event.resourceId ?? "")?.[1];
}

type Reader = <T>(purpose: string, resourceId: string | undefined, fn: () => Promise<T>) => Promise<Fact<T>>;

/**
 * Reads the events of one resource group over [start, end], every page, and keeps those on diagnostic settings.
 * An event without an id or a time, or listed twice (a `nextLink` that leads back), fails the read: what was read
 * would not prove what the period held. Events the filter should have left out are counted, not dropped silently.
 */
export async function readActivityLog(
  monitor: () => Promise<MonitorClient>,
  read: Reader,
  subscriptionId: string,
  resourceGroup: string,
  start: Date,
  end: Date,
): Promise<ActivityLogRead> {
  const filter = activityLogFilter(start, end, resourceGroup);
  const purpose = `the Activity Log of resource group ${resourceGroup} in subscription ${subscriptionId}`;
  const result = await read(purpose, `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`, async () => {
    const seen = new Set<string>();
    const settingEvents: SettingEvent[] = [];
    let events = 0;
    let outside = 0;
    let outsideExample: string | undefined;
    for await (const event of (await monitor()).activityLogs.list(filter)) {
      events++;
      const id = event.eventDataId ?? event.id;
      const at = event.eventTimestamp instanceof Date ? event.eventTimestamp.getTime() : Number.NaN;
      if (!id) throw new Error("the Activity Log answered an event without an eventDataId");
      if (Number.isNaN(at)) throw new Error(`the Activity Log answered event ${id} without a valid eventTimestamp`);
      if (seen.has(id.toLowerCase())) {
        throw new Error(`the Activity Log listed event ${id} twice, so its nextLink does not end`);
      }
      seen.add(id.toLowerCase());
      const group = groupOf(event);
      if (at < start.getTime() || at > end.getTime() || group?.toLowerCase() !== resourceGroup.toLowerCase()) {
        outside++;
        outsideExample ??= `event ${id} at ${new Date(at).toISOString()} in resource group ${group ?? "(none)"}`;
      }
      const operation = event.operationName?.value ?? "";
      if (!operation.toLowerCase().startsWith(SETTING_OPERATION_PREFIX)) continue;
      settingEvents.push({
        id,
        time: new Date(at).toISOString(),
        operation,
        status: event.status?.value ?? "",
        resourceId: event.resourceId ?? "",
        ...(event.caller ? { caller: event.caller } : {}),
        ...(event.correlationId ? { correlationId: event.correlationId } : {}),
      });
    }
    settingEvents.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
    return { events, settingEvents, outside, ...(outsideExample ? { outsideExample } : {}) };
  });
  return {
    subscriptionId,
    resourceGroup,
    start: start.toISOString(),
    end: end.toISOString(),
    filter,
    result,
  };
}

/** The resource groups that hold the HSMs, each once (ARM names are case-insensitive: the first spelling is kept). */
export function groupsOf(hsms: HsmFacts[]): { subscriptionId: string; resourceGroup: string }[] {
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
  for (const h of hsms) {
    const key = `${h.subscriptionId}/${h.resourceGroup}`.toLowerCase();
    if (!groups.has(key)) groups.set(key, { subscriptionId: h.subscriptionId, resourceGroup: h.resourceGroup });
  }
  return [...groups.values()];
}
