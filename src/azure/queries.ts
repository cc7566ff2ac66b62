// The KQL the tool sends to Log Analytics. Every query here is checked by the Kusto language service in the tests
// (test/azure/queries.test.ts) against the table columns of DOMAIN.md §4, so a query that Azure would reject fails CI.

/** The tables an HSM's audit category lands in, with the filter that keeps only HSM rows. */
export const AUDIT_TABLES = [
  { table: "CloudHsmServiceOperationAuditLogs", filter: undefined },
  { table: "AzureDiagnostics", filter: 'ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS"' },
  { table: "AZKVAuditLogs", filter: undefined },
] as const;

/**
 * A KQL string literal holding `value` exactly. Everything read from Azure (ids, names) goes through here:
 * backslash, double quote and control characters are escaped, so a value can never end the literal.
 */
export function kqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * One summarised query per workspace: for each of `resourceIds` that has audit records in the query's timespan, and
 * each UTC day of it, the number of records and the last `TimeGenerated`. Tables missing from the workspace are tolerated
 * (`isfuzzy=true`); `_ResourceId` is matched case-insensitively (`in~`), as Log Analytics stores it lower-cased while
 * ARM ids keep their spelling. The rows are counted on the server: at most one row per HSM and day comes back.
 *
 * The query keeps to the most common operators (union, where, in~, summarize count/max/bin), so that any Log Analytics
 * endpoint, or a test double of one, answers it; the table columns it needs are `TimeGenerated` and `_ResourceId`.
 */
export function logSampleQuery(resourceIds: readonly string[]): string {
  if (resourceIds.length === 0) throw new Error("logSampleQuery needs at least one resource id");
  const ids = [...new Set(resourceIds.map((id) => id.toLowerCase()))].sort();
  const branches = AUDIT_TABLES.map(({ table, filter }) => `  ${filter ? `(${table} | where ${filter})` : table}`);
  return [
    "union isfuzzy=true",
    branches.join(",\n"),
    `| where _ResourceId in~ (${ids.map(kqlString).join(", ")})`,
    "| summarize Records = count(), LastRecord = max(TimeGenerated) by _ResourceId, Day = bin(TimeGenerated, 1d)",
  ].join("\n");
}

/** The columns `logSampleQuery` returns, in order. */
export const LOG_SAMPLE_COLUMNS = ["_ResourceId", "Day", "Records", "LastRecord"] as const;
