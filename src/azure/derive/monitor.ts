// Azure Monitor answers -> facts: the Microsoft.Insights registration, diagnostic settings and their categories.
import type { DiagnosticCategory, DiagnosticSetting } from "../../model/snapshot.js";
import { booleanOf, MalformedAnswer, numberOf, sortBy } from "./common.js";

/** `GET /subscriptions/{id}/providers/Microsoft.Insights` (no `properties`: the provider's members are top level). */
export function toProviderState(provider: { registrationState?: unknown }): { registrationState: string } {
  if (typeof provider.registrationState !== "string")
    throw new MalformedAnswer("the provider answer has no registrationState");
  return { registrationState: provider.registrationState };
}

/** One diagnostic setting (its `properties` lifted). */
export function toSetting(raw: Record<string, unknown>): DiagnosticSetting {
  const str = (key: string) => (typeof raw[key] === "string" && raw[key] !== "" ? { [key]: raw[key] as string } : {});
  if (typeof raw.name !== "string") throw new MalformedAnswer("a diagnostic setting without a name");
  const logs = Array.isArray(raw.logs) ? (raw.logs as Record<string, unknown>[]) : [];
  return {
    id: typeof raw.id === "string" ? raw.id : "",
    name: raw.name,
    ...str("workspaceId"),
    ...str("storageAccountId"),
    ...str("eventHubAuthorizationRuleId"),
    ...str("eventHubName"),
    ...str("marketplacePartnerId"),
    ...str("serviceBusRuleId"),
    ...str("logAnalyticsDestinationType"),
    logs: logs.map((l) => {
      const entry = (l && typeof l === "object" ? l : {}) as Record<string, unknown>;
      const retention = entry.retentionPolicy as { enabled?: unknown; days?: unknown } | undefined;
      const days = numberOf(retention?.days);
      return {
        ...(typeof entry.category === "string" && entry.category ? { category: entry.category } : {}),
        ...(typeof entry.categoryGroup === "string" && entry.categoryGroup
          ? { categoryGroup: entry.categoryGroup }
          : {}),
        enabled: booleanOf(entry.enabled) === true,
        ...(booleanOf(retention?.enabled) === true && days !== undefined ? { retentionDays: days } : {}),
      };
    }),
  };
}

/** The diagnostic settings of a resource, in the snapshot's order (by name). */
export function toSettings(all: Record<string, unknown>[]): DiagnosticSetting[] {
  return sortBy(all.map(toSetting), (s) => s.name);
}

/** What the diagnostic settings categories API lists (each item's `properties` lifted), in the order listed. */
export function toCategories(
  all: { name?: unknown; categoryType?: unknown; categoryGroups?: unknown }[],
): DiagnosticCategory[] {
  return all.map((c): DiagnosticCategory => {
    if (typeof c.name !== "string") throw new MalformedAnswer("a diagnostic category without a name");
    return {
      name: c.name,
      categoryType: String(c.categoryType ?? ""),
      categoryGroups: Array.isArray(c.categoryGroups) ? c.categoryGroups.map(String) : [],
    };
  });
}
