// The specification of every check kind, as a table: a snapshot, the target judged, the params (the kind's defaults
// apply to what is left out) and the verdict expected. checks.test.ts runs every row.
import type { Target, Verdict } from "../../src/engine/check.js";
import type { HsmFacts, Snapshot, SubscriptionFacts } from "../../src/model/snapshot.js";
import {
  EVENT_HUB_RULE,
  STORAGE,
  WORKSPACE,
  categoryInfo,
  category,
  cloudHsm,
  dedicatedHsm,
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

export type CheckKindName =
  | "activity-failed-access"
  | "activity-mass-retrieval"
  | "activity-new-callers"
  | "activity-sensitive-operations"
  | "activity-trail-gap"
  | "appliance-evidence"
  | "audit-category-enabled"
  | "destination-configured"
  | "destination-exists"
  | "destination-retention"
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
    name: "400 days against the default 365 passes",
    ...onHsm(cloudHsm({ settings: [cloudToWorkspace] }), { workspaces: [yearLongWorkspace()] }),
    expect: { status: "pass", message: /at least 365 days: workspace law-audit keeps 400 days/ },
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
    expect: { status: "fail", message: /not kept 365 days: workspace law-audit keeps 90 days/ },
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
    expect: { status: "fail", message: /law-audit does not exist/ },
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
    name: "the audit log sent only to storage fails",
    ...onHsm(cloudHsm({ settings: [setting({ category: CLOUD_AUDIT, storageAccountId: STORAGE })] })),
    expect: { status: "fail", message: /No Log Analytics workspace receives/ },
  },
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
  {
    name: "unreadable settings are an error",
    ...onHsm(cloudHsm({ settings: failed("AuthorizationFailed", 403) })),
    expect: { status: "error" },
  },
];

// --- appliance-evidence -----------------------------------------------------------------------------------------------

const luna = dedicatedHsm();

const applianceEvidence: CheckCase[] = [
  {
    name: "a Dedicated HSM is manual, citing its inventory",
    target: hsmTarget(luna),
    snapshot: snapshot({
      hsms: [luna],
      subscriptions: [subscription({ inventory: { dedicatedHsm: known({ count: 1 }, "ev-luna-list") } })],
    }),
    expect: { status: "manual", message: /Luna appliance/, evidence: ["ev-luna-list"] },
  },
  {
    name: "a Dedicated HSM stays manual however complete the rest is",
    ...onHsm(dedicatedHsm({ name: "dhsm-2" })),
    expect: { status: "manual", message: /by hand/ },
  },
];

export const CASES: Record<CheckKindName, CheckCase[]> = {
  "activity-failed-access": activityFailedAccess,
  "activity-mass-retrieval": activityMassRetrieval,
  "activity-new-callers": activityNewCallers,
  "activity-sensitive-operations": activitySensitiveOperations,
  "activity-trail-gap": activityTrailGap,
  "appliance-evidence": applianceEvidence,
  "audit-category-enabled": auditCategoryEnabled,
  "destination-configured": destinationConfigured,
  "destination-exists": destinationExists,
  "destination-retention": destinationRetention,
  "diagnostic-setting-present": diagnosticSettingPresent,
  "inventory-complete": inventoryComplete,
  "logs-flowing": logsFlowing,
  "provider-registered": providerRegistered,
  "sentinel-coverage": sentinelCoverage,
};
