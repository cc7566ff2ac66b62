// Storage answers -> facts: an account's properties, its audit log containers and their immutability policies, and
// its lifecycle management rules.
import type {
  ImmutabilityPolicy,
  LifecycleRule,
  LogContainer,
  StorageAccountProperties,
} from "../../model/snapshot.js";
import { booleanOf, MalformedAnswer, numberOf, sortBy } from "./common.js";

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const obj = (value: unknown) =>
  (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;

/** A time-based retention policy that states its period and state; undefined when it states neither. */
function policyOf(raw: Record<string, unknown>): ImmutabilityPolicy | undefined {
  const days = numberOf(raw.immutabilityPeriodSinceCreationInDays);
  if (days === undefined || typeof raw.state !== "string") return undefined;
  const appendWrites = booleanOf(raw.allowProtectedAppendWrites);
  return {
    periodDays: days,
    state: raw.state,
    ...(appendWrites !== undefined ? { allowProtectedAppendWrites: appendWrites } : {}),
  };
}

/** `GET .../storageAccounts/{name}` (its `properties` lifted), without `exists`. */
export function toStorageAccount(raw: Record<string, unknown>): Omit<StorageAccountProperties, "exists"> {
  if (typeof raw.id !== "string") throw new MalformedAnswer("the storage account answer has no id");
  const sku = obj(raw.sku);
  const immutable = obj(raw.immutableStorageWithVersioning);
  const facts = {
    location: text(raw.location),
    kind: text(raw.kind),
    sku: text(sku.name),
    skuTier: text(sku.tier),
    minimumTlsVersion: text(raw.minimumTlsVersion),
    allowBlobPublicAccess: booleanOf(raw.allowBlobPublicAccess),
    allowSharedKeyAccess: booleanOf(raw.allowSharedKeyAccess),
    immutableStorageWithVersioning: booleanOf(immutable.enabled),
    accountImmutabilityPolicy: policyOf(obj(immutable.immutabilityPolicy)),
    blobEndpoint: text(obj(raw.primaryEndpoints).blob),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as Omit<
    StorageAccountProperties,
    "exists"
  >;
}

/** Whether a listed container is an audit log container (`insights-logs-*`). */
export function isLogContainer(container: { name?: unknown }): boolean {
  return typeof container.name === "string" && container.name.toLowerCase().startsWith("insights-logs-");
}

/** Whether a listed container (its `properties` lifted) says it has an immutability policy to read. */
export function hasImmutabilityPolicy(container: { hasImmutabilityPolicy?: unknown }): boolean {
  return booleanOf(container.hasImmutabilityPolicy) === true;
}

/**
 * One audit log container: as listed (its `properties` lifted), with the immutability policy read for it when the
 * list says it has one.
 */
export function toContainer(container: Record<string, unknown>, policy?: Record<string, unknown>): LogContainer {
  if (typeof container.name !== "string") throw new MalformedAnswer("a container without a name");
  const legalHold = booleanOf(container.hasLegalHold);
  const base = { name: container.name, ...(legalHold !== undefined ? { hasLegalHold: legalHold } : {}) };
  if (!hasImmutabilityPolicy(container)) return base;
  const immutabilityPolicy = policy ? policyOf(policy) : undefined;
  if (!immutabilityPolicy)
    throw new MalformedAnswer(`the immutability policy of container ${container.name} has no period or state`);
  return { ...base, immutabilityPolicy };
}

/** The audit log containers, in the snapshot's order (by name). */
export function toContainers(containers: LogContainer[]): LogContainer[] {
  return sortBy(containers, (c) => c.name);
}

/** `GET .../managementPolicies/default` answered 200 (its `properties` lifted). */
export function toLifecycle(policy: Record<string, unknown>): { policy: true; rules: LifecycleRule[] } {
  const rules = obj(policy.policy).rules;
  if (!Array.isArray(rules)) throw new MalformedAnswer("the management policy has no rules");
  return { policy: true, rules: rules.map((r) => toLifecycleRule(obj(r))) };
}

function toLifecycleRule(rule: Record<string, unknown>): LifecycleRule {
  if (typeof rule.name !== "string") throw new MalformedAnswer("a lifecycle rule without a name");
  const definition = obj(rule.definition);
  const actions = obj(definition.actions);
  const filters = obj(definition.filters);
  const deletes: LifecycleRule["deletes"] = [];
  for (const target of ["baseBlob", "snapshot", "version"] as const) {
    const action = obj(actions[target]).delete;
    if (!action || typeof action !== "object") continue;
    const a = action as Record<string, unknown>;
    const conditions = [
      ["modification", a.daysAfterModificationGreaterThan],
      ["creation", a.daysAfterCreationGreaterThan],
      ["lastAccess", a.daysAfterLastAccessTimeGreaterThan],
    ] as const;
    for (const [after, days] of conditions) {
      const n = numberOf(days);
      if (n !== undefined) deletes.push({ target, after, days: n });
    }
  }
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  return {
    name: rule.name,
    // A rule is enabled unless it says otherwise (the REST API's default).
    enabled: booleanOf(rule.enabled) !== false,
    prefixMatch: list(filters.prefixMatch),
    blobTypes: list(filters.blobTypes),
    deletes,
  };
}
