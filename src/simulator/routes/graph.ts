// Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`): the estate's resources as the
// `resources` table, queried with the simulator's KQL interpreter, paged with `$skipToken` as the service does
// (`$top` rows a page, 100 by default and 1,000 at most), in the `objectArray` result format. A query is scoped to
// subscriptions (`subscriptions`) or to management groups (`managementGroups`: every subscription below them, at any
// depth), as the REST API's QueryRequest has it; unscoped, it covers every subscription.
import { runKql, KqlError, type KqlColumn, type KqlDatabase, type KqlTable } from "../kql/index.js";
import { armError, type Route, type SimResponse } from "../http.js";
import { hsmBody } from "./hsms.js";
import type { ArmRequest, RouteEntry } from "./route.js";
import type { Estate } from "../estate.js";
import { managementGroupResourceId } from "../../domain/management-groups.js";

export const RESOURCE_GRAPH_API_VERSIONS = ["2021-03-01", "2022-10-01", "2024-04-01"];
const DEFAULT_TOP = 100;
const MAX_TOP = 1000;
/** Subscriptions one query may name. */
export const MAX_GRAPH_SUBSCRIPTIONS = 1000;

/**
 * The subscriptions below the management groups named (lower-cased ids), nested groups included; or the id of the first
 * group the estate does not hold (the service refuses a scope the credential cannot read).
 */
export function subscriptionsUnder(estate: Estate, groups: string[]): Set<string> | { unknown: string } {
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const group = estate.managementGroups.get(key)!;
    for (const id of group.subscriptions) found.add(id.toLowerCase());
    for (const child of group.groups) walk(child);
  };
  for (const name of groups) {
    const key = name.toLowerCase();
    if (!estate.managementGroups.has(key)) return { unknown: name };
    walk(key);
  }
  return found;
}

const COLUMNS: KqlColumn[] = [
  { name: "id", type: "string" },
  { name: "name", type: "string" },
  { name: "type", type: "string" },
  { name: "tenantId", type: "string" },
  { name: "kind", type: "string" },
  { name: "location", type: "string" },
  { name: "resourceGroup", type: "string" },
  { name: "subscriptionId", type: "string" },
  { name: "sku", type: "dynamic" },
  { name: "properties", type: "dynamic" },
  { name: "tags", type: "dynamic" },
];

/**
 * The `resourcecontainers` table, as far as the tool asks it: a row per subscription the credential can read.
 */
export function containersTable(estate: Estate): KqlTable {
  const rows = estate.subscriptions
    .filter((s) => s.access === "read")
    .map((s) => ({
      id: `/subscriptions/${s.subscriptionId}`,
      name: s.displayName,
      type: "microsoft.resources/subscriptions",
      tenantId: estate.tenantId,
      subscriptionId: s.subscriptionId,
    }));
  const columns: KqlColumn[] = ["id", "name", "type", "tenantId", "subscriptionId"].map((name) => ({
    name,
    type: "string",
  }));
  return { name: "resourcecontainers", columns, rows };
}

/**
 * The `resources` table: every HSM, workspace and storage account of the estate, `type` lower-cased as ARG does.
 * Resource Graph shows only what the credential can read: a subscription it cannot read (the estate's `access`) has
 * no rows, and nothing in the answer says that it was left out.
 */
export function resourcesTable(estate: Estate): KqlTable {
  const rows: Record<string, unknown>[] = [];
  for (const sub of estate.subscriptions) {
    if (sub.access !== "read") continue;
    for (const hsm of sub.hsms) {
      const body = hsmBody(hsm) as { sku?: unknown; properties?: unknown };
      rows.push(row(estate, hsm, body.sku ?? null, body.properties ?? {}, ""));
    }
    for (const w of sub.workspaces) rows.push(row(estate, w, null, { customerId: w.customerId }, ""));
    for (const s of sub.storageAccounts) rows.push(row(estate, s, { name: s.sku }, {}, s.kind));
  }
  return { name: "resources", columns: COLUMNS, rows };
}

function row(
  estate: Estate,
  r: {
    id: string;
    name: string;
    type: string;
    location: string;
    resourceGroup: string;
    subscriptionId: string;
    tags: Record<string, string>;
  },
  sku: unknown,
  properties: unknown,
  kind: string,
): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    type: r.type.toLowerCase(),
    tenantId: estate.tenantId,
    kind,
    location: r.location,
    resourceGroup: r.resourceGroup.toLowerCase(),
    subscriptionId: r.subscriptionId,
    sku,
    properties,
    tags: r.tags,
  };
}

interface GraphBody {
  query?: unknown;
  subscriptions?: unknown;
  managementGroups?: unknown;
  options?: { $skipToken?: unknown; $top?: unknown; $skip?: unknown; resultFormat?: unknown };
}

export function resourceGraphRoute(estate: Estate, now: () => Date = () => new Date()): Route {
  let table: KqlTable | undefined;
  let containers: KqlTable | undefined;
  return {
    name: "resourceGraph",
    family: "arm",
    handle: (req): SimResponse => {
      const version = req.query.get("api-version");
      if (!version || !RESOURCE_GRAPH_API_VERSIONS.includes(version)) {
        return armError(
          400,
          "InvalidApiVersionParameter",
          `The api-version '${version ?? ""}' is invalid. The supported versions are '${RESOURCE_GRAPH_API_VERSIONS.join("', '")}'.`,
        );
      }
      const body = (req.body ?? {}) as GraphBody;
      if (typeof body.query !== "string" || body.query.trim() === "") {
        return armError(400, "BadRequest", "The request content was invalid: 'query' is required.");
      }
      const options = body.options ?? {};
      const top = options.$top === undefined ? DEFAULT_TOP : Number(options.$top);
      if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
        return armError(400, "BadRequest", `'$top' must be between 1 and ${MAX_TOP}.`);
      }
      let offset = 0;
      if (options.$skipToken !== undefined) {
        const decoded = Number(Buffer.from(String(options.$skipToken), "base64url").toString("utf8"));
        if (!Number.isInteger(decoded) || decoded < 0) {
          return armError(400, "BadRequest", "The '$skipToken' is not valid for this query.");
        }
        offset = decoded;
      }
      if (Array.isArray(body.subscriptions) && body.subscriptions.length > MAX_GRAPH_SUBSCRIPTIONS) {
        return armError(
          400,
          "BadRequest",
          `The request names ${body.subscriptions.length} subscriptions; a query may name at most ${MAX_GRAPH_SUBSCRIPTIONS}.`,
        );
      }
      if (body.subscriptions !== undefined && body.managementGroups !== undefined) {
        return armError(
          400,
          "BadRequest",
          "The request names both subscriptions and managementGroups; scope a query to one of them.",
        );
      }
      let wanted = Array.isArray(body.subscriptions)
        ? new Set(body.subscriptions.map((s) => String(s).toLowerCase()))
        : undefined;
      if (body.managementGroups !== undefined) {
        const groups = body.managementGroups;
        if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== "string")) {
          return armError(400, "BadRequest", "'managementGroups' must be a non-empty list of management group ids.");
        }
        const under = subscriptionsUnder(estate, groups as string[]);
        if (!(under instanceof Set)) {
          return armError(
            403,
            "AuthorizationFailed",
            `The client '00000000-0000-0000-0000-00000000c11e' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '${managementGroupResourceId(under.unknown)}' or the scope is invalid.`,
          );
        }
        // What the credential cannot read is left out without a word, as everywhere in Resource Graph.
        wanted = under;
      }
      table ??= resourcesTable(estate);
      const visible: KqlTable = wanted
        ? { ...table, rows: table.rows.filter((r) => wanted.has(String(r.subscriptionId).toLowerCase())) }
        : table;
      containers ??= containersTable(estate);
      const visibleContainers: KqlTable = wanted
        ? { ...containers, rows: containers.rows.filter((r) => wanted.has(String(r.subscriptionId).toLowerCase())) }
        : containers;
      const db: KqlDatabase = {
        table: (name) =>
          name === "resources" ? visible : name === "resourcecontainers" ? visibleContainers : undefined,
      };
      let result;
      try {
        result = runKql(body.query, db, { now: now() });
      } catch (error) {
        if (error instanceof KqlError) {
          return armError(400, "BadRequest", `Please provide a valid query: ${error.message}`);
        }
        throw error;
      }
      const objects = result.rows.map((cells) =>
        Object.fromEntries(
          result.columns.map((c, i) => {
            const v = cells[i];
            return [c.name, c.type === "dynamic" && typeof v === "string" ? JSON.parse(v) : v];
          }),
        ),
      );
      const page = objects.slice(offset, offset + top);
      const more = offset + top < objects.length;
      return {
        status: 200,
        body: {
          totalRecords: objects.length,
          count: page.length,
          resultTruncated: "false",
          ...(more ? { $skipToken: Buffer.from(String(offset + top), "utf8").toString("base64url") } : {}),
          data: page,
          facets: [],
        },
      };
    },
  };
}

/** `POST /providers/Microsoft.ResourceGraph/resources`, made once per server (its table is built on first use). */
export const GRAPH_ROUTES: RouteEntry<ArmRequest>[] = [
  {
    methods: ["POST"],
    pattern: /^\/providers\/microsoft\.resourcegraph\/resources$/i,
    handler: (_m, { estate, context }) => (context.resourceGraph ??= resourceGraphRoute(estate, context.now)),
  },
];
