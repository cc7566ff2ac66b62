// The shape every route table of the simulator shares, and what the ARM tables have in common: the api-version
// check, the context of a request under a subscription, and the lookups and errors of several families.
import { armError, type Route, type SimRequest, type SimResponse } from "../http.js";
import type { ArmResource, Estate, Hsm, Subscription } from "../estate.js";
import type { ArchivedBlob } from "../storage.js";
import type { KqlTable } from "../kql/types.js";

/**
 * One entry of a route table: the methods and the path pattern it answers, and the handler that makes the route of a
 * request that matched. Tables are read in order and the first entry whose method and pattern match decides: its
 * handler answers the route, or undefined when the path is not served after all.
 */
export interface RouteEntry<C> {
  methods: readonly string[];
  pattern: RegExp;
  handler(match: RegExpExecArray, context: C): Route | undefined;
}

/** Finds the route of a request in a table (see RouteEntry), or undefined when no entry matches. */
export function findRoute<C>(
  table: readonly RouteEntry<C>[],
  method: string,
  path: string,
  context: C,
): Route | undefined {
  for (const entry of table) {
    if (!entry.methods.includes(method)) continue;
    const match = entry.pattern.exec(path);
    if (match) return entry.handler(match, context);
  }
  return undefined;
}

/** What the ARM routes serve beside the estate: the archived blobs and the workspaces' tables, built once. */
export interface ArmContext {
  archives: Map<string, ArchivedBlob[]>;
  tables: Map<string, Map<string, KqlTable>>;
  /** The Resource Graph route, made on first use (its table is built once). */
  resourceGraph?: Route;
  /** The services' clock (the estate's). */
  now: () => Date;
}

/** The context of an ARM request: the estate, and the subscription its path names (when it names one). */
export interface ArmRequest {
  estate: Estate;
  context: ArmContext;
  /** The subscription id as the path spells it. */
  subscriptionId?: string;
  /** That subscription in the estate; undefined when the estate has none of that id. */
  sub?: Subscription;
}

/** An ARM table entry: GET unless said otherwise. */
export const get = (
  pattern: RegExp,
  handler: RouteEntry<ArmRequest>["handler"],
  methods: readonly string[] = ["GET"],
): RouteEntry<ArmRequest> => ({ methods, pattern, handler });

/** The start of the path of every request under a subscription (its id is the request's `subscriptionId`). */
export const UNDER_SUBSCRIPTION = String.raw`^\/subscriptions\/[^/]+`;

export const SYSTEM_DATA = {
  createdBy: "platform-team@contoso.example",
  createdByType: "User",
  createdAt: "2025-01-15T10:00:00Z",
  lastModifiedBy: "platform-team@contoso.example",
  lastModifiedByType: "User",
  lastModifiedAt: "2025-06-01T10:00:00Z",
};

export function requireApiVersion(request: SimRequest): SimResponse | undefined {
  if (!request.query.get("api-version")) {
    return armError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  return undefined;
}

/**
 * The api-versions the simulator answers for each resource type it serves in a typed route. Diagnostic settings
 * are served only in 2021-05-01-preview, the first version with category groups: a client on an older version
 * would miss `categoryGroup` entries and must fail here rather than in front of an auditor.
 */
export const API_VERSIONS: Record<string, { name: string; versions: string[] }> = {
  "microsoft.insights/diagnosticsettings": { name: "diagnosticSettings", versions: ["2021-05-01-preview"] },
  "microsoft.insights/eventtypes": { name: "eventtypes", versions: ["2015-04-01"] },
  "microsoft.authorization/permissions": {
    name: "permissions",
    versions: ["2022-04-01", "2018-01-01-preview", "2015-07-01"],
  },
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
  "microsoft.management/managementgroups": {
    name: "managementGroups",
    versions: ["2023-04-01", "2021-04-01", "2020-10-01", "2020-05-01"],
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
export function armRoute(
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

/** A route under a subscription the estate does not have: every request to it is answered SubscriptionNotFound. */
export function missingSubscription(name: Route["name"], subscriptionId: string): Route {
  return armRoute(name, subscriptionId, () => subscriptionNotFound(subscriptionId));
}

// ---- lookups and errors ----

export function allResources(s: Subscription): (ArmResource & { sku?: string; kind?: string })[] {
  return [...s.hsms, ...s.workspaces, ...s.storageAccounts];
}

export function resourceGroupExists(s: Subscription, rg: string): boolean {
  return allResources(s).some((r) => r.resourceGroup.toLowerCase() === rg.toLowerCase());
}

export function subscriptionNotFound(id: string): SimResponse {
  return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
}

export function resourceNotFound(s: Subscription, rg: string, typeAndName: string): SimResponse {
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
export function findHsm(estate: Estate, resourceUri: string): Hsm | undefined {
  let index = hsmIndex.get(estate);
  if (!index) {
    index = new Map();
    for (const s of estate.subscriptions)
      for (const h of s.hsms) if (!index.has(h.id.toLowerCase())) index.set(h.id.toLowerCase(), h);
    hsmIndex.set(estate, index);
  }
  return index.get(resourceUri.toLowerCase());
}
