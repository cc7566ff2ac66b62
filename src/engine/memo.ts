// What one evaluation looks up again and again, answered once: each HSM's audit trail, and the snapshot's records by
// id (workspaces, storage accounts, subscriptions, samples, and the rows of an answer that are about one HSM). A memo
// belongs to one snapshot and one evaluate() call: evaluate builds it, hands it to the checks, and drops it; a check
// called without one (as the tests call them) builds its own. Every answer is the one a scan of the snapshot's arrays
// would give: the first match in the snapshot's order, ids compared as sameId compares them (ignoring case and trailing slashes).
import type {
  ActivitySample,
  HsmFacts,
  HsmKind,
  LogSample,
  Snapshot,
  StorageAccountFacts,
  SubscriptionFacts,
  WorkspaceFacts,
} from "../model/snapshot.js";
import type { Verdict } from "./check.js";
import { auditTrail, type AuditTrail } from "./audit-trail.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../domain/hsm-kinds.js";
import { idKey } from "../domain/ids.js";

const NONE: readonly never[] = Object.freeze([]);

/** The items of `list` grouped by `key` as ids are compared (`idKey`), each group in the list's order. */
function groupBy<T>(list: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const k = idKey(key(item));
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export class EvaluationMemo {
  private workspaces?: Map<string, WorkspaceFacts[]>;
  private storageAccounts?: Map<string, StorageAccountFacts[]>;
  private subscriptions?: Map<string, SubscriptionFacts[]>;
  private hsmsBySubscription?: Map<string, HsmFacts[]>;
  private logSamples?: Map<string, LogSample[]>;
  private activitySamples?: Map<string, ActivitySample[]>;
  private readonly members = new WeakMap<LogSample | ActivitySample, Set<string>>();
  private readonly rowsByHsm = new WeakMap<readonly { hsmId: string }[], Map<string, { hsmId: string }[]>>();
  private readonly trails = new Map<HsmFacts, Map<string, AuditTrail | Verdict>>();

  constructor(readonly snapshot: Snapshot) {}

  /** The HSM's audit trail (see auditTrail), computed once per HSM and set of audit categories. */
  auditTrail(hsm: HsmFacts, categoriesByKind: Partial<Record<HsmKind, string[]>> | undefined): AuditTrail | Verdict {
    const categories =
      categoriesByKind?.[hsm.kind] ?? DEFAULT_AUDIT_CATEGORIES[hsm.kind as keyof typeof DEFAULT_AUDIT_CATEGORIES];
    const key = JSON.stringify(categories ?? null);
    let byCategories = this.trails.get(hsm);
    if (!byCategories) this.trails.set(hsm, (byCategories = new Map()));
    let trail = byCategories.get(key);
    if (!trail) byCategories.set(key, (trail = auditTrail(hsm, categoriesByKind)));
    return trail;
  }

  /** The first workspace of the snapshot with this id. */
  workspace(id: string): WorkspaceFacts | undefined {
    this.workspaces ??= groupBy(this.snapshot.workspaces, (w) => w.id);
    return this.workspaces.get(idKey(id))?.[0];
  }

  /** The first storage account of the snapshot with this id. */
  storageAccount(id: string): StorageAccountFacts | undefined {
    this.storageAccounts ??= groupBy(this.snapshot.storageAccounts, (s) => s.id);
    return this.storageAccounts.get(idKey(id))?.[0];
  }

  /** The first subscription of the snapshot with this id. */
  subscription(subscriptionId: string): SubscriptionFacts | undefined {
    this.subscriptions ??= groupBy(this.snapshot.subscriptions, (s) => s.subscriptionId);
    return this.subscriptions.get(idKey(subscriptionId))?.[0];
  }

  /** Whether some HSM of the snapshot lives in this subscription. */
  holdsHsm(subscriptionId: string): boolean {
    this.hsmsBySubscription ??= groupBy(this.snapshot.hsms, (h) => h.subscriptionId);
    return this.hsmsBySubscription.has(idKey(subscriptionId));
  }

  /** The first log sample of this workspace. */
  logSample(workspaceId: string): LogSample | undefined {
    return this.logSamplesOf(workspaceId)[0];
  }

  /** The first log sample of this workspace that covers this HSM. */
  logSampleOf(workspaceId: string, hsmId: string): LogSample | undefined {
    return this.logSamplesOf(workspaceId).find((s) => this.covers(s, hsmId));
  }

  /** The first activity sample of this workspace that covers this HSM. */
  activitySampleOf(workspaceId: string, hsmId: string): ActivitySample | undefined {
    this.activitySamples ??= groupBy(this.snapshot.activitySamples ?? [], (s) => s.workspaceId);
    return (this.activitySamples.get(idKey(workspaceId)) ?? NONE).find((s) => this.covers(s, hsmId));
  }

  /** The rows of `rows` about this HSM, in their order (`rows` must be an array of the snapshot, never changed). */
  rowsOf<R extends { hsmId: string }>(rows: readonly R[], hsmId: string): readonly R[] {
    let byHsm = this.rowsByHsm.get(rows);
    if (!byHsm) this.rowsByHsm.set(rows, (byHsm = groupBy(rows, (r) => r.hsmId)));
    return (byHsm.get(idKey(hsmId)) as R[] | undefined) ?? NONE;
  }

  private logSamplesOf(workspaceId: string): readonly LogSample[] {
    this.logSamples ??= groupBy(this.snapshot.logSamples, (s) => s.workspaceId);
    return this.logSamples.get(idKey(workspaceId)) ?? NONE;
  }

  private covers(sample: LogSample | ActivitySample, hsmId: string): boolean {
    let ids = this.members.get(sample);
    if (!ids) this.members.set(sample, (ids = new Set(sample.hsmIds.map(idKey))));
    return ids.has(idKey(hsmId));
  }
}

/** `memo` when it was built for this snapshot; else a new one (a check called on its own, as the tests call them). */
export function memoFor(snapshot: Snapshot, memo?: EvaluationMemo): EvaluationMemo {
  return memo && memo.snapshot === snapshot ? memo : new EvaluationMemo(snapshot);
}
