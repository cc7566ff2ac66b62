// What a check kind is: a pure function from (target, params, snapshot view) to a verdict, with a params schema.
import type { HsmFacts, HsmKind, Snapshot, SubscriptionFacts } from "../model/snapshot.js";
import type { FindingDetails, Status } from "../model/result.js";
import type { EvaluationMemo } from "./memo.js";

export type Target =
  | { scope: "subscription"; subscription: SubscriptionFacts; resourceId: string }
  | { scope: "tenant"; resourceId: string }
  | { scope: "hsm"; hsm: HsmFacts; resourceId: string };

export interface Verdict {
  status: Exclude<Status, "waived">;
  message: string;
  evidence: string[];
  /** Values for the remediation's placeholders that only the check knows (a workspace id, a category). */
  values?: Record<string, string>;
  /**
   * Which of the policy's remediation `cases` fits this finding (the table's own retention, an access refused, ...);
   * absent, or a case the policy does not have: the policy's own remediation.
   */
  fix?: string;
  /** What an activity highlight found: the records behind it (up to a cap) and the queries that found them. */
  details?: FindingDetails;
}

export type JsonSchema = Record<string, unknown>;

export interface CheckKind<P = Record<string, unknown>> {
  name: string;
  /** One sentence: what the check proves when it passes. */
  description: string;
  /** Which targets the check can judge. */
  scope: "subscription" | "hsm";
  /** For `hsm` checks: the kinds of HSM it can judge (a policy may not apply it to others). */
  kinds?: readonly HsmKind[];
  /**
   * True when the verdict rests on the log window: it reads records by their time (the services' clock) against a
   * window counted on the scanner's clock. When the snapshot records that the two clocks disagree beyond the
   * tolerance, evaluate() makes every finding of such a kind `error` (one mechanism for every window-dependent kind).
   */
  dependsOnWindow?: boolean;
  /** JSON schema of `params`; defaults in it are applied before `evaluate` sees the params. */
  paramsSchema: JsonSchema;
  /**
   * `memo` is the evaluation's (evaluate() passes one for the whole call); without it, the check builds its own.
   * It only spares work: the verdict is the same either way.
   */
  evaluate(target: Target, params: P, snapshot: Snapshot, memo?: EvaluationMemo): Verdict;
}

/** Builds a check kind with typed params (the registry holds them with their params erased). */
export function defineCheck<P>(kind: CheckKind<P>): CheckKind {
  return kind as unknown as CheckKind;
}
