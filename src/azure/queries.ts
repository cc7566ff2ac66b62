// The KQL the tool sends to Log Analytics. Every query here is checked by the Kusto language service in the tests
// (test/azure/queries.test.ts) against the table columns of DOMAIN.md §4, so a query that Azure would reject fails CI.
import { AUDIT_TABLES as TABLES } from "../domain/hsm-kinds.js";
import { CLOUD_HSM_SENSITIVE, MANAGED_HSM_SENSITIVE } from "../domain/sensitive-operations.js";

/** The tables an HSM's audit category lands in, with the filter that keeps only HSM rows. */
export const AUDIT_TABLES = [
  { table: TABLES.cloudHsm, filter: undefined },
  {
    table: TABLES.managedHsmShared,
    filter: 'ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS"',
  },
  { table: TABLES.managedHsmDedicated, filter: undefined },
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
export function logSampleQuery(resourceIds?: readonly string[]): string {
  const branches = AUDIT_TABLES.map(({ table, filter }) => `  ${filter ? `(${table} | where ${filter})` : table}`);
  return [
    "union isfuzzy=true",
    branches.join(",\n"),
    hsmFilter(resourceIds),
    "| summarize Records = count(), LastRecord = max(TimeGenerated) by TenantId, _ResourceId, Day = bin(TimeGenerated, 1d)",
  ].join("\n");
}

/** The columns `logSampleQuery` returns, in order. */
export const LOG_SAMPLE_COLUMNS = ["TenantId", "_ResourceId", "Day", "Records", "LastRecord"] as const;

// ---- activity: what each HSM did in the window ---------------------------------------------------------------------

/** Cloud HSM sign-in operations: where a caller's first one in the window is a new session from that address. */
export const LOGIN_OPERATIONS = ["CN_LOGIN", "CN_AUTHORIZE_SESSION"] as const;

/** How many evidence rows a highlight query returns per HSM and operation (the count is always exact). */
export const EVIDENCE_ROWS = 20;

const list = (values: readonly string[]) => `(${values.map(kqlString).join(", ")})`;

/**
 * Which records a query keeps: those of the given HSMs (ids lower-cased, matched with `in~`), or, when a query spans
 * many workspaces and the answer is split by HSM afterwards, every record of a Cloud or Managed HSM, whose ids have
 * these provider paths (AZKVAuditLogs also holds key vaults' records). The query's text then stays the same size
 * whatever the number of HSMs.
 */
function hsmFilter(resourceIds: readonly string[] | undefined): string {
  if (resourceIds === undefined) {
    return `| where _ResourceId contains ${kqlString(HSM_PATHS.cloudHsm)} or _ResourceId contains ${kqlString(HSM_PATHS.managedHsm)}`;
  }
  if (resourceIds.length === 0) throw new Error("a query for HSMs needs at least one resource id");
  return `| where _ResourceId in~ ${list([...new Set(resourceIds.map((id) => id.toLowerCase()))].sort())}`;
}

/** The provider path in the ARM id of each kind of HSM that logs to Azure Monitor. */
export const HSM_PATHS = {
  cloudHsm: "/providers/microsoft.hardwaresecuritymodules/cloudhsmclusters/",
  managedHsm: "/providers/microsoft.keyvault/managedhsms/",
} as const;

/**
 * The audit records of `resourceIds` in one shape, whatever the table: `TimeGenerated`, `_ResourceId`,
 * `OperationName`, `Caller` (IP address), `Identity` (user principal name, Managed HSM only) and `Outcome`:
 * `success` or `failure` for Managed HSM (result type and HTTP status), `unknown` for Cloud HSM, whose logs do not
 * say whether an operation succeeded.
 */
export function auditRecords(resourceIds?: readonly string[]): string {
  const managedOutcome = (result: string, status: string) =>
    `Outcome = iff(${result} !~ "Success" or ${status} >= 400, "failure", "success")`;
  return [
    "union isfuzzy=true",
    "  (CloudHsmServiceOperationAuditLogs",
    '  | project TimeGenerated, TenantId, _ResourceId, OperationName, Caller = CallerIpAddress, Identity = "", Outcome = "unknown"),',
    `  (AzureDiagnostics | where ${AUDIT_TABLES[1].filter}`,
    // AzureDiagnostics has the columns its records brought: a workspace whose callers are all service principals has
    // no identity_claim_upn_s, and a fuzzy union would drop this whole branch for naming it. Hence column_ifexists.
    '  | project TimeGenerated, TenantId, _ResourceId, OperationName, Caller = CallerIPAddress, Identity = column_ifexists("identity_claim_upn_s", ""),',
    `      ${managedOutcome("ResultType", 'column_ifexists("httpStatusCode_d", real(null))')}),`,
    "  (AZKVAuditLogs",
    "  | project TimeGenerated, TenantId, _ResourceId, OperationName, Caller = CallerIpAddress,",
    `      Identity = tostring(Identity.claim.upn), ${managedOutcome("ResultType", "HttpStatusCode")})`,
    hsmFilter(resourceIds),
  ].join("\n");
}

/** How a column of an answer is read into the snapshot. */
/**
 * How a cell is read: text, a count, an instant, a list of strings (`make_set`), or a list of evidence records
 * (`make_list(bag_pack(...))`) of which exactly the keys of `EVIDENCE_ROW_KEYS` are kept.
 */
export type CellType = "string" | "number" | "instant" | "strings" | "records";

/** The keys of an evidence record of a sensitive operation, as the query packs them. */
export const EVIDENCE_ROW_KEYS = ["time", "caller", "identity", "outcome"] as const;

const QUESTIONS = {
  /** Records and failures per operation. */
  operations: {
    cells: {
      _ResourceId: ["hsmId", "string"],
      OperationName: ["operation", "string"],
      Records: ["records", "number"],
      Failures: ["failures", "number"],
      First: ["first", "instant"],
      Last: ["last", "instant"],
    },
    build: (ids?: readonly string[]) =>
      `${auditRecords(ids)}
| summarize Records = count(), Failures = countif(Outcome == "failure"), First = min(TimeGenerated), Last = max(TimeGenerated) by TenantId, _ResourceId, OperationName`,
  },
  /** Every caller (address and identity): records, failures, first and last seen, and first sign-in. */
  callers: {
    cells: {
      _ResourceId: ["hsmId", "string"],
      Caller: ["caller", "string"],
      Identity: ["identity", "string"],
      Records: ["records", "number"],
      Failures: ["failures", "number"],
      First: ["first", "instant"],
      Last: ["last", "instant"],
      FirstLogin: ["firstLogin", "instant"],
    },
    build: (ids?: readonly string[]) =>
      `${auditRecords(ids)}
| summarize Records = count(), Failures = countif(Outcome == "failure"), First = min(TimeGenerated), Last = max(TimeGenerated), FirstLogin = minif(TimeGenerated, OperationName in ${list(LOGIN_OPERATIONS)}) by TenantId, _ResourceId, Caller, Identity`,
  },
  /** Records per bin (an hour, or a day for long windows): the bins without a row are the silences. */
  series: {
    cells: { _ResourceId: ["hsmId", "string"], Bin: ["bin", "instant"], Records: ["records", "number"] },
    sensitive: {
      _ResourceId: ["hsmId", "string"],
      OperationName: ["operation", "string"],
      Records: ["records", "number"],
      Rows: ["rows", "records"],
    },
    build: (ids: readonly string[] | undefined, bin: "1h" | "1d") =>
      `${auditRecords(ids)}
| summarize Records = count() by TenantId, _ResourceId, Bin = bin(TimeGenerated, ${bin})`,
  },
  /** The sensitive operations, with up to EVIDENCE_ROWS records each (time, caller, identity, outcome). */
  sensitive: {
    cells: {
      _ResourceId: ["hsmId", "string"],
      OperationName: ["operation", "string"],
      Records: ["records", "number"],
      Rows: ["rows", "records"],
    },
    build: (ids?: readonly string[]) =>
      `${auditRecords(ids)}
| where OperationName in ${list([...CLOUD_HSM_SENSITIVE, ...MANAGED_HSM_SENSITIVE])} or OperationName contains "backup" or OperationName contains "restore"
| summarize Records = count(), Rows = make_list(bag_pack("time", TimeGenerated, "caller", Caller, "identity", Identity, "outcome", Outcome), ${EVIDENCE_ROWS}) by TenantId, _ResourceId, OperationName`,
  },
  /**
   * Successful key retrievals of Managed HSM per caller and hour (the mass-retrieval signal): by the hour, so that a
   * burst is counted whole in some 24 hours whatever the time of day it straddles.
   */
  keyGets: {
    cells: {
      _ResourceId: ["hsmId", "string"],
      Caller: ["caller", "string"],
      Identity: ["identity", "string"],
      Bin: ["bin", "instant"],
      Gets: ["gets", "number"],
    },
    build: (ids?: readonly string[]) =>
      `${auditRecords(ids)}
| where OperationName == "KeyGet" and Outcome == "success"
| summarize Gets = count() by TenantId, _ResourceId, Caller, Identity, Bin = bin(TimeGenerated, 1h)`,
  },
  /** Failed requests per caller and five minutes (bursts are found over any hour), with the operations that failed. */
  failures: {
    cells: {
      _ResourceId: ["hsmId", "string"],
      Caller: ["caller", "string"],
      Identity: ["identity", "string"],
      Bin: ["bin", "instant"],
      Failures: ["failures", "number"],
      Operations: ["operations", "strings"],
    },
    build: (ids?: readonly string[]) =>
      `${auditRecords(ids)}
| where Outcome == "failure"
| summarize Failures = count(), Operations = make_set(OperationName, ${EVIDENCE_ROWS}) by TenantId, _ResourceId, Caller, Identity, Bin = bin(TimeGenerated, 5m)`,
  },
} as const;

/**
 * The questions asked of every workspace about the HSMs that send to it, each one query summarised on the server.
 * Every answer starts with `TenantId`, the workspace a row's records are in, so that one query can ask several
 * workspaces; `cells` names each further column, in order, with the snapshot key it becomes and its type; `columns`
 * is all their names; `build` takes the HSM ids and the size of the hour-or-day bin.
 */
export const ACTIVITY_QUESTIONS = Object.fromEntries(
  Object.entries(QUESTIONS).map(([name, q]) => [name, { ...q, columns: ["TenantId", ...Object.keys(q.cells)] }]),
) as { [Q in keyof typeof QUESTIONS]: (typeof QUESTIONS)[Q] & { columns: string[] } };

export type ActivityQuestion = keyof typeof ACTIVITY_QUESTIONS;
export const ACTIVITY_QUESTION_NAMES = Object.keys(ACTIVITY_QUESTIONS) as ActivityQuestion[];

/** Windows longer than this are binned by day in the `series` question (the row count stays within Log Analytics'). */
export const HOURLY_SERIES_MAX_DAYS = 62;

/**
 * The Azure Resource Graph query that lists the subscriptions a query's scope covers, as far as the credential can
 * read them (`resourcecontainers` holds a row per subscription): what a management-group-scoped inventory covered.
 */
export function subscriptionsCoveredQuery(): string {
  return [
    "resourcecontainers",
    `| where type in~ (${kqlString("microsoft.resources/subscriptions")})`,
    "| project id, subscriptionId",
    "| order by id asc",
  ].join("\n");
}

/**
 * The Azure Resource Graph query that lists every HSM of all three kinds in the given subscriptions (or the whole
 * tenant), one row per HSM, in a stable order so that pages follow each other. Resource Graph stores `type`
 * lower-cased; the list of types is the tool's own, never read from Azure.
 */
export function hsmInventoryQuery(types: readonly string[]): string {
  return [
    "resources",
    `| where type in~ (${types.map((t) => kqlString(t.toLowerCase())).join(", ")})`,
    "| project id, name, type, location, subscriptionId, resourceGroup, skuName = tostring(sku.name), provisioningState = tostring(properties.provisioningState), networkProfile = properties.networkProfile",
    "| order by id asc",
  ].join("\n");
}

/** The columns of the inventory query's rows, in order. */
export const HSM_INVENTORY_COLUMNS = [
  "id",
  "name",
  "type",
  "location",
  "subscriptionId",
  "resourceGroup",
  "skuName",
  "provisioningState",
  "networkProfile",
] as const;
