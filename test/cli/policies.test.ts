// `policies list` and `policies show ID`, spelt exactly so, run without the argument parser, and the built CLI reads
// the built-in policies from the build's record (src/engine/policy-cache.ts). The built CLI (spawned) must print what
// main() run from src prints, where there is no record and the loader reads the files; other spellings go to the
// parser, as before. Needs `npm run build` first.
import { runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { loadPolicies } from "../../src/engine/policy.js";

const IDS = loadPolicies().map((p) => p.id);

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

test("hsm-audit policies show ID: the built CLI prints what main() prints, for every built-in policy", async () => {
  expect(IDS.length).toBeGreaterThan(20);
  for (const id of IDS) {
    const args = ["policies", "show", id];
    const [spawned, inProcess] = [await runCli(args), await runMain(args, ROOT)];
    expect({ id, ...spawned }).toEqual({ id, ...inProcess });
    expect(spawned.code).toBe(0);
  }
}, 120_000);

test("policies list: the same lines, with or without the parser (an option puts it back)", async () => {
  const fast = await runMain(["policies", "list"], ROOT);
  const parsed = await runMain(["policies", "list", "--policies"], ROOT);
  expect(fast.code).toBe(0);
  expect(parsed).toEqual(fast);
});
