// The columns that say which resource a record is about, and the records an HSM writes as they fill them: what both
// halves of the analysis of a rule's query (the sources it reads, the filters on them) know of a table's columns.
import { childrenOf, kindOf, listOf, type KqlNode } from "../kusto-syntax.js";

/** The records an HSM writes to one workspace table, and what they hold in the columns that name their resource. */
export interface HsmRecords {
  table: string;
  /**
   * The value of each column that identifies the resource, for this HSM's records: `caseKnown` when the letter case
   * is documented (so a case-sensitive comparison can be decided), `null` when the value is not known. A column of
   * this list that the table lacks is `null` as well. Columns outside the list (OperationName, CallerIpAddress, ...)
   * are taken to vary between records: a filter on them keeps some records and drops others.
   */
  columns: Record<string, { value: string; caseKnown: boolean } | null>;
  /** The table is shared with other resources (AzureDiagnostics): a rule must select these records to read them. */
  mustSelect: boolean;
}

/** The columns that say which resource a record is about, in the tables the HSMs write (DOMAIN.md §4). */
export const RESOURCE_COLUMNS = [
  "Type",
  "ResourceType",
  "ResourceProvider",
  "ResourceId",
  "_ResourceId",
  "Resource",
  "ResourceGroup",
  "SubscriptionId",
  "_SubscriptionId",
  "Category",
  "TenantId",
  "RequestUri",
  "requestUri_s",
] as const;

/** Names that may hold a resource column under another name (`ResourceType1` after a join, `set_ResourceId`, ...). */
export const DERIVED_NAME = /resource|subscriptionid|category|requesturi/i;

/** The names Kusto gives columns computed without a name (`extend tolower(ResourceType)` makes `Column1`). */
export const UNNAMED_COLUMNS = Array.from({ length: 20 }, (_, i) => `Column${i + 1}`);

export function isResourceName(name: string): boolean {
  return (RESOURCE_COLUMNS as readonly string[]).some((c) => c.toLowerCase() === name.toLowerCase());
}

/** The names a node refers to as columns (or lets): not the names of the functions it calls. */
export function columnNames(node: KqlNode): string[] {
  const out: string[] = [];
  const walk = (n: KqlNode) => {
    const kind = kindOf(n);
    if (kind === "NameReference") {
      if (n.SimpleName) out.push(n.SimpleName);
      return;
    }
    if (kind === "FunctionCallExpression") {
      for (const arg of listOf((n.ArgumentList as KqlNode | null)?.Expressions)) walk(arg);
      return;
    }
    for (const child of childrenOf(n)) walk(child);
  };
  walk(node);
  return out;
}
