// What a check kind is: a pure function from (target, params, snapshot view) to a verdict, with a params schema.
// `defineCheck` is the one way to make one: the params' type is read from the params schema, and the target's from
// the kind's scope, so a check for scope "hsm" receives an HSM target, typed, and no check tests the scope itself.
import type { HsmFacts, HsmKind, Snapshot, SubscriptionFacts } from "../model/snapshot.js";
import type { FindingDetails, Status } from "../model/result.js";
import type { FromSchema } from "../model/schema-type.js";
import type { EvaluationMemo } from "./memo.js";

export interface HsmTarget {
  scope: "hsm";
  hsm: HsmFacts;
  resourceId: string;
}
export interface SubscriptionTarget {
  scope: "subscription";
  subscription: SubscriptionFacts;
  resourceId: string;
}
/** The whole tenant: judged only when no subscription could be listed, by the kinds that judge the inventory. */
export interface TenantTarget {
  scope: "tenant";
  resourceId: string;
}
export type Target = HsmTarget | SubscriptionTarget | TenantTarget;

/** The scopes a kind declares. */
export type CheckScope = "subscription" | "hsm";

/**
 * The targets a kind of scope `S` judges: an HSM, or a subscription; a kind that judges the inventory
 * (`judgesInventory`) also judges the tenant, when no subscription could be listed.
 */
export type TargetOf<S extends CheckScope, I extends boolean = false> = S extends "hsm"
  ? HsmTarget
  : SubscriptionTarget | (true extends I ? TenantTarget : never);

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
export type { FromSchema };

/**
 * The params schema of a kind made by a family's builder (the highlights, the archive checks): the audit categories,
 * which every member shares, and the member's own `params`.
 */
export type FamilySchema<PS, Categories> = {
  type: "object";
  properties: { categories: Categories } & PS;
  additionalProperties: false;
};

/** A check kind as `defineCheck` takes it: typed params (from `paramsSchema`) and targets (from `scope`). */
export interface CheckDefinition<S extends JsonSchema, C extends CheckScope, I extends boolean> {
  name: string;
  /** One sentence: what the check proves when it passes. */
  description: string;
  /** Which targets the check can judge. */
  scope: C;
  /**
   * True for the kind that judges whether the HSMs could be listed: the one subscription check asked of a subscription
   * not known to hold an HSM (or excluded, while its lists were not all read), and of the tenant when no subscription
   * could be listed.
   */
  judgesInventory?: I;
  /** For `hsm` checks: the kinds of HSM it can judge (a policy may not apply it to others). */
  kinds?: readonly HsmKind[];
  /**
   * True when the verdict rests on the log window: it reads records by their time (the services' clock) against a
   * window counted on the scanner's clock. When the snapshot records that the two clocks disagree beyond the
   * tolerance, evaluate() makes every finding of such a kind `error` (one mechanism for every window-dependent kind).
   */
  dependsOnWindow?: boolean;
  /** JSON schema of `params`, written `as const`; defaults in it are applied before `evaluate` sees the params. */
  paramsSchema: S;
  /**
   * `memo` is the evaluation's (evaluate() passes one for the whole call); without it, the check builds its own.
   * It only spares work: the verdict is the same either way.
   */
  evaluate(target: TargetOf<C, I>, params: FromSchema<S>, snapshot: Snapshot, memo?: EvaluationMemo): Verdict;
}

/** A check kind as the registry holds it: any target, params as the policy's validation left them. */
export interface CheckKind extends Omit<CheckDefinition<JsonSchema, CheckScope, boolean>, "evaluate"> {
  /** Judges `target`; throws when the kind does not judge targets of its scope (a policy loaded unchecked). */
  evaluate(target: Target, params: Record<string, unknown>, snapshot: Snapshot, memo?: EvaluationMemo): Verdict;
}

/** Whether a kind judges a target: its scope's, or the tenant for the kind that judges the inventory. */
export function judges(kind: Pick<CheckKind, "scope" | "judgesInventory">, target: Target): boolean {
  return target.scope === kind.scope || (target.scope === "tenant" && kind.judgesInventory === true);
}

/**
 * Makes a check kind. Its params are checked against `paramsSchema` (defaults applied) when the policy is loaded, so
 * `evaluate` receives them as the schema types them; the target is checked here, once for every kind.
 */
export function defineCheck<const S extends JsonSchema, C extends CheckScope, I extends boolean = false>(
  definition: CheckDefinition<S, C, I>,
): CheckKind {
  const { evaluate, ...kind } = definition;
  const judged = definition.scope === "hsm" ? "HSMs" : "subscriptions";
  return {
    ...kind,
    evaluate(target, params, snapshot, memo) {
      if (!judges(kind, target)) throw new Error(`${kind.name} judges ${judged}, not a ${target.scope}`);
      return evaluate(target as TargetOf<C, I>, params as FromSchema<S>, snapshot, memo);
    },
  };
}
