// Azure Resource Manager routes of the simulator, with the response shapes of the official REST specifications: one
// route table per API family (routes/*.ts), read in order, and the refusal of every read under a subscription the
// credential cannot read.
import { armError, type Route, type SimResponse } from "./http.js";
import { findSubscription, type Estate, type Subscription } from "./estate.js";
import { SIMULATOR_PRINCIPAL_ID } from "./token.js";
import { ACTIVITY_LOG_ROUTES } from "./routes/activity-log.js";
import { DIAGNOSTIC_ROUTES } from "./routes/diagnostics.js";
import { GRAPH_ROUTES } from "./routes/graph.js";
import { MANAGEMENT_GROUP_ROUTES } from "./routes/management-groups.js";
import { HSM_ROUTES, RESOURCE_GROUP_ROUTES, RESOURCE_LIST_ROUTES } from "./routes/hsms.js";
import {
  findRoute,
  requireApiVersion,
  subscriptionNotFound,
  type ArmContext,
  type ArmRequest,
  type RouteEntry,
} from "./routes/route.js";
import { PERMISSION_ROUTES } from "./routes/permissions.js";
import { SENTINEL_ROUTES } from "./routes/sentinel.js";
import { STORAGE_ROUTES } from "./routes/storage.js";
import { SUBSCRIPTION_LIST_ROUTES, SUBSCRIPTION_ROUTES } from "./routes/subscriptions.js";
import { WORKSPACE_ROUTES } from "./routes/workspaces.js";

export type { ArmContext } from "./routes/route.js";
export { hsmBody } from "./routes/hsms.js";

/**
 * Every ARM route, in the order they are tried. Diagnostic settings come first: they hang under any resource URI,
 * including a subscription's `/providers/microsoft.insights/...`, which the HSM kinds' typed lists would match too.
 * `POST /batch` is in no table: the server answers it, routing each inner request here.
 */
const ARM_ROUTES: readonly RouteEntry<ArmRequest>[] = [
  ...GRAPH_ROUTES,
  ...MANAGEMENT_GROUP_ROUTES,
  ...SUBSCRIPTION_LIST_ROUTES,
  ...DIAGNOSTIC_ROUTES,
  ...ACTIVITY_LOG_ROUTES,
  ...PERMISSION_ROUTES,
  ...SENTINEL_ROUTES,
  ...SUBSCRIPTION_ROUTES,
  ...HSM_ROUTES,
  ...RESOURCE_LIST_ROUTES,
  ...STORAGE_ROUTES,
  ...WORKSPACE_ROUTES,
  ...RESOURCE_GROUP_ROUTES,
];

const SUB = /^\/subscriptions\/([^/]+)/i;

/** Matches an ARM request to a route, or returns undefined when the path is not ARM's. */
export function matchArmRoute(
  estate: Estate,
  method: string,
  path: string,
  context: ArmContext = { archives: new Map(), tables: new Map(), now: () => estate.now },
): Route | undefined {
  const p = path.replace(/\/+$/, "");
  const subscriptionId = SUB.exec(p)?.[1];
  const request: ArmRequest = {
    estate,
    context,
    ...(subscriptionId !== undefined ? { subscriptionId } : {}),
    ...(subscriptionId !== undefined ? { sub: findSubscription(estate, subscriptionId) } : {}),
  };
  const route = findRoute(ARM_ROUTES, method, p, request);
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
    `The client '${SIMULATOR_PRINCIPAL_ID}' with object id '${SIMULATOR_PRINCIPAL_ID}' does not have authorization to perform action 'read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
