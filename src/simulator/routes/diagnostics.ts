// Diagnostic settings and diagnostic settings categories, on any resource URI (the HSMs have them; the other
// resources of the estate have none).
import { armError } from "../http.js";
import type { DiagnosticSetting } from "../estate.js";
import {
  SYSTEM_DATA,
  UNDER_SUBSCRIPTION,
  allResources,
  armRoute,
  findHsm,
  get,
  resourceNotFound,
  subscriptionNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

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

/** `{resourceUri}/providers/Microsoft.Insights/diagnosticSettings[/{name}]` and `.../diagnosticSettingsCategories[/{name}]`. */
export const DIAGNOSTIC_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(
      `^(${UNDER_SUBSCRIPTION.slice(1)}.*)\\/providers\\/microsoft\\.insights\\/(diagnosticsettings|diagnosticsettingscategories)(?:\\/([^/]+))?$`,
      "i",
    ),
    (m, { estate, subscriptionId, sub }) => {
      const resourceUri = m[1]!;
      const categories = m[2]!.toLowerCase() === "diagnosticsettingscategories";
      const itemName = m[3];
      const name = categories ? "diagnosticSettingsCategories" : "diagnosticSettings";
      return armRoute(
        name,
        subscriptionId,
        () => {
          if (!sub) return subscriptionNotFound(subscriptionId!);
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
    },
  ),
];
