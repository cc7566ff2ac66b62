// Builders for Snapshot fixtures, so that engine tests read as specifications: an HSM with a setting that sends its
// audit category to a workspace that keeps 400 days, and so on. Every fact carries an evidence id (as collection
// records one for every exchange), and `snapshot()` lists an evidence record for each id the facts cite.
import type {
  ActivityRows,
  ActivityLogRead,
  SettingEvent,
  ActivitySample,
  ArchiveArrival,
  CollectionError,
  DiagnosticCategory,
  DiagnosticSetting,
  EvidenceRecord,
  Fact,
  HsmFacts,
  HsmKind,
  LifecycleRule,
  LogContainer,
  LogSample,
  LogSampleRow,
  LogSetting,
  ManagementGroupScope,
  Snapshot,
  StorageAccountFacts,
  StorageAccountProperties,
  SubscriptionFacts,
  WorkspaceFacts,
} from "../../src/model/snapshot.js";
import { createHash } from "node:crypto";
import { HSM_TYPES } from "../../src/domain/hsm-kinds.js";
import type { Target } from "../../src/engine/check.js";

export const SUBSCRIPTION_ID = "11111111-2222-3333-4444-555555555555";
export const OTHER_SUBSCRIPTION_ID = "99999999-8888-7777-6666-555555555555";

/** A Log Analytics workspace id, in the mixed case ARM returns. */
export const workspaceId = (name: string, subscriptionId = SUBSCRIPTION_ID) =>
  `/subscriptions/${subscriptionId}/resourceGroups/RG-Logs/providers/Microsoft.OperationalInsights/workspaces/${name}`;
export const storageAccountId = (name: string, subscriptionId = SUBSCRIPTION_ID) =>
  `/subscriptions/${subscriptionId}/resourceGroups/RG-Logs/providers/Microsoft.Storage/storageAccounts/${name}`;
export const eventHubRuleId = (namespace: string, subscriptionId = SUBSCRIPTION_ID) =>
  `/subscriptions/${subscriptionId}/resourceGroups/RG-Logs/providers/Microsoft.EventHub/namespaces/${namespace}/authorizationRules/RootManageSharedAccessKey`;

export const WORKSPACE = workspaceId("law-audit");
export const STORAGE = storageAccountId("staudit");
export const EVENT_HUB_RULE = eventHubRuleId("eh-audit");

let nextEvidence = 0;
/** A fresh evidence id; give one explicitly (`known(v, "ev-settings")`) when a test asserts on it. */
export function evidenceId(): string {
  nextEvidence += 1;
  return `ev-${String(nextEvidence).padStart(4, "0")}`;
}

const ids = (evidence: string | string[] | undefined) =>
  evidence === undefined ? [evidenceId()] : typeof evidence === "string" ? [evidence] : evidence;

/** A fact that was read, with the evidence behind it (a fresh evidence id unless given; `[]` for none). */
export function known<T>(value: T, evidence?: string | string[]): Fact<T> {
  return { value, evidence: ids(evidence) };
}

/** A fact that could not be read: what Azure (or the network) said. */
export function failed(
  message: string,
  status?: number,
  options: { code?: string; evidence?: string | string[] } = {},
): { error: CollectionError; evidence: string[] } {
  const error: CollectionError = { message };
  if (status !== undefined) error.status = status;
  if (options.code !== undefined) error.code = options.code;
  return { error, evidence: ids(options.evidence) };
}

const isFact = (value: unknown): value is Fact<unknown> =>
  typeof value === "object" && value !== null && "evidence" in value && ("value" in value || "error" in value);

// --- diagnostic settings --------------------------------------------------------------------------------------------

/** An enabled (unless said otherwise) log entry naming a category. */
export function category(name: string, enabled = true): LogSetting {
  return { category: name, enabled };
}

/** An enabled (unless said otherwise) log entry naming a category group (`allLogs`, `audit`). */
export function group(name: string, enabled = true): LogSetting {
  return { categoryGroup: name, enabled };
}

export interface SettingSpec {
  name?: string;
  /** The log entries; or use `category` / `group` for a single enabled entry. */
  logs?: LogSetting[];
  category?: string;
  group?: string;
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  marketplacePartnerId?: string;
}

/** A diagnostic setting. With no destination given, it has none. */
export function setting(spec: SettingSpec = {}): DiagnosticSetting {
  const name = spec.name ?? "audit-trail";
  const logs = [
    ...(spec.logs ?? []),
    ...(spec.category !== undefined ? [category(spec.category)] : []),
    ...(spec.group !== undefined ? [group(spec.group)] : []),
  ];
  const result: DiagnosticSetting = {
    id: `/providers/microsoft.insights/diagnosticSettings/${name}`,
    name,
    logs,
  };
  if (spec.workspaceId !== undefined) {
    result.workspaceId = spec.workspaceId;
    result.logAnalyticsDestinationType = "Dedicated";
  }
  if (spec.storageAccountId !== undefined) result.storageAccountId = spec.storageAccountId;
  if (spec.eventHubAuthorizationRuleId !== undefined)
    result.eventHubAuthorizationRuleId = spec.eventHubAuthorizationRuleId;
  if (spec.eventHubName !== undefined) result.eventHubName = spec.eventHubName;
  if (spec.marketplacePartnerId !== undefined) result.marketplacePartnerId = spec.marketplacePartnerId;
  return result;
}

/** What the diagnostic settings categories API lists for a resource: a category and the groups it belongs to. */
export function categoryInfo(name: string, groups: string[]): DiagnosticCategory {
  return { name, categoryType: "Logs", categoryGroups: groups };
}

// --- HSMs -----------------------------------------------------------------------------------------------------------

export interface HsmSpec {
  name?: string;
  /** Defaults to the ARM id built from subscription, group and name. */
  id?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  sku?: string;
  /** The settings as read (an array becomes a known fact), or a `failed(...)` read; omitted: none set. */
  settings?: DiagnosticSetting[] | Fact<DiagnosticSetting[]>;
  /** What the categories API lists (an array becomes a known fact), or a `failed(...)` read; omitted: not read. */
  categories?: DiagnosticCategory[] | Fact<DiagnosticCategory[]>;
}

const PROVIDER_PATH: Record<HsmKind, string> = {
  cloudHsm: "Microsoft.HardwareSecurityModules/cloudHsmClusters",
  managedHsm: "Microsoft.KeyVault/managedHSMs",
  dedicatedHsm: "Microsoft.HardwareSecurityModules/dedicatedHSMs",
};

function hsm(kind: HsmKind, defaultName: string, spec: HsmSpec): HsmFacts {
  const subscriptionId = spec.subscriptionId ?? SUBSCRIPTION_ID;
  const resourceGroup = spec.resourceGroup ?? "RG-Hsm";
  const name = spec.name ?? defaultName;
  const facts: HsmFacts = {
    id:
      spec.id ??
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${PROVIDER_PATH[kind]}/${name}`,
    type: HSM_TYPES[kind].type,
    kind,
    name,
    subscriptionId,
    resourceGroup,
    location: spec.location ?? "westeurope",
    provisioningState: "Succeeded",
  };
  if (spec.sku !== undefined) facts.sku = spec.sku;
  if (kind !== "dedicatedHsm") {
    const settings = spec.settings ?? [];
    facts.diagnosticSettings = isFact(settings) ? (settings as Fact<DiagnosticSetting[]>) : known(settings);
  }
  if (spec.categories !== undefined) {
    facts.categories = isFact(spec.categories)
      ? (spec.categories as Fact<DiagnosticCategory[]>)
      : known(spec.categories);
  }
  return facts;
}

/** An Azure Cloud HSM cluster (audit category `HsmServiceOperations`). */
export const cloudHsm = (spec: HsmSpec = {}) => hsm("cloudHsm", "Chsm-Payments", spec);
/** A Key Vault Managed HSM (audit category `AuditEvent`). */
export const managedHsm = (spec: HsmSpec = {}) => hsm("managedHsm", "Mhsm-Keys", spec);
/** An Azure Dedicated HSM (Luna appliance; no diagnostic settings). */
export const dedicatedHsm = (spec: Omit<HsmSpec, "settings" | "categories"> = {}) =>
  hsm("dedicatedHsm", "Dhsm-Luna", { sku: "SafeNet Luna Network HSM A790", ...spec });

// --- subscriptions --------------------------------------------------------------------------------------------------

export interface SubscriptionSpec {
  subscriptionId?: string;
  displayName?: string;
  /** A registration state (a known fact), a fact (e.g. `failed(...)`), or `null` for not collected. */
  provider?: string | Fact<{ registrationState: string }> | null;
  /** Per kind: a count (a known fact) or a fact. Kinds left out are read and hold nothing. */
  inventory?: Partial<Record<HsmKind, number | Fact<{ count: number }>>>;
}

export function subscription(spec: SubscriptionSpec = {}): SubscriptionFacts {
  const facts: SubscriptionFacts = {
    subscriptionId: spec.subscriptionId ?? SUBSCRIPTION_ID,
    inventory: {
      cloudHsm: inventoryFact(spec.inventory?.cloudHsm),
      managedHsm: inventoryFact(spec.inventory?.managedHsm),
      dedicatedHsm: inventoryFact(spec.inventory?.dedicatedHsm),
    },
  };
  if (spec.displayName !== undefined) facts.displayName = spec.displayName;
  const provider = spec.provider === undefined ? "Registered" : spec.provider;
  if (typeof provider === "string") facts.insightsProvider = known({ registrationState: provider });
  else if (provider !== null) facts.insightsProvider = provider;
  return facts;
}

function inventoryFact(entry: number | Fact<{ count: number }> | undefined): Fact<{ count: number }> {
  return typeof entry === "object" ? entry : known({ count: entry ?? 0 });
}

// --- destinations ---------------------------------------------------------------------------------------------------

export interface WorkspaceSpec {
  /** False: ARM answered 404. */
  exists?: boolean;
  reason?: string;
  /** Omitted for a workspace whose answer has no retention. */
  retentionInDays?: number;
  customerId?: string;
}

/** A workspace as read (`{ retentionInDays: 400 }`), or a `failed(...)` read. */
export function workspace(id: string, spec: WorkspaceSpec | Fact<never> = {}): WorkspaceFacts {
  if (isFact(spec)) return { id, info: spec };
  if (spec.exists === false) {
    return { id, info: known({ exists: false as const, reason: spec.reason ?? "ResourceNotFound (404)" }) };
  }
  const info: { exists: true; customerId: string; retentionInDays?: number } = {
    exists: true,
    customerId: spec.customerId ?? "0a1b2c3d-0000-4000-8000-00000000c0de",
  };
  if (spec.retentionInDays !== undefined) info.retentionInDays = spec.retentionInDays;
  return { id, info: known(info) };
}

/** A storage account as read (`{ exists: false }` for a 404), or a `failed(...)` read. */
export function storageAccount(id: string, spec: { exists?: boolean; reason?: string } | Fact<never> = {}) {
  if (isFact(spec)) return { id, info: spec } satisfies StorageAccountFacts;
  const info =
    spec.exists === false
      ? known({ exists: false as const, reason: spec.reason ?? "StorageAccountNotFound (404)" })
      : known({ exists: true as const, kind: "StorageV2", location: "westeurope" });
  return { id, info } satisfies StorageAccountFacts;
}

export interface ArchiveSpec {
  /** Overrides of a secure account in West Europe (TLS 1.2, no public access, Standard_LRS). */
  properties?: Partial<Omit<StorageAccountProperties, "exists">>;
  containers?: LogContainer[] | Fact<never>;
  /** The lifecycle rules; `null` (the default) for an account without a lifecycle policy. */
  lifecycle?: LifecycleRule[] | null | Fact<never>;
  arrivals?: ArchiveArrival[];
}

/** A storage account that archives audit logs, as collection reads it (control plane and data plane). */
export function archiveAccount(id: string, spec: ArchiveSpec = {}): StorageAccountFacts {
  const properties: StorageAccountProperties = {
    exists: true,
    location: "westeurope",
    kind: "StorageV2",
    sku: "Standard_LRS",
    skuTier: "Standard",
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    blobEndpoint: "https://staudit.blob.core.windows.net/",
    ...spec.properties,
  };
  const containers = spec.containers ?? [];
  const lifecycle = spec.lifecycle ?? null;
  return {
    id,
    info: known(properties),
    containers: isFact(containers) ? containers : known(containers),
    lifecycle: isFact(lifecycle)
      ? lifecycle
      : known(lifecycle === null ? { policy: false, rules: [] } : { policy: true, rules: lifecycle }),
    arrivals: spec.arrivals ?? [],
  };
}

/** A lifecycle rule that deletes current blobs `days` after their last modification. */
export function deleteRule(name: string, days: number, prefixMatch: string[] = [], enabled = true): LifecycleRule {
  return {
    name,
    enabled,
    prefixMatch,
    blobTypes: ["blockBlob", "appendBlob"],
    deletes: [{ target: "baseBlob", after: "modification", days }],
  };
}

type ArrivalValue = Extract<ArchiveArrival["result"], { value: unknown }>["value"];

/** What the data plane showed of one HSM's archived category: the newest hour (or none), or a failed read. */
export function arrival(hsmFacts: HsmFacts, category: string, result: ArrivalValue | Fact<never>): ArchiveArrival {
  return {
    hsmId: hsmFacts.id,
    category,
    container: `insights-logs-${category.toLowerCase()}`,
    prefix: `resourceId=/${hsmFacts.id.slice(1).toUpperCase()}/`,
    result: isFact(result) ? result : known(result),
  };
}

/** The newest archived hour of an HSM, with a first record of it and the category (unless said otherwise). */
export function newestHour(
  hsmFacts: HsmFacts,
  category: string,
  hour: string,
  overrides: Partial<NonNullable<ArrivalValue["newest"]>> = {},
): ArrivalValue {
  return {
    daysListed: [
      `resourceId=/${hsmFacts.id.slice(1).toUpperCase()}/y=${hour.slice(0, 4)}/m=${hour.slice(5, 7)}/d=${hour.slice(8, 10)}/`,
    ],
    newest: {
      name: `resourceId=/${hsmFacts.id.slice(1).toUpperCase()}/y=${hour.slice(0, 4)}/m=${hour.slice(5, 7)}/d=${hour.slice(8, 10)}/h=${hour.slice(11, 13)}/m=00/PT1H.json`,
      hour,
      format: "jsonLines",
      record: { resourceId: hsmFacts.id.toUpperCase(), category, time: hour, operationName: "KeyGet" },
      ...overrides,
    },
  };
}

/** A workspace whose audit tables were read: each named table exists with its own retention (total, in days). */
export function withTables(
  facts: WorkspaceFacts,
  tables: Record<string, number | "absent" | { interactive: number; total: number; asDefault?: boolean }> | Fact<never>,
): WorkspaceFacts {
  if (isFact(tables)) return { ...facts, tables };
  return {
    ...facts,
    tables: known(
      Object.entries(tables).map(([name, days]) =>
        days === "absent"
          ? { name, exists: false }
          : typeof days === "number"
            ? { name, exists: true, retentionInDays: days, totalRetentionInDays: days, retentionInDaysAsDefault: false }
            : {
                name,
                exists: true,
                retentionInDays: days.interactive,
                totalRetentionInDays: days.total,
                retentionInDaysAsDefault: days.asDefault ?? false,
              },
      ),
    ),
  };
}

// --- log samples ----------------------------------------------------------------------------------------------------

/** A row of the summarised audit query: `_ResourceId` is stored lower-cased by the workspace. */
export function row(hsmFacts: HsmFacts | string, records: number): LogSampleRow {
  const id = typeof hsmFacts === "string" ? hsmFacts : hsmFacts.id;
  return { hsmId: id.toLowerCase(), records, lastRecord: "2025-06-07T11:59:00Z" };
}

/**
 * The audit query of one workspace: its rows (`{ rows, partial }`, with `partial` the message of a partial failure)
 * or a `failed(...)` query.
 */
export function sample(
  workspace: string,
  result: { rows: LogSampleRow[]; partial?: string } | Fact<never>,
  hsmIds: string[] = [],
): LogSample {
  const value: { rows: LogSampleRow[]; partial?: CollectionError } | undefined = isFact(result)
    ? undefined
    : { rows: result.rows };
  if (value && !isFact(result) && result.partial !== undefined) value.partial = { message: result.partial };
  return {
    workspaceId: workspace,
    customerId: "0a1b2c3d-0000-4000-8000-00000000c0de",
    hsmIds,
    query: "union isfuzzy=true AZKVAuditLogs | summarize count() by _ResourceId",
    result: value ? known(value) : (result as Fact<never>),
  };
}

// --- activity -------------------------------------------------------------------------------------------------------

const QUESTIONS = ["operations", "callers", "series", "sensitive", "keyGets", "failures"] as const;

/**
 * The activity questions of one workspace: the rows given per question (others answered with no row), the
 * questions that failed (`failed`) or came back in part (`partial`).
 */
export function activity(
  workspace: string,
  hsms: HsmFacts[],
  rows: Partial<ActivityRows>,
  options: { failed?: (keyof ActivityRows)[]; partial?: (keyof ActivityRows)[]; bin?: "1h" | "1d" } = {},
): ActivitySample {
  const questions = Object.fromEntries(
    QUESTIONS.map((q) => [
      q,
      {
        query: `// the ${q} question`,
        result: options.failed?.includes(q)
          ? failed(`could not read the ${q}: HTTP 403 InsufficientAccessError`, 403)
          : known({
              rows: (rows[q] ?? []) as unknown[],
              ...(options.partial?.includes(q) ? { partial: { message: "the query failed in part" } } : {}),
            }),
      },
    ]),
  ) as unknown as ActivitySample["questions"];
  return { workspaceId: workspace, hsmIds: hsms.map((h) => h.id), bin: options.bin ?? "1h", questions };
}

/** A workspace with Sentinel onboarded (or not), holding the given analytic rules. */
export function sentinelWorkspace(
  id: string,
  sentinel:
    { onboarded: boolean; rules?: { name: string; enabled?: boolean; query?: string; kind?: string }[] } | Fact<never>,
): WorkspaceFacts {
  const base = workspace(id, { retentionInDays: 400 });
  if (isFact(sentinel)) return { ...base, sentinel };
  return {
    ...base,
    sentinel: known({
      onboarded: sentinel.onboarded,
      rules: (sentinel.rules ?? []).map((r) => ({
        name: r.name,
        displayName: r.name,
        kind: r.kind ?? "Scheduled",
        enabled: r.enabled ?? true,
        ...(r.query !== undefined ? { query: r.query } : {}),
      })),
    }),
  };
}

// --- the snapshot ---------------------------------------------------------------------------------------------------

export interface SnapshotSpec {
  /** Omitted: one subscription per subscription id of the HSMs, with every list read and counted. */
  subscriptions?: SubscriptionFacts[];
  hsms?: HsmFacts[];
  workspaces?: WorkspaceFacts[];
  storageAccounts?: StorageAccountFacts[];
  logSamples?: LogSample[];
  activitySamples?: ActivitySample[];
  activityLogs?: ActivityLogRead[];
  subscriptionList?: Fact<{ count: number }>;
  /** The management groups the scan was scoped to (`scope.managementGroups`). */
  managementGroups?: ManagementGroupScope[];
  errors?: Snapshot["errors"];
}

/**
 * The Activity Log of a resource group read over the fixtures' whole window, every page: 40 events, none on a
 * diagnostic setting unless given.
 */
export function activityLogRead(
  spec: { resourceGroup?: string; subscriptionId?: string; settingEvents?: SettingEvent[] } = {},
): ActivityLogRead {
  const resourceGroup = spec.resourceGroup ?? "RG-Hsm";
  const start = "2025-06-01T12:00:00.000Z";
  const end = "2025-06-08T12:00:00.000Z";
  return {
    subscriptionId: spec.subscriptionId ?? SUBSCRIPTION_ID,
    resourceGroup,
    start,
    end,
    filter: `eventTimestamp ge '${start}' and eventTimestamp le '${end}' and resourceGroupName eq '${resourceGroup}'`,
    result: known(
      { events: 40, settingEvents: spec.settingEvents ?? [], outside: 0 },
      `ev-activity-log-${resourceGroup}`,
    ),
  };
}

export const LOG_WINDOW = { duration: "P7D", start: "2025-06-01T12:00:00.000Z", end: "2025-06-08T12:00:00.000Z" };

export function snapshot(spec: SnapshotSpec = {}): Snapshot {
  const hsms = spec.hsms ?? [];
  const subscriptions =
    spec.subscriptions ??
    [...new Set(hsms.map((h) => h.subscriptionId))].map((subscriptionId) =>
      subscription({
        subscriptionId,
        inventory: {
          cloudHsm: hsms.filter((h) => h.subscriptionId === subscriptionId && h.kind === "cloudHsm").length,
          managedHsm: hsms.filter((h) => h.subscriptionId === subscriptionId && h.kind === "managedHsm").length,
          dedicatedHsm: hsms.filter((h) => h.subscriptionId === subscriptionId && h.kind === "dedicatedHsm").length,
        },
      }),
    );
  const result: Snapshot = {
    schemaVersion: 1,
    kind: "hsm-audit-snapshot",
    tool: { name: "hsm-audit", version: "0.0.0-test" },
    startedAt: "2025-06-08T12:00:00.000Z",
    finishedAt: "2025-06-08T12:00:05.000Z",
    scope: {
      cloud: "AzureCloud",
      subscriptions: subscriptions.map((s) => s.subscriptionId),
      armEndpoint: "https://management.azure.com",
      logsEndpoint: "https://api.loganalytics.io",
      ...(spec.managementGroups ? { managementGroups: spec.managementGroups } : {}),
    },
    logWindow: { ...LOG_WINDOW },
    subscriptions,
    hsms,
    workspaces: spec.workspaces ?? [],
    storageAccounts: spec.storageAccounts ?? [],
    logSamples: spec.logSamples ?? [],
    ...(spec.activitySamples ? { activitySamples: spec.activitySamples } : {}),
    ...(spec.activityLogs ? { activityLogs: spec.activityLogs } : {}),
    errors: spec.errors ?? [],
    evidence: [],
  };
  if (spec.subscriptionList !== undefined) result.subscriptionList = spec.subscriptionList;
  result.evidence = evidenceRecords(result);
  return result;
}

/** One evidence record per evidence id that a fact cites: 200 for a read, the error's status for a failed one. */
function evidenceRecords(value: unknown, records = new Map<string, EvidenceRecord>()): EvidenceRecord[] {
  if (Array.isArray(value)) {
    for (const item of value) evidenceRecords(item, records);
  } else if (typeof value === "object" && value !== null) {
    if (isFact(value)) {
      const status = "error" in value ? (value.error.status ?? 0) : 200;
      for (const id of value.evidence) {
        if (!records.has(id)) records.set(id, record(id, status));
      }
    }
    for (const child of Object.values(value)) evidenceRecords(child, records);
  }
  return [...records.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

function record(id: string, status: number): EvidenceRecord {
  return {
    id,
    method: "GET",
    url: `https://management.azure.com/evidence/${id}`,
    status,
    capturedAt: "2025-06-08T12:00:01.000Z",
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    durationMs: 12,
    purpose: `test fixture ${id}`,
  };
}

// --- targets --------------------------------------------------------------------------------------------------------

export const hsmTarget = (facts: HsmFacts): Target => ({ scope: "hsm", hsm: facts, resourceId: facts.id });
export const subscriptionTarget = (facts: SubscriptionFacts): Target => ({
  scope: "subscription",
  subscription: facts,
  resourceId: `/subscriptions/${facts.subscriptionId}`,
});
export const tenantTarget = (): Target => ({ scope: "tenant", resourceId: "/subscriptions" });

// --- sealing: bodies behind the facts -------------------------------------------------------------------------------

/**
 * The snapshot with evidence records whose bodies say what its facts say, as a scan would have saved them, so that
 * `hsm-audit evaluate` (which re-derives the facts from the bodies) accepts it. Covers the facts these fixtures use
 * through the CLI: the Microsoft.Insights registration, diagnostic settings and their categories.
 */
export function sealed(input: Snapshot): Snapshot {
  const s = structuredClone(input);
  const ARM = "https://management.azure.com";
  let n = 0;
  const seal = (fact: Fact<unknown> | undefined, path: string, body: unknown) => {
    if (!fact || !("value" in fact)) return;
    const id = `ev-sealed-${String(++n).padStart(4, "0")}`;
    const text = JSON.stringify(body);
    s.evidence.push({
      id,
      method: "GET",
      url: `${ARM}${path}?api-version=2021-05-01-preview`,
      status: 200,
      capturedAt: s.startedAt,
      sha256: createHash("sha256").update(text, "utf8").digest("hex"),
      durationMs: 1,
      purpose: `sealed ${path}`,
      body: text,
    });
    fact.evidence = [id];
  };
  for (const sub of s.subscriptions) {
    const provider = sub.insightsProvider;
    if (provider && "value" in provider)
      seal(provider, `/subscriptions/${sub.subscriptionId}/providers/Microsoft.Insights`, {
        namespace: "Microsoft.Insights",
        registrationState: provider.value.registrationState,
      });
  }
  for (const hsm of s.hsms) {
    const settings = hsm.diagnosticSettings;
    if (settings && "value" in settings)
      seal(settings, `${hsm.id}/providers/Microsoft.Insights/diagnosticSettings`, {
        value: settings.value.map(({ id, name, logs, ...destinations }) => ({
          id,
          name,
          properties: {
            ...destinations,
            logs: logs.map(({ retentionDays, ...log }) => ({
              ...log,
              ...(retentionDays !== undefined ? { retentionPolicy: { enabled: true, days: retentionDays } } : {}),
            })),
          },
        })),
      });
    const categories = hsm.categories;
    if (categories && "value" in categories)
      seal(categories, `${hsm.id}/providers/Microsoft.Insights/diagnosticSettingsCategories`, {
        value: categories.value.map(({ name, ...properties }) => ({ name, properties })),
      });
  }
  s.evidence.sort((a, b) => (a.id < b.id ? -1 : 1));
  return s;
}

/** The Luna appliance behind a Dedicated HSM, one aspect each (appliance-audit-evidence is their roll-up). */
export const APPLIANCE_IDS = [
  "appliance-audit-role",
  "appliance-audit-events",
  "appliance-audit-offload",
  "appliance-remote-audit",
  "appliance-remote-syslog",
  "appliance-time-sync",
  "appliance-no-tamper",
] as const;
