// evaluate(): policies over a snapshot, with no I/O, no clock and no globals. Same inputs, byte-identical result.
import type { HsmFacts, HsmKind, ManagementGroupScope, Snapshot, SubscriptionFacts } from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import {
  resultExitCode,
  type FailOn,
  type Finding,
  type Result,
  type ResultClock,
  type ResultWaiver,
  type Summary,
} from "../model/result.js";
import { CHECK_KINDS } from "./checks/index.js";
import type { CheckKind, Target, Verdict } from "./check.js";
import type { Policy } from "./policy.js";
import { bicepString, fill, HSM_BICEP_TYPES, powershellQuote, shellQuote } from "./remediation.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../domain/hsm-kinds.js";
import { isVerdict } from "./audit-trail.js";
import { auditCategoriesOf, describePolicies, describeResource, policyPack } from "./describe.js";
import { HSM_TYPES } from "../domain/hsm-kinds.js";
import { parseResourceId } from "../domain/ids.js";
import type { Framework } from "./frameworks.js";
import { applyWaivers, type Waiver } from "./waivers.js";
import { resourceMatcher } from "./resource-pattern.js";
import { EvaluationMemo } from "./memo.js";
import { readAccessOf } from "./read-access.js";
import {
  beyondTolerance,
  clockSentence,
  DEFAULT_CLOCK_SKEW_TOLERANCE_MS,
  describeSkew,
  measureClock,
} from "../model/clock.js";

export interface EvaluateOptions {
  failOn: FailOn;
  /** Control frameworks whose requirements point at policies: the policies' mappings in the result. */
  frameworks?: Framework[];
  /** Waivers of the waivers file (absent: no waivers file, and no `waivers` section in the result). */
  waivers?: Waiver[];
  failOnExpiredWaivers?: boolean;
  /** Resource patterns left out of evaluation; each excluded target is listed in the result. */
  exclude?: string[];
  /**
   * The largest disagreement between the services' clock and the scanner's that is tolerated (`clockSkewTolerance`,
   * default five minutes); beyond it, every finding of a window-dependent check kind is `error`.
   */
  clockSkewToleranceMs?: number;
}

export function evaluate(snapshot: Snapshot, policies: Policy[], options: EvaluateOptions): Result {
  let findings: Finding[] = [];
  // This call's lookups (audit trails, records by id): built here, dropped on return, never shared with another call.
  const memo = new EvaluationMemo(snapshot);
  const excluders = (options.exclude ?? []).map((pattern) => ({ pattern, matches: resourceMatcher(pattern) }));
  const excluded: Array<{ resourceId: string; pattern: string }> = [];
  const excludedIds = new Set<string>();
  /** Whether the target is excluded; the first pattern that matches is recorded once per target. */
  const isExcluded = (resourceId: string) => {
    const hit = excluders.find((e) => e.matches(resourceId));
    if (hit && !excludedIds.has(resourceId)) {
      excludedIds.add(resourceId);
      excluded.push({ resourceId, pattern: hit.pattern });
    }
    return hit !== undefined;
  };
  const valuesOf = placeholderValues(snapshot, memo);
  const clock = clockOf(snapshot, options.clockSkewToleranceMs ?? DEFAULT_CLOCK_SKEW_TOLERANCE_MS);
  const run = (policy: Policy, target: Target) => judge(policy, target, snapshot, memo, clock);
  const subscriptionPolicies = policies.filter((p) => p.appliesTo.includes("subscription"));
  const hsmPolicies = policies.filter((p) => !p.appliesTo.includes("subscription"));

  for (const target of subscriptionTargets(snapshot, memo)) {
    // An exclusion drops findings about what is known; it never hides that the inventory is not. The tenant target (no
    // subscription could be listed) is never excluded, and an excluded subscription whose HSM lists were not all read
    // keeps its inventory findings, whatever pattern names it (even /**).
    const excludedHere = target.scope === "subscription" && isExcluded(target.resourceId);
    if (excludedHere && inventoryRead(target.subscription)) continue;
    const holdsHsm = target.scope === "subscription" && memo.holdsHsm(target.subscription.subscriptionId);
    for (const policy of subscriptionPolicies) {
      // A subscription not known to hold an HSM (its lists failed, or none could be listed) is judged by the kinds
      // that judge the inventory alone: whether its other settings matter is what is unknown. So is an excluded one.
      if ((!holdsHsm || excludedHere) && !kindOf(policy).judgesInventory) continue;
      findings.push(finding(policy, target, run(policy, target), valuesOf));
    }
  }
  for (const hsm of snapshot.hsms) {
    if (isExcluded(hsm.id)) continue;
    const target: Target = { scope: "hsm", hsm, resourceId: hsm.id };
    for (const policy of hsmPolicies) {
      const verdict: Verdict = policy.appliesTo.includes(hsm.kind)
        ? run(policy, target)
        : {
            status: "not_applicable",
            message: `${policy.title} does not apply to ${HSM_TYPES[hsm.kind].label}s.`,
            evidence: [],
          };
      findings.push(finding(policy, target, verdict, valuesOf));
    }
  }

  let waivers: ResultWaiver[] | undefined;
  if (options.waivers) {
    // The run's time is the snapshot's: evaluation reads no clock.
    ({ findings, waivers } = applyWaivers(findings, options.waivers, Date.parse(snapshot.startedAt)));
  }
  const failOnExpiredWaivers = options.failOnExpiredWaivers ?? false;
  const summary = summarise(findings, options.failOn, waivers, failOnExpiredWaivers);
  const categories = auditCategoriesOf(policies);
  const result: Result = {
    schemaVersion: 1,
    tool: snapshot.tool,
    ...(snapshot.runId ? { runId: snapshot.runId } : {}),
    startedAt: snapshot.startedAt,
    finishedAt: snapshot.finishedAt,
    scope: {
      cloud: snapshot.scope.cloud,
      subscriptions: [...snapshot.scope.subscriptions],
      subscriptionNames: Object.fromEntries(
        snapshot.subscriptions.flatMap((s) => (s.displayName ? [[s.subscriptionId, s.displayName]] : [])),
      ),
      tenantIds: [...new Set(snapshot.subscriptions.flatMap((s) => (s.tenantId ? [s.tenantId] : [])))].sort(),
      ...(snapshot.scope.inventory ? { inventory: { ...snapshot.scope.inventory } } : {}),
      ...(snapshot.collection ? { collection: structuredClone(snapshot.collection) } : {}),
      ...(snapshot.scope.managementGroups
        ? { managementGroups: snapshot.scope.managementGroups.map(managementGroupOf) }
        : {}),
    },
    logWindow: { ...snapshot.logWindow },
    ...(clock ? { clock } : {}),
    failOn: options.failOn,
    summary,
    policyPack: policyPack(policies, snapshot.tool.version),
    resources: snapshot.hsms.map((h) => describeResource(h, snapshot, categories, memo)),
    findings,
    errors: snapshot.errors.map((e) => ({ ...e })),
    // Every exchange: those the findings cite, and those that show what was looked at and found empty.
    evidence: snapshot.evidence.map((e) => ({
      id: e.id,
      method: e.method,
      url: e.url,
      status: e.status,
      capturedAt: e.capturedAt,
      sha256: e.sha256,
      purpose: e.purpose,
      ...(e.via ? { via: e.via } : {}),
      ...(e.serviceTime ? { serviceTime: e.serviceTime } : {}),
      ...(e.transport ? { transport: e.transport } : {}),
      ...(e.command ? { command: e.command } : {}),
      ...(e.user ? { user: e.user } : {}),
      ...(e.host ? { host: e.host } : {}),
      ...(e.hostKey ? { hostKey: e.hostKey } : {}),
    })),
    policies: describePolicies(policies, options.frameworks ?? []),
    ...(snapshot.principal ? { principal: structuredClone(snapshot.principal) } : {}),
    ...(snapshot.permissions ? { readAccess: snapshot.permissions.map(readAccessOf) } : {}),
  };
  if (waivers) {
    result.waivers = waivers;
    result.failOnExpiredWaivers = failOnExpiredWaivers;
  }
  if (excluders.length > 0) result.excluded = excluded;
  return result;
}

/** A management group of the scope, with the number of subscriptions its descendants list named, when it was read. */
function managementGroupOf(group: ManagementGroupScope): NonNullable<Result["scope"]["managementGroups"]>[number] {
  const listed = group.descendants;
  return { id: group.id, ...(isKnown(listed) ? { subscriptions: listed.value.subscriptions.length } : {}) };
}

/**
 * The subscriptions judged by subscription-scope policies: those holding an HSM, and those whose list failed. When no
 * subscription could be listed, or none is in scope, or a management group of the scope could not be listed or named
 * no subscription, the tenant is judged too (by the kinds that judge the inventory); the subscriptions the other
 * groups named are still judged.
 */
function subscriptionTargets(snapshot: Snapshot, memo: EvaluationMemo): Target[] {
  const list = snapshot.subscriptionList;
  const groupMissed = (snapshot.scope.managementGroups ?? []).some(
    (g) => !isKnown(g.descendants) || g.descendants.value.subscriptions.length === 0,
  );
  const tenant: Target[] =
    (list && !isKnown(list)) || groupMissed || snapshot.subscriptions.length === 0
      ? [{ scope: "tenant", resourceId: "/subscriptions" }]
      : [];
  return tenant.concat(subscriptionsJudged(snapshot, memo));
}

function subscriptionsJudged(snapshot: Snapshot, memo: EvaluationMemo): Target[] {
  return snapshot.subscriptions
    .filter((s) => memo.holdsHsm(s.subscriptionId) || !inventoryRead(s))
    .map((subscription) => ({
      scope: "subscription",
      subscription,
      resourceId: `/subscriptions/${subscription.subscriptionId}`,
    }));
}

/** Whether every HSM list of the subscription (one per kind) was read. */
function inventoryRead(subscription: SubscriptionFacts): boolean {
  return (Object.keys(HSM_TYPES) as HsmKind[]).every((kind) => isKnown(subscription.inventory[kind]));
}

/**
 * The clock comparison of the run: the snapshot's reading, or the one its evidence records give when that differs
 * more (a reading is only as good as the records it rests on), with the tolerance applied.
 */
function clockOf(snapshot: Snapshot, toleranceMs: number): ResultClock | undefined {
  const recorded = snapshot.clock;
  const measured = measureClock(snapshot.evidence);
  const reading =
    recorded && measured
      ? Math.abs(measured.skewMs) > Math.abs(recorded.skewMs)
        ? measured
        : recorded
      : (recorded ?? measured);
  if (!reading) return undefined;
  return { ...reading, toleranceMs, beyondTolerance: beyondTolerance(reading, toleranceMs) };
}

/**
 * A window-dependent finding while the clocks disagree beyond the tolerance: `error`, whatever the check said (its
 * window is the scanner's, the records' times the services'). A kind the policy does not apply to stays so.
 */
function clockVerdict(verdict: Verdict, clock: ResultClock): Verdict {
  // A `not_applicable` too: "no record of the HSM in the window" rests on the window as much as a pass does (a clock
  // 30 days behind empties the window). A kind the policy does not apply to never reaches here.
  if (verdict.status === "error") return verdict;
  const cited = clock.evidence ? ` (answer ${clock.evidence})` : "";
  return {
    ...verdict,
    status: "error",
    message:
      `Not proven: the clocks disagree by ${describeSkew(clock.skewMs)}: ${clockSentence(clock)}${cited}, beyond the ` +
      `tolerance of ${describeSkew(clock.toleranceMs)}, so which records lie inside the log window cannot be told. ` +
      `Set the scanning machine's clock right (or the tolerance, clockSkewTolerance) and scan again. ` +
      `Read as is: ${verdict.message}`,
    evidence: [...verdict.evidence, ...(clock.evidence ? [clock.evidence] : [])],
  };
}

function kindOf(policy: Policy): CheckKind {
  const kind = CHECK_KINDS.get(policy.check);
  if (!kind) throw new Error(`policy ${policy.id} names unknown check kind ${policy.check}`);
  return kind;
}

function judge(
  policy: Policy,
  target: Target,
  snapshot: Snapshot,
  memo: EvaluationMemo,
  clock: ResultClock | undefined,
): Verdict {
  const kind = kindOf(policy);
  let verdict = kind.evaluate(target, policy.params, snapshot, memo);
  if (kind.dependsOnWindow && clock?.beyondTolerance) verdict = clockVerdict(verdict, clock);
  // The one rule: a pass must rest on evidence.
  if (verdict.status === "pass" && verdict.evidence.length === 0) {
    return { status: "error", message: `${verdict.message} (but no evidence record backs it)`, evidence: [] };
  }
  return verdict;
}

type Values = Record<string, string | undefined>;

function finding(
  policy: Policy,
  target: Target,
  verdict: Verdict,
  valuesOf: (policy: Policy, target: Target) => Values,
): Finding {
  // A finding that passes, or a policy that does not apply, needs no fix (nor the values to fill one in).
  const applies = verdict.status !== "not_applicable" && verdict.status !== "pass";
  const base = applies ? valuesOf(policy, target) : {};
  const values: Values = verdict.values ? { ...base, ...verdict.values } : base;
  // The fix the check says fits this finding, when the policy has one for it.
  const forms = (verdict.fix && policy.remediation.cases?.[verdict.fix]) || policy.remediation;
  return {
    policyId: policy.id,
    resourceId: target.resourceId,
    status: verdict.status,
    severity: policy.severity,
    message: verdict.message,
    evidence: [...new Set(verdict.evidence)].sort(),
    remediation: {
      azCli: applies ? fill(forms.azCli, values, shellQuote).trim() : "",
      powershell: applies ? fill(forms.powershell, values, powershellQuote).trim() : "",
      ...(applies && forms.bicep ? { bicep: fill(forms.bicep, values, bicepString).trim() } : {}),
    },
    title: policy.title,
    ...(verdict.details ? { details: verdict.details } : {}),
  };
}

/**
 * The values of a target's placeholders under a policy (the log window's and the target's), gathered once per target
 * and audit categories: policies with the same categories name the same workspace. Only read, never changed.
 */
function placeholderValues(snapshot: Snapshot, memo: EvaluationMemo): (policy: Policy, target: Target) => Values {
  const window = windowValues(snapshot);
  const byTarget = new Map<Target, Map<string, Values>>();
  return (policy, target) => {
    const categories = target.scope === "hsm" ? categoriesOf(policy, target.hsm) : undefined;
    const key = JSON.stringify(categories ?? null);
    let byCategories = byTarget.get(target);
    if (!byCategories) byTarget.set(target, (byCategories = new Map()));
    let values = byCategories.get(key);
    if (!values) byCategories.set(key, (values = { ...window, ...targetValues(target, categories, memo) }));
    return values;
  };
}

/** The audit categories a policy names for the HSM's kind, or the kind's defaults. */
function categoriesOf(policy: Policy, hsm: HsmFacts): string[] | undefined {
  const configured = (policy.params.categories as Partial<Record<string, string[]>> | undefined)?.[hsm.kind];
  return configured ?? DEFAULT_AUDIT_CATEGORIES[hsm.kind as keyof typeof DEFAULT_AUDIT_CATEGORIES];
}

/** The log window, for fixes that look at the records: as an ISO interval (az), and in whole days (PowerShell). */
function windowValues(snapshot: Snapshot): Record<string, string> {
  const { start, end } = snapshot.logWindow;
  const days = Math.max(1, Math.ceil((Date.parse(end) - Date.parse(start)) / 86_400_000));
  return {
    logWindowTimespan: `${start}/${end}`,
    logWindowDays: String(days),
    logWindowStart: start,
    logWindowEnd: end,
  };
}

function targetValues(target: Target, categories: string[] | undefined, memo: EvaluationMemo): Values {
  if (target.scope === "tenant") return {};
  if (target.scope === "subscription") {
    const id = target.subscription.subscriptionId;
    return { subscriptionId: id, subscriptionScope: `/subscriptions/${id}` };
  }
  const hsm = target.hsm;
  // The workspace to name in a fix is one that receives the audit trail; failing that, any the HSM sends to.
  const trail =
    hsm.kind === "dedicatedHsm" ? undefined : memo.auditTrail(hsm, categories ? { [hsm.kind]: categories } : undefined);
  const settings = isKnown(hsm.diagnosticSettings) ? hsm.diagnosticSettings.value : [];
  const carrying = trail && !isVerdict(trail) ? trail.carryingAny : [];
  const workspaceId = [...carrying, ...settings].find((s) => s.workspaceId)?.workspaceId;
  const workspace = workspaceId ? parseResourceId(workspaceId) : undefined;
  const info = workspaceId ? memo.workspace(workspaceId)?.info : undefined;
  return {
    resourceId: hsm.id,
    name: hsm.name,
    resourceGroup: hsm.resourceGroup,
    subscriptionId: hsm.subscriptionId,
    location: hsm.location,
    hsmResourceType: HSM_BICEP_TYPES[hsm.kind],
    auditCategory: categories?.[0],
    logsJson: categories ? JSON.stringify(categories.map((category) => ({ category, enabled: true }))) : undefined,
    workspaceId,
    workspaceResourceGroup: workspace?.resourceGroup,
    workspaceName: workspace?.name,
    workspaceCustomerId: isKnown(info) && info.value.exists ? info.value.customerId : undefined,
  };
}

export function summarise(
  findings: Finding[],
  failOn: FailOn,
  waivers?: ResultWaiver[],
  failOnExpiredWaivers = false,
): Summary {
  const count = (status: Finding["status"]) => findings.filter((f) => f.status === status).length;
  const exitCode = resultExitCode({ findings, failOn, failOnExpiredWaivers, ...(waivers ? { waivers } : {}) });
  return {
    pass: count("pass"),
    fail: count("fail"),
    error: count("error"),
    waived: count("waived"),
    notApplicable: count("not_applicable"),
    manual: count("manual"),
    compliant: exitCode === 0,
    exitCode,
  };
}
