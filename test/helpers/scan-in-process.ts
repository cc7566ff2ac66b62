// `hsm-audit scan` in this process: the flags are read as the CLI reads them (yargs with the scan's own option
// declarations, src/cli/command-options.ts) and checked by the same functions, in the same order, as main.ts's scan
// command (src/cli/run-settings.ts: the settings of flags and configuration file, the outputs, the scan's own settings,
// the period searched), then handed to the same `scan()` the CLI calls, over the real Azure SDK clients and HTTPS to
// the simulator. What the spawned CLI gets from its environment is injected instead: the simulator's token (through a
// credential that refuses an audience Entra ID does not know, as the stub `az` does), an agent that trusts the
// simulator's CA, and a virtual clock for the pacing and the retry back-offs, so that a fault's retries cost no real
// waiting.
import { Agent } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yargs from "yargs";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { scan as runScan } from "../../src/cli/commands/scan.js";
// Loaded here, before any scan: the scan loads it while its collection loads the SDK's packages, two dynamic imports
// at once, which jest's module loader can fail (see main-in-process.ts).
import "../../src/cli/commands/report.js";
// Loaded by a scan that reads appliances over SSH (azure/collect.ts): imported here first, as report.js above.
import "../../src/azure/luna/ssh.js";
import { keepNegativeValues } from "../../src/cli/argv.js";
import { UsageError } from "../../src/cli/errors.js";
import { exitOf } from "../../src/cli/main.js";
import { loadShared } from "../../src/cli/shared.js";
import { outputOptions, periodOptions, scanOptions } from "../../src/cli/command-options.js";
import { outputs, scanSettings, searchWindow, settings } from "../../src/cli/run-settings.js";
import { AZURE_LIMITS, Scheduler, type Clock } from "../../src/azure/throttle.js";
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

/** Flags a scan takes that this runner does not: it sets the endpoints itself, and signs nothing. */
const NOT_READ = ["--arm-endpoint", "--logs-endpoint", "--sign-key", "--timestamp-url"];

let warm: Promise<void> | undefined;

/**
 * Loads, one after the other and once for every scan, even scans started side by side, the modules `loadShared()`
 * imports together: jest's module loader can fail two concurrent dynamic imports that share a dependency ("request
 * for 'node:fs' is not in cache"), a race of the test runner that a spawned CLI never meets (main-in-process.ts warms
 * up the same way).
 */
function warmUp(): Promise<void> {
  warm ??= (async () => {
    await import("../../src/cli/config.js");
    await import("../../src/cli/options.js");
    await import("../../src/report/outputs.js");
    await import("../../src/azure/clouds.js");
    await import("../../src/cli/previous.js");
  })();
  return warm;
}

/**
 * `hsm-audit scan ARGS` read as main.ts reads them: the argv kept as `keepNegativeValues` keeps it, parsed by yargs
 * with the scan's option declarations, strictly (an unknown flag is a usage error). The simulator's endpoints are
 * given as `--arm-endpoint` and `--logs-endpoint`, and `--timeout 10s` unless ARGS name a timeout, as `scan()` of
 * cli.ts gives the spawned CLI.
 */
async function parseScanArgs(target: ScanTarget, args: string[]) {
  for (const flag of NOT_READ) {
    if (args.some((a) => a === flag || a.startsWith(`${flag}=`)))
      throw new Error(`scanInProcess does not read ${flag}`);
  }
  const timeout = args.some((a) => a === "--timeout" || a.startsWith("--timeout=")) ? [] : ["--timeout", "10s"];
  const argv = keepNegativeValues([
    "--arm-endpoint",
    target.sim.url,
    "--logs-endpoint",
    target.sim.url,
    ...timeout,
    ...args,
  ]);
  await warmUp();
  await loadShared();
  const parser = scanOptions(periodOptions(outputOptions(yargs(argv), "hsm-audit-results")))
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  return parser.parseAsync();
}

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

/**
 * `hsm-audit scan ARGS` against the target, as the CLI would run it: the flags parsed and checked by main.ts's own
 * steps, the exit code, what it printed (stdout, and stderr captured as the spawned CLI's would be), and the
 * result.json it wrote. A usage, setup or output error is exit 2 with the CLI's words on stderr. Retries and pacing
 * wait on a virtual clock: the one given (shared with a simulator whose enforced limits refill by it), or a new one.
 * `untrusted`: the simulator's certificate authority is not trusted, as when the spawned CLI runs without
 * NODE_EXTRA_CA_CERTS naming it.
 */
export async function scanInProcess(
  target: ScanTarget,
  args: string[] = [],
  options: { clock?: VirtualClock; untrusted?: boolean } = {},
): Promise<InProcessRun> {
  const credential = new AudienceCheckingCredential(target.sim.token);
  const clock = options.clock ?? virtualClock();
  const agent = new Agent({ ...(options.untrusted ? {} : { ca: target.sim.caCert }), keepAlive: true });
  const lines: string[] = [];
  let out = join(tempDir("hsm-audit-out-"), "out");
  let code: number;
  let stderr = "";
  const captured = captureStderr();
  try {
    const parsed = await parseScanArgs(target, args);
    // Without --out the run writes into a fresh directory, as scan() of cli.ts gives the spawned CLI one.
    parsed.out ??= out;
    out = parsed.out;
    const effective = settings(parsed, "hsm-audit-results");
    const common = outputs(effective, parsed, Date.now());
    const scanOwn = scanSettings(parsed, effective).options;
    ({ code } = await runScan({
      ...common,
      ...scanOwn,
      ...searchWindow(parsed, effective),
      // The spawned CLI's stdout is a pipe, and its tests set NO_COLOR.
      color: false,
      print: (line) => lines.push(line),
      credential,
      agent,
      scheduler: new Scheduler({ ...AZURE_LIMITS, sockets: scanOwn.concurrency }, clock),
      retrySleep: clock.sleep,
    }));
  } catch (error) {
    // main.ts's own ending of a run that threw: exit 2 and its words, or an internal error, thrown here.
    const exit = await exitOf(error);
    if (exit.code !== 2) throw error;
    code = exit.code;
    stderr += exit.text;
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
