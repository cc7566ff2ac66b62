// The Log Analytics tables of the simulated estate: each HSM's activity routed, as Azure Monitor would route it,
// through its diagnostic settings into the workspaces they name (DOMAIN.md §2 and §4).
import { auditTableOf } from "../domain/hsm-kinds.js";
import { createHash } from "node:crypto";
import type { KqlColumn, KqlDatabase, KqlTable, KqlType } from "./kql/types.js";
import {
  AUDIT_CATEGORY,
  armIdKey,
  settingCarries,
  type ActivityRecord,
  type DiagnosticSetting,
  type Estate,
  type Hsm,
  type Workspace,
} from "./estate.js";

const col = (name: string, type: KqlType = "string"): KqlColumn => ({ name, type });

const STANDARD = [col("TenantId"), col("SourceSystem"), col("Type"), col("_ResourceId"), col("_SubscriptionId")];

/** Columns of the tables the simulator knows, in the order Log Analytics lists them. */
export const TABLE_SCHEMAS: Record<string, KqlColumn[]> = {
  CloudHsmServiceOperationAuditLogs: [
    col("TimeGenerated", "datetime"),
    col("OperationName"),
    col("Opcode"),
    col("CallerIpAddress"),
    col("ClientInfo"),
    col("ClusterType"),
    col("HsmInstance"),
    col("DurationMs", "int"),
    col("ResultType"),
    col("ResultSignature"),
    col("ResultDescription"),
    col("MemberId"),
    col("PoolType"),
    ...STANDARD,
  ],
  AzureDiagnostics: [
    col("TimeGenerated", "datetime"),
    col("ResourceId"),
    col("Category"),
    col("ResourceGroup"),
    col("SubscriptionId"),
    col("ResourceProvider"),
    col("Resource"),
    col("ResourceType"),
    col("OperationName"),
    col("OperationVersion"),
    col("ResultType"),
    col("ResultSignature"),
    col("ResultDescription"),
    col("DurationMs", "long"),
    col("CallerIPAddress"),
    col("CorrelationId"),
    col("requestUri_s"),
    col("httpStatusCode_d", "real"),
    col("identity_claim_upn_s"),
    col("identity_claim_appid_g"),
    col("clientInfo_s"),
    ...STANDARD,
  ],
  AZKVAuditLogs: [
    col("TimeGenerated", "datetime"),
    col("OperationName"),
    col("OperationVersion"),
    col("ResultType"),
    col("ResultSignature"),
    col("ResultDescription"),
    col("DurationMs", "int"),
    col("CallerIpAddress"),
    col("CorrelationId"),
    col("Identity", "dynamic"),
    col("HttpStatusCode", "int"),
    col("RequestUri"),
    col("ClientInfo"),
    col("Properties", "dynamic"),
    col("Category"),
    ...STANDARD,
  ],
};

/** The table a record lands in, given the HSM's kind and the setting that carries it. */
export function tableFor(hsm: Hsm, setting: DiagnosticSetting): string | undefined {
  return auditTableOf(hsm.kind, setting.logAnalyticsDestinationType);
}

const OPCODES: Record<string, string> = {
  CN_LOGIN: "0xd",
  CN_LOGOUT: "0xe",
  CN_AUTHORIZE_SESSION: "0x67",
  CN_GENERATE_KEY: "0x20",
  CN_GENERATE_KEY_PAIR: "0x19",
  CN_SHARE_OBJECT: "0x1f",
  CN_TOMBSTONE_OBJECT: "0x1a",
  CN_CREATE_USER: "0x3",
  CN_DELETE_USER: "0x4",
  CN_CHANGE_PSWD: "0x5",
  HASH_SINGLE_CALL: "0x92",
};

function cloudHsmRow(hsm: Hsm, r: ActivityRecord, index: number): Record<string, unknown> {
  const nodes = Array.isArray(hsm.properties.hsms) ? (hsm.properties.hsms as { fqdn?: string }[]) : [];
  const node = nodes.length ? nodes[index % nodes.length]?.fqdn : undefined;
  return {
    TimeGenerated: r.time,
    OperationName: r.operation,
    Opcode: OPCODES[r.operation] ?? "",
    CallerIpAddress: r.caller ?? "",
    ClientInfo: "azcloudhsm_client/2.0.0.2",
    ClusterType: "HSM",
    HsmInstance: node ?? `${hsm.name}-hsm1`,
    DurationMs: r.durationMs ?? 3,
    // Cloud HSM cannot tell success from failure (the operation runs inside the inner TLS channel).
    ResultType: r.resultType ?? "",
    ResultSignature: "",
    ResultDescription: "",
    MemberId: "",
    PoolType: "",
  };
}

function requestUri(hsm: Hsm, r: ActivityRecord): string {
  const base = String(hsm.properties.hsmUri ?? `https://${hsm.name}.managedhsm.azure.net/`).replace(/\/$/, "");
  const op = r.operation;
  if (op.startsWith("Key"))
    return `${base}/keys/${typeof r.fields?.key === "string" ? r.fields.key : "payments-kek"}?api-version=7.5`;
  if (op.startsWith("RoleAssignment"))
    return `${base}/providers/Microsoft.Authorization/roleAssignments?api-version=7.5`;
  if (op.startsWith("RoleDefinition"))
    return `${base}/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5`;
  if (op.startsWith("SecurityDomain")) return `${base}/securitydomain/download?api-version=7.5`;
  if (op.startsWith("Backup")) return `${base}/backup?api-version=7.5`;
  if (op.startsWith("Restore")) return `${base}/restore?api-version=7.5`;
  return `${base}/?api-version=7.5`;
}

function signature(status: number): string {
  const names: Record<number, string> = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
  };
  return names[status] ?? String(status);
}

/** A stable GUID-shaped id per record, so that the same estate always yields the same rows. */
function correlationId(resourceId: string, index: number): string {
  const h = createHash("sha256").update(`${resourceId.toLowerCase()}#${index}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function managedHsmFields(hsm: Hsm, r: ActivityRecord, index: number) {
  const status = r.httpStatusCode ?? (r.resultType && r.resultType !== "Success" ? 403 : 200);
  const resultType = r.resultType ?? (status < 400 ? "Success" : "Failure");
  return {
    status,
    uri: requestUri(hsm, r),
    upn: r.identity ?? "",
    /** The columns both Managed HSM tables name alike. */
    columns: {
      OperationName: r.operation,
      OperationVersion: "7.5",
      ResultType: resultType,
      ResultSignature: signature(status),
      ResultDescription: "",
      DurationMs: r.durationMs ?? 12,
      CorrelationId: correlationId(hsm.id, index),
    },
  };
}

function azureDiagnosticsRow(hsm: Hsm, r: ActivityRecord, index: number): Record<string, unknown> {
  const f = managedHsmFields(hsm, r, index);
  return {
    TimeGenerated: r.time,
    ResourceId: hsm.id.toUpperCase(),
    Category: "AuditEvent",
    ResourceGroup: hsm.resourceGroup.toUpperCase(),
    SubscriptionId: hsm.subscriptionId,
    ResourceProvider: "MICROSOFT.KEYVAULT",
    Resource: hsm.name.toUpperCase(),
    ResourceType: "MANAGEDHSMS",
    ...f.columns,
    CallerIPAddress: r.caller ?? "",
    requestUri_s: f.uri,
    httpStatusCode_d: f.status,
    identity_claim_upn_s: f.upn,
    identity_claim_appid_g: "",
    clientInfo_s: "azsdk-js-keyvault-keys/4.9.0",
  };
}

function azkvRow(hsm: Hsm, r: ActivityRecord, index: number): Record<string, unknown> {
  const f = managedHsmFields(hsm, r, index);
  return {
    TimeGenerated: r.time,
    ...f.columns,
    CallerIpAddress: r.caller ?? "",
    Identity: f.upn ? { claim: { upn: f.upn } } : null,
    HttpStatusCode: f.status,
    RequestUri: f.uri,
    ClientInfo: "azsdk-js-keyvault-keys/4.9.0",
    Properties: { PoolType: "M-HSM", sku_Family: "B", sku_Name: hsm.sku },
    Category: "AuditEvent",
  };
}

/** Builds every workspace's tables once; each table keeps its rows sorted by TimeGenerated. */
export function buildWorkspaceTables(estate: Estate): Map<string, Map<string, KqlTable>> {
  const byWorkspaceId = new Map<string, Map<string, KqlTable>>();
  const workspaces: Workspace[] = estate.subscriptions.flatMap((s) => s.workspaces);
  const tablesOf = (w: Workspace) => {
    let tables = byWorkspaceId.get(w.id.toLowerCase());
    if (!tables) {
      tables = new Map();
      byWorkspaceId.set(w.id.toLowerCase(), tables);
    }
    return tables;
  };
  const ensure = (w: Workspace, name: string): KqlTable => {
    const tables = tablesOf(w);
    let table = tables.get(name);
    if (!table) {
      table = { name, columns: TABLE_SCHEMAS[name] ?? [col("TimeGenerated", "datetime")], rows: [] };
      tables.set(name, table);
    }
    return table;
  };
  for (const w of workspaces) {
    tablesOf(w);
    for (const name of w.tables) ensure(w, name);
    for (const { table, row } of w.records) addRow(ensure(w, table), withStandardColumns(row, table, w, undefined));
  }
  for (const hsm of estate.subscriptions.flatMap((s) => s.hsms)) {
    if (hsm.kind === "dedicatedHsm") continue;
    const category = AUDIT_CATEGORY[hsm.kind];
    for (const setting of hsm.diagnosticSettings) {
      if (!setting.workspaceId || !settingCarries(hsm, setting, category)) continue;
      const workspace = workspaces.find((w) => armIdKey(w.id) === armIdKey(setting.workspaceId!));
      const tableName = tableFor(hsm, setting);
      if (!workspace || !tableName) continue;
      const table = ensure(workspace, tableName);
      hsm.activity.forEach((record, i) => {
        const row =
          hsm.kind === "cloudHsm"
            ? cloudHsmRow(hsm, record, i)
            : tableName === "AZKVAuditLogs"
              ? azkvRow(hsm, record, i)
              : azureDiagnosticsRow(hsm, record, i);
        addRow(table, withStandardColumns({ ...row, ...(record.fields ?? {}) }, tableName, workspace, hsm));
      });
    }
  }
  for (const tables of byWorkspaceId.values()) {
    for (const table of tables.values()) {
      table.rows.sort((a, b) => (a.TimeGenerated as Date).getTime() - (b.TimeGenerated as Date).getTime());
    }
  }
  return byWorkspaceId;
}

/** Adds a row, and a column for each of its keys the table does not have yet (typed from the value). */
function addRow(table: KqlTable, row: Record<string, unknown>): void {
  for (const key of Object.keys(row)) {
    if (!table.columns.some((c) => c.name === key)) {
      table.columns = [...table.columns, col(key, key === "TimeGenerated" ? "datetime" : inferType(row[key]))];
    }
  }
  table.rows.push(row);
}

function withStandardColumns(
  row: Record<string, unknown>,
  table: string,
  workspace: Workspace,
  hsm: Hsm | undefined,
): Record<string, unknown> {
  return {
    TenantId: workspace.customerId,
    SourceSystem: "Azure",
    Type: table,
    // Log Analytics stores _ResourceId lower-cased; clients must compare ARM ids case-insensitively.
    _ResourceId: hsm ? hsm.id.toLowerCase() : "",
    _SubscriptionId: hsm ? hsm.subscriptionId : "",
    ...row,
  };
}

function inferType(value: unknown): KqlType {
  if (typeof value === "number") return Number.isInteger(value) ? "long" : "real";
  if (typeof value === "boolean") return "bool";
  if (value instanceof Date) return "datetime";
  if (value !== null && typeof value === "object") return "dynamic";
  return "string";
}

/** Merged tables of a set of workspaces, made once per set and table (the estate's tables do not change). */
const mergedTables = new WeakMap<Map<string, KqlTable>, Map<string, KqlTable | undefined>>();

/** A database over several sources' tables (a cross-workspace or resource-centric query), rows optionally filtered. */
export function databaseOf(
  sources: Map<string, KqlTable>[],
  keep?: (row: Record<string, unknown>) => boolean,
): KqlDatabase {
  if (sources.length === 1 && !keep) return { table: (name) => sources[0]!.get(name) };
  const cacheKey = !keep && sources.length > 1 ? `${sources.map(sourceId).join(",")}` : undefined;
  return {
    table(name: string): KqlTable | undefined {
      if (cacheKey) {
        const cache = mergedTables.get(sources[0]!) ?? new Map<string, KqlTable | undefined>();
        mergedTables.set(sources[0]!, cache);
        const key = `${cacheKey}|${name}`;
        if (!cache.has(key)) cache.set(key, merge(name));
        return cache.get(key);
      }
      return merge(name);
    },
  };

  function merge(name: string): KqlTable | undefined {
    const found = sources.map((s) => s.get(name)).filter((t): t is KqlTable => t !== undefined);
    if (found.length === 0) return undefined;
    const rows = found.flatMap((t) => t.rows);
    const filtered = keep ? rows.filter(keep) : rows;
    if (found.length > 1)
      filtered.sort((a, b) => (a.TimeGenerated as Date).getTime() - (b.TimeGenerated as Date).getTime());
    // A table has the columns its records brought in each workspace (AzureDiagnostics above all): across
    // workspaces, the union of them, as Log Analytics merges a cross-workspace table.
    const columns = [...found[0]!.columns];
    const known = new Set(columns.map((c) => c.name));
    for (const table of found.slice(1)) {
      for (const column of table.columns) {
        if (!known.has(column.name)) {
          known.add(column.name);
          columns.push(column);
        }
      }
    }
    return { name, columns, rows: filtered };
  }
}

const sourceIds = new WeakMap<object, number>();
let nextSourceId = 0;
function sourceId(source: object): number {
  let id = sourceIds.get(source);
  if (id === undefined) sourceIds.set(source, (id = nextSourceId++));
  return id;
}
