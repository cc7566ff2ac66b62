// The result of evaluation: result.json, schemaVersion 1, exactly as DESIGN.md's contract, plus fields it adds.
import type {
  ClockReading,
  CollectionRecord,
  DiagnosticSetting,
  HsmIdentity,
  InventoryRecord,
  LogWindow,
  Principal,
} from "./snapshot.js";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ["pass", "fail", "error", "not_applicable", "waived", "manual"] as const;
export type Status = (typeof STATUSES)[number];

/** `sku` and `provisioningState` are added to the contract, as are the fields below (Cloud and Managed HSM). */
export interface ResultResource extends HsmIdentity {
  /** The log categories that make this HSM's audit trail, as the policies required them. */
  auditCategories?: string[];
  diagnosticSettings?: ResultSettings;
  /** Every destination of the HSM's settings, and what was found there. */
  destinations?: ResultDestination[];
  /** The audit records found in each workspace that receives the audit category, over the log window. */
  activity?: ResultActivity[];
  /** Dedicated HSM: the Luna appliance whose evidence it was judged on, and how that appliance was matched to it. */
  appliance?: ResultAppliance;
}

/** The appliance entry a Dedicated HSM was judged on: the one naming it by resourceId, or the one at its private IP. */
export interface ResultAppliance {
  name: string;
  matchedBy: "resourceId" | "privateIp";
  /** The private IP of the HSM that is the entry's host (`privateIp`). */
  privateIp?: string;
  /** The ARM id of the network interface that holds it, when ARM gave one. */
  networkInterface?: string;
}

/** The settings as read, each with the indices of its `logs` entries that carry an audit category; or why not read. */
export type ResultSettings =
  | { settings: { setting: DiagnosticSetting; auditEntries: number[] }[]; evidence: string[] }
  | { error: string; evidence: string[] };

export interface ResultDestination {
  id: string;
  kind: "workspace" | "storageAccount" | "eventHub" | "partner";
  /** Whether a setting that carries the audit category sends here. */
  carriesAudit: boolean;
  /** The settings that send here, by name. */
  settings: string[];
  state: "exists" | "missing" | "unreadable" | "not-checked";
  detail: string;
  evidence?: string[];
}

export interface ResultActivity {
  workspaceId: string;
  state: "ok" | "partial" | "error" | "not-queried";
  message?: string;
  records?: number;
  lastRecord?: string;
  perDay?: { day: string; records: number }[];
  evidence: string[];
  /** What the HSM did, as the activity questions answered (absent when they were not asked). */
  details?: ActivityDetails;
}

/** An HSM's activity in one workspace over the window: operations, callers, failures, and its longest silence. */
export interface ActivityDetails {
  /** `error` when a question could not be answered (the message says which), `partial` when one came back in part. */
  state: "ok" | "partial" | "error";
  message?: string;
  firstRecord?: string;
  lastRecord?: string;
  /** Every operation, most frequent first, with its meaning where the glossary knows it. */
  operations: { name: string; command?: string; description?: string; records: number; failures?: number }[];
  /** Every caller (address, and identity where the log has one), most active first. */
  callers: { address: string; identity?: string; records: number; failures?: number; first: string; last: string }[];
  /** Failed requests in the window; absent for Cloud HSM, whose logs cannot tell success from failure. */
  failedRequests?: number;
  outcomesKnown: boolean;
  /** The longest silence between two records, counted by the hour (`bin` 1h) or the day. */
  longestSilence?: { from: string; to: string; hours: number; atMostHours?: number; trailing?: boolean };
  bin: "1h" | "1d";
}

/**
 * A policy as it was applied, with the framework controls it supports: for renderers that describe the rules (SARIF
 * rules, the methodology of the evidence pack).
 */
export interface ResultPolicy {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  check: string;
  appliesTo: string[];
  rationale: string;
  references: { title: string; url: string }[];
  /** `framework` names it with its version ("PCI DSS 4.0"); `title` is the requirement's. */
  frameworks: { framework: string; control: string; title?: string }[];
  /** `built-in` or the file it was read from. */
  source?: string;
  /** SHA-256 of the policy file. */
  sha256?: string;
}

export interface Finding {
  policyId: string;
  resourceId: string;
  status: Status;
  severity: Severity;
  message: string;
  evidence: string[];
  /** `bicep`: added to the contract, when the policy has a Bicep form of the fix that fits the finding. */
  remediation: { azCli: string; powershell: string; bicep?: string };
  /** Added to the contract: the policy's title, for readers of the JSON alone. */
  title: string;
  /**
   * Added to the contract: on a `waived` finding, the waiver that accepted it: a failure, or a `manual` finding whose
   * evidence a person supplied outside the tool (the waiver is that documented compensating control).
   */
  waiver?: WaiverReference;
  /** Added to the contract: on an activity highlight, the records it rests on and the queries that found them. */
  details?: FindingDetails;
}

/** The evidence rows of an activity highlight: at most a cap of them, with how many there were in all. */
export interface FindingDetails {
  rows: { time: string; operation: string; caller: string; identity?: string; count?: number; note?: string }[];
  /** How many rows there were before the cap. */
  total: number;
  /** The KQL that found them, one per workspace asked. */
  queries: string[];
}

/** A waiver as a waived finding cites it: its position in the waivers file and what it says. */
export interface WaiverReference {
  index: number;
  reason: string;
  owner: string;
  ticket: string;
  expires: string;
  /** On a waived finding: the status the waiver accepted (absent in results of earlier versions: `fail`). */
  accepted?: "fail" | "manual";
}

export const WAIVER_STATES = ["applied", "expired", "unused"] as const;
export type WaiverState = (typeof WAIVER_STATES)[number];

/** A waiver of the waivers file with what became of it in this run. */
export interface ResultWaiver extends Omit<WaiverReference, "accepted"> {
  policy: string;
  resource: string;
  /**
   * `applied`: it waived at least one failure or manual finding; `expired`: its date had passed; `unused`: it matched
   * none.
   */
  state: WaiverState;
  /** The findings it waived (`applied`) or would have waived had it not expired (`expired`). */
  findings: Array<{ policyId: string; resourceId: string }>;
}

export interface ResultEvidence {
  id: string;
  method: string;
  url: string;
  status: number;
  capturedAt: string;
  sha256: string;
  purpose: string;
  /** The exchange this answer arrived inside (ARM's batch); see the snapshot's evidence. */
  via?: string;
  /** The service's `Date` header, as an ISO 8601 instant; see the snapshot's evidence. */
  serviceTime?: string;
  /** Added to the contract: `file` or `ssh` for appliance evidence (absent: an HTTPS exchange with Azure). */
  transport?: "https" | "file" | "ssh";
  /** Appliance evidence: the LunaSH command, the appliance user, the appliance's address, the pinned host key. */
  command?: string;
  user?: string;
  host?: string;
  hostKey?: string;
}

/** The clock comparison of the run: the snapshot's reading, the tolerance applied, and whether it was exceeded. */
export interface ResultClock extends ClockReading {
  /** The largest disagreement tolerated (`clockSkewTolerance`), in milliseconds. */
  toleranceMs: number;
  /** True when the clocks disagree by more than the tolerance: every window-dependent finding is then `error`. */
  beyondTolerance: boolean;
}

export interface Summary {
  pass: number;
  fail: number;
  error: number;
  waived: number;
  notApplicable: number;
  manual: number;
  compliant: boolean;
  /**
   * Added to the contract: the exit code the result earns (DESIGN.md: 0, 1 or 3), computed once by evaluation.
   * Absent in results of earlier versions: `earnedExitCode` computes it from the findings then.
   */
  exitCode?: 0 | 1 | 3;
}

export interface Result {
  schemaVersion: 1;
  tool: { name: string; version: string };
  /** Added to the contract: the id of the collection run (the snapshot's), shown on every page of the reports. */
  runId?: string;
  startedAt: string;
  finishedAt: string;
  /** `subscriptionNames` is added to the contract: display names by subscription id, where they were read. */
  scope: {
    cloud: string;
    subscriptions: string[];
    subscriptionNames?: Record<string, string>;
    /** Added to the contract: the tenants the subscriptions belong to, as ARM listed them. */
    tenantIds?: string[];
    /** Added to the contract: where the HSMs were listed from (see the snapshot's `scope.inventory`). */
    inventory?: InventoryRecord;
    /**
     * Added to the contract: how the evidence was gathered, as the scan recorded it (see the snapshot's
     * `collection`). Absent when the snapshot recorded none (snapshots and results of earlier versions).
     */
    collection?: CollectionRecord;
    /**
     * Added to the contract: the management groups the scan was scoped to (`--management-group`, repeatable), in the
     * order given, each with how many subscriptions its descendants list named at every depth. `scope.subscriptions`
     * is their union, each subscription once (a subscription under two groups, or a group nested in another named
     * one, counts in each group's number). A group's `subscriptions` is absent when its list could not be read: then
     * `hsm-inventory-complete` is an error naming it, and the other groups' subscriptions are still scanned. Absent
     * when the scan was not scoped to management groups.
     */
    managementGroups?: Array<{ id: string; subscriptions?: number }>;
  };
  /** Added to the contract: the period searched for audit records, and the threshold the exit code used. */
  logWindow: LogWindow;
  /**
   * Added to the contract: how far the services' clock was from the scanner's (from the answers' `Date` headers),
   * the tolerance, and whether it was exceeded. Absent when the snapshot recorded no clock reading.
   */
  clock?: ResultClock;
  /** Added to the contract: the rules applied: version and SHA-256 of the policy pack. */
  policyPack?: { version: string; sha256: string };
  failOn: FailOn;
  summary: Summary;
  resources: ResultResource[];
  findings: Finding[];
  /** Added to the contract: failed reads, with what they were for. */
  errors: Array<{ for: string; resourceId?: string; message: string; status?: number; code?: string }>;
  evidence: ResultEvidence[];
  /** Added to the contract: every policy evaluated, in id order. */
  policies?: ResultPolicy[];
  /** Added to the contract: the waivers file's waivers and their state (absent when no waivers file was given). */
  waivers?: ResultWaiver[];
  /** Added to the contract: whether an expired waiver makes the exit code 1 (`--fail-on-expired-waivers`). */
  failOnExpiredWaivers?: boolean;
  /** Added to the contract: resources left out of evaluation by the configuration's `exclude`, with the pattern. */
  excluded?: Array<{ resourceId: string; pattern: string }>;
  /**
   * Added to the contract: what changed since the previous pack (`--previous DIR`), computed after evaluation from the
   * two results; it never changes a verdict. Absent when no previous pack was given. See src/report/changes.ts.
   */
  changes?: ResultChanges;
  /**
   * Added to the contract: who ran the scan, from the claims of its ARM access token (see the snapshot's
   * `principal`). Absent when the snapshot recorded none.
   */
  principal?: Principal;
  /**
   * Added to the contract: what the scan's credential could read in each resource group holding an HSM, from
   * `Microsoft.Authorization/permissions`. Information for the auditor: it never changes a verdict. Absent when the
   * snapshot recorded none.
   */
  readAccess?: ResourceGroupReadAccess[];
}

/**
 * Whether the credential could read what the scan reads in one resource group: `granted` every action of `needed`,
 * `missing` some (named in `missing`), or `unknown` (the permissions could not be read: `reason` says why).
 */
export interface ResourceGroupReadAccess {
  subscriptionId: string;
  resourceGroup: string;
  /** The read actions the scan needs there (src/domain/scan-permissions.ts), by the kinds of HSM it holds. */
  needed: string[];
  access: "granted" | "missing" | "unknown";
  missing?: string[];
  reason?: string;
  /** The evidence of the permissions read (or of its attempt). */
  evidence: string[];
}

/** How one (policy, resource) finding moved between the previous pack and this one. */
export const FINDING_CHANGE_KINDS = ["new-failure", "resolved", "new-error", "changed"] as const;
export type FindingChangeKind = (typeof FINDING_CHANGE_KINDS)[number];

/** A (policy, resource) finding whose status differs between the two packs. */
export interface FindingChange {
  kind: FindingChangeKind;
  policyId: string;
  /** This pack's spelling of the id (the previous one's when the finding is gone). */
  resourceId: string;
  severity: Severity;
  /** The status in the previous pack; absent: no such finding then (a new HSM, or a policy not evaluated then). */
  before?: Status;
  /** The status now; absent: no such finding now (the HSM is gone, or the policy no longer applies to it). */
  after?: Status;
  /** This pack's message (the previous one's when the finding is gone). */
  message: string;
  /** A new failure at or above this pack's fail-on: what makes `hsm-audit diff` exit 1. */
  gating: boolean;
}

/** An HSM found in one pack and not the other (ids compared as ARM does, case-insensitively). */
export interface HsmChange {
  id: string;
  name: string;
  kind: string;
  subscriptionId: string;
  /**
   * For an HSM gone since: `out-of-scope` (its subscription was not scanned this time), `excluded` (the
   * configuration's `exclude` left it out), or `not-found` (deleted, moved, or no longer visible to the credential).
   */
  reason?: "out-of-scope" | "excluded" | "not-found";
  /** Its findings that failed, errored or needed manual review in the pack it is in. */
  unresolved: number;
}

/** A waiver in force in the previous pack (or not on file then) whose expiry date has passed by this run. */
export interface WaiverChange {
  index: number;
  policy: string;
  resource: string;
  owner: string;
  ticket: string;
  expires: string;
}

/** A failed read of this run with no counterpart in the previous one (same purpose, same resource). */
export interface ReadErrorChange {
  for: string;
  resourceId?: string;
  message: string;
}

/** Where the two packs differ in what they looked at or how they judged it. */
export interface ScopeDifference {
  field: "cloud" | "tenants" | "subscriptions" | "policyPack" | "failOn";
  before: string;
  after: string;
}

export interface ResultChanges {
  /** The previous pack as it was read. */
  previous: {
    runId?: string;
    startedAt: string;
    finishedAt: string;
    /** `logWindow.period` of the previous pack, when it reported on a named period. */
    period?: string;
    /** SHA-256 (hex) of the previous result.json exactly as read. */
    resultSha256: string;
  };
  /**
   * False when the two packs cannot be compared HSM by HSM: another cloud, tenants that share nothing, or
   * subscriptions that share nothing. The lists are still computed, and `differences` says why.
   */
  comparable: boolean;
  differences: ScopeDifference[];
  /** The fail-on threshold of this pack, by which `gating` was decided. */
  failOn: FailOn;
  findings: FindingChange[];
  newHsms: HsmChange[];
  removedHsms: HsmChange[];
  expiredWaivers: WaiverChange[];
  newReadErrors: ReadErrorChange[];
  /** How many of `findings` are gating new failures. */
  gating: number;
}

export type FailOn = Severity | "never";
export const FAIL_ON_VALUES: readonly FailOn[] = [...SEVERITIES, "never"];

/** Whether a `fail` of `severity` counts against `failOn`. */
export function failCounts(severity: Severity, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

/**
 * The exit code of a result, in one place (DESIGN.md: 0 compliant, 1 a counted fail, 3 compliance not proven).
 * A `manual` finding is not proven either: 0 needs every finding to pass, be waived, not apply, or fail below
 * `failOn`. With `--fail-on-expired-waivers`, an expired waiver is a counted failure too.
 */
export function exitCode(
  findings: readonly Pick<Finding, "status" | "severity">[],
  failOn: FailOn,
  waivers: { expired: number; failOnExpired: boolean } = { expired: 0, failOnExpired: false },
): 0 | 1 | 3 {
  if (findings.some((f) => f.status === "fail" && failCounts(f.severity, failOn))) return 1;
  // An exception whose time has run out is a decision someone must take again: a gate, when asked for.
  if (waivers.failOnExpired && waivers.expired > 0) return 1;
  if (findings.some((f) => f.status === "error" || f.status === "manual")) return 3;
  return 0;
}

/**
 * How a finding reads to a person: a `fail` that does not count against the gate (below `failOn`: the activity
 * highlights, by default) is shown as `review`, never as a failure. result.json keeps the status `fail`.
 */
export type ShownStatus = Status | "review";
export function shownStatus(finding: Pick<Finding, "status" | "severity">, failOn: FailOn): ShownStatus {
  return finding.status === "fail" && !failCounts(finding.severity, failOn) ? "review" : finding.status;
}

/** The exit code a result earns, from what it holds (render and the CLI agree with `summary.compliant`). */
export function resultExitCode(result: Pick<Result, "findings" | "failOn" | "waivers" | "failOnExpiredWaivers">) {
  return exitCode(result.findings, result.failOn, {
    expired: (result.waivers ?? []).filter((w) => w.state === "expired").length,
    failOnExpired: result.failOnExpiredWaivers ?? false,
  });
}

/**
 * The exit code a result states (`summary.exitCode`); for a result of an earlier version, which does not state it,
 * the code its findings earn. Renderers and the CLI read the code here, never compute it themselves.
 */
export function earnedExitCode(
  result: Pick<Result, "findings" | "failOn" | "waivers" | "failOnExpiredWaivers"> & {
    summary: Pick<Summary, "exitCode">;
  },
): 0 | 1 | 3 {
  return result.summary.exitCode ?? resultExitCode({ ...result, failOn: result.failOn ?? "low" });
}
