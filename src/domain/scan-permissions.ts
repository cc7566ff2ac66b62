// What the scan's credential must be allowed to read in a resource group that holds an HSM, and how Azure RBAC's
// `actions` / `notActions` (as `Microsoft.Authorization/permissions` lists them) grant an action. The one place that
// names the read actions the tool needs: the collector asks for the permissions, the engine says what is missing.
import { HSM_TYPES, type HsmKind } from "./hsm-kinds.js";

/** Reading an HSM's diagnostic settings and the log categories it offers (Cloud and Managed HSMs). */
export const DIAGNOSTIC_READ_ACTIONS = [
  "Microsoft.Insights/diagnosticSettings/read",
  "Microsoft.Insights/diagnosticSettingsCategories/read",
] as const;

/** Reading the Activity Log of the resource group (its changes to diagnostic settings). */
export const ACTIVITY_LOG_READ_ACTION = "Microsoft.Insights/eventtypes/values/read";

/**
 * The read actions the scan needs in a resource group holding HSMs of these kinds, in a fixed order: each kind's
 * `<resource type>/read`; for a kind whose audit trail Azure Monitor exports, its diagnostic settings, their
 * categories and the Activity Log. Workspaces and storage accounts are often in other resource groups and are not
 * asked about here: a failed read of one is an error of the scan already.
 */
export function readActionsFor(kinds: Iterable<HsmKind>): string[] {
  const present = new Set(kinds);
  const actions: string[] = [];
  for (const kind of Object.keys(HSM_TYPES) as HsmKind[]) {
    if (present.has(kind)) actions.push(`${HSM_TYPES[kind].type}/read`);
  }
  if (present.has("cloudHsm") || present.has("managedHsm")) {
    actions.push(...DIAGNOSTIC_READ_ACTIONS, ACTIVITY_LOG_READ_ACTION);
  }
  return actions;
}

/** One entry of the permissions API's answer: the actions one role assignment allows, and those it leaves out. */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
}

/**
 * Whether an action pattern (`*`, `Microsoft.KeyVault/*`, `Microsoft.Insights/diagnosticSettings/read`, or `*` followed by
 * `/read`)
 * covers an action. Azure compares actions case-insensitively and lets `*` stand for any run of characters, `/`
 * included.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(action);
}

/**
 * Whether the entries grant the action: some entry lists it in `actions` and does not take it away in its own
 * `notActions`. A `notActions` is no deny: it only narrows the entry it is part of, so another entry (another role
 * assignment) may still grant the action. Data actions are not reads of ARM and are not looked at. Deny assignments
 * are not in this answer.
 */
export function isGranted(entries: readonly PermissionEntry[], action: string): boolean {
  return entries.some(
    (entry) =>
      entry.actions.some((pattern) => actionMatches(pattern, action)) &&
      !entry.notActions.some((pattern) => actionMatches(pattern, action)),
  );
}

/** The actions of `needed` that the entries do not grant, in the order given. */
export function missingActions(entries: readonly PermissionEntry[], needed: readonly string[]): string[] {
  return needed.filter((action) => !isGranted(entries, action));
}
