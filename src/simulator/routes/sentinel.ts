// Microsoft Sentinel on a workspace: its onboarding state and its analytic rules.
import { armError } from "../http.js";
import {
  UNDER_SUBSCRIPTION,
  armRoute,
  get,
  resourceNotFound,
  subscriptionNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

/** `.../workspaces/{w}/providers/Microsoft.SecurityInsights/onboardingStates/{name}` and `.../alertRules`. */
export const SENTINEL_ROUTES: RouteEntry<ArmRequest>[] = [
  get(
    new RegExp(
      `${UNDER_SUBSCRIPTION}\\/resourcegroups\\/([^/]+)\\/providers\\/microsoft\\.operationalinsights\\/workspaces\\/([^/]+)\\/providers\\/microsoft\\.securityinsights\\/(onboardingstates\\/([^/]+)|alertrules)$`,
      "i",
    ),
    (sentinel, { subscriptionId, sub }) => {
      const onboarding = sentinel[3]!.toLowerCase().startsWith("onboardingstates");
      return armRoute(
        onboarding ? "sentinelOnboarding" : "sentinelRules",
        subscriptionId,
        () => {
          if (!sub) return subscriptionNotFound(subscriptionId!);
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
    },
  ),
];
