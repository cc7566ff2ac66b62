// The model of an estate the simulator serves (subscriptions, HSMs, workspaces, storage accounts, faults), as
// estate.ts resolves it from an estate file, with the lookups and rules of Azure the routes and the loader share.

import { DEFAULT_AUDIT_CATEGORIES, HSM_TYPES as DOMAIN_HSM_TYPES, type HsmKind } from "../domain/hsm-kinds.js";
import type { ApplianceState } from "./lunash-render.js";

export type { HsmKind };

/** The resource type of each kind, split as ARM routes name it, with the API version the simulator serves it at. */
const typeOf = (kind: HsmKind, apiVersion: string) => {
  const [namespace, type] = DOMAIN_HSM_TYPES[kind].type.split("/") as [string, string];
  return { namespace, type, apiVersion };
};
export const HSM_TYPES: Record<HsmKind, { namespace: string; type: string; apiVersion: string }> = {
  cloudHsm: typeOf("cloudHsm", "2025-03-31"),
  managedHsm: typeOf("managedHsm", "2026-02-01"),
  dedicatedHsm: typeOf("dedicatedHsm", "2021-11-30"),
};

/** The audit log category each monitored kind writes (DOMAIN.md §1). */
export const AUDIT_CATEGORY: Record<Exclude<HsmKind, "dedicatedHsm">, string> = {
  cloudHsm: DEFAULT_AUDIT_CATEGORIES.cloudHsm[0]!,
  managedHsm: DEFAULT_AUDIT_CATEGORIES.managedHsm[0]!,
};

export interface LogSetting {
  category?: string;
  categoryGroup?: string;
  enabled: boolean;
  retentionPolicy?: { enabled: boolean; days: number };
}

export interface DiagnosticSetting {
  name: string;
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  marketplacePartnerId?: string;
  serviceBusRuleId?: string;
  logAnalyticsDestinationType?: string;
  logs: LogSetting[];
  metrics: { category: string; enabled: boolean; timeGrain?: string }[];
}

export interface DiagnosticCategory {
  name: string;
  categoryType: "Logs" | "Metrics";
  categoryGroups: string[];
}

/** One audit record an HSM wrote, before it is routed to the tables its diagnostic settings feed. */
export interface ActivityRecord {
  time: Date;
  operation: string;
  caller?: string;
  identity?: string;
  resultType?: string;
  httpStatusCode?: number;
  durationMs?: number;
  fields?: Record<string, unknown>;
}

/** An administrative event of the Activity Log on one of an HSM's diagnostic settings. */
export interface SettingEvent {
  time: Date;
  operation: "write" | "delete";
  setting: string;
  status: "Started" | "Accepted" | "Succeeded" | "Failed";
  caller: string;
  correlationId?: string;
  /** The event's `resourceId` when the estate spells it (the setting's id otherwise). */
  resourceId?: string;
}

export interface ArmResource {
  id: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
}

export interface Hsm extends ArmResource {
  kind: HsmKind;
  sku: string;
  properties: Record<string, unknown>;
  diagnosticSettings: DiagnosticSetting[];
  categories: DiagnosticCategory[];
  activity: ActivityRecord[];
  /** Changes to its diagnostic settings, as the Activity Log records them. */
  settingEvents: SettingEvent[];
  /** The keys its data plane serves (Managed HSM only): the simulator makes their key pairs when first asked. */
  signingKeys?: SigningKeySpec[];
  /** Dedicated HSM only: the state of its Luna appliance, when the estate gives one (the LunaSH double serves it). */
  appliance?: ApplianceState;
}

/** A key of a Managed HSM, as the estate declares it (`signingKeys`). */
export interface SigningKeySpec {
  name: string;
  kty: "EC" | "RSA";
  /** EC only. */
  curve?: "P-256" | "P-384";
  /** How many versions the key has; the last is the current one. */
  versions: number;
  enabled: boolean;
  operations: string[];
}

export interface Workspace extends ArmResource {
  customerId: string;
  retentionInDays: number;
  sku: string;
  /** Tables that exist even when no record reaches them. */
  tables: string[];
  /** Raw rows given in the estate, with their table and time already resolved. */
  records: { table: string; row: Record<string, unknown> }[];
  /** Microsoft Sentinel on the workspace: absent or not onboarded, or onboarded with its analytic rules. */
  sentinel?: SentinelSetup;
  /** Retention set on single tables, by table name. */
  tableRetention: Record<string, { retentionInDays?: number; totalRetentionInDays?: number }>;
}

export interface StorageContainerSpec {
  name: string;
  legalHold?: boolean;
  immutabilityPolicy?: { days: number; state: "Locked" | "Unlocked"; allowProtectedAppendWrites?: boolean };
}

export interface SentinelSetup {
  onboarded: boolean;
  rules: { name: string; displayName: string; kind: string; enabled: boolean; query?: string }[];
}

export interface StorageAccount extends ArmResource {
  sku: string;
  kind: string;
  properties: Record<string, unknown>;
  /** Containers declared in the estate (the `insights-logs-*` containers of archived logs exist without it). */
  containers: StorageContainerSpec[];
  /** The lifecycle management policy (`properties.policy`), or undefined when the account has none. */
  lifecycle?: { rules: Record<string, unknown>[] };
  archive: {
    format: "jsonLines" | "records";
    /** Another blob service (Azurite) that holds the archive; the simulator serves it otherwise. */
    blobEndpoint?: string;
    dataAccess: "allowed" | "denied";
  };
}

export interface Subscription {
  subscriptionId: string;
  displayName: string;
  state: string;
  /**
   * What the scanning credential may read here: `read` (everything), `denied` (ARM answers 403 AuthorizationFailed
   * under it), `notFound` (ARM answers 404 SubscriptionNotFound, as for a subscription of another tenant). An unreadable
   * subscription is not in the subscription list and Resource Graph leaves its rows out without a word, as Azure does.
   */
  access: SubscriptionAccess;
  pageSize?: number;
  /** Namespace (lower-cased) -> registration state. */
  providers: Map<string, { namespace: string; registrationState: string }>;
  /**
   * Resource group (lower-cased) -> the permissions the credential has there, one entry per role assignment, as
   * `Microsoft.Authorization/permissions` lists them; a group not in the map gets `DEFAULT_PERMISSIONS`.
   */
  permissions: Map<string, PermissionEntry[]>;
  hsms: Hsm[];
  workspaces: Workspace[];
  storageAccounts: StorageAccount[];
}

export type SubscriptionAccess = "read" | "denied" | "notFound";

/** One entry of the permissions API's answer. */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
}

/** What the credential may do in a resource group the estate does not restrict: read everything (the Reader role). */
export const DEFAULT_PERMISSIONS: readonly PermissionEntry[] = [{ actions: ["*/read"], notActions: [] }];

/** A management group: the groups nested directly under it and the subscriptions placed directly under it. */
export interface ManagementGroup {
  /** Its id, as the estate spells it. */
  name: string;
  displayName: string;
  /** The lower-cased names of the groups nested directly under it, in the estate's order. */
  groups: string[];
  /** The (lower-cased) ids of the subscriptions directly under it, in the estate's order. */
  subscriptions: string[];
}

/** The display name Azure gives the tenant root group, whose id is the tenant's. */
export const ROOT_GROUP_DISPLAY_NAME = "Tenant Root Group";

export interface FaultSpec {
  route: string;
  match?: string;
  method?: "GET" | "POST";
  after?: number;
  times?: number;
  status?: number;
  /** With `status`: the error code of the answer, in place of the one the route family gives that status. */
  code?: string;
  retryAfter?: number;
  latencyMs?: number;
  drop?: boolean;
  truncate?: boolean;
  endlessNextLink?: boolean;
  partialError?: boolean;
}

export interface Estate {
  tenantId: string;
  /**
   * The services' clock when the estate was loaded (the reference clock plus `clockSkewMs`): relative times count
   * back from it, and the simulator's `Date` headers and `now()` follow it.
   */
  now: Date;
  /** How far the services' clock runs ahead of the reference clock (`clockSkew`; negative: behind), in ms. */
  clockSkewMs: number;
  /** The machine's time (epoch ms) when the estate was loaded: the simulator's clock runs on from `now` by as much. */
  loadedAt: number;
  token: string;
  pageSize?: number;
  subscriptions: Subscription[];
  /**
   * The management groups by lower-cased id, the tenant root group (id: the tenant id) included: the estate's
   * top-level groups and every subscription placed in none are directly under the root.
   */
  managementGroups: Map<string, ManagementGroup>;
  faults: FaultSpec[];
}

export interface EstateProblem {
  /** Where in the document, as a JSON-pointer-like path: `subscriptions[0].cloudHsmClusters[1].location`. */
  path: string;
  line?: number;
  message: string;
}

export class EstateError extends Error {
  constructor(
    readonly file: string,
    readonly problems: EstateProblem[],
  ) {
    super(
      problems
        .map((p) => `${file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`)
        .join("\n"),
    );
    this.name = "EstateError";
  }
}

/** Default diagnostic setting categories per kind, as the categories API lists them. */
export function defaultCategories(kind: Exclude<HsmKind, "dedicatedHsm">): DiagnosticCategory[] {
  return [
    { name: AUDIT_CATEGORY[kind], categoryType: "Logs", categoryGroups: ["audit", "allLogs"] },
    { name: "AllMetrics", categoryType: "Metrics", categoryGroups: [] },
  ];
}

/** The properties ARM gives a Cloud HSM or Managed HSM whose estate entry sets none. */
export function defaultProperties(
  kind: Exclude<HsmKind, "dedicatedHsm">,
  name: string,
  tenantId: string,
): Record<string, unknown> {
  if (kind === "cloudHsm") {
    return {
      provisioningState: "Succeeded",
      activationState: "Active",
      autoGeneratedDomainNameLabelScope: "TenantReuse",
      publicNetworkAccess: "Disabled",
      hsms: [1, 2, 3].map((n) => ({ fqdn: `${name}-hsm${n}.cloudhsm.azure.net`, state: "Active", stateMessage: "" })),
      privateEndpointConnections: [],
    };
  }
  return {
    tenantId,
    provisioningState: "Succeeded",
    hsmUri: `https://${name}.managedhsm.azure.net/`,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    publicNetworkAccess: "Disabled",
    networkAcls: { bypass: "None", defaultAction: "Deny", ipRules: [], virtualNetworkRules: [] },
    initialAdminObjectIds: ["00000000-0000-4000-8000-00000000ad01"],
    statusMessage: "The Managed HSM is provisioned and ready to use.",
    securityDomainProperties: { activationStatus: "Active", activationStatusMessage: "Your HSM has been activated" },
  };
}

/** Whether a setting sends the given log category: directly, or through an enabled group that contains it. */
export function settingCarries(hsm: Hsm, setting: DiagnosticSetting, category: string): boolean {
  const groups = new Set(
    hsm.categories
      .find((c) => c.name.toLowerCase() === category.toLowerCase())
      ?.categoryGroups.map((g) => g.toLowerCase()) ?? [],
  );
  return setting.logs.some(
    (l) =>
      l.enabled &&
      ((l.category !== undefined && l.category.toLowerCase() === category.toLowerCase()) ||
        (l.categoryGroup !== undefined &&
          (l.categoryGroup.toLowerCase() === "alllogs" || groups.has(l.categoryGroup.toLowerCase())))),
  );
}

/** The checks Azure makes when a diagnostic setting is created, so that an estate holds only settings Azure allows. */
export function checkDiagnosticSettings(
  hsm: Hsm,
  at: (string | number)[],
  problem: (segments: (string | number)[], message: string) => void,
): void {
  const logCategories = hsm.categories.filter((c) => c.categoryType === "Logs");
  const metricCategories = hsm.categories.filter((c) => c.categoryType === "Metrics");
  const groups = new Set(["alllogs", ...logCategories.flatMap((c) => c.categoryGroups.map((g) => g.toLowerCase()))]);
  const listed = (list: DiagnosticCategory[]) => list.map((c) => c.name).join(", ") || "none";
  const names = new Set<string>();
  /** `destination|category` -> the setting that already sends that category there. */
  const sinks = new Map<string, string>();
  hsm.diagnosticSettings.forEach((d, di) => {
    const dAt = [...at, "diagnosticSettings", di];
    if (names.has(d.name.toLowerCase()))
      problem([...dAt, "name"], `a setting named '${d.name}' already exists on this HSM`);
    names.add(d.name.toLowerCase());
    const destinations = [
      d.workspaceId,
      d.storageAccountId,
      d.eventHubAuthorizationRuleId,
      d.marketplacePartnerId,
      d.serviceBusRuleId,
    ].filter((x): x is string => x !== undefined);
    if (destinations.length === 0) {
      problem(
        dAt,
        "names no destination (workspace, storageAccount, eventHubAuthorizationRuleId, ...), which Azure refuses",
      );
    }
    d.logs.forEach((l, li) => {
      if (l.category !== undefined && !logCategories.some((c) => c.name.toLowerCase() === l.category!.toLowerCase())) {
        problem(
          [...dAt, "logs", li, "category"],
          `'${l.category}' is not a log category of this HSM (it has ${listed(logCategories)})`,
        );
      }
      if (l.categoryGroup !== undefined && !groups.has(l.categoryGroup.toLowerCase())) {
        problem(
          [...dAt, "logs", li, "categoryGroup"],
          `'${l.categoryGroup}' is not a category group of this HSM's log categories`,
        );
      }
    });
    d.metrics.forEach((m, mi) => {
      if (!metricCategories.some((c) => c.name.toLowerCase() === m.category.toLowerCase())) {
        problem(
          [...dAt, "metrics", mi, "category"],
          `'${m.category}' is not a metric category of this HSM (it has ${listed(metricCategories)})`,
        );
      }
    });
    for (const category of logCategories.filter((c) => settingCarries(hsm, d, c.name))) {
      for (const destination of destinations) {
        const key = `${armIdKey(destination)}|${category.name.toLowerCase()}`;
        const other = sinks.get(key);
        if (other !== undefined) {
          problem(
            dAt,
            `sends '${category.name}' to a destination that setting '${other}' already sends it to, which Azure refuses`,
          );
        } else {
          sinks.set(key, d.name);
        }
      }
    }
  });
}

/**
 * How ARM tells whether two spellings of a resource id name one resource: case aside, and with or without trailing
 * slashes (a diagnostic setting may name its workspace `.../workspaces/LAW-Audit/`, and its records still arrive).
 * The simulator's own rule, kept apart from the tool's, so that a test checks the tool against ARM's behaviour.
 */
export const armIdKey = (id: string): string => id.replace(/\/+$/, "").toLowerCase();

/** Finds a subscription by id, case-insensitively. */
export function findSubscription(estate: Estate, subscriptionId: string): Subscription | undefined {
  const id = subscriptionId.toLowerCase();
  return estate.subscriptions.find((s) => s.subscriptionId === id);
}
