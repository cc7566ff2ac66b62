// `hsm-audit scan` and `hsm-audit evaluate`: collect (or load) a snapshot, evaluate the policies, write the outputs,
// print the summary, and return the exit code the result earns.
import type { ProgressView } from "../progress.js";
import type { Agent } from "node:https";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { collect, type InventorySource } from "../../azure/collect.js";
import type { ScanProgress } from "../../azure/progress.js";
import type { Scheduler } from "../../azure/throttle.js";
import { CLOUDS, type CloudName } from "../../azure/clouds.js";
import { evaluate } from "../../engine/evaluate.js";
import { ruleShape } from "../../engine/rule-coverage.js";
import type { Policy } from "../../engine/policy.js";
import { loadFrameworks, type Framework } from "../../engine/frameworks.js";
import type { Waiver } from "../../engine/waivers.js";
import { earnedExitCode, type FailOn, type Result } from "../../model/result.js";
import type { Snapshot } from "../../model/snapshot.js";
import { writeFileSafely, WriteError } from "../../util/safe-write.js";
import { OutputError, writeOutputs, type Format, type Paper, type PdfDetail } from "../../report/outputs.js";
import { renderTerminal } from "../../report/terminal.js";
import { printLine } from "../output.js";
import { withChanges, type LoadedPack } from "../previous.js";
import { checkCertificates, signIn } from "../setup.js";
import { verifySnapshot } from "../../azure/verify.js";
import { recordEvaluation } from "../../pack/evaluation.js";
import { packOutputs, type SignRequest } from "../../pack/pack.js";
import { TOOL } from "../../version.js";
import { SharedTokenCredential } from "../../azure/clients.js";
import type { ApplianceIndex } from "../../azure/luna/evidence-dir.js";
import type { SshAppliance } from "../../azure/luna/ssh.js";

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

export interface ScanOptions extends OutputOptions {
  cloud: CloudName;
  armEndpoint?: string;
  logsEndpoint?: string;
  subscriptions: string[];
  /** A management group to scan instead: the subscriptions under it, at every depth. */
  /** Management groups to scan (not with `subscriptions`); empty or absent: none. */
  managementGroups?: string[];
  logWindowMs: number;
  period?: { start: Date; end: Date; label: string };
  snapshotOut?: string;
  concurrency: number;
  /** Where the HSMs are listed from (default arm). */
  inventory?: InventorySource;
  /** ARM's batch API for diagnostic settings and provider states (default true). */
  armBatch?: boolean;
  maxRetries: number;
  timeoutMs: number;
  /** Injected by the demo (the simulator's token); DefaultAzureCredential otherwise. */
  credential?: TokenCredential;
  agent?: Agent;
  progress?: ProgressView;
  /** The scanner's clock (the machine's unless injected, as the demo's tests do). */
  clock?: () => Date;
  /** The pacing, and how retry back-offs are waited: Azure's limits and real time unless a test injects them. */
  scheduler?: Scheduler;
  retrySleep?: (ms: number) => Promise<void>;
  /** Saved LunaSH transcripts of the Dedicated HSMs' appliances, the index already checked. */
  applianceEvidence?: ApplianceIndex;
  /** Luna appliances to read over SSH (the configuration's `appliances`). */
  applianceSsh?: SshAppliance[];
}

export async function scan(options: ScanOptions): Promise<{ code: number; result: Result; files: string[] }> {
  const cloud = CLOUDS[options.cloud];
  // One credential whose tokens every client shares; signing in is tried first, so that a missing sign-in is a
  // setup error said in words rather than every read failing.
  const credential = new SharedTokenCredential(
    options.credential ?? new DefaultAzureCredential({ authorityHost: cloud.authorityHost }),
  );
  await signIn(credential, cloud.armAudience);
  const snapshot = await collect({
    credential,
    cloud: cloud.name,
    armEndpoint: options.armEndpoint ?? cloud.armEndpoint,
    logsEndpoint: options.logsEndpoint ?? cloud.logsEndpoint,
    subscriptions: options.subscriptions,
    ...(options.managementGroups?.length ? { managementGroups: options.managementGroups } : {}),
    logWindowMs: options.logWindowMs,
    ...(options.period ? { period: options.period } : {}),
    concurrency: options.concurrency,
    ...(options.inventory ? { inventory: options.inventory } : {}),
    ...(options.armBatch === false ? { armBatch: false } : {}),
    retry: {
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs,
      ...(options.retrySleep ? { sleep: options.retrySleep } : {}),
    },
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.applianceEvidence ? { applianceEvidence: options.applianceEvidence } : {}),
    ...(options.applianceSsh ? { applianceSsh: options.applianceSsh } : {}),
    ...(options.progress ? { onProgress: (p: ScanProgress) => options.progress!.update(p) } : {}),
    onSentinelQueries: readRuleSyntax,
  });
  options.progress?.finish();
  checkCertificates(snapshot);
  // An appliance entry that matches no Dedicated HSM, or whose resourceId and address disagree: said, not fatal (the
  // HSM without evidence stays manual, with the reason in its finding).
  for (const appliance of snapshot.appliances ?? []) {
    if (appliance.match?.warning) process.stderr.write(`hsm-audit: warning: ${appliance.match.warning}\n`);
  }
  const snapshotText = options.snapshotOut || options.sign ? `${JSON.stringify(snapshot, null, 2)}\n` : undefined;
  if (options.snapshotOut) {
    try {
      await writeFileSafely(options.snapshotOut, snapshotText!);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      throw new OutputError(`cannot write the snapshot ${options.snapshotOut}: ${error.message}`);
    }
  }
  const withFile = options.snapshotOut ? { ...options, snapshotFile: options.snapshotOut } : options;
  // A signed pack is evaluated from the snapshot as saved, read back and checked against its own evidence as
  // `evaluate` and `verify` read it, so that the auditor's re-evaluation gives the same bytes.
  if (options.sign) {
    const saved = Buffer.from(snapshotText!, "utf8");
    return report(verifySnapshot(JSON.parse(snapshotText!) as Snapshot).snapshot, withFile, saved);
  }
  return report(snapshot, withFile);
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
      ? {
          pack: packOutputs(
            result,
            snapshotBytes,
            recordEvaluation(options.policies, evaluateOptions, TOOL.version),
            options.sign,
          ),
        }
      : {}),
    ...(options.pdfDetail ? { pdfDetail: options.pdfDetail } : {}),
    ...(options.snapshotFile ? { snapshotFile: options.snapshotFile } : {}),
  });
  print(renderTerminal(result, { color: options.color, ...(options.quiet ? { quiet: true } : {}) }));
  print("");
  print(`Written: ${files.join(", ")}`);
  return { code: earnedExitCode(result), result, files };
}

/**
 * Reads the syntax of Sentinel rules' queries while the scan still waits on other answers: the evaluation needs each
 * query's shape (`ruleShape`, kept once made), and the first costs the Kusto parser's start-up, most of a second, which
 * then overlaps the network instead of following it. One query a turn of the event loop, so that answers arriving
 * meanwhile are read between them (a tenant may hold many long rules). Nothing is decided here: a query the analysis
 * cannot read is read again, and its failure reported, by the evaluation.
 */
function readRuleSyntax(queries: string[]): void {
  const next = (i: number) => {
    if (i >= queries.length) return;
    setImmediate(() => {
      try {
        ruleShape(queries[i]!);
      } catch {
        // The evaluation meets the same failure and says it.
      }
      next(i + 1);
    });
  };
  next(0);
}
