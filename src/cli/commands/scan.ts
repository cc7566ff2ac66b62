// `hsm-audit scan`: collect a snapshot, then hand it to `report` (./report.ts: evaluate, write, print), which is loaded
// while the collection runs, so that its modules are read in the network's waits rather than before the first request.
import type { ProgressView } from "../progress.js";
import type { Agent } from "node:https";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { collect, type InventorySource } from "../../azure/collect.js";
import type { ScanProgress } from "../../azure/progress.js";
import type { Scheduler } from "../../azure/throttle.js";
import { CLOUDS, type CloudName } from "../../azure/clouds.js";
import { ruleShape } from "../../engine/rule-coverage.js";
import type { Result } from "../../model/result.js";
import type { Snapshot } from "../../model/snapshot.js";
import { writeFileSafely, WriteError } from "../../util/safe-write.js";
import { OutputError } from "../../report/outputs.js";
import { checkCertificates, signIn } from "../setup.js";
import { SharedTokenCredential } from "../../azure/clients.js";
import type { ApplianceIndex } from "../../azure/luna/evidence-dir.js";
import type { SshAppliance } from "../../azure/luna/ssh.js";
import type { OutputOptions } from "./report.js";

export type { OutputOptions };

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
  // Started now, needed after the collection: a failure to load is met (and thrown) there, not left unhandled if the
  // collection fails first.
  const reporting = import("./report.js");
  reporting.catch(() => undefined);
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
  const { report } = await reporting;
  if (options.sign) {
    const { verifySnapshot } = await import("../../azure/verify.js");
    const saved = Buffer.from(snapshotText!, "utf8");
    return report(verifySnapshot(JSON.parse(snapshotText!) as Snapshot).snapshot, withFile, saved);
  }
  return report(snapshot, withFile);
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
