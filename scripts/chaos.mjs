#!/usr/bin/env node
// `npm run chaos -- [--runs N] [--seed START] [--verbose]`: seeded chaos runs (docs/chaos.md). The harness lives in
// test/chaos and runs under jest, which compiles it; this only turns the flags into its environment.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const usage = "usage: npm run chaos -- [--runs N] [--seed START] [--verbose]";
const options = { runs: undefined, seed: undefined, verbose: false };
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const [name, inline] = arg.split("=", 2);
  const value = () => {
    const v = inline ?? args[++i];
    if (v === undefined || !/^\d+$/.test(v)) {
      console.error(`${name} needs a whole number\n${usage}`);
      process.exit(2);
    }
    return Number(v);
  };
  if (name === "--runs") options.runs = value();
  else if (name === "--seed") options.seed = value();
  else if (name === "--verbose") options.verbose = true;
  else {
    console.error(`unknown argument '${arg}'\n${usage}`);
    process.exit(2);
  }
}
// `--seed N` alone repeats that one run; `--runs N` alone starts at seed 1.
const runs = options.runs ?? (options.seed !== undefined ? 1 : 100);
if (runs < 1) {
  console.error(`--runs must be at least 1\n${usage}`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [
    "--experimental-vm-modules",
    "--no-warnings=ExperimentalWarning",
    join(root, "node_modules/jest/bin/jest.js"),
    "--silent=false",
    "--verbose=false",
    "test/chaos/chaos.test.ts",
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      CHAOS_RUNS: String(runs),
      CHAOS_SEED: String(options.seed ?? 1),
      ...(options.verbose ? { CHAOS_VERBOSE: "1" } : {}),
    },
  },
);
if (result.signal) console.error(`chaos: jest ended by ${result.signal}`);
if (result.error) console.error(`chaos: ${result.error.message}`);
process.exit(result.status ?? 1);
