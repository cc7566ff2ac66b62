// The snapshot: everything collection read from Azure, as plain JSON, with the evidence of every exchange.
// Evaluation reads nothing else, so a saved snapshot can be evaluated later, elsewhere, with the same result.

import type { HsmKind } from "../domain/hsm-kinds.js";
import type { ApplianceEvidenceSource, ApplianceFacts } from "./appliance.js";

export type { HsmKind };
export type {
  ApplianceEvidenceSource,
  ApplianceFacts,
  ApplianceReadings,
  LunaNtpPeer,
  LunaRemoteHost,
} from "./appliance.js";

/** Why a read failed: what it was for, and what Azure (or the network) said. */
export interface CollectionError {
  /** One sentence: what could not be read, and why. */
  message: string;
  /** HTTP status, when there was an answer. */
  status?: number;
  /** ARM or Log Analytics error code, or a network error code (`ECONNRESET`, `Timeout`, ...). */
  code?: string;
}

/** A fact read from Azure, or the error that stopped it being read; with the evidence records behind either. */
export type Fact<T> = { value: T; evidence: string[] } | { error: CollectionError; evidence: string[] };

export function isKnown<T>(fact: Fact<T> | undefined): fact is { value: T; evidence: string[] } {
  return fact !== undefined && "value" in fact;
}

export interface EvidenceRecord {
  id: string;
  method: string;
  /** The URL with SAS signatures and other secrets in the query redacted. */
  url: string;
  /** HTTP status; 0 when no answer arrived (reset, timeout). */
  status: number;
  capturedAt: string;
  /** SHA-256 (hex) of the response body exactly as received; of the empty string when there was none. */
  sha256: string;
  durationMs: number;
  /** What the request was for, e.g. `diagnosticSettings /subscriptions/.../chsm-1`. */
  purpose: string;
  /** The network error, when no (complete) answer arrived. */
  networkError?: string;
  /** The response body with tokens, keys and SAS signatures redacted (JSON bodies up to a size limit). */
  body?: string;
  /** True when redaction changed the body, so `sha256` is of the original. */
  redacted?: boolean;
  /**
   * The exchange this answer arrived inside (ARM's `POST /batch`): the record is one inner answer of it, its
   * `sha256` that of the inner content serialised as JSON.
   */
  via?: string;
  /**
   * The service's clock when it answered: its `Date` response header, as an ISO 8601 instant (absent when the answer
   * carried none, or none arrived). Compared with `capturedAt` to measure how far the clocks disagree.
   */
  serviceTime?: string;
  /**
   * How the evidence was read: absent (or `https`) for an exchange with Azure; `file` for an appliance transcript an
   * administrator saved; `ssh` for a LunaSH command the tool ran. For `file` and `ssh`, `method` is `LUNASH`, `url`
   * names the transcript, `status` is the command's `Command Result` code, and the fields below say what was run.
   */
  transport?: "https" | "file" | "ssh";
  /** The LunaSH command (appliance evidence). */
  command?: string;
  /** The appliance user that runs it (appliance evidence). */
  user?: string;
  /** The appliance's address, when known (appliance evidence). */
  host?: string;
  /** The SHA-256 fingerprint of the appliance's SSH host key that was pinned (`ssh`). */
  hostKey?: string;
}

/**
 * How far the services' clock is from the scanning machine's, as measured from the `Date` headers of the answers:
 * the answer whose clock differed most. The log window is the scanner's, the records' times the services': beyond a
 * tolerance, whatever depends on the window is not proven.
 */
export interface ClockReading {
  /** Service time minus local time, in milliseconds (positive: the services run ahead), rounded to the second. */
  skewMs: number;
  /** How many answers carried a `Date` header. */
  samples: number;
  /** The evidence record of the answer whose clock differed most. */
  evidence?: string;
  /** That answer's `Date` header and the local time it was read at (the middle of the exchange). */
  serviceTime?: string;
  localTime?: string;
}

/** Where a scan listed the HSMs from, and why it gave up Resource Graph when it did. */
export interface InventoryRecord {
  source: "arm" | "resource-graph";
  fallbackFrom?: "resource-graph";
  reason?: string;
  /** Resource Graph's query was scoped to these management groups (those whose descendants were read). */
  managementGroups?: string[];
  /**
   * Subscriptions Resource Graph listed HSMs in under those groups that no descendants list named: each was read by a
   * GET and added to the scan (`scope.subscriptions`), never left out.
   */
  beyondDescendants?: string[];
}

/**
 * A management group a scan was scoped to, and what its descendants list named: the subscriptions and nested
 * management groups under it, at every depth (subscription ids and group ids, in the order listed). The subscriptions
 * scanned are the union of those the groups' lists named; when a group's list could not be read, or named no
 * subscription, the inventory is an error naming that group (the other groups' subscriptions are still scanned).
 */
export interface ManagementGroupScope {
  id: string;
  descendants: Fact<{ subscriptions: string[]; managementGroups: string[] }>;
}

/**
 * How a scan gathered its evidence, as it happened: the pacing, ARM's batch, the Log Analytics queries shared by
 * several workspaces, and the retries. Absent in snapshots of earlier versions.
 */
export interface CollectionRecord {
  /** Requests in flight at once, at most (the scheduler's socket cap). */
  concurrency: number;
  /**
   * ARM's batch API, when the scan used it (absent with `--no-arm-batch`): the most reads one batch carries, the batch
   * exchanges sent, the reads they answered, and the reads they declined, each of which was then read alone.
   */
  armBatch?: { size: number; batches: number; answered: number; readAlone: number };
  /**
   * The questions about the audit records: the most workspaces one query asks together, and how many workspaces were
   * asked again alone because the answer they shared failed.
   */
  logQueries: { workspacesPerQuery: number; askedAgainAlone: number };
  /** Attempts sent again after a throttle, a server error, a timeout or a network failure. */
  retries: number;
}

export interface SubscriptionFacts {
  subscriptionId: string;
  displayName?: string;
  /** The Entra tenant the subscription belongs to, as ARM lists it. */
  tenantId?: string;
  /** `registrationState` of `Microsoft.Insights` (read only for subscriptions that hold an HSM). */
  insightsProvider?: Fact<{ registrationState: string }>;
  /**
   * The HSM lists of this subscription, one per kind. `unregistered` names the provider namespace when ARM answered
   * that the subscription is not registered for it (so it holds none of its resources).
   */
  inventory: Record<HsmKind, Fact<{ count: number; unregistered?: string }>>;
}

export interface LogSetting {
  category?: string;
  categoryGroup?: string;
  enabled: boolean;
  retentionDays?: number;
}

export interface DiagnosticSetting {
  id: string;
  name: string;
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  marketplacePartnerId?: string;
  serviceBusRuleId?: string;
  logAnalyticsDestinationType?: string;
  logs: LogSetting[];
}

export interface DiagnosticCategory {
  name: string;
  categoryType: string;
  categoryGroups: string[];
}

/** What identifies an HSM and what ARM says of it, in the snapshot and in result.json alike. */
export interface HsmIdentity {
  id: string;
  type: string;
  kind: HsmKind;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  sku?: string;
  provisioningState?: string;
}

/** A network interface of a Dedicated HSM (`properties.networkProfile.networkInterfaces[]`). */
export interface HsmNetworkInterface {
  /** Its ARM id, when ARM gives it. */
  id?: string;
  privateIpAddress: string;
}

export interface HsmFacts extends HsmIdentity {
  /**
   * Dedicated HSM only: its network interfaces as ARM's `properties.networkProfile` lists them, by which a Luna
   * appliance entry without a resourceId is matched (its private IP).
   */
  networkInterfaces?: HsmNetworkInterface[];
  /** Dedicated HSM only: the subnet of `properties.networkProfile`. */
  subnetId?: string;
  /** Cloud and Managed HSM only. */
  diagnosticSettings?: Fact<DiagnosticSetting[]>;
  /** What the diagnostic settings categories API lists for this HSM (Cloud and Managed HSM only). */
  categories?: Fact<DiagnosticCategory[]>;
}

export interface WorkspaceFacts {
  /** ARM id as a diagnostic setting names it. */
  id: string;
  /** False when ARM answered that the workspace (or its group or subscription) does not exist. */
  info: Fact<{ exists: false; reason: string } | { exists: true; customerId: string; retentionInDays?: number }>;
  /** Microsoft Sentinel on the workspace (read for workspaces that receive HSM audit logs). */
  sentinel?: Fact<SentinelFacts>;
  /**
   * The audit tables' own retention (`workspaces/tables`), read when the workspace exists. A table the workspace does
   * not have is listed with `exists: false`: its records, once they arrive, take the workspace default.
   */
  tables?: Fact<WorkspaceTable[]>;
}

export interface WorkspaceTable {
  name: string;
  exists: boolean;
  /** Interactive retention as ARM answers it (the workspace default when the table sets none). */
  retentionInDays?: number;
  /** Interactive plus long-term retention. */
  totalRetentionInDays?: number;
  /** True when the table takes the workspace's retention rather than its own. */
  retentionInDaysAsDefault?: boolean;
}

/** A storage account as ARM describes it: the properties that decide whether it keeps an audit trail safe. */
export interface StorageAccountProperties {
  exists: true;
  location?: string;
  kind?: string;
  sku?: string;
  /** `Standard` or `Premium`. */
  skuTier?: string;
  /** `TLS1_0`, `TLS1_1`, `TLS1_2`, `TLS1_3`. */
  minimumTlsVersion?: string;
  allowBlobPublicAccess?: boolean;
  allowSharedKeyAccess?: boolean;
  /** Account-level immutable storage with versioning. */
  immutableStorageWithVersioning?: boolean;
  /**
   * The account's default version-level immutability policy. Account-level immutability only turns on support for
   * WORM versions: without a Locked default policy of enough days, nothing protects a blob.
   */
  accountImmutabilityPolicy?: ImmutabilityPolicy;
  /** The blob service endpoint as ARM answered it (`primaryEndpoints.blob`). */
  blobEndpoint?: string;
}

/** A container's time-based retention policy. */
export interface ImmutabilityPolicy {
  periodDays: number;
  /** `Locked` or `Unlocked`. */
  state: string;
  allowProtectedAppendWrites?: boolean;
}

/** One `insights-logs-*` container of a storage account. */
export interface LogContainer {
  name: string;
  hasLegalHold?: boolean;
  immutabilityPolicy?: ImmutabilityPolicy;
}

/** A lifecycle management rule, reduced to what can delete audit blobs. */
export interface LifecycleRule {
  name: string;
  enabled: boolean;
  /** `container/blob-prefix` filters; empty when the rule applies to every blob. */
  prefixMatch: string[];
  blobTypes: string[];
  /** Delete actions on current blobs (`baseBlob`), snapshots and versions, with their age condition. */
  deletes: {
    target: "baseBlob" | "snapshot" | "version";
    after: "modification" | "creation" | "lastAccess";
    days: number;
  }[];
}

/** The newest archived hour of one HSM's audit category, as the blob data plane showed it. */
export interface ArchiveArrival {
  hsmId: string;
  category: string;
  container: string;
  /** The blob name prefix (`resourceId=/SUBSCRIPTIONS/.../`) under which this HSM's hours are stored. */
  prefix: string;
  result: Fact<{
    /** The day prefixes listed, newest first (each `.../y=YYYY/m=MM/d=DD/`). */
    daysListed: string[];
    /** The `insights-logs-{category}` container does not exist: nothing of the category was ever archived here. */
    containerMissing?: true;
    /** The newest hourly blob found, if any. */
    newest?: {
      name: string;
      /** The hour the blob's path names (UTC). */
      hour: string;
      lastModified?: string;
      /**
       * SHA-256 (hex) and length of the bytes read from the blob's start. The evidence record of that read hashes no
       * body (the SDK streams blob content past the recorder), so the hash of what was read is kept here.
       */
      headSha256?: string;
      headBytes?: number;
      /** `jsonLines` or `records` (the older `{"records":[...]}`); absent when no record could be read. */
      format?: "jsonLines" | "records";
      /** The first record: what it says it is. */
      record?: { resourceId?: string; category?: string; time?: string; operationName?: string };
      /** Why the blob's content could not be read as audit records. */
      problem?: string;
    };
  }>;
}

/** Whether Sentinel is onboarded on a workspace, and its analytic rules (with the query of those that have one). */
export interface SentinelFacts {
  onboarded: boolean;
  rules: { name: string; displayName: string; kind: string; enabled: boolean; query?: string }[];
}

export interface StorageAccountFacts {
  id: string;
  info: Fact<{ exists: false; reason: string } | StorageAccountProperties>;
  /** The `insights-logs-*` containers and their immutability policies (read when the account exists). */
  containers?: Fact<LogContainer[]>;
  /** Lifecycle management; `policy: false` when the account has none (ARM answers 404). */
  lifecycle?: Fact<{ policy: boolean; rules: LifecycleRule[] }>;
  /** Per HSM and audit category sent here: the newest archived blob (data plane). */
  arrivals?: ArchiveArrival[];
}

export interface LogSampleRow {
  /** `_ResourceId` as the workspace stores it (lower-cased). */
  hsmId: string;
  records: number;
  lastRecord?: string;
  /** Records per UTC day (`YYYY-MM-DD`) of the window, days without records left out; oldest first. */
  perDay?: { day: string; records: number }[];
}

/** One summarised query per workspace over the audit tables, covering every HSM that sends to it. */
export interface LogSample {
  workspaceId: string;
  customerId?: string;
  hsmIds: string[];
  query?: string;
  /** Rows per HSM and table. When the query failed in part, `partial` holds why and rows are what came back. */
  result: Fact<{ rows: LogSampleRow[]; partial?: CollectionError }>;
}

/**
 * The period searched for audit records: the last `duration` before the scan, or a period the user named
 * (`period`: `2026-10` for a calendar month in UTC, or `<from>/<to>`).
 */
export interface LogWindow {
  duration: string;
  start: string;
  end: string;
  period?: string;
}

/** The answers to the activity questions (src/azure/queries.ts), one row type per question. */
export interface ActivityRows {
  operations: { hsmId: string; operation: string; records: number; failures: number; first: string; last: string }[];
  callers: {
    hsmId: string;
    caller: string;
    identity: string;
    records: number;
    failures: number;
    first: string;
    last: string;
    firstLogin?: string;
  }[];
  series: { hsmId: string; bin: string; records: number }[];
  sensitive: {
    hsmId: string;
    operation: string;
    records: number;
    rows: { time: string; caller: string; identity: string; outcome: string }[];
  }[];
  keyGets: { hsmId: string; caller: string; identity: string; bin: string; gets: number }[];
  /** Failed requests per caller and five-minute bin. */
  failures: { hsmId: string; caller: string; identity: string; bin: string; failures: number; operations: string[] }[];
}

export type ActivityAnswer<Q extends keyof ActivityRows> = {
  query: string;
  result: Fact<{ rows: ActivityRows[Q]; partial?: CollectionError }>;
};

/** What the HSMs sending to one workspace did in the window: one summarised query per question. */
export interface ActivitySample {
  workspaceId: string;
  hsmIds: string[];
  /** The bin of the `series` question: an hour, or a day for windows too long to count by the hour. */
  bin: "1h" | "1d";
  questions: { [Q in keyof ActivityRows]: ActivityAnswer<Q> };
}

/** One administrative event of the Activity Log on a diagnostic setting (`Microsoft.Insights/diagnosticSettings/...`). */
export interface SettingEvent {
  /** `eventDataId`: the event's own id (unique). */
  id: string;
  /** `eventTimestamp`. */
  time: string;
  /** `operationName.value`, e.g. `Microsoft.Insights/diagnosticSettings/delete`. */
  operation: string;
  /** `status.value`: `Started`, `Accepted`, `Succeeded`, `Failed`, ... */
  status: string;
  /** `resourceId` as the event names it (the setting's id, in whatever case the service wrote it). */
  resourceId: string;
  /** Who did it (`caller`: a user principal name or an object id). */
  caller?: string;
  /** Ties the events of one operation together (`Started` and its outcome). */
  correlationId?: string;
}

/**
 * The Activity Log of one resource group over a period (`activityLogs.list` with a `resourceGroupName` filter, every
 * page): its events on diagnostic settings, and what it answered that the filter should have left out.
 */
export interface ActivityLogRead {
  subscriptionId: string;
  resourceGroup: string;
  /** The period asked for (the log window, when the Activity Log still keeps its start). */
  start: string;
  end: string;
  /** The `$filter` sent. */
  filter: string;
  result: Fact<{
    /** Events read in all, over every page. */
    events: number;
    /** The events on diagnostic settings of any resource of the group, oldest first. */
    settingEvents: SettingEvent[];
    /**
     * Events that lie outside the period or the group asked for: when any, the service did not apply the filter as
     * sent, and what it answered does not prove what the period held.
     */
    outside: number;
    /** One of them, in words. */
    outsideExample?: string;
  }>;
}

/**
 * The claims of the scan's ARM access token that say who ran it, as the token carried them (strings the token's
 * issuer wrote, and some of them, a user's name, chosen by whoever administers the tenant). The token itself is never
 * kept. Read without checking the signature: it says who the scan ran as, not that this was proven.
 */
export interface PrincipalClaims {
  /** Tenant id. */
  tid?: string;
  /** Object id of the user or service principal. */
  oid?: string;
  /** Application (client) id, v1 tokens. */
  appid?: string;
  /** Application (client) id, v2 tokens. */
  azp?: string;
  upn?: string;
  unique_name?: string;
  preferred_username?: string;
  /** `user` or `app`, when the token says. */
  idtyp?: string;
  /** The token's issuer. */
  iss?: string;
}

/** Who ran the scan: the claims of its ARM token, or why they are not known (a token that is not a JWT, say). */
export type Principal = { known: true; claims: PrincipalClaims } | { known: false; reason: string };

/**
 * What the scan's credential may do in one resource group that holds an HSM, as `Microsoft.Authorization/permissions`
 * (`permissions.listForResourceGroup`, every page) answered: each entry's `actions` and `notActions` (data actions
 * are left out: they are no reads of ARM).
 */
export interface ResourceGroupPermissions {
  subscriptionId: string;
  resourceGroup: string;
  /** The kinds of HSM the scan found in the group (what it needed to read there follows from them). */
  kinds: HsmKind[];
  result: Fact<{ permissions: Array<{ actions: string[]; notActions: string[] }> }>;
}

export interface Snapshot {
  schemaVersion: 1;
  kind: "hsm-audit-snapshot";
  tool: { name: string; version: string };
  /** A random id of this collection run, shown on every page of the reports. */
  runId?: string;
  startedAt: string;
  finishedAt: string;
  scope: {
    cloud: string;
    subscriptions: string[];
    armEndpoint: string;
    logsEndpoint: string;
    /**
     * Where the HSMs were listed from: ARM's per-subscription lists, or Azure Resource Graph. When Resource Graph was
     * asked for but could not be used, `fallbackFrom` and `reason` say so.
     */
    inventory?: InventoryRecord;
    /**
     * The management groups the scan was scoped to (`--management-group`, repeatable), in the order given; absent when
     * it was not scoped to any.
     */
    managementGroups?: ManagementGroupScope[];
  };
  /** How the evidence was gathered (absent in snapshots of earlier versions). */
  collection?: CollectionRecord;
  /** The period searched for audit records. */
  logWindow: LogWindow;
  /** How far the services' clock is from the scanner's (absent in snapshots of earlier versions). */
  clock?: ClockReading;
  /** Listing the subscriptions (when none were named). */
  subscriptionList?: Fact<{ count: number }>;
  subscriptions: SubscriptionFacts[];
  hsms: HsmFacts[];
  workspaces: WorkspaceFacts[];
  storageAccounts: StorageAccountFacts[];
  logSamples: LogSample[];
  /** The activity questions asked of each workspace that was sampled (absent in snapshots of earlier versions). */
  activitySamples?: ActivitySample[];
  /**
   * The Activity Log of each resource group holding a Cloud or Managed HSM over the log window (absent in snapshots
   * of earlier versions, and for a window the Activity Log no longer keeps).
   */
  activityLogs?: ActivityLogRead[];
  /** Who ran the scan, from its ARM token's claims (absent in snapshots of earlier versions). */
  principal?: Principal;
  /**
   * What the credential could read in each resource group holding an HSM (absent in snapshots of earlier versions).
   * Information for the auditor: no policy judges it.
   */
  permissions?: ResourceGroupPermissions[];
  /** Where the appliances' evidence came from (absent when none was given: their findings stay manual). */
  applianceEvidence?: ApplianceEvidenceSource;
  /** The Luna appliances behind Dedicated HSMs, as their evidence showed them (absent when none was given). */
  appliances?: ApplianceFacts[];
  /** Every failed read, with what it was for. */
  errors: Array<CollectionError & { for: string; resourceId?: string }>;
  evidence: EvidenceRecord[];
}
