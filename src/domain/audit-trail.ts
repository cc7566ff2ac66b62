// How Azure Monitor decides what a diagnostic setting carries, and what the Activity Log keeps: rules of the service
// that the collector follows when it decides what to read and the engine follows when it judges what was read.

/** How long the Activity Log keeps events: a period that starts earlier cannot be read (the service refuses it). */
export const ACTIVITY_LOG_DAYS = 90;

/** The operations on diagnostic settings, lower-cased: what a setting event's `operationName` starts with. */
export const SETTING_OPERATION_PREFIX = "microsoft.insights/diagnosticsettings/";

/** Whether the Activity Log still keeps a period that starts at `start`, for a scan at `scanAt`. */
export function activityLogKeeps(start: Date | string, scanAt: Date | string): boolean {
  return new Date(start).getTime() >= new Date(scanAt).getTime() - ACTIVITY_LOG_DAYS * 86_400_000;
}

/** One entry of a setting's `logs`, as far as carrying a category goes. */
export interface LogEntry {
  enabled: boolean;
  category?: string;
  categoryGroup?: string;
}

/** A category the categories API lists for a resource, with the groups it belongs to. */
export interface CategoryMembership {
  name: string;
  categoryGroups: string[];
}

const eq = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Whether one entry of a setting's `logs` carries `category`: `true` by name or `allLogs`, `"group"` when the
 * categories API lists the category in the entry's group, `"unknown"` when that list could not be read.
 */
export function entryCarries(
  log: LogEntry,
  category: string,
  known: readonly CategoryMembership[] | undefined,
): boolean | "group" | "unknown" {
  if (!log.enabled) return false;
  if (eq(log.category, category)) return true;
  if (!log.categoryGroup) return false;
  if (eq(log.categoryGroup, "allLogs")) return true;
  if (!known) return "unknown";
  return known.some((c) => eq(c.name, category) && c.categoryGroups.some((g) => eq(log.categoryGroup, g)))
    ? "group"
    : false;
}
