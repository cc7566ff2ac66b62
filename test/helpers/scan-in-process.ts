// `hsm-audit scan` in this process: the flags are read by the CLI's own parsers and handed to the same `scan()` the
// CLI calls, over the real Azure SDK clients and HTTPS to the simulator. What the spawned CLI gets from its
// environment is injected instead: the simulator's token (through a credential that refuses an audience Entra ID
// does not know, as the stub `az` does), an agent that trusts the simulator's CA, and a virtual clock for the pacing
// and the retry back-offs, so that a fault's retries cost no real waiting.
import { Agent } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { scan as runScan } from "../../src/cli/commands/scan.js";
import { SetupError, UsageError } from "../../src/cli/errors.js";
import { applyConfigParams, effectiveConfig, loadConfig, parseClockSkewTolerance } from "../../src/cli/config.js";
import {
  checkFileTarget,
  checkOutDir,
  parseCloud,
  parseFailOn,
  parseFormats,
  parseInventory,
  parseLogWindow,
  parsePaper,
  parseSearchWindow,
  parseSubscriptions,
  policiesFrom,
  positiveInteger,
} from "../../src/cli/options.js";
import { AZURE_LIMITS, Scheduler, type Clock } from "../../src/azure/throttle.js";
import { OutputError } from "../../src/report/outputs.js";
import type { Result } from "../../src/model/result.js";
import { KNOWN_AUDIENCES, tempDir, type ScanRun, type ScanTarget } from "./cli.js";

/**
 * A clock that moves only when something sleeps on it: a sleep of `ms` resolves at once (after the pending I/O has
 * had its turn) and moves the clock to at least `ms` after the moment it was asked.
 */
export interface VirtualClock extends Clock {
  /** Every wait asked for, in milliseconds, in order. */
  readonly slept: number[];
}

export function virtualClock(): VirtualClock {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    slept,
    sleep: async (ms) => {
      slept.push(ms);
      const until = now + Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
      now = Math.max(now, until);
    },
  };
}

/** The simulator's token, for the audiences Entra ID knows only; records every audience asked for. */
export class AudienceCheckingCredential implements TokenCredential {
  readonly audiences: string[] = [];
  constructor(private readonly token: string) {}
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    for (const scope of [scopes].flat()) {
      const audience = scope.replace(/\/\.default$/, "").replace(/\/+$/, "");
      this.audiences.push(audience);
      if (!KNOWN_AUDIENCES.includes(audience)) {
        throw new Error(`AADSTS500011: The resource principal named ${audience} was not found in the tenant.`);
      }
    }
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export interface InProcessRun extends ScanRun {
  /** The audiences the scan asked tokens for. */
  audiences: string[];
  /** The pacing's clock: the waits the scan asked for. */
  clock: VirtualClock;
}

/** The flags these tests give, read as yargs reads them: repeatable ones collected, `--no-arm-batch` negated. */
function flagsOf(args: string[]): Map<string, string[]> {
  const repeatable = new Set(["subscription", "policies", "format"]);
  const known = new Set([
    ...repeatable,
    "out",
    "fail-on",
    "log-window",
    "max-retries",
    "snapshot-out",
    "cloud",
    "inventory",
    "timeout",
    "clock-skew-tolerance",
  ]);
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.replace(/^--/, "");
    if (name === "no-arm-batch") {
      flags.set("arm-batch", ["false"]);
      continue;
    }
    if (!known.has(name) || i + 1 >= args.length) throw new Error(`scanInProcess does not read ${args[i]}`);
    const value = args[++i]!;
    flags.set(name, repeatable.has(name) ? [...(flags.get(name) ?? []), value] : [value]);
  }
  return flags;
}

/**
 * `hsm-audit scan ARGS` against the target, as the CLI would run it (with `--timeout 10s`, as `scan()` of cli.ts
 * gives the spawned CLI): the exit code, what it printed, and the result.json it wrote. A usage, setup or output error
 * is exit 2 with its message on stderr, as the CLI says it. Retries and pacing wait on a virtual clock: the one given
 * (shared with a simulator whose enforced limits refill by it), or a new one.
 */
/** The buffers of the scans running now: stderr is the process's own, so each gets every write made meanwhile. */
const capturing = new Set<string[]>();
let stderrWrite: typeof process.stderr.write | undefined;

/**
 * Captures what is written to stderr (a warning the scan prints itself), as the spawned CLI's stderr would be. Scans
 * run side by side each see the other's writes too: never fewer than their own.
 */
function captureStderr(): { stop(): string } {
  const into: string[] = [];
  if (capturing.size === 0) {
    stderrWrite = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      for (const buffer of capturing) buffer.push(text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof process.stderr.write;
  }
  capturing.add(into);
  return {
    stop() {
      capturing.delete(into);
      if (capturing.size === 0 && stderrWrite) process.stderr.write = stderrWrite;
      return into.join("");
    },
  };
}

export async function scanInProcess(
  target: ScanTarget,
  args: string[] = [],
  options: { clock?: VirtualClock } = {},
): Promise<InProcessRun> {
  const flags = flagsOf(args);
  const one = (name: string) => flags.get(name)?.[0];
  const out = one("out") ?? join(tempDir("hsm-audit-out-"), "out");
  const credential = new AudienceCheckingCredential(target.sim.token);
  const clock = options.clock ?? virtualClock();
  const agent = new Agent({ ca: target.sim.caCert, keepAlive: true });
  const lines: string[] = [];
  let code: number;
  let stderr = "";
  const captured = captureStderr();
  try {
    const config = loadConfig(undefined);
    const effective = effectiveConfig(
      config,
      {
        ...(flags.has("subscription") ? { subscriptions: flags.get("subscription")! } : {}),
        ...(one("cloud") !== undefined ? { cloud: one("cloud")! } : {}),
        ...(one("log-window") !== undefined ? { logWindow: one("log-window")! } : {}),
        ...(one("fail-on") !== undefined ? { failOn: one("fail-on")! } : {}),
        ...(flags.has("format") ? { formats: flags.get("format")! } : {}),
        ...(one("clock-skew-tolerance") !== undefined ? { clockSkewTolerance: one("clock-skew-tolerance")! } : {}),
        out,
      },
      "hsm-audit-results",
    );
    const maxRetries = one("max-retries");
    ({ code } = await runScan({
      policies: applyConfigParams(policiesFrom(flags.get("policies")), effective.config),
      failOn: parseFailOn(effective.failOn.value),
      formats: parseFormats(effective.formats.value),
      outDir: checkOutDir(effective.out.value),
      paper: parsePaper(undefined),
      color: false,
      failOnExpiredWaivers: effective.failOnExpiredWaivers.value,
      exclude: effective.exclude.value,
      clockSkewToleranceMs: parseClockSkewTolerance(effective.clockSkewTolerance.value)!,
      print: (line) => lines.push(line),
      cloud: parseCloud(effective.cloud.value),
      armEndpoint: target.sim.url,
      logsEndpoint: target.sim.url,
      subscriptions: parseSubscriptions(effective.subscriptions.value),
      ...parseSearchWindow({ logWindow: effective.logWindow.value }, new Date()),
      ...(one("snapshot-out") ? { snapshotOut: checkFileTarget("--snapshot-out", one("snapshot-out")!) } : {}),
      concurrency: positiveInteger("--concurrency", undefined, 32, 256, 1),
      inventory: parseInventory(one("inventory")),
      armBatch: one("arm-batch") !== "false",
      maxRetries: positiveInteger("--max-retries", maxRetries === undefined ? undefined : Number(maxRetries), 4, 10),
      timeoutMs: parseLogWindow(one("timeout") ?? "10s"),
      credential,
      agent,
      scheduler: new Scheduler({ ...AZURE_LIMITS, sockets: 32 }, clock),
      retrySleep: clock.sleep,
    }));
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof SetupError || error instanceof OutputError)) throw error;
    code = 2;
    stderr += `hsm-audit: ${error.message}\n`;
  } finally {
    stderr = captured.stop() + stderr;
    agent.destroy();
  }
  let result: Result | undefined;
  try {
    result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
  } catch {
    result = undefined;
  }
  return {
    code,
    stdout: lines.map((l) => `${l}\n`).join(""),
    stderr,
    result,
    out,
    audiences: credential.audiences,
    clock,
  };
}
