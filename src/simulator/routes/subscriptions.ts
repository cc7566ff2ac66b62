// Subscriptions and resource providers: the subscriptions list, one subscription, a provider's registration.
import { armError } from "../http.js";
import type { Estate, Subscription } from "../estate.js";
import {
  API_VERSIONS,
  UNDER_SUBSCRIPTION,
  armRoute,
  get,
  subscriptionNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

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

/** The tenant's subscriptions (those the credential can read). */
export const SUBSCRIPTION_LIST_ROUTES: RouteEntry<ArmRequest>[] = [
  get(/^\/subscriptions$/i, (_m, { estate }) =>
    armRoute("subscriptions", undefined, () => ({
      status: 200,
      // ARM lists only the subscriptions the credential can read.
      page: {
        items: estate.subscriptions.filter((s) => s.access === "read").map((s) => subscriptionBody(estate, s)),
      },
    })),
  ),
];

/** One subscription, and the registration of a resource provider in it. */
export const SUBSCRIPTION_ROUTES: RouteEntry<ArmRequest>[] = [
  get(new RegExp(`${UNDER_SUBSCRIPTION}$`, "i"), (_m, { estate, subscriptionId, sub }) =>
    armRoute("subscriptions", subscriptionId, () =>
      sub ? { status: 200, body: subscriptionBody(estate, sub) } : subscriptionNotFound(subscriptionId!),
    ),
  ),
  get(new RegExp(`${UNDER_SUBSCRIPTION}\\/providers\\/([^/]+)$`, "i"), (m, { subscriptionId, sub }) => {
    const namespace = m[1]!;
    return armRoute("provider", subscriptionId, () => {
      if (!sub) return subscriptionNotFound(subscriptionId!);
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
  }),
];
