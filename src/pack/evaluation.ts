// What re-evaluating a pack needs, recorded in it (evaluation.json): the policies as they were applied (built-in and
// user ones, with the configuration's params), the frameworks, the waivers and the options of evaluate(). With the
// pack's snapshot, they give result.json again, byte for byte, on any machine running the same version of the tool.
import type { Policy } from "../engine/policy.js";
import type { Framework } from "../engine/frameworks.js";
import type { Waiver } from "../engine/waivers.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate, type EvaluateOptions } from "../engine/evaluate.js";
import { computeChanges } from "../report/changes.js";
import { FORMAT_FILES } from "../report/outputs.js";
import type { FailOn, Result } from "../model/result.js";
import type { Snapshot } from "../model/snapshot.js";

export const EVALUATION_SCHEMA_VERSION = 1;

export interface RecordedEvaluation {
  schemaVersion: typeof EVALUATION_SCHEMA_VERSION;
  /** The version of the tool that evaluated: another version may judge differently, and says so. */
  toolVersion: string;
  failOn: FailOn;
  failOnExpiredWaivers: boolean;
  exclude: string[];
  /** Absent: the engine's default tolerance. */
  clockSkewToleranceMs?: number;
  /** Absent: no waivers file. */
  waivers?: Waiver[];
  policies: Policy[];
  frameworks: Framework[];
}

/** The inputs as recorded, from the arguments evaluate() was called with. */
export function recordEvaluation(
  policies: Policy[],
  options: EvaluateOptions & { frameworks: Framework[] },
  toolVersion: string,
): RecordedEvaluation {
  return {
    schemaVersion: EVALUATION_SCHEMA_VERSION,
    toolVersion,
    failOn: options.failOn,
    failOnExpiredWaivers: options.failOnExpiredWaivers ?? false,
    exclude: options.exclude ?? [],
    ...(options.clockSkewToleranceMs !== undefined ? { clockSkewToleranceMs: options.clockSkewToleranceMs } : {}),
    ...(options.waivers ? { waivers: options.waivers } : {}),
    policies,
    frameworks: options.frameworks,
  };
}

export function evaluationBytes(recorded: RecordedEvaluation): Buffer {
  return Buffer.from(`${JSON.stringify(recorded, null, 2)}\n`, "utf8");
}

/** What a recorded evaluation read back from a pack must be before it is used; undefined when it is that. */
export function recordedEvaluationProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const r = value as Record<string, unknown>;
  if (r.schemaVersion !== EVALUATION_SCHEMA_VERSION) return `schemaVersion is not ${EVALUATION_SCHEMA_VERSION}`;
  if (typeof r.toolVersion !== "string") return "toolVersion is not a string";
  if (typeof r.failOn !== "string") return "failOn is not a string";
  if (typeof r.failOnExpiredWaivers !== "boolean") return "failOnExpiredWaivers is not a boolean";
  if (!Array.isArray(r.exclude) || r.exclude.some((e) => typeof e !== "string"))
    return "exclude is not a list of patterns";
  if (r.clockSkewToleranceMs !== undefined && typeof r.clockSkewToleranceMs !== "number") {
    return "clockSkewToleranceMs is not a number";
  }
  if (r.waivers !== undefined && !isObjectList(r.waivers)) return "waivers is not a list";
  if (!isObjectList(r.policies)) return "policies is not a list";
  if (!isObjectList(r.frameworks)) return "frameworks is not a list";
  return undefined;
}

function isObjectList(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
}

/** What a post-evaluation hook may read: the pack, the previous pack when the verifier named it, the inputs. */
export interface ReEvaluationContext {
  packDir: string;
  /** `verify --previous DIR`: the previous pack, already verified by then. */
  previousDir?: string;
  recorded: RecordedEvaluation;
}

/**
 * Fields of result.json computed after evaluate() from outside the snapshot (month-over-month changes, computed from
 * the previous pack's result.json): each hook adds its field to the re-evaluated result as the run that wrote the pack
 * did, or throws saying what it lacks (the re-evaluation check then fails, naming it).
 */
export type PostEvaluationHook = (result: Result, context: ReEvaluationContext) => Result;

/**
 * Month over month: when the pack's result.json holds `changes` (its run was given `--previous`), they are made again
 * from the previous pack named to verify (`verify --previous DIR`, verified first), exactly as the run made them
 * (src/report/changes.ts, the field added last). Without that pack they cannot be checked: the re-evaluation fails,
 * saying so.
 */
export const changesSincePrevious: PostEvaluationHook = (result, context) => {
  const original = JSON.parse(readFileSync(join(context.packDir, FORMAT_FILES.json), "utf8")) as Partial<Result>;
  if (original.changes === undefined) return result;
  if (context.previousDir === undefined) {
    throw new Error(
      `${FORMAT_FILES.json} holds the changes since a previous pack: name that pack with --previous DIR to check them`,
    );
  }
  const bytes = readFileSync(join(context.previousDir, FORMAT_FILES.json));
  const previous = {
    result: JSON.parse(bytes.toString("utf8")) as Result,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  return { ...result, changes: computeChanges(previous, result) };
};

export const POST_EVALUATION_HOOKS: PostEvaluationHook[] = [changesSincePrevious];

/** evaluate() with the recorded inputs, then the post-evaluation hooks. */
export function reEvaluate(
  snapshot: Snapshot,
  recorded: RecordedEvaluation,
  context: Omit<ReEvaluationContext, "recorded">,
): Result {
  let result = evaluate(snapshot, recorded.policies, {
    failOn: recorded.failOn,
    frameworks: recorded.frameworks,
    ...(recorded.waivers ? { waivers: recorded.waivers } : {}),
    failOnExpiredWaivers: recorded.failOnExpiredWaivers,
    exclude: recorded.exclude,
    ...(recorded.clockSkewToleranceMs !== undefined ? { clockSkewToleranceMs: recorded.clockSkewToleranceMs } : {}),
  });
  for (const hook of POST_EVALUATION_HOOKS) result = hook(result, { ...context, recorded });
  return result;
}
