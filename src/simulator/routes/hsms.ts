// HSMs and the other resources of a subscription, per kind: the typed lists of each HSM kind (per subscription and per
// resource group), one resource by id, and the generic resources list with `$filter` and `$expand`.
import { armError } from "../http.js";
import { HSM_TYPES, type ArmResource, type Hsm } from "../estate.js";
import {
  SYSTEM_DATA,
  UNDER_SUBSCRIPTION,
  allResources,
  armRoute,
  get,
  missingSubscription,
  resourceGroupExists,
  resourceNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";
import { storageBody } from "./storage.js";
import { workspaceBody } from "./workspaces.js";

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

/** The typed list of one HSM kind in a subscription (`/subscriptions/{s}/providers/{namespace}/{type}`). */
export const HSM_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(`${UNDER_SUBSCRIPTION}\\/providers\\/([^/]+)\\/([^/]+)$`, "i"),
    (typedList, { subscriptionId, sub }) => {
      const kind = Object.entries(HSM_TYPES).find(
        ([, t]) =>
          t.namespace.toLowerCase() === typedList[1]!.toLowerCase() &&
          t.type.toLowerCase() === typedList[2]!.toLowerCase(),
      )?.[0];
      if (!kind) return undefined;
      if (!sub) return missingSubscription("hsmList", subscriptionId!);
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
    },
  ),
];

/** Every resource of a subscription: the generic list (`/subscriptions/{s}/resources`) with `$filter` and `$expand`. */
export const RESOURCE_LIST_ROUTES: RouteEntry<ArmRequest>[] = [
  get(new RegExp(`${UNDER_SUBSCRIPTION}\\/resources$`, "i"), (_m, { subscriptionId, sub }) => {
    if (!sub) return missingSubscription("resources", subscriptionId!);
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
  }),
];

/** A single resource, or the typed list of a kind in a resource group (HSMs, workspaces, storage accounts). */
export const RESOURCE_GROUP_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(`${UNDER_SUBSCRIPTION}\\/resourceGroups\\/([^/]+)\\/providers\\/([^/]+)\\/([^/]+)(?:\\/([^/]+))?$`, "i"),
    (inGroup, { subscriptionId, sub }) => {
      const [, rg, namespace, type, name] = inGroup as unknown as [string, string, string, string, string | undefined];
      const fullType = `${namespace}/${type}`.toLowerCase();
      if (!sub) return missingSubscription("resource", subscriptionId!);
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
          return found
            ? { status: 200, body: found.body() }
            : resourceNotFound(sub, rg, `${namespace}/${type}/${name}`);
        },
        fullType,
      );
    },
  ),
];
