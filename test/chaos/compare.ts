// The chaos comparison: the same seeded estate scanned twice with the same clock, once as Azure should answer and once
// through the seed's faults, both evaluated with the built-in policies. Faults may turn a finding into an error; they
// may never turn it into another verdict, and the exit code may never say more than the fault-free scan's.
import { Agent } from "node:https";
import { collect } from "../../src/azure/collect.js";
import { StaticTokenCredential } from "../../src/azure/clients.js";
import type { RetryOptions } from "../../src/azure/pipeline.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicies, type Policy } from "../../src/engine/policy.js";
import { resultExitCode, type Finding, type Result } from "../../src/model/result.js";
import { parseEstate, type FaultSpec } from "../../src/simulator/estate.js";
import { startSimulator } from "../../src/simulator/server.js";
import { sharedCertificates } from "../helpers/shared-certificates.js";
import { CHAOS_NOW, generateEstate, generateFaults, withFaults, type ChaosEstate } from "./estate.js";
import { generateClockSkew, withClockSkew } from "./estate.js";
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { generateScopePlan, withUnreadable, type Inventory, type ScopePlan } from "./estate.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { HSM_TYPES } from "../../src/domain/hsm-kinds.js";
import { buildView } from "../../src/report/view.js";
import { tamperRun } from "./tamper.js";
import { respellDestinations } from "./estate.js"; // spellings
import { idKey } from "../../src/domain/ids.js";

/** The scan's client settings: short timeouts and back-offs so that a run takes a second or two. */
export const CHAOS_RETRY: RetryOptions = {
  maxRetries: 3,
  baseDelayMs: 5,
  maxDelayMs: 50,
  maxRetryAfterMs: 1_500,
  timeoutMs: 500,
};

/**
 * The fault-free scan waits longer for each answer: on a busy machine a slow answer there would be an error that
 * the comparison would then hold against the faulty scan.
 */
const BASELINE_RETRY: RetryOptions = { ...CHAOS_RETRY, timeoutMs: 30_000 };

/** A faulty scan that takes longer than this has hung (retries, timeouts and paging guards all end well before). */
export const RUN_BOUND_MS = 20_000;

const LOG_WINDOW_MS = 7 * 86_400_000;

export type Outcome = Pick<Result, "findings" | "failOn" | "waivers" | "failOnExpiredWaivers"> &
  Partial<Pick<Result, "errors" | "resources">>;

/** One broken promise of a chaos run, in words. */
export interface Difference {
  policyId: string;
  resourceId: string;
  problem: string;
  baseline?: Pick<Finding, "status" | "message">;
  chaos?: Pick<Finding, "status" | "message">;
}

const key = (f: Pick<Finding, "policyId" | "resourceId">) => `${f.policyId}\u0000${f.resourceId.toLowerCase()}`;

/** `/subscriptions/<id>` of an ARM id, lower-cased. */
function subscriptionScope(resourceId: string): string | undefined {
  const m = /^\/subscriptions\/([^/]+)/i.exec(resourceId);
  return m ? `/subscriptions/${m[1]!.toLowerCase()}` : undefined;
}

/**
 * Whether the faulty scan recorded that it could not read part of the evidence of a finding about `resourceId`: a
 * collection error of the resource (an HSM, or a subscription) or of one of its destinations, a destination it could
 * not read, or an activity answer that failed or came back only in part.
 */
function unreadEvidence(resourceId: string, chaos: Outcome, baseline: Outcome): string | undefined {
  const id = resourceId.toLowerCase();
  const resource = (o: Outcome) => o.resources?.find((r) => r.id.toLowerCase() === id);
  // The finding's own resource (an HSM, or a subscription) and the destinations of an HSM.
  const related = new Set([id]);
  for (const r of [resource(chaos), resource(baseline)])
    for (const d of r?.destinations ?? []) related.add(d.id.toLowerCase());
  const error = chaos.errors?.find((e) => e.resourceId !== undefined && related.has(e.resourceId.toLowerCase()));
  if (error) return error.message;
  const unreadable = resource(chaos)?.destinations?.find((d) => d.state === "unreadable");
  if (unreadable) return `${unreadable.id}: ${unreadable.detail}`;
  const activity = resource(chaos)?.activity?.find(
    (a) => a.state === "partial" || a.state === "error" || (a.details && a.details.state !== "ok"),
  );
  if (activity) return `${activity.workspaceId}: ${activity.message ?? activity.details?.message ?? activity.state}`;
  return undefined;
}

/**
 * Compares a faulty scan's findings with the fault-free scan's. `inventoryPolicies` are the ids of the policies that
 * say whether the HSMs of a subscription (or of the tenant) could all be listed: only their `error` explains a
 * finding that the faulty scan lacks.
 *
 * A finding keeps its status and message, or becomes an error. One more case is allowed: the same status with another
 * message, when the faulty scan recorded that it could not read part of that finding's evidence (a verdict that needs
 * one workspace with records passes on the one it could read; a fail stands on the part it proves). A fault that the
 * tool took for a fact (a 404 read as "none there") records no such error, so its changed message is still caught.
 */
export function compareOutcomes(
  baseline: Outcome,
  chaos: Outcome,
  inventoryPolicies: string[],
  /** Receives the findings reworded behind an unread read, with that read: to look at them (`--verbose`). */
  excused: Difference[] = [],
): Difference[] {
  const differences: Difference[] = [];
  const chaosByKey = new Map(chaos.findings.map((f) => [key(f), f]));
  const baselineKeys = new Set(baseline.findings.map(key));
  const shown = (f: Finding) => ({ status: f.status, message: f.message });
  const inventoryErrors = new Set(
    chaos.findings
      .filter((f) => f.status === "error" && inventoryPolicies.includes(f.policyId))
      .map((f) => f.resourceId.toLowerCase()),
  );
  for (const b of baseline.findings) {
    const c = chaosByKey.get(key(b));
    if (!c) {
      const scope = subscriptionScope(b.resourceId);
      const explained = inventoryErrors.has("/subscriptions") || (scope !== undefined && inventoryErrors.has(scope));
      if (!explained) {
        differences.push({
          policyId: b.policyId,
          resourceId: b.resourceId,
          problem: "missing from the faulty scan, and no inventory error of its subscription or the tenant explains it",
          baseline: shown(b),
        });
      }
      continue;
    }
    if (c.status === "error") continue;
    if (c.status !== b.status) {
      const worse = c.status === "pass" ? "a pass" : c.status === "fail" ? "a fail" : `'${c.status}'`;
      differences.push({
        policyId: b.policyId,
        resourceId: b.resourceId,
        problem: `${worse} where the fault-free scan says '${b.status}'`,
        baseline: shown(b),
        chaos: shown(c),
      });
    } else if (c.message !== b.message) {
      const unread = unreadEvidence(b.resourceId, chaos, baseline);
      if (unread) {
        excused.push({
          policyId: b.policyId,
          resourceId: b.resourceId,
          problem: unread,
          baseline: shown(b),
          chaos: shown(c),
        });
        continue;
      }
      differences.push({
        policyId: b.policyId,
        resourceId: b.resourceId,
        problem: "the same status with another message, though every read of its evidence succeeded",
        baseline: shown(b),
        chaos: shown(c),
      });
    }
  }
  for (const c of chaos.findings) {
    if (baselineKeys.has(key(c)) || c.status === "error") continue;
    differences.push({
      policyId: c.policyId,
      resourceId: c.resourceId,
      problem: `only in the faulty scan, as '${c.status}' (it may only be an error)`,
      chaos: shown(c),
    });
  }
  const baseCode = resultExitCode(baseline);
  const chaosCode = resultExitCode(chaos);
  const chaosErrors = chaos.findings.some((f) => f.status === "error");
  if (chaosCode === 0 && (baseCode !== 0 || chaosErrors)) {
    differences.push({
      policyId: "(exit code)",
      resourceId: "",
      problem: `the faulty scan exits 0 where the fault-free scan exits ${baseCode}${chaosErrors ? " and it holds errors" : ""}`,
    });
  }
  if (chaosCode === 1 && baseCode !== 1) {
    differences.push({
      policyId: "(exit code)",
      resourceId: "",
      problem: `the faulty scan exits 1 (a counted fail) where the fault-free scan exits ${baseCode}`,
    });
  }
  return differences;
}

export interface ChaosRun {
  seed: number;
  estate: ChaosEstate;
  plan: FaultSpec[];
  /** Broken promises; empty when the run keeps every one. */
  failures: string[];
  differences: Difference[];
  /** Findings with the same status and another message, each with the read it could not make. */
  excused: Difference[];
  baseline?: Result;
  chaos?: Result;
  /** Wall time of the faulty scan. */
  chaosMs: number;
  /** What became of the fault-free findings: `pass>kept`, `fail>error`, `pass>missing`, ... */
  tally: Record<string, number>;
  /** The services' clock skew of the faulty scan (`clockSkew`), when the seed drew one. */
  clockSkew?: string;
  /** Unreadable subscriptions, the inventory source and the exclusions of this seed. */
  scopePlan?: ScopePlan;
  /** The tampered snapshot fed to evaluate (test/chaos/tamper.ts): what was edited. */
  tamper?: string;
  /** Destinations the respelled scan named otherwise (trailing slashes, another case). */
  respelled?: number;
}

/** Counts, per fault-free status, what the faulty scan made of each finding. */
function tally(baseline: Outcome, chaos: Outcome): Record<string, number> {
  const counts: Record<string, number> = {};
  const chaosByKey = new Map(chaos.findings.map((f) => [key(f), f]));
  for (const b of baseline.findings) {
    const c = chaosByKey.get(key(b));
    const fate = !c
      ? "missing"
      : c.status === b.status && c.message === b.message
        ? "kept"
        : c.status === b.status
          ? "reworded"
          : c.status;
    counts[`${b.status}>${fate}`] = (counts[`${b.status}>${fate}`] ?? 0) + 1;
  }
  return counts;
}

let policies: Policy[] | undefined;

/** Scans `document` served by a fresh simulator, with the chaos clock and client settings; evaluates the snapshot. */
async function scanOnce(
  document: Record<string, unknown>,
  scope: string[],
  seed: number,
  retry: RetryOptions,
  how: { inventory?: Inventory; exclude?: string[] } = {},
): Promise<{ result: Result; snapshot: Snapshot }> {
  policies ??= loadPolicies();
  const estate = parseEstate(JSON.stringify(document), `chaos-seed-${seed}.json`);
  // The simulator's services run on the scanner's clock (plus the estate's `clockSkew`, when chaos sets one).
  const now = new Date(CHAOS_NOW);
  const sim = await startSimulator({ estate, certificates: sharedCertificates(), clock: () => now });
  const agent = new Agent({ ca: sim.caCert, keepAlive: true });
  try {
    const snapshot = await collect({
      credential: new StaticTokenCredential(sim.token),
      cloud: "AzureCloud",
      armEndpoint: sim.url,
      logsEndpoint: sim.url,
      subscriptions: scope,
      logWindowMs: LOG_WINDOW_MS,
      agent,
      retry,
      clock: () => now,
      runId: `chaos-${seed}`,
      ...(how.inventory ? { inventory: how.inventory } : {}),
    });
    const result = evaluate(snapshot, policies, { failOn: "low", ...(how.exclude ? { exclude: how.exclude } : {}) });
    snapshots.set(result, snapshot);
    return { result, snapshot };
  } finally {
    agent.destroy();
    await sim.close();
  }
}

/** Rejects after `ms` unless `promise` settles first. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One chaos run: the seed's estate scanned without and with its faults, compared. */
export async function runSeed(seed: number): Promise<ChaosRun> {
  const estate = generateEstate(seed);
  const scopePlan = generateScopePlan(seed, estate, CHAOS_RETRY);
  const plan = [...generateFaults(seed, estate, CHAOS_RETRY), ...scopePlan.faults];
  const how = { inventory: scopePlan.inventory, exclude: scopePlan.exclude };
  const run: ChaosRun = {
    seed,
    estate,
    plan,
    failures: [],
    differences: [],
    excused: [],
    chaosMs: 0,
    tally: {},
    scopePlan,
  };
  const clockSkew = generateClockSkew(seed);
  if (clockSkew) run.clockSkew = clockSkew;
  let baselineSnapshot: Snapshot;
  try {
    const scanned = await within(
      scanOnce(estate.document, scopePlan.scope, seed, BASELINE_RETRY, how),
      RUN_BOUND_MS,
      "the fault-free scan",
    );
    run.baseline = scanned.result;
    baselineSnapshot = scanned.snapshot;
  } catch (error) {
    run.failures.push(`the fault-free scan failed: ${(error as Error).stack ?? String(error)}`);
    return run;
  }
  const started = performance.now();
  let chaosSnapshot: Snapshot;
  try {
    const scanned = await within(
      scanOnce(
        withClockSkew(withUnreadable(withFaults(estate, plan), scopePlan), clockSkew),
        scopePlan.scope,
        seed,
        CHAOS_RETRY,
        how,
      ),
      RUN_BOUND_MS,
      "the faulty scan",
    );
    run.chaos = scanned.result;
    chaosSnapshot = scanned.snapshot;
  } catch (error) {
    run.failures.push(`the faulty scan threw: ${(error as Error).stack ?? String(error)}`);
    return run;
  } finally {
    run.chaosMs = performance.now() - started;
  }
  const inventory = (policies ?? []).filter((p) => p.check === "inventory-complete").map((p) => p.id);
  run.differences = compareOutcomes(run.baseline, run.chaos, inventory, run.excused);
  run.tally = tally(run.baseline, run.chaos);
  run.differences = fellBack(run.differences, run.baseline, run.chaos, inventory, run.excused);
  for (const d of run.differences) run.failures.push(`${d.policyId} ${d.resourceId}: ${d.problem}`);
  if (clockSkew) run.failures.push(...clockSkewBroken(run.chaos, policies ?? []));
  run.failures.push(...scopeFailures(run.chaos, scopePlan, inventory));
  // ---- tampered snapshots (test/chaos/tamper.ts) ----
  const tampering = tamperRun(seed, baselineSnapshot, chaosSnapshot);
  run.tamper = tampering.edit;
  run.failures.push(...tampering.failures);
  // ---- end of tampered snapshots ----
  await checkSpellings(run);
  return run;
}

/**
 * Under a clock skew beyond the tolerance: the faulty scan measured it, and no finding of a window-dependent check kind
 * passes (nor fails: its window cannot be told apart from the records' times).
 */
export function clockSkewBroken(chaos: Outcome & Pick<Result, "clock">, policies: Policy[]): string[] {
  const broken: string[] = [];
  if (chaos.clock && !chaos.clock.beyondTolerance) {
    broken.push(`the clock skew was measured as ${chaos.clock.skewMs} ms, within the tolerance`);
  }
  const windowPolicies = new Set(policies.filter((p) => CHECK_KINDS.get(p.check)?.dependsOnWindow).map((p) => p.id));
  for (const f of chaos.findings) {
    if (windowPolicies.has(f.policyId) && (f.status === "pass" || f.status === "fail")) {
      broken.push(`${f.policyId} ${f.resourceId}: ${f.status} under a clock skew beyond the tolerance: ${f.message}`);
    }
  }
  return broken;
}

// ---- spellings ------------------------------------------------------------------------------------------------------

/**
 * The seed's estate with its settings' destinations spelled otherwise (another case, trailing slashes: ARM accepts
 * both), scanned without faults, must give the verdicts of the canonical spelling: the same findings, each with the
 * same status, and the same exit code. Messages may quote the other spelling.
 */
async function checkSpellings(run: ChaosRun): Promise<void> {
  if (!run.baseline) return;
  const spelled = respellDestinations(run.estate);
  run.respelled = spelled.respelled;
  if (spelled.respelled === 0) return;
  let result: Result;
  try {
    // The same scope, inventory and exclusions as the fault-free scan it is compared with.
    const how = run.scopePlan ? { inventory: run.scopePlan.inventory, exclude: run.scopePlan.exclude } : {};
    const scope = run.scopePlan?.scope ?? run.estate.scope;
    result = (
      await within(scanOnce(spelled.document, scope, run.seed, BASELINE_RETRY, how), RUN_BOUND_MS, "the respelled scan")
    ).result;
  } catch (error) {
    run.failures.push(`the respelled scan failed: ${(error as Error).stack ?? String(error)}`);
    return;
  }
  for (const problem of compareSpellings(run.baseline, result)) run.failures.push(`respelled destinations: ${problem}`);
}

/** Where a scan of the respelled estate's verdicts differ from the canonical spelling's. */
export function compareSpellings(canonical: Result, respelled: Result): string[] {
  const key = (f: Finding) => `${f.policyId} ${idKey(f.resourceId)}`;
  const other = new Map(respelled.findings.map((f) => [key(f), f]));
  const problems: string[] = [];
  for (const f of canonical.findings) {
    const o = other.get(key(f));
    if (!o) problems.push(`${f.policyId} ${f.resourceId}: missing (canonical: ${f.status}: ${f.message})`);
    else if (o.status !== f.status)
      problems.push(`${f.policyId} ${f.resourceId}: ${o.status} (${o.message}), canonical ${f.status} (${f.message})`);
    other.delete(key(f));
  }
  for (const o of other.values()) problems.push(`${o.policyId} ${o.resourceId}: only when respelled (${o.status})`);
  const [a, b] = [resultExitCode(canonical), resultExitCode(respelled)];
  if (a !== b) problems.push(`exit code ${b}, canonical ${a}`);
  return problems;
}

/** What to print for a run that broke a promise: enough to see why, and the command that repeats it. */
export function describeRun(run: ChaosRun): string {
  const lines = [
    `chaos seed ${run.seed} (${run.estate.hsmCount} HSMs, ${run.plan.length} faults, faulty scan ${(run.chaosMs / 1000).toFixed(1)} s): ${run.failures.length ? "FAILED" : "ok"}`,
    `  reproduce: npm run chaos -- --seed ${run.seed} --verbose`,
    ...(run.scopePlan?.scope.length ? [`  scope: --subscription ${run.scopePlan.scope.join(" --subscription ")}`] : []),
    ...(run.scopePlan ? [`  inventory: ${run.scopePlan.inventory}`] : []),
    ...(run.scopePlan?.unreadable.length
      ? [`  unreadable: ${run.scopePlan.unreadable.map((u) => `${u.subscriptionId} (${u.access})`).join(", ")}`]
      : []),
    ...(run.scopePlan?.exclude.length ? [`  exclude: ${run.scopePlan.exclude.join(", ")}`] : []),
    ...(run.clockSkew ? [`  services' clock skew: ${run.clockSkew}`] : []),
    ...(run.tamper ? [`  tampered: ${run.tamper}`] : []),
    "  fault plan:",
    ...run.plan.map((f) => `    - ${JSON.stringify(f)}`),
  ];
  if (run.failures.length) lines.push("  broken:");
  for (const f of run.failures) lines.push(`    * ${f}`);
  for (const d of run.differences) {
    lines.push(`  ${d.policyId} ${d.resourceId}`);
    if (d.baseline) lines.push(`      fault-free: ${d.baseline.status}: ${d.baseline.message}`);
    if (d.chaos) lines.push(`      faulty:     ${d.chaos.status}: ${d.chaos.message}`);
  }
  for (const d of run.excused) {
    lines.push(`  reworded behind an unread read: ${d.policyId} ${d.resourceId}`);
    lines.push(`      unread:     ${d.problem}`);
    lines.push(`      fault-free: ${d.baseline!.status}: ${d.baseline!.message}`);
    lines.push(`      faulty:     ${d.chaos!.status}: ${d.chaos!.message}`);
  }
  if (run.chaos && run.failures.length) {
    lines.push("  collection errors of the faulty scan:");
    for (const e of run.chaos.errors) lines.push(`    - ${e.message}`);
  }
  return lines.join("\n");
}

// ---- unreadable subscriptions, Resource Graph and exclusions --------------------------------------------------------

/** The snapshot each chaos result was evaluated from. */
const snapshots = new WeakMap<Result, Snapshot>();

/**
 * What a scan with unreadable subscriptions or exclusions must say, whatever the fault-free scan said: a subscription
 * in scope whose HSMs could not all be listed (an unreadable one always) has an `error` of the inventory policy, no
 * exclusion hides it, and the run is not compliant; and the pack says that all evidence was gathered only when no
 * read failed and no finding is an error.
 */
export function scopeFailures(chaos: Result, plan: ScopePlan, inventoryPolicies: string[]): string[] {
  const failures: string[] = [];
  const snapshot = snapshots.get(chaos);
  const inventoryError = (id: string) =>
    chaos.findings.some(
      (f) =>
        inventoryPolicies.includes(f.policyId) &&
        f.status === "error" &&
        f.resourceId.toLowerCase() === `/subscriptions/${id.toLowerCase()}`,
    );
  const unknown = new Set(plan.unreadable.map((u) => u.subscriptionId.toLowerCase()));
  for (const s of snapshot?.subscriptions ?? []) {
    const kinds = Object.keys(HSM_TYPES) as (keyof typeof HSM_TYPES)[];
    if (kinds.some((k) => !("value" in (s.inventory[k] ?? {})))) unknown.add(s.subscriptionId.toLowerCase());
  }
  for (const id of unknown) {
    if (!inventoryError(id))
      failures.push(`subscription ${id}: its HSMs could not all be listed, but no inventory error says so`);
  }
  if (unknown.size > 0 && resultExitCode(chaos) === 0)
    failures.push("(exit code): 0, though the HSMs of a subscription in scope could not all be listed");
  const view = buildView(chaos, "");
  const clean = chaos.errors.length === 0 && chaos.summary.error === 0;
  const claimed = /and all evidence was gathered/.test(view.meaning);
  if (claimed !== (clean && resultExitCode(chaos) === 0) || /the pack is complete/.test(view.completeness) !== clean)
    failures.push(
      `(report): says "${view.meaning}" and "${view.completeness}" with ${chaos.errors.length} failed read(s)`,
    );
  return failures;
}

/**
 * When Resource Graph failed and the faulty scan listed the HSMs from ARM instead (its `scope.inventory` says so), an
 * inventory pass may be worded otherwise: ARM's lists also tell a provider that is not registered. Only the wording,
 * never the status.
 */
function fellBack(
  differences: Difference[],
  baseline: Result,
  chaos: Result,
  inventoryPolicies: string[],
  excused: Difference[],
): Difference[] {
  const from = chaos.scope.inventory;
  if (baseline.scope.inventory?.source !== "resource-graph" || from?.fallbackFrom !== "resource-graph")
    return differences;
  return differences.filter((d) => {
    const reworded =
      inventoryPolicies.includes(d.policyId) && d.baseline && d.chaos && d.baseline.status === d.chaos.status;
    if (reworded) excused.push({ ...d, problem: `Resource Graph could not be used: ${from.reason ?? ""}` });
    return !reworded;
  });
}
