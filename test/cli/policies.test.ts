// `policies list` and `policies show ID`, spelt exactly so, run without the argument parser, and the built CLI reads
// the built-in policies from the build's record (src/engine/policy-cache.ts). The built CLI (spawned) must print what
// main() run from src prints, where there is no record and the loader reads the files; other spellings go to the
// parser, as before. Needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanUp, runCli, tempDir, type Run } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { loadPolicies } from "../../src/engine/policy.js";

const IDS = loadPolicies().map((p) => p.id);
afterAll(cleanUp);

test.each([
  [["policies", "list"]],
  [["policies", "show", "no-such-policy"]],
  [["policies", "show", "007"]],
  [["policies", "show", "version"]],
  [["policies", "show", "Workspace-Retention"]],
  [["policies", "show"]],
  [["policies", "lst"]],
  [["policies", "list", "extra"]],
])("hsm-audit %j: the built CLI prints what main() prints", async (args) => {
  const [spawned, inProcess] = [await runCli(args), await runMain(args, ROOT)];
  expect(spawned).toEqual(inProcess);
});

// yargs reads a last word `help` as --help, and ends the process when it has printed the help: spawned only.
test("hsm-audit policies show help: the parser's help of show, as with --help", async () => {
  const [word, option] = [await runCli(["policies", "show", "help"]), await runCli(["policies", "show", "--help"])];
  expect(word.stdout).toContain("Show one policy in full");
  expect(word).toEqual(option);
});

/**
 * The built CLI's main() (the bundle bin/hsm-audit.js loads, with the build's record) run once for each argv, in one process of its own: what each
 * printed and its exit code, as a spawned `hsm-audit` would give them.
 */
function builtMainRuns(argvs: string[][]): Run[] {
  const dir = tempDir();
  const out = join(dir, "runs.json");
  const script = `
    const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/bundle/main.js")).href)});
    const { writeFileSync } = await import("node:fs");
    const runs = [];
    const [stdoutWrite, stderrWrite] = [process.stdout.write, process.stderr.write];
    for (const argv of ${JSON.stringify(argvs)}) {
      const captured = { stdout: "", stderr: "" };
      process.stdout.write = (chunk, ...rest) => ((captured.stdout += chunk), rest.find((r) => typeof r === "function")?.(), true);
      process.stderr.write = (chunk, ...rest) => ((captured.stderr += chunk), rest.find((r) => typeof r === "function")?.(), true);
      const code = await main(argv);
      [process.stdout.write, process.stderr.write] = [stdoutWrite, stderrWrite];
      runs.push({ code, ...captured });
    }
    writeFileSync(${JSON.stringify(out)}, JSON.stringify(runs));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`the built main() failed: ${child.stderr}`);
  return JSON.parse(readFileSync(out, "utf8")) as Run[];
}

test("hsm-audit policies show ID: the built CLI's main() prints what main() from src prints, for every built-in policy", async () => {
  expect(IDS.length).toBeGreaterThan(20);
  const built = builtMainRuns(IDS.map((id) => ["policies", "show", id]));
  expect(built).toHaveLength(IDS.length);
  for (const [i, id] of IDS.entries()) {
    const inProcess = await runMain(["policies", "show", id], ROOT);
    expect({ id, ...built[i] }).toEqual({ id, ...inProcess });
    expect(built[i]!.code).toBe(0);
  }
}, 120_000);

test("policies list: the same lines, with or without the parser (an option puts it back)", async () => {
  const fast = await runMain(["policies", "list"], ROOT);
  const parsed = await runMain(["policies", "list", "--policies"], ROOT);
  expect(fast.code).toBe(0);
  expect(parsed).toEqual(fast);
});
