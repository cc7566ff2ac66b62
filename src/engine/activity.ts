// An HSM's activity as the workspaces that receive its audit trail answered the activity questions: the rows of each
// question that are about this HSM, merged over those workspaces, with the evidence and queries behind them. The
// highlight checks and the reports read it; a question that could not be answered is an error, never "nothing".
import type { ActivityRows, ActivitySample, Fact, HsmFacts, HsmKind, Snapshot } from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import type { FindingDetails } from "../model/result.js";
import {
  defineCheck,
  type CheckKind,
  type FamilySchema,
  type FromSchema,
  type JsonSchema,
  type Verdict,
} from "./check.js";
import {
  auditCategoriesSchema,
  isVerdict,
  lastSegment,
  noCarrierVerdict,
  unique,
  unresolvedWorkspaces,
} from "./audit-trail.js";
import { memoFor, type EvaluationMemo } from "./memo.js";

/** How many evidence rows a finding lists; the total is always given. */
export const ROWS_CAP = 20;

export interface HsmActivity<Q extends keyof ActivityRows> {
  hsm: HsmFacts;
  workspaceIds: string[];
  rows: { [K in Q]: ActivityRows[K] };
  /** Workspaces whose answer to a question came back in part: "nothing found" is not proven there. */
  partial: string[];
  evidence: string[];
  queries: string[];
  /** The window's bin for the series (`1h` or `1d`). */
  bin: "1h" | "1d";
}

/**
 * The answers to `questions` about `hsm`, or the verdict when they cannot be had: `not_applicable` when no
 * workspace receives its audit log (the destination policies say why), `error` when a question was not answered or
 * whether a workspace receives it is unknown.
 */
export function hsmActivity<Q extends keyof ActivityRows>(
  hsm: HsmFacts,
  snapshot: Snapshot,
  questions: readonly Q[],
  categories?: Partial<Record<string, string[]>>,
  memo?: EvaluationMemo,
): HsmActivity<Q> | Verdict {
  const lookup = memoFor(snapshot, memo);
  const trail = lookup.auditTrail(hsm, categories);
  if (isVerdict(trail)) return trail;
  const workspaceIds = trail.workspaceIds;
  if (workspaceIds.length === 0) {
    if (trail.carryingAny.length === 0 && trail.unresolved.length > 0)
      return noCarrierVerdict(trail, "its activity cannot be read");
    // A setting whose category groups could not be resolved may send the audit log to a workspace: unknown, not none.
    const maybe = trail.unresolved.filter((s) => s.workspaceId);
    if (maybe.length > 0) return noCarrierVerdict({ ...trail, unresolved: maybe }, "its activity cannot be read");
    return {
      status: "not_applicable",
      message: `No Log Analytics workspace receives the audit log of ${hsm.name}, so what it did cannot be read (see log-destination-configured).`,
      evidence: trail.evidence,
    };
  }
  const evidence = [...trail.evidence];
  const queries: string[] = [];
  const partial: string[] = [];
  const rows = Object.fromEntries(questions.map((q) => [q, [] as unknown[]])) as { [K in Q]: ActivityRows[K] };
  let bin: "1h" | "1d" = "1h";
  const missing: string[] = [];
  const gone: string[] = [];
  const perWorkspace: { [K in Q]: ActivityRows[K] }[] = [];
  /** Rows about the HSM in any answer of any workspace (asked by this highlight or not), and records counted. */
  let records = 0;
  /** Answers that could have shown a record of the HSM but failed or came back in part. */
  const unsure: string[] = [];
  for (const id of workspaceIds) {
    const workspace = lookup.workspace(id);
    if (workspace && isKnown(workspace.info) && !workspace.info.value.exists) {
      gone.push(`workspace ${lastSegment(id)}`);
      evidence.push(...workspace.info.evidence);
      continue;
    }
    const sample = lookup.activitySampleOf(id, hsm.id);
    if (!sample) {
      missing.push(`workspace ${lastSegment(id)} was not asked`);
      continue;
    }
    bin = sample.bin;
    const disagreement = countsDisagree(hsm, id, sample, lookup);
    if (disagreement) missing.push(disagreement);
    const seen = recordsOf(hsm, id, sample, lookup);
    records += seen.found;
    if (seen.unsure) unsure.push(seen.unsure);
    const mineHere = Object.fromEntries(questions.map((q) => [q, [] as unknown[]])) as { [K in Q]: ActivityRows[K] };
    perWorkspace.push(mineHere);
    for (const q of questions) {
      const answer = sample.questions[q];
      evidence.push(...answer.result.evidence);
      queries.push(answer.query);
      if (!isKnown(answer.result)) {
        missing.push(`workspace ${lastSegment(id)} did not answer (${answer.result.error.message})`);
        continue;
      }
      if (answer.result.value.partial) partial.push(`workspace ${lastSegment(id)}`);
      const mine = lookup.rowsOf(answer.result.value.rows as { hsmId: string }[], hsm.id);
      (mineHere[q] as unknown[]).push(...mine);
    }
  }
  if (missing.length > 0) {
    return {
      status: "error",
      message: `What ${hsm.name} did could not be read: ${unique(missing).join("; ")}.`,
      evidence,
    };
  }
  if (perWorkspace.length === 0) {
    const maybe = unresolvedWorkspaces(trail);
    if (maybe.length > 0) {
      return {
        status: "error",
        message: `What ${hsm.name} did could not be read: ${[...unique(gone).map((w) => `${w} does not exist`), ...maybe].join("; ")}.`,
        evidence: [...evidence, ...(hsm.categories?.evidence ?? [])],
      };
    }
    return {
      status: "not_applicable",
      message: `${unique(gone).join(", ")} receiving the audit log of ${hsm.name} ${gone.length === 1 ? "does" : "do"} not exist, so what it did cannot be read (see log-destination-exists).`,
      evidence,
    };
  }
  // A log that holds no record of the HSM says nothing of what it did: a highlight over it would "pass" on nothing.
  // Unless an answer came back in part (then nothing found is not proven, and the highlight says so), it does not
  // apply, and logs-flowing says why.
  // Nothing of the HSM in any answer, but an answer that could have held its records failed or came back in part:
  // whether it did anything is not known, so neither "nothing happened" (a pass) nor "no record" (not applicable).
  if (records === 0 && unsure.length > 0) {
    return {
      status: "error",
      message: `Whether the log holds any audit record of ${hsm.name} could not be read: ${unique(unsure).join("; ")}.`,
      evidence,
    };
  }
  if (partial.length === 0 && records === 0) {
    return {
      status: "not_applicable",
      message: `The log holds no audit record of ${hsm.name} in the window ${snapshot.logWindow.start} to ${snapshot.logWindow.end}, so there is no activity to judge (see logs-flowing).`,
      evidence,
    };
  }
  // The same records reach every workspace its settings send them to: counted once, not once per workspace.
  for (const q of questions)
    (rows[q] as unknown[]) = mergeWorkspaces(
      q,
      perWorkspace.map((w) => w[q]),
    );
  return { hsm, workspaceIds, rows, partial: unique(partial), evidence, queries: unique(queries), bin };
}

/**
 * When the activity questions found fewer records of the HSM than the log query counted in the same workspace, one of
 * the audit tables was left out of their answers (a fuzzy union drops a branch whose columns do not resolve): what
 * they say cannot be trusted. Returns why, or undefined when they agree or cannot be compared.
 */
function countsDisagree(hsm: HsmFacts, workspaceId: string, sample: ActivitySample, lookup: EvaluationMemo) {
  const operations = sample.questions.operations.result;
  const log = lookup.logSample(workspaceId)?.result;
  if (!isKnown(operations) || !isKnown(log)) return undefined;
  const counted = lookup.rowsOf(log.value.rows, hsm.id).reduce((n, r) => n + r.records, 0);
  const asked = lookup.rowsOf(operations.value.rows, hsm.id).reduce((n, r) => n + r.records, 0);
  if (asked >= counted) return undefined;
  return `workspace ${lastSegment(workspaceId)} counted ${counted} audit records but its activity answers hold ${asked}, so part of the trail is missing from them`;
}

/**
 * What the workspace's answers hold of the HSM: the records the log query counted, and a row of any activity question
 * answered; and, when an answer that could have held some failed or came back in part, why nothing found proves
 * nothing (an answer found in part is otherwise left to the questions that read it).
 */
function recordsOf(
  hsm: HsmFacts,
  workspaceId: string,
  sample: ActivitySample,
  lookup: EvaluationMemo,
): { found: number; unsure?: string } {
  let found = 0;
  let unsure: string | undefined;
  const where = `workspace ${lastSegment(workspaceId)}`;
  const log = lookup.logSample(workspaceId)?.result;
  if (log && !isKnown(log)) unsure = `${where} did not answer the records query (${log.error.message})`;
  if (isKnown(log)) {
    if (log.value.partial) unsure = `${where} answered only in part (the records query)`;
    found += lookup.rowsOf(log.value.rows, hsm.id).reduce((n, r) => n + r.records, 0);
  }
  const answers = Object.values(sample.questions) as {
    result: Fact<{ rows: { hsmId: string }[]; partial?: unknown }>;
  }[];
  for (const answer of answers) {
    if (!answer || !isKnown(answer.result)) continue;
    if (answer.result.value.partial) unsure ??= `${where} answered only in part (an activity question)`;
    found += lookup.rowsOf(answer.result.value.rows, hsm.id).length;
  }
  return unsure ? { found, unsure } : { found };
}

/** The key of a row within its question: rows with the same key in two workspaces describe the same records. */
const ROW_KEY: { [K in keyof ActivityRows]: (row: ActivityRows[K][number]) => string } = {
  operations: (r) => r.operation,
  callers: (r) => `${r.caller}\u0000${r.identity}`,
  series: (r) => r.bin,
  sensitive: (r) => r.operation,
  keyGets: (r) => `${r.caller}\u0000${r.identity}\u0000${r.bin}`,
  failures: (r) => `${r.caller}\u0000${r.identity}\u0000${r.bin}`,
};

/** Rows of several workspaces merged by key: counts their largest, times their widest span, lists the longest. */
function mergeWorkspaces<K extends keyof ActivityRows>(q: K, lists: ActivityRows[K][]): ActivityRows[K] {
  if (lists.length === 1) return lists[0]!;
  const merged = new Map<string, Record<string, unknown>>();
  for (const list of lists) {
    for (const row of list as Record<string, unknown>[]) {
      const key = ROW_KEY[q](row as never);
      const seen = merged.get(key);
      if (!seen) {
        merged.set(key, { ...row });
        continue;
      }
      for (const [field, value] of Object.entries(row)) {
        const old = seen[field];
        if (typeof value === "number" && typeof old === "number") seen[field] = Math.max(old, value);
        else if (Array.isArray(value) && Array.isArray(old) && value.length > old.length) seen[field] = value;
        else if (field === "first" || field === "firstLogin")
          seen[field] = old === undefined || (value as string) < (old as string) ? value : old;
        else if (field === "last") seen[field] = (value as string) > (old as string) ? value : old;
      }
    }
  }
  return [...merged.values()] as unknown as ActivityRows[K];
}

export function isActivity<Q extends keyof ActivityRows>(value: HsmActivity<Q> | Verdict): value is HsmActivity<Q> {
  return !("status" in value);
}

/**
 * The verdict of a highlight: `fail` (at the policy's severity, `info` by default) listing what was found, with
 * its rows; `pass` when nothing was found; `error` when nothing was found but an answer was partial.
 */
export function highlightVerdict<Q extends keyof ActivityRows>(
  activity: HsmActivity<Q>,
  found: { summary: string; rows: FindingDetails["rows"] } | undefined,
  nothing: string,
): Verdict {
  const { hsm, evidence, queries, partial } = activity;
  if (found) {
    const rows = [...found.rows].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
    return {
      status: "fail",
      message: `${found.summary}${partial.length ? ` (${partial.join(", ")} answered only in part: there may be more)` : ""}.`,
      evidence,
      details: { rows: rows.slice(0, ROWS_CAP), total: rows.length, queries },
    };
  }
  if (partial.length > 0) {
    return {
      status: "error",
      message: `${nothing}, but ${partial.join(", ")} answered only in part, so that is not proven for ${hsm.name}.`,
      evidence,
    };
  }
  return { status: "pass", message: `${nothing}.`, evidence };
}

export { plural } from "../model/words.js";

/**
 * A highlight check kind: the HSM's answers to `questions`, judged by `judge` once they are known; every kind shares
 * the audit categories param, the resolution of the workspaces and the verdicts when the answers cannot be had.
 */
export function defineHighlight<const PS extends Record<string, JsonSchema>, Q extends keyof ActivityRows>(spec: {
  name: string;
  description: string;
  kinds: readonly HsmKind[];
  /** JSON schemas of the params beyond `categories`, with their defaults: the params' type is read from them. */
  params: PS;
  questions: readonly Q[];
  judge(activity: HsmActivity<Q>, params: HighlightParams<PS>, snapshot: Snapshot): Verdict;
}): CheckKind {
  const paramsSchema: HighlightSchema<PS> = {
    type: "object",
    properties: { categories: auditCategoriesSchema, ...spec.params },
    additionalProperties: false,
  };
  return defineCheck<HighlightSchema<PS>, "hsm">({
    name: spec.name,
    description: spec.description,
    scope: "hsm",
    kinds: spec.kinds,
    // Every highlight reads what the HSM did inside the log window.
    dependsOnWindow: true,
    paramsSchema,
    evaluate(target, params, snapshot, memo): Verdict {
      const { categories } = params as CategoriesParam;
      const activity = hsmActivity(target.hsm, snapshot, spec.questions, categories, memo);
      return isActivity(activity) ? spec.judge(activity, params, snapshot) : activity;
    },
  });
}

type HighlightSchema<PS> = FamilySchema<PS, typeof auditCategoriesSchema>;
/** The params of a highlight, as its schema types them. */
export type HighlightParams<PS> = FromSchema<HighlightSchema<PS>>;
/** The audit categories param every highlight has (read apart: the member's own params are generic here). */
type CategoriesParam = FromSchema<{ type: "object"; properties: { categories: typeof auditCategoriesSchema } }>;
