// The storage archive of an HSM's audit trail: the storage accounts that the settings carrying the audit category send
// to, each with the categories it receives. A storage archive is optional: without one, the archive checks do not
// apply (a policy profile that wants one says so through log-destination-configured's `destinations`).
import type { HsmFacts, Snapshot, StorageAccountFacts, StorageAccountProperties } from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import { parseResourceId, sameId } from "../domain/ids.js";
import { logContainerName } from "../domain/archive-naming.js";
import {
  defineCheck,
  type CheckKind,
  type FamilySchema,
  type FromSchema,
  type JsonSchema,
  type Verdict,
} from "./check.js";
import { auditCategoriesSchema, isVerdict, lastSegment, names, unique, type AuditTrail } from "./audit-trail.js";
import { memoFor, type EvaluationMemo } from "./memo.js";

export interface Archive {
  id: string;
  /** `storage account <name>`, for messages. */
  label: string;
  facts: StorageAccountFacts | undefined;
  /** The audit categories its settings send it. */
  categories: string[];
}

export interface ArchiveTrail {
  trail: AuditTrail;
  hsm: HsmFacts;
  archives: Archive[];
  evidence: string[];
}

/**
 * The HSM's archives; or the verdict when there is nothing to judge: `error` when the settings could not be read or
 * may carry the category to a storage account through an unresolved group, `not_applicable` when no storage account
 * receives the audit category.
 */
export function archiveTrail(
  hsm: HsmFacts,
  categories: Record<string, string[]> | undefined,
  snapshot: Snapshot,
  what: string,
  memo?: EvaluationMemo,
): ArchiveTrail | Verdict {
  const lookup = memoFor(snapshot, memo);
  const trail = lookup.auditTrail(hsm, categories);
  if (isVerdict(trail)) return trail;
  const ids = unique(trail.carryingAny.flatMap((s) => (s.storageAccountId ? [s.storageAccountId] : [])));
  if (ids.length === 0) {
    const unresolved = trail.unresolved.filter((s) => s.storageAccountId);
    if (unresolved.length > 0) {
      return {
        status: "error",
        message: `Whether setting ${names(unresolved)} of ${hsm.name} archives ${trail.categories.join(" and ")} to a storage account is unknown: the category groups it enables could not be resolved, so ${what} cannot be judged.`,
        evidence: [...trail.evidence, ...(hsm.categories?.evidence ?? [])],
      };
    }
    return {
      status: "not_applicable",
      message: `The audit log of ${hsm.name} is not archived to a storage account, so ${what} does not apply (a storage archive is optional unless a policy profile requires one).`,
      evidence: trail.evidence,
    };
  }
  const evidence = [...trail.evidence];
  const archives = ids
    .filter((id, i) => ids.findIndex((other) => sameId(other, id)) === i)
    .map((id): Archive => {
      const facts = lookup.storageAccount(id);
      if (facts) evidence.push(...facts.info.evidence);
      return {
        id,
        label: `storage account ${lastSegment(id)}`,
        facts,
        categories: trail.categories.filter((c) =>
          trail.carrying.get(c)!.some((s) => s.storageAccountId && sameId(s.storageAccountId, id)),
        ),
      };
    });
  return { trail, hsm, archives, evidence };
}

/** The account's properties; or why they are not known (`unknown`), or that it does not exist (`missing`). */
export function accountProperties(
  archive: Archive,
): { properties: StorageAccountProperties } | { unknown: string } | { missing: string } {
  const info = archive.facts?.info;
  if (!info) return { unknown: `${archive.label} was not read` };
  if (!isKnown(info)) return { unknown: `${archive.label} could not be read (${info.error.message})` };
  if (!info.value.exists) return { missing: `${archive.label} does not exist (${info.value.reason})` };
  return { properties: info.value };
}

/** Sorts per-archive findings into one verdict: any failure fails, else anything unknown is an error, else pass. */
export function combine(
  results: { failures: string[]; unknown: string[]; passes: string[]; errorFix?: string },
  evidence: string[],
  sentences: { pass: (list: string) => string; fail: (list: string) => string; error: (list: string) => string },
  values?: Record<string, string>,
): Verdict {
  const extra = values ? { values } : {};
  if (results.failures.length > 0)
    return { status: "fail", message: sentences.fail(results.failures.join("; ")), evidence, ...extra };
  if (results.unknown.length > 0)
    return {
      status: "error",
      message: sentences.error(results.unknown.join("; ")),
      evidence,
      ...extra,
      ...(results.errorFix ? { fix: results.errorFix } : {}),
    };
  return { status: "pass", message: sentences.pass(results.passes.join("; ")), evidence, ...extra };
}

/** Remediation placeholders naming the first archive: its id, group, name and the first category's container. */
export function archiveValues(archives: Archive[]): Record<string, string> {
  const first = archives[0];
  if (!first) return {};
  const parsed = parseResourceId(first.id);
  return {
    storageAccountId: first.id,
    storageAccountName: parsed?.name ?? lastSegment(first.id),
    storageResourceGroup: parsed?.resourceGroup ?? "",
    container: first.categories[0] ? logContainerName(first.categories[0]) : "",
  };
}

export function isArchiveVerdict(value: ArchiveTrail | Verdict): value is Verdict {
  return "status" in value;
}

export type ArchiveResults = {
  failures: string[];
  unknown: string[];
  passes: string[];
  /** The remediation case for the verdict when it is `error` (an access refused, say); see `Verdict.fix`. */
  errorFix?: string;
};

export interface ArchiveContext<P> {
  params: P;
  snapshot: Snapshot;
  /** The evaluation's lookups into the snapshot. */
  memo: EvaluationMemo;
  hsm: HsmFacts;
  /** Evidence the verdict cites; a judge adds the records of what it read. */
  evidence: string[];
}

/**
 * An archive check kind: finds the storage accounts that archive the HSM's audit categories (or the verdict when
 * there are none or they cannot be known), skips those that could not be read or do not exist, has `judge` sort
 * each readable one into passes, failures and unknowns, and words the verdict: any failure fails, else anything
 * unknown is an error, else it passes.
 */
export function defineArchiveCheck<const PS extends Record<string, JsonSchema>>(spec: {
  name: string;
  description: string;
  /** JSON schemas of the params beyond `categories`, with their defaults: the params' type is read from them. */
  params: PS;
  /** What the check reads of an archive, for the messages of `archiveTrail` ("its lifecycle rules"). */
  reading: string;
  /** True when the check judges what arrived inside the log window (see `CheckKind.dependsOnWindow`). */
  dependsOnWindow?: boolean;
  judge(
    archive: Archive,
    properties: StorageAccountProperties,
    results: ArchiveResults,
    ctx: ArchiveContext<ArchiveParams<PS>>,
  ): void;
  sentences(ctx: ArchiveContext<ArchiveParams<PS>>): {
    pass: (list: string) => string;
    fail: (list: string) => string;
    error: (list: string) => string;
  };
  /** Remediation placeholders beyond those naming the archive. */
  values(params: ArchiveParams<PS>): Record<string, string>;
}): CheckKind {
  const paramsSchema: ArchiveSchema<PS> = {
    type: "object",
    properties: { categories: auditCategoriesSchema, ...spec.params },
    additionalProperties: false,
  };
  return defineCheck<ArchiveSchema<PS>, "hsm">({
    name: spec.name,
    description: spec.description,
    scope: "hsm",
    kinds: ["cloudHsm", "managedHsm"],
    ...(spec.dependsOnWindow ? { dependsOnWindow: true } : {}),
    paramsSchema,
    evaluate(target, params, snapshot, memo): Verdict {
      const lookup = memoFor(snapshot, memo);
      const { categories } = params as CategoriesParam;
      const found = archiveTrail(target.hsm, categories, snapshot, spec.reading, lookup);
      if (isArchiveVerdict(found)) return found;
      const { archives, evidence } = found;
      const ctx: ArchiveContext<ArchiveParams<PS>> = { params, snapshot, memo: lookup, hsm: target.hsm, evidence };
      const results: ArchiveResults = { failures: [], unknown: [], passes: [] };
      for (const archive of archives) {
        const account = accountProperties(archive);
        if ("unknown" in account) results.unknown.push(account.unknown);
        else if ("missing" in account) results.failures.push(account.missing);
        else spec.judge(archive, account.properties, results, ctx);
      }
      return combine(results, evidence, spec.sentences(ctx), { ...spec.values(params), ...archiveValues(archives) });
    },
  });
}

type ArchiveSchema<PS> = FamilySchema<PS, typeof auditCategoriesSchema>;
/** The params of an archive check, as its schema types them. */
export type ArchiveParams<PS> = FromSchema<ArchiveSchema<PS>>;
type CategoriesParam = FromSchema<{ type: "object"; properties: { categories: typeof auditCategoriesSchema } }>;
