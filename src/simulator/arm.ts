// Azure Resource Manager routes of the simulator, with the response shapes of the official REST specifications.
import { createHash } from "node:crypto";
import { resourceGraphRoute } from "./graph.js";
import { ACTIVITY_LOG_DAYS } from "../domain/audit-trail.js";
import { armError, type Route, type SimRequest, type SimResponse } from "./http.js";
import {
  findSubscription,
  HSM_TYPES,
  type ArmResource,
  type DiagnosticSetting,
  type Estate,
  type Hsm,
  type SettingEvent,
  type StorageAccount,
  type Subscription,
  type Workspace,
} from "./estate.js";
import { storageArmRoute, type ArchivedBlob } from "./storage.js";
import type { KqlTable } from "./kql/types.js";

/** What the ARM routes serve beside the estate: the archived blobs and the workspaces' tables, built once. */
export interface ArmContext {
  archives: Map<string, ArchivedBlob[]>;
  tables: Map<string, Map<string, KqlTable>>;
  /** The Resource Graph route, made on first use (its table is built once). */
  resourceGraph?: Route;
  /** The services' clock (the estate's). */
  now: () => Date;
}

const SYSTEM_DATA = {
  createdBy: "platform-team@contoso.example",
  createdByType: "User",
  createdAt: "2025-01-15T10:00:00Z",
  lastModifiedBy: "platform-team@contoso.example",
  lastModifiedByType: "User",
  lastModifiedAt: "2025-06-01T10:00:00Z",
};

function requireApiVersion(request: SimRequest): SimResponse | undefined {
  if (!request.query.get("api-version")) {
    return armError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  return undefined;
}

// ---- resource representations ----

function subscriptionBody(estate: Estate, s: Subscription) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: estate.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "EnterpriseAgreement_2014-09-01",
      spendingLimit: "Off",
    },
  };
}

export function hsmBody(h: Hsm) {
  const sku = h.kind === "dedicatedHsm" ? { name: h.sku } : { family: "B", name: h.sku };
  return {
    id: h.id,
    name: h.name,
    type: h.type,
    location: h.location,
    tags: h.tags,
    sku,
    ...(h.kind === "dedicatedHsm" && Array.isArray(h.properties.zones) ? { zones: h.properties.zones } : {}),
    properties: Object.fromEntries(Object.entries(h.properties).filter(([k]) => k !== "zones")),
    systemData: SYSTEM_DATA,
  };
}

function workspaceBody(w: Workspace) {
  return {
    // Log Analytics answers with a lower-cased id (`resourcegroups`, `microsoft.operationalinsights`).
    id: w.id.toLowerCase(),
    name: w.name,
    type: w.type,
    location: w.location,
    tags: w.tags,
    etag: '"0b00a1b2-0000-0100-0000-65a000000000"',
    properties: {
      provisioningState: "Succeeded",
      customerId: w.customerId,
      sku: { name: w.sku, lastSkuUpdate: "2025-01-15T10:00:00.0000000Z" },
      retentionInDays: w.retentionInDays,
      features: { legacy: 0, searchVersion: 1, enableLogAccessUsingOnlyResourcePermissions: true },
      workspaceCapping: {
        dailyQuotaGb: -1,
        quotaNextResetTime: "2026-01-01T00:00:00Z",
        dataIngestionStatus: "RespectQuota",
      },
      publicNetworkAccessForIngestion: "Enabled",
      publicNetworkAccessForQuery: "Enabled",
      createdDate: "2025-01-15T10:00:00.0000000Z",
      modifiedDate: "2025-06-01T10:00:00.0000000Z",
    },
  };
}

function storageBody(s: StorageAccount, origin: string) {
  const endpoint = (service: string) =>
    service === "blob"
      ? // The simulator serves the archive path-style, as Azurite does, unless the estate names another service.
        (s.archive.blobEndpoint ?? `${origin}/${s.name}/`)
      : `https://${s.name}.${service}.core.windows.net/`;
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    location: s.location,
    tags: s.tags,
    sku: { name: s.sku, tier: s.sku.startsWith("Premium") ? "Premium" : "Standard" },
    kind: s.kind,
    properties: {
      provisioningState: "Succeeded",
      creationTime: "2025-01-15T10:00:00.0000000Z",
      primaryLocation: s.location,
      statusOfPrimary: "available",
      primaryEndpoints: {
        blob: endpoint("blob"),
        queue: endpoint("queue"),
        table: endpoint("table"),
        file: endpoint("file"),
        dfs: endpoint("dfs"),
      },
      accessTier: "Hot",
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      encryption: {
        keySource: "Microsoft.Storage",
        services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
      },
      networkAcls: { bypass: "AzureServices", defaultAction: "Allow", ipRules: [], virtualNetworkRules: [] },
      ...s.properties,
    },
  };
}

function genericBody(r: ArmResource & { sku?: string; kind?: string }, expand: string[]) {
  const hsm = r as Partial<Hsm>;
  const provisioningState = (hsm.properties?.provisioningState as string | undefined) ?? "Succeeded";
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ...(r.sku
      ? { sku: hsm.kind === "dedicatedHsm" || !hsm.kind ? { name: r.sku } : { family: "B", name: r.sku } }
      : {}),
    ...(r.kind && !hsm.kind ? { kind: r.kind } : {}),
    location: r.location,
    tags: r.tags,
    ...(expand.includes("createdtime") ? { createdTime: "2025-01-15T10:00:00.0000000Z" } : {}),
    ...(expand.includes("changedtime") ? { changedTime: "2025-06-01T10:00:00.0000000Z" } : {}),
    ...(expand.includes("provisioningstate") ? { provisioningState } : {}),
  };
}

function diagnosticSettingBody(resourceId: string, d: DiagnosticSetting) {
  return {
    // Azure answers with the resource part of these ids lower-cased.
    id: `${resourceId.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/${d.name}`,
    type: "Microsoft.Insights/diagnosticSettings",
    name: d.name,
    properties: {
      storageAccountId: d.storageAccountId ?? null,
      serviceBusRuleId: d.serviceBusRuleId ?? null,
      workspaceId: d.workspaceId ?? null,
      eventHubAuthorizationRuleId: d.eventHubAuthorizationRuleId ?? null,
      eventHubName: d.eventHubName ?? null,
      marketplacePartnerId: d.marketplacePartnerId ?? null,
      logAnalyticsDestinationType: d.logAnalyticsDestinationType ?? null,
      metrics: d.metrics.map((m) => ({
        category: m.category,
        enabled: m.enabled,
        ...(m.timeGrain ? { timeGrain: m.timeGrain } : {}),
        retentionPolicy: { enabled: false, days: 0 },
      })),
      logs: d.logs.map((l) => ({
        category: l.category ?? null,
        categoryGroup: l.categoryGroup ?? null,
        enabled: l.enabled,
        retentionPolicy: l.retentionPolicy ?? { enabled: false, days: 0 },
      })),
    },
    systemData: SYSTEM_DATA,
  };
}

// ---- lookups ----

function allResources(s: Subscription): (ArmResource & { sku?: string; kind?: string })[] {
  return [...s.hsms, ...s.workspaces, ...s.storageAccounts];
}

function resourceGroupExists(s: Subscription, rg: string): boolean {
  return allResources(s).some((r) => r.resourceGroup.toLowerCase() === rg.toLowerCase());
}

function subscriptionNotFound(id: string): SimResponse {
  return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
}

function resourceNotFound(s: Subscription, rg: string, typeAndName: string): SimResponse {
  if (!resourceGroupExists(s, rg)) {
    return armError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
  }
  return armError(
    404,
    "ResourceNotFound",
    `The Resource '${typeAndName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** The estate's HSMs by lower-cased id, made once per estate (an estate does not change while it is served). */
const hsmIndex = new WeakMap<Estate, Map<string, Hsm>>();

/** Finds the HSM whose ARM id is `resourceUri`, case-insensitively. */
function findHsm(estate: Estate, resourceUri: string): Hsm | undefined {
  let index = hsmIndex.get(estate);
  if (!index) {
    index = new Map();
    for (const s of estate.subscriptions)
      for (const h of s.hsms) if (!index.has(h.id.toLowerCase())) index.set(h.id.toLowerCase(), h);
    hsmIndex.set(estate, index);
  }
  return index.get(resourceUri.toLowerCase());
}

// ---- $filter of the generic resources list ----

type FilterTerm = { field: string; op: "eq" | "ne" | "substringof"; value: string };

const FILTER_FIELDS = ["resourcetype", "resourcegroup", "name", "location"];

/**
 * Parses the subset of OData `$filter` that ARM's resources list accepts: `field eq|ne 'value'` (resourceType,
 * resourceGroup, name, location) and `substringof('value', name|resourceGroup)`, joined by and/or.
 */
function parseFilter(filter: string): ((r: ArmResource) => boolean) | string {
  const tokens = filter.trim().split(/\s+(and|or)\s+/i);
  const terms: FilterTerm[] = [];
  const joins: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (i % 2 === 1) {
      joins.push(token.toLowerCase());
      continue;
    }
    // No grouping parentheses: the simulator would have to honour them, and ARM accepts only some combinations.
    const compare = /^(\w+)\s+(eq|ne)\s+'([^']*)'$/i.exec(token);
    const substring = /^substringof\(\s*'([^']*)'\s*,\s*(name|resourceGroup)\s*\)$/i.exec(token);
    if (compare && FILTER_FIELDS.includes(compare[1]!.toLowerCase())) {
      const op = compare[2]!.toLowerCase() === "ne" ? "ne" : "eq";
      terms.push({ field: compare[1]!.toLowerCase(), op, value: compare[3]!.toLowerCase() });
    } else if (substring) {
      terms.push({ field: substring[2]!.toLowerCase(), op: "substringof", value: substring[1]!.toLowerCase() });
    } else {
      return `Invalid $filter '${filter}': '${token}' is not supported.`;
    }
  }
  const valueOf = (r: ArmResource, field: string): string => {
    if (field === "resourcetype") return r.type.toLowerCase();
    if (field === "resourcegroup") return r.resourceGroup.toLowerCase();
    if (field === "name") return r.name.toLowerCase();
    return r.location.toLowerCase();
  };
  const test = (r: ArmResource, t: FilterTerm) => {
    const value = valueOf(r, t.field);
    if (t.op === "eq") return value === t.value;
    if (t.op === "ne") return value !== t.value;
    return value.includes(t.value);
  };
  // `and` binds tighter than `or`.
  return (r) => {
    let result = false;
    let current = test(r, terms[0]!);
    for (let i = 0; i < joins.length; i++) {
      const next = test(r, terms[i + 1]!);
      if (joins[i] === "and") current = current && next;
      else {
        result = result || current;
        current = next;
      }
    }
    return result || current;
  };
}

// ---- the Activity Log ----

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

// ---- router ----

/**
 * The api-versions the simulator answers for each resource type it serves in a typed route. Diagnostic settings
 * are served only in 2021-05-01-preview, the first version with category groups: a client on an older version
 * would miss `categoryGroup` entries and must fail here rather than in front of an auditor.
 */
const API_VERSIONS: Record<string, { name: string; versions: string[] }> = {
  "microsoft.insights/diagnosticsettings": { name: "diagnosticSettings", versions: ["2021-05-01-preview"] },
  "microsoft.insights/eventtypes": { name: "eventtypes", versions: ["2015-04-01"] },
  "microsoft.insights/diagnosticsettingscategories": {
    name: "diagnosticSettingsCategories",
    versions: ["2021-05-01-preview"],
  },
  "microsoft.hardwaresecuritymodules/cloudhsmclusters": {
    name: "cloudHsmClusters",
    versions: ["2025-03-31", "2024-06-30-preview"],
  },
  "microsoft.hardwaresecuritymodules/dedicatedhsms": {
    name: "dedicatedHSMs",
    versions: ["2021-11-30", "2018-10-31-preview"],
  },
  "microsoft.keyvault/managedhsms": {
    name: "managedHSMs",
    versions: ["2026-02-01", "2025-05-01", "2024-11-01", "2023-07-01"],
  },
  "microsoft.operationalinsights/workspaces": {
    name: "workspaces",
    versions: ["2025-07-01", "2025-02-01", "2023-09-01", "2022-10-01", "2021-06-01"],
  },
  "microsoft.securityinsights/alertrules": {
    name: "alertRules",
    versions: ["2022-09-01-preview", "2023-02-01", "2024-03-01", "2025-06-01"],
  },
  "microsoft.storage/storageaccounts": {
    name: "storageAccounts",
    versions: ["2026-09-01", "2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01", "2022-09-01"],
  },
};

function checkApiVersion(req: SimRequest, type: string): SimResponse | undefined {
  const known = API_VERSIONS[type.toLowerCase()];
  const version = req.query.get("api-version");
  if (!known || !version || known.versions.includes(version)) return undefined;
  return armError(
    400,
    "InvalidApiVersionParameter",
    `The api-version '${version}' is invalid. The supported versions are '${known.versions.join(",")}'.`,
  );
}

/** An ARM route: every ARM request must name an api-version, as in Azure. */
function armRoute(
  name: Route["name"],
  subscriptionId: string | undefined,
  handle: (req: SimRequest) => SimResponse,
  /** The resource type whose api-versions the route accepts; any version when absent. */
  type?: string,
): Route {
  return {
    name,
    family: "arm",
    ...(subscriptionId ? { subscriptionId } : {}),
    handle: (req) => requireApiVersion(req) ?? (type ? checkApiVersion(req, type) : undefined) ?? handle(req),
  };
}

const SUB = /^\/subscriptions\/([^/]+)/i;

/** Matches an ARM request to a route, or returns undefined when the path is not ARM's. */
export function matchArmRoute(
  estate: Estate,
  method: string,
  path: string,
  context: ArmContext = { archives: new Map(), tables: new Map(), now: () => estate.now },
): Route | undefined {
  const route = matchRoute(estate, method, path, context);
  const sub = route?.subscriptionId ? findSubscription(estate, route.subscriptionId) : undefined;
  if (!route || !sub || sub.access === "read") return route;
  // A subscription the credential cannot read: every ARM read under it is refused, whatever it asks for.
  return { ...route, handle: (req) => requireApiVersion(req) ?? unreadable(sub, path) };
}

/** ARM's answer to a read under a subscription the credential cannot read (the estate's `access`). */
function unreadable(sub: Subscription, path: string): SimResponse {
  if (sub.access === "notFound") return subscriptionNotFound(sub.subscriptionId);
  const scope = path.replace(/\/+$/, "");
  return armError(
    403,
    "AuthorizationFailed",
    `The client '00000000-0000-0000-0000-00000000c11e' with object id '00000000-0000-0000-0000-00000000c11e' does not have authorization to perform action 'read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

function matchRoute(estate: Estate, method: string, path: string, context: ArmContext): Route | undefined {
  const p = path.replace(/\/+$/, "");
  const lower = p.toLowerCase();

  if (method === "POST" && lower === "/batch") return undefined; // handled by the server (it re-enters the router)

  if (method === "POST" && lower === "/providers/microsoft.resourcegraph/resources") {
    return (context.resourceGraph ??= resourceGraphRoute(estate, context.now));
  }

  if (lower === "/subscriptions" && method === "GET") {
    return armRoute("subscriptions", undefined, () => ({
      status: 200,
      // ARM lists only the subscriptions the credential can read.
      page: {
        items: estate.subscriptions.filter((s) => s.access === "read").map((s) => subscriptionBody(estate, s)),
      },
    }));
  }

  const subMatch = SUB.exec(p);
  if (!subMatch) return undefined;
  const subscriptionId = subMatch[1]!;
  const sub = findSubscription(estate, subscriptionId);
  const rest = p.slice(subMatch[0].length);
  const restLower = rest.toLowerCase();
  const missing = (name: Route["name"]): Route =>
    armRoute(name, subscriptionId, () => subscriptionNotFound(subscriptionId));

  // Diagnostic settings and their categories, on any resource URI.
  const diag =
    /^(.*)\/providers\/microsoft\.insights\/(diagnosticsettings|diagnosticsettingscategories)(?:\/([^/]+))?$/i.exec(p);
  if (diag && method === "GET") {
    const resourceUri = diag[1]!;
    const categories = diag[2]!.toLowerCase() === "diagnosticsettingscategories";
    const itemName = diag[3];
    const name = categories ? "diagnosticSettingsCategories" : "diagnosticSettings";
    return armRoute(
      name,
      subscriptionId,
      () => {
        if (!sub) return subscriptionNotFound(subscriptionId);
        const hsm = findHsm(estate, resourceUri);
        if (!hsm && allResources(sub).some((r) => r.id.toLowerCase() === resourceUri.toLowerCase())) {
          // A workspace or storage account: it could have settings; the estate gives it none.
          return itemName
            ? armError(404, "ResourceNotFound", `The diagnostic setting '${itemName}' doesn't exist.`)
            : { status: 200, body: { value: [] } };
        }
        if (!hsm) {
          const parts = /resourceGroups\/([^/]+)\/providers\/(.+)$/i.exec(resourceUri);
          return resourceNotFound(sub, parts?.[1] ?? "", parts?.[2] ?? resourceUri);
        }
        if (hsm.kind === "dedicatedHsm") {
          return armError(
            400,
            "ResourceTypeNotSupported",
            `The resource type '${hsm.type.toLowerCase()}' does not support diagnostic settings.`,
          );
        }
        if (categories) {
          const values = hsm.categories.map((c) => ({
            id: `${hsm.id.toLowerCase()}/providers/microsoft.insights/diagnosticSettingsCategories/${c.name}`,
            type: "microsoft.insights/diagnosticSettingsCategories",
            name: c.name,
            properties: { categoryType: c.categoryType, categoryGroups: c.categoryGroups },
          }));
          if (itemName) {
            const one = values.find((v) => v.name.toLowerCase() === itemName.toLowerCase());
            return one
              ? { status: 200, body: one }
              : armError(404, "ResourceNotFound", `Diagnostic settings category '${itemName}' was not found.`);
          }
          return { status: 200, body: { value: values } };
        }
        const values = hsm.diagnosticSettings.map((d) => diagnosticSettingBody(hsm.id, d));
        if (itemName) {
          const one = values.find((v) => v.name.toLowerCase() === itemName.toLowerCase());
          return one
            ? { status: 200, body: one }
            : armError(404, "ResourceNotFound", `The diagnostic setting '${itemName}' doesn't exist.`);
        }
        return { status: 200, body: { value: values } };
      },
      `microsoft.insights/${name}`,
    );
  }
  if (method !== "GET") return undefined;

  // The Activity Log's administrative events (`activityLogs.list`), from the estate's setting events.
  if (restLower === "/providers/microsoft.insights/eventtypes/management/values") {
    return armRoute(
      "activityLog",
      subscriptionId,
      (req) => {
        if (!sub) return subscriptionNotFound(subscriptionId);
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
    );
  }

  // Microsoft Sentinel on a workspace: its onboarding state and its analytic rules.
  const sentinel =
    /^\/resourcegroups\/([^/]+)\/providers\/microsoft\.operationalinsights\/workspaces\/([^/]+)\/providers\/microsoft\.securityinsights\/(onboardingstates\/([^/]+)|alertrules)$/i.exec(
      rest,
    );
  if (sentinel) {
    const onboarding = sentinel[3]!.toLowerCase().startsWith("onboardingstates");
    return armRoute(
      onboarding ? "sentinelOnboarding" : "sentinelRules",
      subscriptionId,
      () => {
        if (!sub) return subscriptionNotFound(subscriptionId);
        const workspace = sub.workspaces.find(
          (w) =>
            w.resourceGroup.toLowerCase() === sentinel[1]!.toLowerCase() &&
            w.name.toLowerCase() === sentinel[2]!.toLowerCase(),
        );
        if (!workspace) {
          return resourceNotFound(sub, sentinel[1]!, `Microsoft.OperationalInsights/workspaces/${sentinel[2]}`);
        }
        const base = `${workspace.id}/providers/Microsoft.SecurityInsights`;
        const setup = workspace.sentinel;
        if (onboarding) {
          if (!setup?.onboarded || sentinel[4]!.toLowerCase() !== "default") {
            return armError(404, "NotFound", `Resource '${sentinel[4]}' does not exist`);
          }
          return {
            status: 200,
            body: {
              id: `${base}/onboardingStates/default`,
              name: "default",
              type: "Microsoft.SecurityInsights/onboardingStates",
              properties: { customerManagedKey: false },
            },
          };
        }
        if (!setup?.onboarded) {
          return armError(400, "BadRequest", `Microsoft Sentinel is not onboarded on workspace '${workspace.name}'.`);
        }
        return {
          status: 200,
          page: {
            items: setup.rules.map((r) => ({
              id: `${base}/alertRules/${r.name}`,
              name: r.name,
              type: "Microsoft.SecurityInsights/alertRules",
              kind: r.kind,
              etag: '"0300bf09-0000-0000-0000-5c37296e0000"',
              properties:
                r.kind === "Scheduled" || r.kind === "NRT"
                  ? {
                      displayName: r.displayName,
                      enabled: r.enabled,
                      query: r.query ?? "",
                      severity: "Medium",
                      queryFrequency: "PT1H",
                      queryPeriod: "P1D",
                      triggerOperator: "GreaterThan",
                      triggerThreshold: 0,
                      suppressionDuration: "PT1H",
                      suppressionEnabled: false,
                      tactics: [],
                    }
                  : { displayName: r.displayName, enabled: r.enabled, alertRuleTemplateName: r.name },
            })),
          },
        };
      },
      "microsoft.securityinsights/alertrules",
    );
  }

  if (rest === "") {
    return armRoute("subscriptions", subscriptionId, () =>
      sub ? { status: 200, body: subscriptionBody(estate, sub) } : subscriptionNotFound(subscriptionId),
    );
  }

  // Provider registration: /subscriptions/{s}/providers/{namespace}
  const provider = /^\/providers\/([^/]+)$/i.exec(rest);
  if (provider) {
    const namespace = provider[1]!;
    return armRoute("provider", subscriptionId, () => {
      if (!sub) return subscriptionNotFound(subscriptionId);
      if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/.test(namespace)) {
        return armError(404, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`);
      }
      // A well-formed namespace the estate does not name is one this subscription never registered.
      const known = sub.providers.get(namespace.toLowerCase()) ?? { namespace, registrationState: "NotRegistered" };
      return {
        status: 200,
        body: {
          id: `/subscriptions/${sub.subscriptionId}/providers/${known.namespace}`,
          namespace: known.namespace,
          registrationPolicy: "RegistrationRequired",
          registrationState: known.registrationState,
          resourceTypes: providerResourceTypes(known.namespace),
        },
      };
    });
  }

  // HSM lists per subscription: /subscriptions/{s}/providers/{ns}/{type}
  const typedList = /^\/providers\/([^/]+)\/([^/]+)$/i.exec(rest);
  if (typedList) {
    const kind = Object.entries(HSM_TYPES).find(
      ([, t]) =>
        t.namespace.toLowerCase() === typedList[1]!.toLowerCase() &&
        t.type.toLowerCase() === typedList[2]!.toLowerCase(),
    )?.[0];
    if (!kind) return undefined;
    if (!sub) return missing("hsmList");
    const namespace = typedList[1]!;
    const registered = sub.providers.get(namespace.toLowerCase())?.registrationState === "Registered";
    return armRoute(
      "hsmList",
      subscriptionId,
      () =>
        registered
          ? { status: 200, page: { items: sub.hsms.filter((h) => h.kind === kind).map(hsmBody) } }
          : armError(
              409,
              "MissingSubscriptionRegistration",
              `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
            ),
      `${typedList[1]}/${typedList[2]}`,
    );
  }

  // Generic resources list with $filter and $expand.
  if (restLower === "/resources") {
    if (!sub) return missing("resources");
    return armRoute("resources", subscriptionId, (req) => {
      const filterText = req.query.get("$filter");
      let items = allResources(sub);
      if (filterText) {
        const filter = parseFilter(filterText);
        if (typeof filter === "string") return armError(400, "InvalidFilterInQueryString", filter);
        items = items.filter(filter);
      }
      const expand = (req.query.get("$expand") ?? "")
        .toLowerCase()
        .split(",")
        .map((e) => e.trim());
      return { status: 200, page: { items: items.map((r) => genericBody(r, expand)) } };
    });
  }

  // Under a storage account: containers, immutability policies, lifecycle management.
  const underStorage =
    /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(\/.+)$/i.exec(rest);
  if (underStorage) {
    const [, rg, accountName, tail] = underStorage as unknown as [string, string, string, string];
    if (!sub) return missing("resource");
    const account = sub.storageAccounts.find(
      (a) => a.name === accountName.toLowerCase() && a.resourceGroup.toLowerCase() === rg.toLowerCase(),
    );
    const inner = account ? storageArmRoute(account, context.archives.get(account.name) ?? [], tail) : undefined;
    if (account && !inner) return undefined;
    return armRoute(
      inner?.name ?? "resource",
      subscriptionId,
      (req) =>
        inner ? inner.handle(req) : resourceNotFound(sub, rg, `Microsoft.Storage/storageAccounts/${accountName}`),
      "microsoft.storage/storageaccounts",
    );
  }

  // A workspace's table: its own retention.
  const table =
    /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/tables\/([^/]+)$/i.exec(
      rest,
    );
  if (table) {
    const [, rg, workspaceName, tableName] = table as unknown as [string, string, string, string];
    if (!sub) return missing("workspaceTables");
    return armRoute(
      "workspaceTables",
      subscriptionId,
      () => {
        const w = sub.workspaces.find(
          (x) =>
            x.name.toLowerCase() === workspaceName.toLowerCase() && x.resourceGroup.toLowerCase() === rg.toLowerCase(),
        );
        if (!w) return resourceNotFound(sub, rg, `Microsoft.OperationalInsights/workspaces/${workspaceName}`);
        return tableBody(w, tableName, context.tables.get(w.id.toLowerCase()));
      },
      "microsoft.operationalinsights/workspaces",
    );
  }

  // A single resource, or a typed list per resource group.
  const inGroup = /^\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/i.exec(rest);
  if (inGroup) {
    const [, rg, namespace, type, name] = inGroup as unknown as [string, string, string, string, string | undefined];
    const fullType = `${namespace}/${type}`.toLowerCase();
    if (!sub) return missing("resource");
    const candidates = (origin: string): { resource: ArmResource; body: () => unknown }[] => [
      ...sub.hsms.map((h) => ({ resource: h as ArmResource, body: () => hsmBody(h) })),
      ...sub.workspaces.map((w) => ({ resource: w as ArmResource, body: () => workspaceBody(w) })),
      ...sub.storageAccounts.map((s) => ({ resource: s as ArmResource, body: () => storageBody(s, origin) })),
    ];
    const ofType = (origin: string) =>
      candidates(origin).filter(
        (c) =>
          c.resource.type.toLowerCase() === fullType && c.resource.resourceGroup.toLowerCase() === rg.toLowerCase(),
      );
    if (name === undefined) {
      return armRoute(
        "hsmList",
        subscriptionId,
        (req) => {
          if (!resourceGroupExists(sub, rg))
            return armError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
          return { status: 200, page: { items: ofType(req.origin).map((c) => c.body()) } };
        },
        fullType,
      );
    }
    return armRoute(
      "resource",
      subscriptionId,
      (req) => {
        const found = ofType(req.origin).find((c) => c.resource.name.toLowerCase() === name.toLowerCase());
        return found ? { status: 200, body: found.body() } : resourceNotFound(sub, rg, `${namespace}/${type}/${name}`);
      },
      fullType,
    );
  }
  return undefined;
}

/** `Microsoft.OperationalInsights/workspaces/tables` (REST spec `Tables.json`): retention of one table. */
function tableBody(w: Workspace, name: string, tables: Map<string, KqlTable> | undefined): SimResponse {
  const own = Object.entries(w.tableRetention).find(([t]) => t.toLowerCase() === name.toLowerCase());
  const known = [...(tables?.keys() ?? [])].find((t) => t.toLowerCase() === name.toLowerCase());
  const tableName = own?.[0] ?? known;
  if (!tableName) {
    return armError(
      404,
      "ResourceNotFound",
      `The table '${name}' was not found in workspace '${w.name}'. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  const retentionInDays = own?.[1].retentionInDays ?? w.retentionInDays;
  const totalRetentionInDays = own?.[1].totalRetentionInDays ?? retentionInDays;
  return {
    status: 200,
    body: {
      id: `${w.id}/tables/${tableName}`,
      name: tableName,
      type: "Microsoft.OperationalInsights/workspaces/tables",
      properties: {
        retentionInDays,
        totalRetentionInDays,
        archiveRetentionInDays: totalRetentionInDays - retentionInDays,
        retentionInDaysAsDefault: own?.[1].retentionInDays === undefined,
        totalRetentionInDaysAsDefault: own?.[1].totalRetentionInDays === undefined,
        plan: "Analytics",
        schema: { name: tableName, tableType: "Microsoft", columns: [], standardColumns: [] },
        provisioningState: "Succeeded",
      },
    },
  };
}

function providerResourceTypes(namespace: string) {
  const prefix = `${namespace.toLowerCase()}/`;
  return Object.entries(API_VERSIONS)
    .filter(([type]) => type.startsWith(prefix))
    .map(([type, { name, versions }]) => ({
      resourceType: name,
      locations: type.includes("/diagnostic") ? [""] : ["East US", "West Europe", "North Europe"],
      apiVersions: versions,
      capabilities: type.includes("/diagnostic") ? "SupportsExtension" : "None",
    }));
}
