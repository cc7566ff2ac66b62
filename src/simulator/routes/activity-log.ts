// The Activity Log's administrative events (`activityLogs.list`), from the estate's diagnostic setting events.
import { createHash } from "node:crypto";
import { armError } from "../http.js";
import { ACTIVITY_LOG_DAYS } from "../../domain/audit-trail.js";
import type { Estate, Hsm, SettingEvent } from "../estate.js";
import { UNDER_SUBSCRIPTION, armRoute, get, subscriptionNotFound, type ArmRequest, type RouteEntry } from "./route.js";

/** A stable GUID-shaped id from a seed, so that an event keeps its id from one request (and page) to the next. */
function guidOf(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const localizable = (value: string, localizedValue = value) => ({ value, localizedValue });

/** An event as `EventData` of the Activity Log API (monitor resource-manager, 2015-04-01, activityLogs_API.json). */
function activityEventBody(estate: Estate, h: Hsm, e: SettingEvent, index: number) {
  const settingId = `${h.id}/providers/microsoft.insights/diagnosticSettings/${e.setting}`;
  const resourceId = e.resourceId ?? settingId;
  const eventDataId = guidOf(`${h.id}|event|${index}`);
  const operation = `Microsoft.Insights/diagnosticSettings/${e.operation}`;
  const time = e.time.toISOString();
  return {
    authorization: { action: operation, scope: resourceId },
    caller: e.caller,
    channels: "Operation",
    correlationId: e.correlationId ?? guidOf(`${h.id}|correlation|${index}`),
    description: "",
    eventDataId,
    eventName:
      e.status === "Started" ? localizable("BeginRequest", "Begin request") : localizable("EndRequest", "End request"),
    category: localizable("Administrative"),
    id: `${resourceId}/events/${eventDataId}/ticks/${e.time.getTime() * 10_000 + 621_355_968_000_000_000}`,
    level: e.status === "Failed" ? "Error" : "Informational",
    resourceGroupName: h.resourceGroup,
    resourceProviderName: localizable("Microsoft.Insights", "Microsoft Insights"),
    resourceId,
    resourceType: localizable("Microsoft.Insights/diagnosticSettings"),
    operationId: guidOf(`${h.id}|operation|${index}`),
    operationName: localizable(
      operation,
      e.operation === "delete" ? "Delete diagnostic setting" : "Create or update resource diagnostic setting",
    ),
    properties: { statusCode: e.status === "Failed" ? "Forbidden" : e.status === "Succeeded" ? "OK" : "Accepted" },
    status: localizable(e.status),
    subStatus: localizable(e.status === "Failed" ? "Forbidden" : e.status === "Succeeded" ? "OK" : ""),
    eventTimestamp: time,
    submissionTimestamp: new Date(e.time.getTime() + 60_000).toISOString(),
    subscriptionId: h.subscriptionId,
    tenantId: estate.tenantId,
  };
}

type ActivityEvent = ReturnType<typeof activityEventBody>;

/**
 * Parses the Activity Log's `$filter`, in the only shapes the service documents: `eventTimestamp ge '<t>' and
 * eventTimestamp le '<t>'`, optionally followed by one `and <field> eq '<value>'` (resourceGroupName, resourceUri,
 * resourceProvider, correlationId). Anything else is refused, as is a start older than the 90 days the log keeps.
 * A `resourceUri` filter matches the resource itself only, not its child resources (the service's behaviour for
 * children is not documented, so the simulator gives the answer that is least helpful to a client relying on it).
 */
function parseActivityFilter(filter: string, now: number): ((e: ActivityEvent) => boolean) | string {
  const match =
    /^eventTimestamp ge '([^']+)' and eventTimestamp le '([^']+)'(?: and (resourceGroupName|resourceUri|resourceProvider|correlationId) eq '((?:[^']|'')*)')?$/.exec(
      filter.trim(),
    );
  if (!match) {
    return `The $filter '${filter}' is not supported. Use eventTimestamp ge '<start>' and eventTimestamp le '<end>', optionally followed by and resourceGroupName|resourceUri|resourceProvider|correlationId eq '<value>'.`;
  }
  const start = Date.parse(match[1]!);
  const end = Date.parse(match[2]!);
  if (Number.isNaN(start) || Number.isNaN(end)) return `The $filter '${filter}' holds a time that is not a date.`;
  if (end < start) return "The end time of the query must be after its start time.";
  if (start < now - ACTIVITY_LOG_DAYS * 86_400_000) {
    return `The start time of the query (${match[1]}) is older than ${ACTIVITY_LOG_DAYS} days: the Activity Log keeps ${ACTIVITY_LOG_DAYS} days of events.`;
  }
  const field = match[3];
  const value = (match[4] ?? "").replace(/''/g, "'").toLowerCase();
  return (e) => {
    const at = Date.parse(e.eventTimestamp);
    if (at < start || at > end) return false;
    if (field === "resourceGroupName") return e.resourceGroupName.toLowerCase() === value;
    if (field === "resourceUri") return e.resourceId.toLowerCase() === value;
    if (field === "resourceProvider") return e.resourceProviderName.value.toLowerCase() === value;
    if (field === "correlationId") return e.correlationId.toLowerCase() === value;
    return true;
  };
}

/** `/subscriptions/{s}/providers/Microsoft.Insights/eventtypes/management/values`. */
export const ACTIVITY_LOG_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(`${UNDER_SUBSCRIPTION}\\/providers\\/microsoft\\.insights\\/eventtypes\\/management\\/values$`, "i"),
    (_m, { estate, subscriptionId, sub }) =>
      armRoute(
        "activityLog",
        subscriptionId,
        (req) => {
          if (!sub) return subscriptionNotFound(subscriptionId!);
          const now = estate.now.getTime() + (Date.now() - estate.loadedAt);
          const filter = parseActivityFilter(req.query.get("$filter") ?? "", now);
          if (typeof filter === "string") return armError(400, "BadRequest", filter);
          const items = sub.hsms
            .flatMap((h) => h.settingEvents.map((e, i) => activityEventBody(estate, h, e, i)))
            .filter((e) => filter(e))
            .sort((a, b) => (a.eventTimestamp < b.eventTimestamp ? 1 : a.eventTimestamp > b.eventTimestamp ? -1 : 0));
          return { status: 200, page: { items } };
        },
        "microsoft.insights/eventtypes",
      ),
  ),
];
