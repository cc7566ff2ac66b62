// The answer of `Microsoft.Authorization/permissions` as the snapshot keeps it: each entry's `actions` and
// `notActions` (data actions are no reads of ARM and are left out). Shared by the collector and by the verification of
// a saved snapshot, which derives the fact again from the kept bodies.
import { MalformedAnswer } from "./common.js";

export interface PermissionsFact {
  permissions: Array<{ actions: string[]; notActions: string[] }>;
}

/** At most this many entries are read (one per role assignment that reaches the group): a bound on a hostile answer. */
export const MAX_PERMISSION_ENTRIES = 2000;

/** One entry, checked: lists of strings, or nothing (an absent list is empty). */
export function toPermissionEntry(raw: unknown): { actions: string[]; notActions: string[] } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new MalformedAnswer("the permissions list holds an item that is not an object");
  const list = (value: unknown, name: string): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((a) => typeof a !== "string"))
      throw new MalformedAnswer(`a permission's ${name} is not a list of strings`);
    return [...(value as string[])];
  };
  const entry = raw as { actions?: unknown; notActions?: unknown };
  return { actions: list(entry.actions, "actions"), notActions: list(entry.notActions, "notActions") };
}

/** Every entry of the answer (all its pages). */
export function toPermissions(items: readonly unknown[]): PermissionsFact {
  if (items.length > MAX_PERMISSION_ENTRIES)
    throw new MalformedAnswer(`the permissions list holds over ${MAX_PERMISSION_ENTRIES} entries`);
  return { permissions: items.map(toPermissionEntry) };
}
