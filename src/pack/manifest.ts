// The manifest of an evidence pack: an in-toto Statement v1 whose subjects are every file of the pack with its SHA-256,
// and whose predicate says what the pack is (docs/evidence-pack.md). It is built from data only: no clock, no I/O.
import type { Result } from "../model/result.js";
import type { Principal } from "../model/snapshot.js";
import { PACK_FILES } from "../report/outputs.js";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/** Our predicate type: the fields below, version 1 (fields are only ever added). */
export const PREDICATE_TYPE = "https://hsm-audit.dev/evidence-pack/v1";

export interface Subject {
  name: string;
  digest: { sha256: string };
}

export interface EvidencePackPredicate {
  tool: { name: string; version: string };
  /** The period searched for audit records (the result's `logWindow`). */
  period: Result["logWindow"];
  /** The tenants ARM named for the subscriptions scanned. */
  tenant: string[];
  scope: { cloud: string; subscriptions: string[]; managementGroups?: string[] };
  policyPack?: { version: string; sha256: string };
  scan: {
    runId?: string;
    startedAt: string;
    finishedAt: string;
    result: Subject;
    /** Who ran the scan: the claims of its ARM access token (result.json's `principal`), absent when not recorded. */
    principal?: Principal;
  };
  /** The files a verifier re-evaluates from: the snapshot, and the evaluation's recorded inputs. */
  reEvaluation: { snapshot: string; inputs: string };
  /** The SHA-256 of the previous pack's manifest file (`--previous DIR`), absent when none was named. */
  previous?: { sha256: string };
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: EvidencePackPredicate;
}

/**
 * The statement over `files` (name and SHA-256 hex), in name order, for `result`. `previous` is the SHA-256 of the
 * previous pack's manifest file.
 */
export function buildStatement(
  result: Result,
  files: ReadonlyArray<{ name: string; sha256: string }>,
  options: { resultName: string; previous?: string },
): Statement {
  const subject = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => ({ name: f.name, digest: { sha256: f.sha256 } }));
  const resultSubject = subject.find((s) => s.name === options.resultName);
  if (!resultSubject) throw new Error(`the pack has no ${options.resultName}`);
  const managementGroups = result.scope.managementGroups?.map((g) => g.id);
  return {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: PREDICATE_TYPE,
    predicate: {
      tool: { name: result.tool.name, version: result.tool.version },
      period: result.logWindow,
      tenant: result.scope.tenantIds ?? [],
      scope: {
        cloud: result.scope.cloud,
        subscriptions: result.scope.subscriptions,
        ...(managementGroups ? { managementGroups } : {}),
      },
      ...(result.policyPack ? { policyPack: result.policyPack } : {}),
      scan: {
        ...(result.runId !== undefined ? { runId: result.runId } : {}),
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        result: resultSubject,
        ...(result.principal ? { principal: result.principal } : {}),
      },
      reEvaluation: { snapshot: PACK_FILES.snapshot, inputs: PACK_FILES.evaluation },
      ...(options.previous ? { previous: { sha256: options.previous } } : {}),
    },
  };
}

/** What a statement read back from a pack must at least be; every other field is read only where it is checked. */
export function statementProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const s = value as Record<string, unknown>;
  if (s._type !== STATEMENT_TYPE) return `_type is not ${STATEMENT_TYPE}`;
  if (s.predicateType !== PREDICATE_TYPE) return `predicateType is not ${PREDICATE_TYPE}`;
  if (!Array.isArray(s.subject) || s.subject.length === 0) return "subject is not a list of files";
  for (const [i, sub] of s.subject.entries()) {
    const item = sub as { name?: unknown; digest?: { sha256?: unknown } } | null;
    if (
      typeof item !== "object" ||
      item === null ||
      typeof item.name !== "string" ||
      typeof item.digest?.sha256 !== "string" ||
      !/^[0-9a-f]{64}$/.test(item.digest.sha256)
    ) {
      return `subject[${i}] is not a file name with a SHA-256 digest`;
    }
  }
  if (typeof s.predicate !== "object" || s.predicate === null) return "predicate is not an object";
  return undefined;
}
