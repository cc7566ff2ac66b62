// The specification of every check kind, as a table: a snapshot, the target judged, the params (the kind's defaults
// apply to what is left out) and the verdict expected. checks.test.ts runs every row.
import type { Target, Verdict } from "../../src/engine/check.js";
import type { HsmFacts, Snapshot, SubscriptionFacts } from "../../src/model/snapshot.js";
import {
  EVENT_HUB_RULE,
  archiveAccount,
  arrival,
  deleteRule,
  newestHour,
  withTables,
  STORAGE,
  SUBSCRIPTION_ID,
  WORKSPACE,
  categoryInfo,
  category,
  cloudHsm,
  failed,
  group,
  hsmTarget,
  known,
  managedHsm,
  row,
  sample,
  setting,
  snapshot,
  storageAccount,
  subscription,
  subscriptionTarget,
  tenantTarget,
  workspace,
  workspaceId,
  type SnapshotSpec,
} from "../helpers/snapshots.js";
import {
  activityFailedAccess,
  activityMassRetrieval,
  activityNewCallers,
  activitySensitiveOperations,
  activityTrailGap,
  sentinelCoverage,
} from "./activity-cases.js";
import { diagnosticSettingContinuous } from "./continuity-cases.js";
import {
  applianceAuditEvents,
  applianceAuditOffload,
  applianceAuditRole,
  applianceEvidence,
  applianceNoTamper,
  applianceRemoteAudit,
  applianceRemoteSyslog,
  applianceTimeSync,
} from "./appliance-cases.js";

export type CheckKindName =
  | "activity-failed-access"
  | "activity-mass-retrieval"
  | "activity-new-callers"
  | "activity-sensitive-operations"
  | "activity-trail-gap"
  | "appliance-audit-events"
  | "appliance-audit-offload"
  | "appliance-audit-role"
  | "appliance-evidence"
  | "appliance-no-tamper"
  | "appliance-remote-audit"
  | "appliance-remote-syslog"
  | "appliance-time-sync"
  | "archive-flowing"
  | "archive-immutable"
  | "archive-retention"
  | "archive-secure"
  | "audit-category-enabled"
  | "destination-configured"
  | "destination-exists"
  | "destination-retention"
  | "diagnostic-setting-continuous"
  | "diagnostic-setting-present"
  | "inventory-complete"
  | "logs-flowing"
  | "provider-registered"
  | "sentinel-coverage";

export interface CheckCase {
  name: string;
  target: Target;
  /** Params as a policy would write them; the kind's schema defaults fill in the rest. */
  params?: Record<string, unknown>;
  snapshot: Snapshot;
  expect: {
    status: Verdict["status"];
    message?: RegExp;
    /** Evidence ids the verdict must cite (among others). */
    evidence?: string[];
    /** The remediation case the verdict names (`null`: none, the policy's own fix). */
    fix?: string | null;
    /** Remediation values the verdict must give (among others). */
    values?: Record<string, string>;
  };
}

/** The target is this HSM, in a snapshot holding it and `rest`. */
function onHsm(hsm: HsmFacts, rest: Omit<SnapshotSpec, "hsms"> = {}): Pick<CheckCase, "target" | "snapshot"> {
  return { target: hsmTarget(hsm), snapshot: snapshot({ hsms: [hsm], ...rest }) };
}

/** The target is this subscription, in a snapshot holding it alone. */
function onSubscription(sub: SubscriptionFacts): Pick<CheckCase, "target" | "snapshot"> {
  return { target: subscriptionTarget(sub), snapshot: snapshot({ subscriptions: [sub] }) };
}

/** The target is the tenant: no subscription could be judged. */
function onTenant(rest: SnapshotSpec): Pick<CheckCase, "target" | "snapshot"> {
  return { target: tenantTarget(), snapshot: snapshot(rest) };
}

// Settings that carry each kind's default audit category to a workspace that exists and keeps a year.
const CLOUD_AUDIT = "HsmServiceOperations";
const MANAGED_AUDIT = "AuditEvent";
const cloudToWorkspace = setting({ name: "audit-to-law", category: CLOUD_AUDIT, workspaceId: WORKSPACE });
const managedToWorkspace = setting({ name: "audit-to-law", category: MANAGED_AUDIT, workspaceId: WORKSPACE });
const yearLongWorkspace = () => workspace(WORKSPACE, { retentionInDays: 400 });
const SECOND_WORKSPACE = workspaceId("law-archive");

// --- provider-registered ----------------------------------------------------------------------------------------------

const providerRegistered: CheckCase[] = [
  {
    name: "Registered passes",
    ...onSubscription(subscription({ displayName: "Payments", provider: "Registered" })),
    expect: { status: "pass", message: /Payments \(.+\) has the Microsoft\.Insights resource provider Registered/ },
  },
  {
    name: "NotRegistered fails",
    ...onSubscription(subscription({ provider: "NotRegistered" })),
    expect: { status: "fail", message: /NotRegistered, not Registered/ },
  },
  {
    name: "Registering (not yet done) fails",
    ...onSubscription(subscription({ provider: "Registering" })),
    expect: { status: "fail", message: /Registering, not Registered/ },
  },
  {
    name: "the state is compared case-insensitively",
    ...onSubscription(subscription({ provider: "REGISTERED" })),
    expect: { status: "pass" },
  },
  {
    name: "params.states widens what passes",
    params: { states: ["Registered", "Registering"] },
    ...onSubscription(subscription({ provider: "Registering" })),
    expect: { status: "pass" },
  },
  {
    name: "an unreadable registration is an error, not a pass",
    ...onSubscription(
      subscription({ provider: failed("AuthorizationFailed on Microsoft.Insights", 403, { evidence: "ev-provider" }) }),
    ),
    expect: { status: "error", message: /could not be read \(AuthorizationFailed/, evidence: ["ev-provider"] },
  },
  {
    name: "a registration that was not collected is an error",
    ...onSubscription(subscription({ provider: null })),
    expect: { status: "error", message: /not collected/ },
  },
];

// --- inventory-complete -----------------------------------------------------------------------------------------------

const withoutDedicatedList = (): SubscriptionFacts => {
  const sub = subscription({ inventory: { cloudHsm: 1 } });
  delete (sub.inventory as Partial<SubscriptionFacts["inventory"]>).dedicatedHsm;
  return sub;
};

const inventoryComplete: CheckCase[] = [
  {
    name: "every list read passes, with the counts",
    ...onSubscription(subscription({ inventory: { cloudHsm: 2, managedHsm: 1, dedicatedHsm: 0 } })),
    expect: {
      status: "pass",
      message: /read to its end, as far as the credential can see: 2 Cloud HSM, 1 Managed HSM, 0 Dedicated HSM/,
    },
  },
  {
    name: "one failed list is an error naming it",
    ...onSubscription(
      subscription({
        inventory: { cloudHsm: 1, managedHsm: failed("The request was throttled (429) past the retries", 429) },
      }),
    ),
    expect: { status: "error", message: /Managed HSMs: The request was throttled .*HSMs may be missing/ },
  },
  {
    name: "a list never collected is an error",
    ...onSubscription(withoutDedicatedList()),
    expect: { status: "error", message: /Dedicated HSMs: not collected/ },
  },
  {
    name: "a tenant whose subscription list failed is an error",
    ...onTenant({
      subscriptions: [],
      subscriptionList: failed("AuthorizationFailed listing subscriptions", 403, { evidence: "ev-subs" }),
    }),
    expect: {
      status: "error",
      message: /subscriptions could not be listed \(AuthorizationFailed/,
      evidence: ["ev-subs"],
    },
  },
  {
    name: "a tenant with zero subscriptions is an error",
    ...onTenant({ subscriptions: [], subscriptionList: known({ count: 0 }) }),
    expect: { status: "error", message: /can see no subscription/ },
  },
  {
    name: "a management group whose descendants could not be listed is an error",
    ...onTenant({
      subscriptions: [],
      managementGroups: [
        {
          id: "mg-payments",
          descendants: failed("could not read the descendants of management group mg-payments: HTTP 403", 403, {
            evidence: "ev-mg",
          }),
        },
      ],
    }),
    expect: {
      status: "error",
      message: /subscriptions of management group mg-payments could not be listed \(could not read the descendants/,
      evidence: ["ev-mg"],
    },
  },
  {
    name: "a management group with no subscription the credential can see is an error, never a pass",
    ...onTenant({
      subscriptions: [],
      managementGroups: [
        { id: "mg-empty", descendants: known({ subscriptions: [], managementGroups: ["mg-empty-eu"] }, "ev-mg") },
      ],
    }),
    expect: {
      status: "error",
      message:
        /Management group mg-empty holds no subscription the credential can see \(its descendants list names 1 nested/,
      evidence: ["ev-mg"],
    },
  },
  {
    name: "of several management groups, each one unread or empty is named, the others' subscriptions said scanned",
    ...onTenant({
      managementGroups: [
        { id: "mg-ok", descendants: known({ subscriptions: [SUBSCRIPTION_ID], managementGroups: [] }, "ev-ok") },
        { id: "mg-denied", descendants: failed("HTTP 403", 403, { evidence: "ev-denied" }) },
        { id: "mg-empty", descendants: known({ subscriptions: [], managementGroups: [] }, "ev-empty") },
      ],
    }),
    expect: {
      status: "error",
      message:
        /^The subscriptions of management group mg-denied could not be listed \(HTTP 403\); management group mg-empty holds no subscription the credential can see, so .* nothing is proven of those groups; check the group id/,
      evidence: ["ev-denied", "ev-empty"],
    },
  },
];

// --- diagnostic-setting-present ---------------------------------------------------------------------------------------

const diagnosticSettingPresent: CheckCase[] = [
  {
    name: "no setting fails",
    ...onHsm(cloudHsm({ settings: [] })),
    expect: { status: "fail", message: /has no diagnostic setting/ },
  },
  {
    name: "one setting passes",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] })),
    expect: { status: "pass", message: /has 1 diagnostic setting: 'audit-to-law'/ },
  },
  {
    name: "unreadable settings are an error",
    ...onHsm(cloudHsm({ settings: failed("AuthorizationFailed reading diagnostic settings", 403) })),
    expect: { status: "error", message: /could not be read \(AuthorizationFailed/ },
  },
  {
    name: "minimum 2 with one setting fails",
    params: { minimum: 2 },
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] })),
    expect: { status: "fail", message: /fewer than the 2 required/ },
  },
  {
    name: "minimum 2 with two settings passes",
    params: { minimum: 2 },
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace, setting({ name: "archive", storageAccountId: STORAGE })] })),
    expect: { status: "pass", message: /has 2 diagnostic settings: 'audit-to-law', 'archive'/ },
  },
];

// --- audit-category-enabled -------------------------------------------------------------------------------------------

const auditCategoryEnabled: CheckCase[] = [
  {
    name: "the Cloud HSM category named directly passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] })),
    expect: { status: "pass", message: /HsmServiceOperations by 'audit-to-law'/ },
  },
  {
    name: "the Managed HSM category named directly passes",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] })),
    expect: { status: "pass", message: /AuditEvent by 'audit-to-law'/ },
  },
  {
    name: "the allLogs group passes without the categories API",
    ...onHsm(managedHsm({ settings: [setting({ group: "allLogs", workspaceId: WORKSPACE })] })),
    expect: { status: "pass" },
  },
  {
    name: "the audit group passes when the categories API lists the category in it",
    ...onHsm(
      managedHsm({
        settings: known([setting({ group: "audit", workspaceId: WORKSPACE })], "ev-settings"),
        categories: known([categoryInfo(MANAGED_AUDIT, ["audit", "allLogs"])], "ev-categories"),
      }),
    ),
    expect: { status: "pass", evidence: ["ev-settings", "ev-categories"] },
  },
  {
    name: "the audit group fails when the categories API does not list the category in it",
    ...onHsm(
      cloudHsm({
        settings: [setting({ group: "audit", workspaceId: WORKSPACE })],
        categories: [categoryInfo(CLOUD_AUDIT, ["allLogs"]), categoryInfo("HsmMetricsLogs", ["audit", "allLogs"])],
      }),
    ),
    expect: { status: "fail", message: /enables HsmServiceOperations, directly or through a category group/ },
  },
  {
    name: "the audit group is an error when the categories could not be read",
    ...onHsm(
      managedHsm({
        settings: [setting({ name: "by-group", group: "audit", workspaceId: WORKSPACE })],
        categories: failed("categories API answered 500", 500, { evidence: "ev-categories-500" }),
      }),
    ),
    expect: {
      status: "error",
      message: /'by-group' .* could not be resolved \(categories API answered 500\)/,
      evidence: ["ev-categories-500"],
    },
  },
  {
    name: "the audit group is an error when the categories were not read at all",
    ...onHsm(managedHsm({ settings: [setting({ group: "audit", workspaceId: WORKSPACE })] })),
    expect: { status: "error", message: /could not be resolved/ },
  },
  {
    name: "a disabled log entry fails",
    ...onHsm(managedHsm({ settings: [setting({ logs: [category(MANAGED_AUDIT, false)], workspaceId: WORKSPACE })] })),
    expect: { status: "fail", message: /enables AuditEvent/ },
  },
  {
    name: "a disabled allLogs group fails",
    ...onHsm(cloudHsm({ settings: [setting({ logs: [group("allLogs", false)], workspaceId: WORKSPACE })] })),
    expect: { status: "fail" },
  },
  {
    name: "the category name is compared case-insensitively",
    ...onHsm(managedHsm({ settings: [setting({ category: "auditevent", workspaceId: WORKSPACE })] })),
    expect: { status: "pass" },
  },
  {
    name: "another kind's audit category does not count",
    ...onHsm(managedHsm({ settings: [setting({ category: CLOUD_AUDIT, workspaceId: WORKSPACE })] })),
    expect: { status: "fail", message: /AuditEvent/ },
  },
  {
    name: "no setting at all fails",
    ...onHsm(cloudHsm({ settings: [] })),
    expect: { status: "fail", message: /has no diagnostic setting/ },
  },
  {
    name: "unreadable settings are an error",
    ...onHsm(managedHsm({ settings: failed("AuthorizationFailed reading diagnostic settings", 403) })),
    expect: { status: "error", message: /could not be read \(AuthorizationFailed/ },
  },
  {
    name: "custom categories: a Cloud HSM enabling HsmOperations passes",
    params: { categories: { cloudHsm: ["HsmOperations"] } },
    ...onHsm(cloudHsm({ settings: [setting({ category: "HsmOperations", workspaceId: WORKSPACE })] })),
    expect: { status: "pass", message: /HsmOperations by 'audit-trail'/ },
  },
  {
    name: "custom categories: a Cloud HSM enabling only the default category fails",
    params: { categories: { cloudHsm: ["HsmOperations"] } },
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] })),
    expect: { status: "fail", message: /enables HsmOperations/ },
  },
  {
    name: "custom categories: every listed category must be enabled",
    params: { categories: { managedHsm: [MANAGED_AUDIT, "AzurePolicyEvaluationDetails"] } },
    ...onHsm(managedHsm({ settings: [managedToWorkspace] })),
    expect: { status: "fail", message: /enables AzurePolicyEvaluationDetails,/ },
  },
];

// --- destination-configured -------------------------------------------------------------------------------------------

const destinationConfigured: CheckCase[] = [
  {
    name: "a carrying setting to a workspace passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] })),
    expect: { status: "pass", message: /to a Log Analytics workspace \('audit-to-law'\)/ },
  },
  {
    name: "storage only fails with the default destinations",
    ...onHsm(
      managedHsm({ settings: [setting({ name: "archive", category: MANAGED_AUDIT, storageAccountId: STORAGE })] }),
    ),
    expect: { status: "fail", message: /through 'archive', but not to a Log Analytics workspace/ },
  },
  {
    name: "workspace and storage required, split across two carrying settings, passes",
    params: { destinations: ["logAnalytics", "storage"] },
    ...onHsm(
      managedHsm({
        settings: [
          managedToWorkspace,
          setting({ name: "archive", category: MANAGED_AUDIT, storageAccountId: STORAGE }),
        ],
      }),
    ),
    expect: { status: "pass", message: /workspace \('audit-to-law'\) and a storage account \('archive'\)/ },
  },
  {
    name: "two audit categories carried by two settings to the same workspace pass",
    params: { categories: { cloudHsm: ["HsmServiceOperations", "HsmOperations"] } },
    ...onHsm(
      cloudHsm({
        settings: [
          setting({ name: "a", category: "HsmServiceOperations", workspaceId: WORKSPACE }),
          setting({ name: "b", category: "HsmOperations", workspaceId: WORKSPACE }),
        ],
      }),
    ),
    expect: { status: "pass", message: /sends HsmServiceOperations and HsmOperations to a Log Analytics workspace/ },
  },
  {
    name: "two audit categories, one reaching only storage, fail",
    params: { categories: { cloudHsm: ["HsmServiceOperations", "HsmOperations"] } },
    ...onHsm(
      cloudHsm({
        settings: [
          setting({ name: "a", category: "HsmServiceOperations", workspaceId: WORKSPACE }),
          setting({ name: "b", category: "HsmOperations", storageAccountId: STORAGE }),
        ],
      }),
    ),
    expect: { status: "fail", message: /but not to a Log Analytics workspace/ },
  },
  {
    name: "workspace and storage required, only a workspace, fails",
    params: { destinations: ["logAnalytics", "storage"] },
    ...onHsm(managedHsm({ settings: [managedToWorkspace] })),
    expect: { status: "fail", message: /not to a storage account/ },
  },
  {
    name: "a workspace reached only by a setting that does not carry the audit category fails",
    ...onHsm(
      cloudHsm({
        settings: [
          setting({ name: "metrics-to-law", category: "HsmMetricsLogs", workspaceId: WORKSPACE }),
          setting({ name: "archive", category: CLOUD_AUDIT, storageAccountId: STORAGE }),
        ],
      }),
    ),
    expect: { status: "fail", message: /through 'archive', but not to a Log Analytics workspace/ },
  },
  {
    name: "a workspace setting without the audit category, and no other setting, fails",
    ...onHsm(
      cloudHsm({ settings: [setting({ name: "metrics", category: "HsmMetricsLogs", workspaceId: WORKSPACE })] }),
    ),
    expect: { status: "fail", message: /No diagnostic setting of Chsm-Payments carries HsmServiceOperations/ },
  },
  {
    name: "an event hub destination passes when an event hub is required",
    params: { destinations: ["eventHub"] },
    ...onHsm(
      cloudHsm({
        settings: [setting({ name: "to-siem", category: CLOUD_AUDIT, eventHubAuthorizationRuleId: EVENT_HUB_RULE })],
      }),
    ),
    expect: { status: "pass", message: /an event hub \('to-siem'\)/ },
  },
  {
    name: "an audit group that cannot be resolved is an error",
    ...onHsm(
      managedHsm({
        settings: [setting({ group: "audit", workspaceId: WORKSPACE })],
        categories: failed("categories API timed out", undefined, { code: "Timeout" }),
      }),
    ),
    expect: { status: "error", message: /could not be resolved/ },
  },
  {
    name: "unreadable settings are an error",
    ...onHsm(cloudHsm({ settings: failed("AuthorizationFailed", 403) })),
    expect: { status: "error" },
  },
];

// --- destination-exists -----------------------------------------------------------------------------------------------

const destinationExists: CheckCase[] = [
  {
    name: "a workspace that exists passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { retentionInDays: 30 })],
    }),
    expect: { status: "pass", message: /Every destination .* exists: workspace law-audit/ },
  },
  {
    name: "a setting that may carry the audit log (unresolved group) to a deleted workspace makes it an error",
    ...onHsm(
      managedHsm({
        settings: [
          managedToWorkspace,
          setting({ name: "maybe", group: "audit", workspaceId: workspaceId("law-deleted") }),
        ],
        categories: failed("AuthorizationFailed", 403),
      }),
      { workspaces: [yearLongWorkspace(), workspace(workspaceId("law-deleted"), { exists: false })] },
    ),
    expect: { status: "error", message: /setting 'maybe' .* is unknown/ },
  },
  {
    name: "workspace ids are compared case-insensitively",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), { workspaces: [workspace(WORKSPACE.toLowerCase())] }),
    expect: { status: "pass" },
  },
  {
    name: "a workspace that answers 404 fails",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { exists: false, reason: "ResourceGroupNotFound (404)" })],
    }),
    expect: { status: "fail", message: /law-audit \(ResourceGroupNotFound \(404\)\), which does not exist/ },
  },
  {
    name: "a workspace read that answers 403 is an error",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, failed("AuthorizationFailed reading the workspace", 403))],
    }),
    expect: { status: "error", message: /not proven: workspace law-audit \(AuthorizationFailed/ },
  },
  {
    name: "a workspace that was not collected is an error",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] })),
    expect: { status: "error", message: /workspace law-audit \(not collected\)/ },
  },
  {
    name: "a storage account that does not exist fails",
    ...onHsm(cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE })] }), {
      storageAccounts: [storageAccount(STORAGE, { exists: false })],
    }),
    expect: { status: "fail", message: /storage account .*staudit .*does not exist/ },
  },
  {
    name: "a storage account that exists passes",
    ...onHsm(cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE })] }), {
      storageAccounts: [storageAccount(STORAGE)],
    }),
    expect: { status: "pass", message: /storage account staudit/ },
  },
  {
    name: "an event hub destination is an error by default",
    ...onHsm(
      cloudHsm({
        settings: [
          cloudToWorkspace,
          setting({ name: "to-siem", category: CLOUD_AUDIT, eventHubAuthorizationRuleId: EVENT_HUB_RULE }),
        ],
      }),
      { workspaces: [yearLongWorkspace()] },
    ),
    expect: { status: "error", message: /event hub of setting 'to-siem', which this tool cannot read/ },
  },
  {
    name: "an event hub destination passes with unverifiable: ignore, and says it was not checked",
    params: { unverifiable: "ignore" },
    ...onHsm(
      cloudHsm({
        settings: [
          cloudToWorkspace,
          setting({ name: "to-siem", category: CLOUD_AUDIT, eventHubAuthorizationRuleId: EVENT_HUB_RULE }),
        ],
      }),
      { workspaces: [yearLongWorkspace()] },
    ),
    expect: { status: "pass", message: /not checked: event hub of setting 'to-siem'/ },
  },
  {
    name: "a missing destination fails even when another is unreadable",
    ...onHsm(
      cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, workspaceId: WORKSPACE, storageAccountId: STORAGE })] }),
      {
        workspaces: [workspace(WORKSPACE, { exists: false })],
        storageAccounts: [storageAccount(STORAGE, failed("AuthorizationFailed", 403))],
      },
    ),
    expect: { status: "fail", message: /does not exist/ },
  },
  {
    name: "no setting carrying the audit category fails",
    ...onHsm(cloudHsm({ settings: [setting({ category: "HsmMetricsLogs", workspaceId: WORKSPACE })] }), {
      workspaces: [yearLongWorkspace()],
    }),
    expect: { status: "fail", message: /carries HsmServiceOperations/ },
  },
];

// --- destination-retention --------------------------------------------------------------------------------------------

const destinationRetention: CheckCase[] = [
  {
    name: "a table's own retention shorter than the workspace's fails",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 400 }), { AZKVAuditLogs: 30, AzureDiagnostics: 400 }),
      ],
    }),
    expect: {
      status: "fail",
      message: /table AZKVAuditLogs of workspace law-audit keeps 30 days \(its own retention\)/,
      // The table is what to change: the workspace's default does not reach a table with its own retention.
      fix: "table",
      values: { table: "AZKVAuditLogs", workspaceName: "law-audit", workspaceId: WORKSPACE, minimumDays: "365" },
    },
  },
  {
    name: "a table's own retention longer than the workspace's passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 90 }), { CloudHsmServiceOperationAuditLogs: 730 }),
      ],
    }),
    expect: {
      status: "pass",
      message: /table CloudHsmServiceOperationAuditLogs of workspace law-audit keeps 730 days/,
    },
  },
  {
    name: "a table that does not exist yet takes the workspace default",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [withTables(workspace(WORKSPACE, { retentionInDays: 400 }), { AZKVAuditLogs: "absent" })],
    }),
    expect: { status: "pass", message: /workspace law-audit keeps 400 days/ },
  },
  {
    name: "tables that could not be read: error",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 400 }), failed("HTTP 403 AuthorizationFailed", 403)),
      ],
    }),
    expect: { status: "error", message: /the audit tables of workspace law-audit \(HTTP 403/ },
  },
  {
    name: "400 days against the default 365 passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), { workspaces: [yearLongWorkspace()] }),
    expect: {
      status: "pass",
      message: /at least 365 days \(90 of them interactive\): workspace law-audit keeps 400 days/,
    },
  },
  {
    name: "exactly the minimum passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { retentionInDays: 365 })],
    }),
    expect: { status: "pass" },
  },
  {
    name: "90 days against the default 365 fails",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { retentionInDays: 90 })],
    }),
    expect: {
      status: "fail",
      message:
        /not kept 365 days \(90 of them interactive\): workspace law-audit keeps 90 days: fewer than 365 days in all/,
      fix: "workspace",
      values: { workspaceName: "law-audit", workspaceId: WORKSPACE },
    },
  },
  // Interactive and archived days: the archive counts toward the total only (PCI DSS 10.5.1: twelve months, the last
  // three immediately available).
  {
    name: "4 days interactive and 400 in all (the rest archived) fails: too few interactive",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 4 }), {
          CloudHsmServiceOperationAuditLogs: { interactive: 4, total: 400 },
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /keeps 400 days \(4 interactive, 396 archived\)(?: \(its own retention\))?: only 4 of them interactive, fewer than 90\.$/,
    },
  },
  {
    name: "90 days interactive and 365 in all passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 30 }), {
          CloudHsmServiceOperationAuditLogs: { interactive: 90, total: 365 },
        }),
      ],
    }),
    expect: {
      status: "pass",
      message:
        /table CloudHsmServiceOperationAuditLogs of workspace law-audit keeps 365 days \(90 interactive, 275 archived\)/,
    },
  },
  {
    name: "89 days interactive and 400 in all fails",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 89 }), {
          AZKVAuditLogs: { interactive: 89, total: 400, asDefault: true },
        }),
      ],
    }),
    expect: { status: "fail", message: /only 89 of them interactive, fewer than 90/ },
  },
  {
    name: "180 days interactive and 200 in all fails: too few in all",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 30 }), {
          AZKVAuditLogs: { interactive: 180, total: 200 },
        }),
      ],
    }),
    expect: {
      status: "fail",
      message: /keeps 200 days \(180 interactive, 20 archived\) \(its own retention\): fewer than 365 days in all\.$/,
    },
  },
  {
    name: "30 days interactive and 200 in all fails on both, and says so",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 30 }), {
          AZKVAuditLogs: { interactive: 30, total: 200 },
        }),
      ],
    }),
    expect: { status: "fail", message: /fewer than 365 days in all, only 30 of them interactive, fewer than 90/ },
  },
  {
    name: "the workspace's interactive default with the table's archive passes",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 120 }), {
          AZKVAuditLogs: { interactive: 120, total: 730, asDefault: true },
        }),
      ],
    }),
    expect: { status: "pass", message: /keeps 730 days \(120 interactive, 610 archived\)/ },
  },
  {
    name: "params.minimumInteractiveDays 7 passes 7 interactive days of 400",
    params: { minimumInteractiveDays: 7 },
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 7 }), {
          CloudHsmServiceOperationAuditLogs: { interactive: 7, total: 400 },
        }),
      ],
    }),
    expect: { status: "pass", message: /at least 365 days \(7 of them interactive\)/ },
  },
  {
    name: "params.minimumInteractiveDays 180 fails 120 interactive days of 730",
    params: { minimumInteractiveDays: 180 },
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [
        withTables(workspace(WORKSPACE, { retentionInDays: 30 }), {
          AZKVAuditLogs: { interactive: 120, total: 730 },
        }),
      ],
    }),
    expect: { status: "fail", message: /only 120 of them interactive, fewer than 180/ },
  },
  {
    name: "a workspace default alone is interactive: 400 days pass both",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [withTables(workspace(WORKSPACE, { retentionInDays: 400 }), { AZKVAuditLogs: "absent" })],
    }),
    expect: { status: "pass", message: /workspace law-audit keeps 400 days\.$/ },
  },
  {
    name: "minimumDays 30 passes 90 days",
    params: { minimumDays: 30 },
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { retentionInDays: 90 })],
    }),
    expect: { status: "pass", message: /at least 30 days/ },
  },
  {
    name: "minimumDays 30 asks 30 interactive days at most: 30 days pass",
    params: { minimumDays: 30 },
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { retentionInDays: 30 })],
    }),
    expect: { status: "pass", message: /at least 30 days \(30 of them interactive\)/ },
  },
  {
    name: "an unreadable workspace is an error",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, failed("AuthorizationFailed reading the workspace", 403))],
    }),
    expect: { status: "error", message: /not proven: workspace law-audit \(AuthorizationFailed/ },
  },
  {
    name: "a workspace whose answer has no retentionInDays is an error",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), { workspaces: [workspace(WORKSPACE, {})] }),
    expect: { status: "error", message: /no retentionInDays/ },
  },
  {
    name: "a workspace that does not exist fails",
    ...onHsm(managedHsm({ settings: [managedToWorkspace] }), {
      workspaces: [workspace(WORKSPACE, { exists: false })],
    }),
    // Its retention cannot be changed: the fix is to send the log to a workspace that exists.
    expect: { status: "fail", message: /law-audit does not exist/, fix: "noWorkspace" },
  },
  {
    name: "no workspace receives the audit log: fail, fixed by sending it to one",
    ...onHsm(managedHsm({ settings: [setting({ category: MANAGED_AUDIT, storageAccountId: STORAGE })] }), {
      workspaces: [yearLongWorkspace()],
    }),
    expect: { status: "fail", message: /No Log Analytics workspace receives the audit log/, fix: "noWorkspace" },
  },
  {
    name: "two workspaces, one long and one short, pass",
    ...onHsm(
      cloudHsm({
        settings: [
          cloudToWorkspace,
          setting({ name: "audit-to-archive", category: CLOUD_AUDIT, workspaceId: SECOND_WORKSPACE }),
        ],
      }),
      {
        workspaces: [
          workspace(WORKSPACE, { retentionInDays: 30 }),
          workspace(SECOND_WORKSPACE, { retentionInDays: 730 }),
        ],
      },
    ),
    expect: { status: "pass", message: /law-archive keeps 730 days/ },
  },
  {
    name: "one short and one unreadable workspace is an error",
    ...onHsm(
      cloudHsm({
        settings: [
          cloudToWorkspace,
          setting({ name: "audit-to-archive", category: CLOUD_AUDIT, workspaceId: SECOND_WORKSPACE }),
        ],
      }),
      {
        workspaces: [
          workspace(WORKSPACE, { retentionInDays: 30 }),
          workspace(SECOND_WORKSPACE, failed("AuthorizationFailed", 403)),
        ],
      },
    ),
    expect: { status: "error", message: /law-archive \(AuthorizationFailed/ },
  },
  {
    name: "one short workspace, and a long one that a group may send to (its members unread): error, not fail",
    ...onHsm(
      cloudHsm({
        settings: [cloudToWorkspace, setting({ name: "by-group", group: "audit", workspaceId: SECOND_WORKSPACE })],
        categories: failed("categories API answered 429", 429),
      }),
      {
        workspaces: [
          workspace(WORKSPACE, { retentionInDays: 30 }),
          workspace(SECOND_WORKSPACE, { retentionInDays: 730 }),
        ],
      },
    ),
    expect: {
      status: "error",
      message:
        /workspace law-archive, which setting 'by-group' may send it to \(its category groups could not be resolved\); workspace law-audit keeps 30 days/,
    },
  },
  {
    name: "the audit log sent only to storage fails",
    ...onHsm(cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE })] })),
    expect: { status: "fail", message: /No Log Analytics workspace receives/ },
  },
  unresolvedGroupBesideStorage(),
  {
    name: "a long-keeping workspace that receives no audit category does not count",
    ...onHsm(cloudHsm({ settings: [setting({ category: "HsmMetricsLogs", workspaceId: WORKSPACE })] }), {
      workspaces: [yearLongWorkspace()],
    }),
    expect: { status: "fail" },
  },
];

// --- logs-flowing -----------------------------------------------------------------------------------------------------

const flowingCloudHsm = cloudHsm({ settings: [cloudToWorkspace] });
const flowingManagedHsm = managedHsm({ name: "MHSM-Keys-Prod", settings: [managedToWorkspace] });
const otherHsm = managedHsm({ name: "mhsm-other" });

const logsFlowing: CheckCase[] = [
  {
    name: "records in the workspace pass",
    ...onHsm(flowingCloudHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [row(flowingCloudHsm, 12)] })],
    }),
    expect: { status: "pass", message: /law-audit holds 12 audit records, the last at 2025-06-07T11:59:00Z/ },
  },
  {
    name: "records whose last one lies outside the window prove nothing about it: error",
    ...onHsm(flowingCloudHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [{ ...row(flowingCloudHsm, 12), lastRecord: "2020-01-01T00:00:00Z" }] })],
    }),
    expect: { status: "error", message: /lies outside the window/ },
  },
  {
    name: "records without the time of the last one: error",
    ...onHsm(flowingCloudHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [{ hsmId: flowingCloudHsm.id.toLowerCase(), records: 12 }] })],
    }),
    expect: { status: "error", message: /without a time for the last one/ },
  },
  {
    name: "rows whose _ResourceId differ only in case are summed",
    params: { minimumRecords: 5 },
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [
        sample(WORKSPACE, {
          rows: [
            row(flowingManagedHsm, 2),
            { ...row(flowingManagedHsm, 3), hsmId: flowingManagedHsm.id.toUpperCase() },
          ],
        }),
      ],
    }),
    expect: { status: "pass", message: /holds 5 audit records/ },
  },
  {
    name: "zero rows fail",
    ...onHsm(flowingCloudHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [] })],
    }),
    expect: { status: "fail", message: /law-audit holds no audit record of it/ },
  },
  {
    name: "rows of another HSM only fail",
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [row(otherHsm, 40)] })],
    }),
    expect: { status: "fail", message: /holds no audit record of it/ },
  },
  {
    name: "a failed query is an error",
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, failed("The query was throttled (429)", 429, { evidence: "ev-query" }))],
    }),
    expect: {
      status: "error",
      message: /could not be queried \(The query was throttled \(429\)\)/,
      evidence: ["ev-query"],
    },
  },
  {
    name: "a workspace never sampled is an error",
    ...onHsm(flowingManagedHsm, { workspaces: [yearLongWorkspace()] }),
    expect: { status: "error", message: /not sampled/ },
  },
  {
    name: "a partial failure with rows for the HSM passes",
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [row(flowingManagedHsm, 7)], partial: "PartialError: table X failed" })],
    }),
    expect: { status: "pass", message: /holds 7 audit records/ },
  },
  {
    name: "a partial failure without rows for the HSM is an error",
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [row(otherHsm, 7)], partial: "PartialError: table X failed" })],
    }),
    expect: { status: "error", message: /answered only in part \(PartialError: table X failed\)/ },
  },
  {
    name: "a workspace that does not exist fails",
    ...onHsm(flowingManagedHsm, {
      workspaces: [workspace(WORKSPACE, { exists: false })],
      logSamples: [sample(WORKSPACE, failed("WorkspaceNotFound", 404))],
    }),
    expect: { status: "fail", message: /law-audit does not exist/ },
  },
  {
    name: "the HSM id matches the workspace's lower-cased _ResourceId case-insensitively",
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [
        sample(WORKSPACE, {
          rows: [{ hsmId: flowingManagedHsm.id.toLowerCase(), records: 3, lastRecord: "2025-06-08T11:00:00Z" }],
        }),
      ],
    }),
    expect: { status: "pass", message: /holds 3 audit records/ },
  },
  {
    name: "a silent workspace, and another that a group may send to (its members unread): error, not fail",
    ...onHsm(
      managedHsm({
        name: "MHSM-Keys-Prod",
        settings: [managedToWorkspace, setting({ name: "by-group", group: "audit", workspaceId: SECOND_WORKSPACE })],
        categories: failed("categories API answered 503", 503),
      }),
      {
        workspaces: [yearLongWorkspace(), workspace(SECOND_WORKSPACE, { retentionInDays: 400 })],
        logSamples: [sample(WORKSPACE, { rows: [] }), sample(SECOND_WORKSPACE, { rows: [] })],
      },
    ),
    expect: { status: "error", message: /not proven: workspace law-archive, which setting 'by-group' may send it to/ },
  },
  {
    name: "minimumRecords 5 with 3 records fails",
    params: { minimumRecords: 5 },
    ...onHsm(flowingManagedHsm, {
      workspaces: [yearLongWorkspace()],
      logSamples: [sample(WORKSPACE, { rows: [row(flowingManagedHsm, 3)] })],
    }),
    expect: { status: "fail", message: /\(at least 5 required\): workspace law-audit holds only 3/ },
  },
  {
    name: "the audit log sent only to storage fails",
    ...onHsm(cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE })] })),
    expect: { status: "fail", message: /No Log Analytics workspace receives/ },
  },
  unresolvedGroupBesideStorage(),
  {
    name: "unreadable settings are an error",
    ...onHsm(cloudHsm({ settings: failed("AuthorizationFailed", 403) })),
    expect: { status: "error" },
  },
];

// --- storage archive ------------------------------------------------------------------------------------------------

const managedToArchive = setting({ name: "audit-to-archive", category: MANAGED_AUDIT, storageAccountId: STORAGE });
const cloudToArchive = setting({ name: "audit-to-archive", category: CLOUD_AUDIT, storageAccountId: STORAGE });
const archivedManaged = () => managedHsm({ settings: [managedToWorkspace, managedToArchive] });
const AUDIT_CONTAINER = "insights-logs-auditevent";
const locked = (days: number) => ({ periodDays: days, state: "Locked" });
const onArchive = (spec: Parameters<typeof archiveAccount>[1], hsm = archivedManaged()) =>
  onHsm(hsm, { workspaces: [yearLongWorkspace()], storageAccounts: [archiveAccount(STORAGE, spec)] });

/** What every archive check answers when there is no archive, or when the settings cannot be read. */
function noArchiveCases(what: RegExp): CheckCase[] {
  return [
    {
      name: "an HSM whose audit log reaches no storage account: not applicable",
      ...onHsm(managedHsm({ settings: [managedToWorkspace] }), { workspaces: [yearLongWorkspace()] }),
      expect: { status: "not_applicable", message: /is not archived to a storage account, so .* does not apply/ },
    },
    {
      name: "a storage account that receives only other categories: not applicable",
      ...onHsm(
        managedHsm({
          settings: [managedToWorkspace, setting({ name: "metrics", category: "Other", storageAccountId: STORAGE })],
        }),
        { storageAccounts: [archiveAccount(STORAGE)] },
      ),
      expect: { status: "not_applicable" },
    },
    {
      name: "settings that could not be read: error",
      ...onHsm(managedHsm({ settings: failed("HTTP 403 AuthorizationFailed", 403) })),
      expect: { status: "error", message: /could not be read/ },
    },
    {
      name: "a storage account that could not be read: error",
      ...onHsm(archivedManaged(), {
        storageAccounts: [{ id: STORAGE, info: failed("HTTP 403 AuthorizationFailed", 403) }],
      }),
      expect: { status: "error", message: what },
    },
    {
      name: "a storage account that does not exist: fail",
      ...onHsm(archivedManaged(), { storageAccounts: [storageAccount(STORAGE, { exists: false })] }),
      expect: { status: "fail", message: /staudit does not exist/ },
    },
  ];
}

const archiveImmutable: CheckCase[] = [
  {
    name: "account-level immutable storage with a Locked default policy of 400 days passes",
    ...onArchive({
      properties: {
        immutableStorageWithVersioning: true,
        accountImmutabilityPolicy: { periodDays: 400, state: "Locked" },
      },
    }),
    expect: { status: "pass", message: /account-level immutable storage with a Locked default policy of 400 days/ },
  },
  {
    name: "account-level immutability alone protects nothing: without a Locked default policy, the containers decide",
    ...onArchive({ properties: { immutableStorageWithVersioning: true } }),
    expect: { status: "fail", message: /has no container insights-logs-auditevent yet/ },
  },
  {
    name: "an Unlocked account default policy does not pass either",
    ...onArchive({
      properties: {
        immutableStorageWithVersioning: true,
        accountImmutabilityPolicy: { periodDays: 400, state: "Unlocked" },
      },
    }),
    expect: { status: "fail" },
  },
  {
    name: "a Locked 365-day policy on insights-logs-auditevent passes",
    ...onArchive({ containers: [{ name: AUDIT_CONTAINER, immutabilityPolicy: locked(365) }] }),
    expect: {
      status: "pass",
      message: /container insights-logs-auditevent of storage account staudit is locked for 365 days/,
    },
  },
  {
    name: "a Locked policy on the Cloud HSM container passes",
    ...onArchive(
      { containers: [{ name: "insights-logs-hsmserviceoperations", immutabilityPolicy: locked(400) }] },
      cloudHsm({ settings: [cloudToWorkspace, cloudToArchive] }),
    ),
    expect: { status: "pass", message: /insights-logs-hsmserviceoperations .* locked for 400 days/ },
  },
  {
    name: "an Unlocked policy fails with its own message",
    ...onArchive({
      containers: [{ name: AUDIT_CONTAINER, immutabilityPolicy: { periodDays: 365, state: "Unlocked" } }],
    }),
    expect: {
      status: "fail",
      message: /an Unlocked retention policy of 365 days, which can be shortened or deleted: lock it/,
    },
  },
  {
    name: "a Locked policy shorter than the minimum fails",
    ...onArchive({ containers: [{ name: AUDIT_CONTAINER, immutabilityPolicy: locked(180) }] }),
    expect: { status: "fail", message: /locked for 180 days, fewer than 365/ },
  },
  {
    name: "minimumDays 90 passes a 180-day lock",
    params: { minimumDays: 90 },
    ...onArchive({ containers: [{ name: AUDIT_CONTAINER, immutabilityPolicy: locked(180) }] }),
    expect: { status: "pass" },
  },
  {
    name: "a container without a policy (a mutable archive) fails",
    ...onArchive({ containers: [{ name: AUDIT_CONTAINER }] }),
    expect: { status: "fail", message: /has no immutability policy: its blobs can be overwritten or deleted/ },
  },
  {
    name: "a policy on another container does not protect the audit container",
    ...onArchive({
      containers: [{ name: "insights-logs-other", immutabilityPolicy: locked(999) }, { name: AUDIT_CONTAINER }],
    }),
    expect: { status: "fail", message: /insights-logs-auditevent .* no immutability policy/ },
  },
  {
    name: "no audit container yet fails",
    ...onArchive({ containers: [] }),
    expect: { status: "fail", message: /has no container insights-logs-auditevent yet/ },
  },
  {
    name: "containers that could not be read: error",
    ...onArchive({ containers: failed("HTTP 403 AuthorizationFailed", 403) }),
    expect: { status: "error", message: /containers of storage account staudit could not be read/ },
  },
  ...noArchiveCases(/immutable is not proven: storage account staudit could not be read/),
];

const archiveRetention: CheckCase[] = [
  {
    name: "no lifecycle policy passes",
    ...onArchive({ lifecycle: null }),
    expect: { status: "pass", message: /has no lifecycle policy/ },
  },
  {
    name: "a rule deleting everything after 30 days fails",
    ...onArchive({ lifecycle: [deleteRule("cost-saver", 30)] }),
    expect: { status: "fail", message: /rule 'cost-saver' deletes them 30 days after last modification/ },
  },
  {
    name: "a rule on insights-logs- deleting after 90 days fails",
    ...onArchive({ lifecycle: [deleteRule("logs-90d", 90, ["insights-logs-"])] }),
    expect: { status: "fail", message: /deleted before 365 days: .*'logs-90d'/ },
  },
  {
    name: "a rule narrower than the HSM's path still deletes its blobs: fail",
    ...onArchive({ lifecycle: [deleteRule("one-hsm", 7, [`${AUDIT_CONTAINER}/resourceId=/SUBSCRIPTIONS/`])] }),
    expect: { status: "fail", message: /'one-hsm'/ },
  },
  {
    name: "a rule on another container does not reach the logs: pass",
    ...onArchive({ lifecycle: [deleteRule("tmp", 1, ["scratch/"])] }),
    expect: { status: "pass", message: /no enabled lifecycle rule of storage account staudit deletes the log blobs/ },
  },
  {
    name: "a disabled rule does not delete: pass",
    ...onArchive({ lifecycle: [deleteRule("off", 1, [], false)] }),
    expect: { status: "pass" },
  },
  {
    name: "a rule deleting after 400 days passes",
    ...onArchive({ lifecycle: [deleteRule("keep-400d", 400, ["insights-logs-"])] }),
    expect: { status: "pass", message: /rule 'keep-400d' deletes them 400 days after last modification/ },
  },
  {
    name: "a rule that deletes only old versions does not delete the logs: pass",
    ...onArchive({
      lifecycle: [{ ...deleteRule("versions", 7), deletes: [{ target: "version", after: "creation", days: 7 }] }],
    }),
    expect: { status: "pass" },
  },
  {
    name: "a rule deleting by creation date early fails",
    ...onArchive({
      lifecycle: [{ ...deleteRule("created", 60), deletes: [{ target: "baseBlob", after: "creation", days: 60 }] }],
    }),
    expect: { status: "fail", message: /60 days after creation/ },
  },
  {
    name: "minimumDays 30 passes a 90-day rule",
    params: { minimumDays: 30 },
    ...onArchive({ lifecycle: [deleteRule("logs-90d", 90)] }),
    expect: { status: "pass" },
  },
  {
    name: "a lifecycle policy that could not be read: error",
    ...onArchive({ lifecycle: failed("HTTP 403 AuthorizationFailed", 403) }),
    expect: { status: "error", message: /lifecycle policy of storage account staudit could not be read/ },
  },
  ...noArchiveCases(/kept 365 days is not proven: storage account staudit could not be read/),
];

const archiveSecure: CheckCase[] = [
  {
    name: "TLS 1.2, no public access, same region, Standard passes",
    ...onArchive({}),
    expect: { status: "pass", message: /staudit requires TLS1_2, forbids anonymous access, is in westeurope/ },
  },
  {
    name: "TLS 1.0 fails",
    ...onArchive({ properties: { minimumTlsVersion: "TLS1_0" } }),
    expect: { status: "fail", message: /it accepts TLS1_0, older than TLS1_2/ },
  },
  {
    name: "no stated TLS version fails",
    ...onArchive({ properties: { minimumTlsVersion: undefined } }),
    expect: { status: "fail", message: /states no minimum TLS version/ },
  },
  {
    name: "public blob access fails",
    ...onArchive({ properties: { allowBlobPublicAccess: true } }),
    expect: { status: "fail", message: /allows anonymous \(public\) blob access/ },
  },
  {
    name: "another region fails (Azure requires the HSM's region)",
    ...onArchive({ properties: { location: "northeurope" } }),
    expect: { status: "fail", message: /in northeurope, not in the HSM's region westeurope/ },
  },
  {
    name: "the same region spelt differently passes",
    ...onArchive({ properties: { location: "West Europe" } }),
    expect: { status: "pass" },
  },
  {
    name: "a Premium account fails",
    ...onArchive({ properties: { sku: "Premium_LRS", skuTier: "Premium", kind: "BlockBlobStorage" } }),
    expect: { status: "fail", message: /Premium account \(Premium_LRS\)/ },
  },
  {
    name: "every violation is listed",
    ...onArchive({
      properties: { minimumTlsVersion: "TLS1_1", allowBlobPublicAccess: true, location: "eastus", sku: "Premium_ZRS" },
    }),
    expect: { status: "fail", message: /TLS1_1.*anonymous.*eastus.*Premium/ },
  },
  {
    name: "minimumTlsVersion TLS1_3 fails TLS 1.2",
    params: { minimumTlsVersion: "TLS1_3" },
    ...onArchive({}),
    expect: { status: "fail", message: /accepts TLS1_2, older than TLS1_3/ },
  },
  ...noArchiveCases(/secured is not proven: storage account staudit could not be read/),
];

const WITHIN = "2025-06-08T10:00:00.000Z";
const flowing = (result: Parameters<typeof arrival>[2], hsm = archivedManaged()) =>
  onArchive({ arrivals: [arrival(hsm, MANAGED_AUDIT, result)] }, hsm);

const archiveFlowing: CheckCase[] = [
  {
    name: "a blob of this HSM inside the window passes",
    ...flowing(newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN)),
    expect: {
      status: "pass",
      message:
        /arriving in its storage archive: storage account staudit \(AuditEvent\) holds the hour of 2025-06-08T10:00/,
    },
  },
  {
    name: "the older records document passes too",
    ...flowing(newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN, { format: "records" })),
    expect: { status: "pass", message: /a records document/ },
  },
  {
    name: "a resource id in another case is the same HSM: pass",
    ...flowing(
      newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN, {
        record: { resourceId: archivedManaged().id.toLowerCase(), category: "auditevent" },
      }),
    ),
    expect: { status: "pass" },
  },
  {
    name: "the newest blob is older than the window: fail",
    ...flowing(newestHour(archivedManaged(), MANAGED_AUDIT, "2025-05-20T03:00:00.000Z")),
    expect: { status: "fail", message: /newest archived hour .* is 2025-05-20T03:00:00.000Z, before the window/ },
  },
  {
    name: "a newest blob after the window proves nothing about it: error",
    ...flowing(newestHour(archivedManaged(), MANAGED_AUDIT, "2025-06-08T20:00:00.000Z")),
    expect: { status: "error", message: /is 2025-06-08T20:00:00.000Z, after the window/ },
  },
  {
    name: "no blob on any day of the window: fail",
    ...flowing({ daysListed: ["d=08/", "d=07/", "d=06/"] }),
    // The blobs were listed: no role is missing, the fix is not a role assignment.
    expect: {
      status: "fail",
      message: /holds no hourly blob of Mhsm-Keys on the 3 day\(s\) of the window/,
      fix: null,
    },
  },
  {
    name: "no container: fail",
    ...flowing({ daysListed: ["d=08/"], containerMissing: true }),
    expect: { status: "fail", message: /has no container insights-logs-auditevent: nothing was ever archived/ },
  },
  {
    name: "records of another resource: fail",
    ...flowing(
      newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN, {
        record: {
          resourceId: "/SUBSCRIPTIONS/X/RESOURCEGROUPS/Y/PROVIDERS/MICROSOFT.KEYVAULT/MANAGEDHSMS/OTHER",
          category: MANAGED_AUDIT,
        },
      }),
    ),
    expect: { status: "fail", message: /holds records of \/SUBSCRIPTIONS\/X.*, not of Mhsm-Keys/ },
  },
  {
    name: "records of another category: fail",
    ...flowing(
      newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN, {
        record: { resourceId: archivedManaged().id, category: "AzurePolicyEvaluationDetails" },
      }),
    ),
    expect: { status: "fail", message: /holds AzurePolicyEvaluationDetails records, not AuditEvent/ },
  },
  {
    name: "a blob whose content is not audit records: error",
    ...flowing(
      newestHour(archivedManaged(), MANAGED_AUDIT, WITHIN, { record: undefined, problem: "the blob is empty" }),
    ),
    expect: { status: "error", message: /could not be read as audit records: the blob is empty/ },
  },
  {
    name: "403 from the data plane: error naming the role",
    ...flowing(failed("HTTP 403 AuthorizationPermissionMismatch", 403, { code: "AuthorizationPermissionMismatch" })),
    expect: {
      status: "error",
      message:
        /HTTP 403 AuthorizationPermissionMismatch\): grant the scanning identity the Storage Blob Data Reader role/,
      fix: "access",
    },
  },
  {
    name: "a network failure on the data plane: error",
    ...flowing(failed("could not read the archive: ECONNRESET", undefined, { code: "ECONNRESET" })),
    expect: { status: "error", message: /could not be read \(could not read the archive: ECONNRESET\)/ },
  },
  {
    name: "an archive whose blobs were not read: error",
    ...onArchive({ arrivals: [] }),
    expect: { status: "error", message: /staudit \(AuditEvent\) was not read/ },
  },
  ...noArchiveCases(/arrive in its storage archive is not proven: storage account staudit could not be read/),
];

export const CASES: Record<CheckKindName, CheckCase[]> = {
  "activity-failed-access": activityFailedAccess,
  "activity-mass-retrieval": activityMassRetrieval,
  "activity-new-callers": activityNewCallers,
  "activity-sensitive-operations": activitySensitiveOperations,
  "activity-trail-gap": activityTrailGap,
  "appliance-audit-events": applianceAuditEvents,
  "appliance-audit-offload": applianceAuditOffload,
  "appliance-audit-role": applianceAuditRole,
  "appliance-evidence": applianceEvidence,
  "appliance-no-tamper": applianceNoTamper,
  "appliance-remote-audit": applianceRemoteAudit,
  "appliance-remote-syslog": applianceRemoteSyslog,
  "appliance-time-sync": applianceTimeSync,
  "archive-flowing": archiveFlowing,
  "archive-immutable": archiveImmutable,
  "archive-retention": archiveRetention,
  "archive-secure": archiveSecure,
  "audit-category-enabled": auditCategoryEnabled,
  "destination-configured": destinationConfigured,
  "destination-exists": destinationExists,
  "destination-retention": destinationRetention,
  "diagnostic-setting-continuous": diagnosticSettingContinuous,
  "diagnostic-setting-present": diagnosticSettingPresent,
  "inventory-complete": inventoryComplete,
  "logs-flowing": logsFlowing,
  "provider-registered": providerRegistered,
  "sentinel-coverage": sentinelCoverage,
};

/**
 * The audit log sent to storage, and perhaps to a workspace through a group the categories API could not resolve:
 * no check that needs a workspace may fail then, only be an error (shared by the workspace checks' tables).
 */
function unresolvedGroupBesideStorage(): CheckCase {
  return {
    name: "the audit log sent to storage, and maybe to a workspace by a group that could not be resolved: error",
    ...onHsm(
      cloudHsm({
        settings: [
          setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE }),
          setting({ name: "by-group", group: "audit", workspaceId: WORKSPACE }),
        ],
        categories: failed("categories API answered 429", 429),
      }),
      { workspaces: [yearLongWorkspace()] },
    ),
    expect: { status: "error", message: /'by-group' .* could not be resolved/ },
  };
}
