// What every renderer calls a run's verdict, by its exit code (the exit codes' meaning is in DESIGN.md).
import type { Principal } from "../model/snapshot.js";

export const VERDICT: Record<0 | 1 | 3, string> = {
  0: "COMPLIANT",
  1: "NOT COMPLIANT",
  3: "NOT PROVEN",
};

/**
 * The scope of a scan scoped to management groups, in words: "management group mg-payments (3 subscriptions)",
 * "management groups A (3 subscriptions), B (2 subscriptions)", or that a group's subscriptions could not be listed.
 * Undefined when the scan was not scoped to any.
 */
export function managementGroupScope(scope: {
  managementGroups?: Array<{ id: string; subscriptions?: number }>;
}): string | undefined {
  const groups = scope.managementGroups;
  if (!groups || groups.length === 0) return undefined;
  const each = groups.map(({ id, subscriptions: n }) =>
    n === undefined
      ? `${id} (its subscriptions could not be listed)`
      : `${id} (${n} subscription${n === 1 ? "" : "s"})`,
  );
  return `management group${groups.length === 1 ? "" : "s"} ${each.join(", ")}`;
}

/**
 * Who ran the scan, from its token's claims: "alice@contoso.com (object id ..., app id ..., tenant ...)", "app id ...
 * (object id ..., tenant ...)", or "principal unknown (why)". From a result as printed: every value printable.
 */
export function principalWords(principal: Principal): string {
  if (!principal.known) return `principal unknown (${principal.reason})`;
  const c = principal.claims;
  const user = c.upn ?? c.preferred_username ?? c.unique_name;
  const app = c.appid ?? c.azp;
  const who = user ?? (app ? `app id ${app}` : "a principal without a name in its token");
  const ids = [
    ...(c.oid ? [`object id ${c.oid}`] : []),
    ...(user && app ? [`app id ${app}`] : []),
    ...(c.tid ? [`tenant ${c.tid}`] : []),
  ];
  return `${who}${ids.length > 0 ? ` (${ids.join(", ")})` : ""}`;
}
