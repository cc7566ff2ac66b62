// The CLI's own `main()` run in this process, as `bin/hsm-audit.js` runs it, for tests of commands that do not reach
// the network (evaluate, render, config, policies): the same argv parsing, configuration, exit codes and output, at
// a fraction of a spawned process's start-up. What a spawned CLI would see is set for the run and then put back: the
// working directory, the environment (NO_COLOR, as the spawned tests set it), and stdout and stderr, which are
// captured. A few contract tests elsewhere still spawn the real binary (test/cli/cli.test.ts).
import { main } from "../../src/cli/main.js";
import type { Run } from "./cli.js";

type Write = typeof process.stdout.write;

let running = false;
let warm = false;

/**
 * Loads, one after the other, the modules main() loads together on its first run: jest's module loader can fail two
 * concurrent dynamic imports that share a dependency ("request for 'node:crypto' is not in cache"), a race of the
 * test runner that a spawned CLI never meets.
 */
async function warmUp(): Promise<void> {
  if (warm) return;
  await import("../../src/cli/config.js");
  await import("../../src/cli/options.js");
  await import("../../src/report/outputs.js");
  await import("../../src/azure/clouds.js");
  await import("../../src/simulator/estate.js");
  // A scan loads it while its collection runs (commands/scan.ts).
  await import("../../src/cli/commands/report.js");
  // A scan that reads appliances over SSH loads it (azure/collect.ts).
  await import("../../src/azure/luna/ssh.js");
  warm = true;
}

/** Runs `hsm-audit ...args` in this process, in `cwd`; returns the exit code and what it printed. */
export async function runMain(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  // One run at a time: the working directory and the streams are the process's own.
  if (running) throw new Error("runMain: a run is already in progress");
  running = true;
  const previousCwd = process.cwd();
  const wanted: NodeJS.ProcessEnv = { NO_COLOR: "1", ...env };
  const previousEnv = Object.fromEntries(Object.keys(wanted).map((key) => [key, process.env[key]]));
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]): Write =>
    (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    };
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  try {
    await warmUp();
    process.chdir(cwd);
    for (const [key, value] of Object.entries(wanted)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    for (const [key, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    process.chdir(previousCwd);
    running = false;
  }
}
