// Month over month: what changed between a previous result and this one. Pure: two validated results in, the
// `changes` of result.json out; it never changes a verdict. A finding is the pair (policy, resource), resources
// compared as ARM compares ids (case-insensitively, trailing slashes dropped), so that re-casing an id hides nothing;
// an HSM re-created under another name or moved to another resource group is a new HSM, and its failures are new.
import { idKey } from "../domain/ids.js";
import {
  failCounts,
  type FailOn,
  type Finding,
  type FindingChange,
  type FindingChangeKind,
  type HsmChange,
  type Result,
  type ResultChanges,
  type ScopeDifference,
  type Status,
} from "../model/result.js";

/** How bad a status is: when a result names one pair twice, the worse finding is the one compared. */
const WORSE: Record<Status, number> = { fail: 5, error: 4, manual: 3, waived: 2, pass: 1, not_applicable: 0 };

/** Statuses that leave something to do: counted as an HSM's unresolved findings. */
const UNRESOLVED: ReadonlySet<Status> = new Set(["fail", "error", "manual"]);

export interface PreviousPack {
  result: Result;
  /** SHA-256 (hex) of its result.json as read. */
  sha256: string;
}

const pairKey = (policyId: string, resourceId: string) => `${policyId}\n${idKey(resourceId)}`;

function byPair(findings: readonly Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) {
    const key = pairKey(f.policyId, f.resourceId);
    const seen = map.get(key);
    if (!seen || WORSE[f.status] > WORSE[seen.status]) map.set(key, f);
  }
  return map;
}

/** How many findings of each resource failed, errored or need manual review, by the resource's key. */
function unresolvedByResource(result: Result): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of result.findings) {
    if (UNRESOLVED.has(f.status)) counts.set(idKey(f.resourceId), (counts.get(idKey(f.resourceId)) ?? 0) + 1);
  }
  return counts;
}

/** Whether a finding is a failure that counts against `failOn`. */
const gatingFail = (f: Finding | undefined, failOn: FailOn) =>
  f !== undefined && f.status === "fail" && failCounts(f.severity, failOn);

/** The kind of change from `before` to `after`, or undefined when the status is the same (or nothing to say). */
export function changeKind(before: Status | undefined, after: Status | undefined): FindingChangeKind | undefined {
  if (before === after) return undefined;
  if (after === "fail") return "new-failure";
  if (after === "error") return "new-error";
  // Only a pass resolves a failure: a policy that stopped applying may have done so because its evidence is gone (a
  // setting deleted makes the activity policies not applicable), and a waiver accepts a failure, it does not fix it.
  if (before === "fail" && after === "pass") return "resolved";
  // A finding that appears passing or not applying (a new HSM, a new policy), or that disappears from a pass, says
  // nothing month over month.
  if (before === undefined && (after === "pass" || after === "not_applicable")) return undefined;
  if (after === undefined && (before === "pass" || before === "not_applicable")) return undefined;
  return "changed";
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** What differs in what the two packs looked at (cloud, tenants, subscriptions) and how they judged (rules, gate). */
function scopeDifferences(before: Result, after: Result): { comparable: boolean; differences: ScopeDifference[] } {
  const differences: ScopeDifference[] = [];
  let comparable = true;
  if (before.scope.cloud.toLowerCase() !== after.scope.cloud.toLowerCase()) {
    differences.push({ field: "cloud", before: before.scope.cloud, after: after.scope.cloud });
    comparable = false;
  }
  const tenantsBefore = new Set((before.scope.tenantIds ?? []).map((t) => t.toLowerCase()));
  const tenantsAfter = new Set((after.scope.tenantIds ?? []).map((t) => t.toLowerCase()));
  if (sorted(tenantsBefore).join() !== sorted(tenantsAfter).join()) {
    differences.push({
      field: "tenants",
      before: sorted(tenantsBefore).join(", "),
      after: sorted(tenantsAfter).join(", "),
    });
    // Tenants stated by both and sharing none: another organisation's estate.
    if (tenantsBefore.size > 0 && tenantsAfter.size > 0 && ![...tenantsBefore].some((t) => tenantsAfter.has(t))) {
      comparable = false;
    }
  }
  const subsBefore = new Set(before.scope.subscriptions.map(idKey));
  const subsAfter = new Set(after.scope.subscriptions.map(idKey));
  if (sorted(subsBefore).join() !== sorted(subsAfter).join()) {
    differences.push({
      field: "subscriptions",
      before: sorted(subsBefore).join(", "),
      after: sorted(subsAfter).join(", "),
    });
    if (subsBefore.size > 0 && subsAfter.size > 0 && ![...subsBefore].some((s) => subsAfter.has(s))) {
      comparable = false;
    }
  }
  const packBefore = before.policyPack?.sha256 ?? "";
  const packAfter = after.policyPack?.sha256 ?? "";
  if (packBefore !== packAfter) differences.push({ field: "policyPack", before: packBefore, after: packAfter });
  if (before.failOn !== after.failOn) differences.push({ field: "failOn", before: before.failOn, after: after.failOn });
  return { comparable, differences };
}

/**
 * The changes from `previous` to `current`. `gating` uses the current pack's fail-on: a failure is a new gating one
 * when it counts against that threshold now and did not count against it before (it did not fail, failed below it,
 * was waived, or did not exist: an HSM re-created under another id is new, so its failures are new).
 */
export function computeChanges(previous: PreviousPack, current: Result): ResultChanges {
  const before = previous.result;
  const failOn = current.failOn;
  const { comparable, differences } = scopeDifferences(before, current);

  const hsmsBefore = new Map(before.resources.map((r) => [idKey(r.id), r] as const));
  const hsmsAfter = new Map(current.resources.map((r) => [idKey(r.id), r] as const));
  const oldPairs = byPair(before.findings);
  const newPairs = byPair(current.findings);

  const findings: FindingChange[] = [];
  const add = (key: string) => {
    const was = oldPairs.get(key);
    const now = newPairs.get(key);
    const gating = gatingFail(now, failOn) && !gatingFail(was, failOn);
    // A failure whose severity rose past the threshold is a new gating failure though its status stayed `fail`.
    const kind = changeKind(was?.status, now?.status) ?? (gating ? "new-failure" : undefined);
    if (!kind) return;
    const shown = (now ?? was)!;
    findings.push({
      kind,
      policyId: shown.policyId,
      resourceId: shown.resourceId,
      severity: shown.severity,
      ...(was ? { before: was.status } : {}),
      ...(now ? { after: now.status } : {}),
      message: shown.message,
      gating,
    });
  };
  for (const key of newPairs.keys()) add(key);
  for (const key of oldPairs.keys()) if (!newPairs.has(key)) add(key);

  // Counted once per pack: thousands of HSMs may come or go when two packs of different estates are compared.
  const unresolvedBefore = unresolvedByResource(before);
  const unresolvedAfter = unresolvedByResource(current);
  const hsmChange = (r: Result["resources"][number], result: Result): HsmChange => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    subscriptionId: r.subscriptionId,
    unresolved: (result === before ? unresolvedBefore : unresolvedAfter).get(idKey(r.id)) ?? 0,
  });
  const newHsms = current.resources.filter((r) => !hsmsBefore.has(idKey(r.id))).map((r) => hsmChange(r, current));
  const scanned = new Set(current.scope.subscriptions.map(idKey));
  const excluded = new Set((current.excluded ?? []).map((e) => idKey(e.resourceId)));
  const removedHsms = before.resources
    .filter((r) => !hsmsAfter.has(idKey(r.id)))
    .map((r): HsmChange => {
      const reason = excluded.has(idKey(r.id))
        ? "excluded"
        : scanned.has(idKey(r.subscriptionId))
          ? "not-found"
          : "out-of-scope";
      return { ...hsmChange(r, before), reason };
    });

  // A waiver is named by what it covers and its ticket: its position in the file may change from month to month.
  const waiverKey = (w: { policy: string; resource: string; ticket: string; expires: string }) =>
    `${w.policy}\n${idKey(w.resource)}\n${w.ticket}\n${w.expires}`;
  const expiredBefore = new Set((before.waivers ?? []).filter((w) => w.state === "expired").map(waiverKey));
  const expiredWaivers = (current.waivers ?? [])
    .filter((w) => w.state === "expired" && !expiredBefore.has(waiverKey(w)))
    .map((w) => ({
      index: w.index,
      policy: w.policy,
      resource: w.resource,
      owner: w.owner,
      ticket: w.ticket,
      expires: w.expires,
    }));

  const errorKey = (e: Result["errors"][number]) => `${e.for}\n${idKey(e.resourceId ?? "")}`;
  const errorsBefore = new Set(before.errors.map(errorKey));
  const seen = new Set<string>();
  const newReadErrors = current.errors
    .filter((e) => !errorsBefore.has(errorKey(e)) && !seen.has(errorKey(e)) && seen.add(errorKey(e)))
    .map((e) => ({
      for: e.for,
      ...(e.resourceId !== undefined ? { resourceId: e.resourceId } : {}),
      message: e.message,
    }));

  const order: Record<FindingChangeKind, number> = { "new-failure": 0, "new-error": 1, changed: 2, resolved: 3 };
  findings.sort(
    (a, b) =>
      order[a.kind] - order[b.kind] ||
      Number(b.gating) - Number(a.gating) ||
      idKey(a.resourceId).localeCompare(idKey(b.resourceId)) ||
      a.policyId.localeCompare(b.policyId),
  );
  return {
    previous: {
      ...(before.runId !== undefined ? { runId: before.runId } : {}),
      startedAt: before.startedAt,
      finishedAt: before.finishedAt,
      ...(before.logWindow.period !== undefined ? { period: before.logWindow.period } : {}),
      resultSha256: previous.sha256,
    },
    comparable,
    differences,
    failOn,
    findings,
    newHsms,
    removedHsms,
    expiredWaivers,
    newReadErrors,
    gating: findings.filter((f) => f.gating).length,
  };
}

/**
 * The exit code of `hsm-audit diff`: 1 when a gating failure is new (DESIGN.md), else 3 when a finding became an
 * error or a read failed that did not before (evidence newly missing: nothing about it is proven), else 0.
 */
export function changesExitCode(changes: ResultChanges): 0 | 1 | 3 {
  if (changes.gating > 0) return 1;
  if (changes.findings.some((f) => f.kind === "new-error") || changes.newReadErrors.length > 0) return 3;
  return 0;
}

/** The findings of one kind, for the renderers; `changed` leaves out those of HSMs gone since (listed as removed). */
export function changesOfKind(changes: ResultChanges, kind: FindingChangeKind): FindingChange[] {
  const removed = new Set(changes.removedHsms.map((h) => idKey(h.id)));
  return changes.findings.filter((f) => f.kind === kind && !(kind === "changed" && removed.has(idKey(f.resourceId))));
}

/** "Changes since 2026-11-01 (period 2026-10)": the heading every report opens its changes with. */
export function changesHeading(changes: ResultChanges): string {
  const { startedAt, period } = changes.previous;
  return `Changes since ${startedAt.slice(0, 10)}${period ? ` (previous pack: period ${period})` : ""}`;
}

/** The reason an HSM is gone, in words. */
export const REMOVED_REASON: Record<NonNullable<HsmChange["reason"]>, string> = {
  "out-of-scope": "its subscription was not scanned this time",
  excluded: "excluded by the configuration",
  "not-found": "not found: deleted, moved, or no longer visible to the credential",
};

/** A scope difference, in words. */
export function differenceText(d: ScopeDifference): string {
  const name: Record<ScopeDifference["field"], string> = {
    cloud: "cloud",
    tenants: "tenants",
    subscriptions: "subscriptions",
    policyPack: "policy pack (SHA-256)",
    failOn: "fail-on threshold",
  };
  return `${name[d.field]}: ${d.before || "not stated"} then, ${d.after || "not stated"} now`;
}

/** One line that says whether the two packs can be compared, for every report. */
export function comparabilityText(changes: ResultChanges): string | undefined {
  if (!changes.comparable) {
    return "The two packs did not look at the same estate (another cloud, tenant or set of subscriptions): HSMs are listed as new and removed because of that, not because they changed.";
  }
  return undefined;
}
