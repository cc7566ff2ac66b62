// Where Azure Monitor archives a resource's logs in a storage account (DOMAIN.md §5): one container per log
// category, and under it a prefix per resource. The collector reads there; the engine names it in findings.

export function logContainerName(category: string): string {
  return `insights-logs-${category.toLowerCase()}`;
}

/** `resourceId=/SUBSCRIPTIONS/.../NAME/`: the resource's ARM id upper-cased, as Azure Monitor writes it. */
export function archivePrefix(resourceId: string): string {
  return `resourceId=/${resourceId.replace(/^\/+|\/+$/g, "").toUpperCase()}/`;
}
