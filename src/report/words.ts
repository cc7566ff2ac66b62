// What every renderer calls a run's verdict, by its exit code (the exit codes' meaning is in DESIGN.md).
export const VERDICT: Record<0 | 1 | 3, string> = {
  0: "COMPLIANT",
  1: "NOT COMPLIANT",
  3: "NOT PROVEN",
};

/**
 * The scope of a scan scoped to a management group, in words: "management group mg-payments (3 subscriptions)", or
 * that its subscriptions could not be listed. Undefined when the scan was not scoped to one.
 */
export function managementGroupScope(scope: {
  managementGroup?: { id: string; subscriptions?: number };
}): string | undefined {
  const group = scope.managementGroup;
  if (!group) return undefined;
  const n = group.subscriptions;
  return n === undefined
    ? `management group ${group.id} (its subscriptions could not be listed)`
    : `management group ${group.id} (${n} subscription${n === 1 ? "" : "s"})`;
}
