// Evaluating a snapshot and writing and printing the result: the second half of `hsm-audit scan` and the whole of
// `hsm-audit evaluate`. The signed pack's modules are loaded only for a signed run.
import { evaluate, type EvaluateOptions } from "../../engine/evaluate.js";
import type { Policy } from "../../engine/policy.js";
import { loadFrameworks, type Framework } from "../../engine/frameworks.js";
import type { Waiver } from "../../engine/waivers.js";
import { earnedExitCode, type FailOn, type Result } from "../../model/result.js";
import type { Snapshot } from "../../model/snapshot.js";
import { writeOutputs, type Format, type Paper, type PdfDetail } from "../../report/outputs.js";
import { renderTerminal } from "../../report/terminal.js";
import { printLine } from "../output.js";
import { withChanges, type LoadedPack } from "../previous.js";
import type { SignRequest } from "../../pack/pack.js";
import { TOOL } from "../../version.js";

export interface OutputOptions {
  policies: Policy[];
  failOn: FailOn;
  outDir: string;
  formats: Format[];
  paper?: Paper;
  /** report.pdf's layout (default summary). */
  pdfDetail?: PdfDetail;
  /** The snapshot file the result is evaluated from (evaluate --snapshot), attached to report.pdf. */
  snapshotFile?: string;
  color: boolean;
  /** Print the verdict and the counts only. */
  quiet?: boolean;
  /** SARIF: include the failures below the fail-on threshold (for review). */
  sarifAll?: boolean;
  print?: (line: string) => void;
  /** The waivers file's waivers (absent: no waivers file). */
  waivers?: Waiver[];
  failOnExpiredWaivers?: boolean;
  /** Resource patterns the configuration excludes from evaluation. */
  exclude?: string[];
  /** Control frameworks, for the policies' mappings (loaded from the built-in ones when absent). */
  frameworks?: Framework[];
  /** The clock disagreement tolerated (`clockSkewTolerance`); the engine's default (five minutes) when absent. */
  clockSkewToleranceMs?: number;
  /** Sign the pack (`--sign-key`): the snapshot, the recorded evaluation and a signed manifest join the outputs. */
  sign?: SignRequest;
  /** The previous month's pack (`--previous DIR`): the result gets its `changes` since then. */
  previous?: LoadedPack;
}

/**
 * Evaluates a snapshot and writes and prints the result. A signed run also writes `snapshotBytes` (the snapshot as
 * saved or read: the pack's evidence) with the evaluation's inputs and the signed manifest.
 */
export async function report(
  snapshot: Snapshot,
  options: OutputOptions,
  snapshotBytes?: Uint8Array,
): Promise<{ code: number; result: Result; files: string[] }> {
  const print = options.print ?? printLine;
  const evaluateOptions = {
    failOn: options.failOn,
    frameworks: options.frameworks ?? loadFrameworks(),
    ...(options.waivers ? { waivers: options.waivers } : {}),
    failOnExpiredWaivers: options.failOnExpiredWaivers ?? false,
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.clockSkewToleranceMs !== undefined ? { clockSkewToleranceMs: options.clockSkewToleranceMs } : {}),
  };
  const evaluated = evaluate(snapshot, options.policies, evaluateOptions);
  // Month over month: computed from the verdicts, after them; no verdict or exit code depends on it.
  const result = withChanges(evaluated, options.previous);
  if (options.sign && !snapshotBytes) throw new Error("a signed pack needs the snapshot's bytes");
  const files = await writeOutputs(result, options.outDir, options.formats, {
    paper: options.paper ?? "a4",
    ...(options.sarifAll ? { sarifAll: true } : {}),
    ...(options.sign && snapshotBytes
      ? { pack: await signedPack(result, snapshotBytes, options.sign, options.policies, evaluateOptions) }
      : {}),
    ...(options.pdfDetail ? { pdfDetail: options.pdfDetail } : {}),
    ...(options.snapshotFile ? { snapshotFile: options.snapshotFile } : {}),
  });
  print(renderTerminal(result, { color: options.color, ...(options.quiet ? { quiet: true } : {}) }));
  print("");
  print(`Written: ${files.join(", ")}`);
  return { code: earnedExitCode(result), result, files };
}

/** The signed pack's files: the snapshot as saved, the recorded evaluation, and the signed manifest. */
async function signedPack(
  result: Result,
  snapshotBytes: Uint8Array,
  sign: SignRequest,
  policies: Policy[],
  evaluateOptions: EvaluateOptions & { frameworks: Framework[] },
) {
  // One after the other: two dynamic imports at once that share modules are what jest's loader can fail (see
  // test/helpers/main-in-process.ts), and the time is the same.
  const { packOutputs } = await import("../../pack/pack.js");
  const { recordEvaluation } = await import("../../pack/evaluation.js");
  return packOutputs(result, snapshotBytes, recordEvaluation(policies, evaluateOptions, TOOL.version), sign);
}
