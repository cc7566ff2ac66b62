// Every CI example runs: each step's shell, exactly as written, against the simulator, with the sign-in step replaced
// by the stub credential and the hsm-audit action (pinned by commit in the examples) by this checkout's action.yml,
// whose own steps run too. Each upload step finds what it uploads, and the gate exits with the scan's code.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { BIN, cleanUp, startScanTarget, tempDir, type ScanTarget } from "../helpers/cli.js";
import { ROOT } from "../helpers/simulator.js";
import type { Parsed } from "../helpers/consumers.js";
import { flowingCloudHsm, paymentsEstate } from "../helpers/estates.js";

const ESTATE = paymentsEstate({ cloudHsmClusters: flowingCloudHsm("chsm-a", "40d") });

// Each example runs whole scans (the monthly one renders the PDF): minutes on a busy machine, not seconds.
jest.setTimeout(300_000);

let target: ScanTarget;
beforeAll(async () => {
  target = await startScanTarget(ESTATE);
});
afterAll(async () => {
  await target.close();
  cleanUp();
});

/**
 * An installed hsm-audit as a runner would have it: this checkout's scripts, and a bin/hsm-audit.js that runs the real
 * CLI with the simulator's endpoints added (an example names no endpoint: it scans Azure).
 */
function installedCopy(): string {
  const dir = tempDir("hsm-audit-installed-");
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist/bundle"), { recursive: true });
  writeFileSync(join(dir, "dist/bundle/main.js"), "");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(ROOT, "scripts"), join(dir, "scripts"));
  writeFileSync(
    join(dir, "bin/hsm-audit.js"),
    `const args = process.argv.slice(2);
if (args[0] === "scan") args.splice(1, 0, ${JSON.stringify(target.endpoints).slice(1, -1)});
process.argv.splice(2, process.argv.length, ...args);
await import(${JSON.stringify(BIN)});
`,
  );
  return dir;
}

/** `npm` as the examples call it (`npm ci` in the tool's checkout): recorded, not run; the copy is installed. */
function stubBin(): string {
  const dir = tempDir("hsm-audit-stub-bin-");
  writeFileSync(join(dir, "npm"), `#!/bin/sh\necho "npm $*" >> "${dir}/npm-calls"\n`);
  chmodSync(join(dir, "npm"), 0o755);
  return dir;
}

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** `${{ ... }}` as GitHub fills it in, for the expressions the examples and the action use. */
function expand(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_m, expr: string) => value(expr, ctx));
}
function value(expr: string, ctx: Context): string {
  let m = /^inputs\.([\w-]+)$/.exec(expr);
  if (m) return ctx.inputs[m[1]!] ?? "";
  m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
  if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? "";
  if (/^vars\./.test(expr)) return "";
  throw new Error(`the example uses an expression this runner does not know: ${expr}`);
}
/** `if:` conditions: always(), and && of == / != comparisons. */
function condition(expr: string | undefined, ctx: Context, failed: boolean): boolean {
  if (expr === undefined) return !failed;
  return expr.split("&&").every((part) => {
    const p = part.trim();
    if (p === "always()") return true;
    const m = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(p);
    if (!m) throw new Error(`the example uses a condition this runner does not know: ${p}`);
    const left = value(m[1]!, ctx);
    return m[2] === "==" ? left === m[3] : left !== m[3];
  });
}

/** Runs a step's script; asynchronously, as the simulator answers from this process's event loop. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stdout: out });
    });
  });
}

function readOutputs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

interface GithubRun {
  steps: Record<string, Record<string, string>>;
  uploaded: string[];
  summary: string;
  gate: number;
  log: string;
}

/** Runs a workflow's one job, step by step, in a fresh workspace. */
async function runWorkflow(file: string): Promise<GithubRun> {
  const doc = parse(readFileSync(join(ROOT, "examples/ci", file), "utf8")) as Parsed;
  const job = Object.values(doc.jobs as Record<string, Parsed>)[0];
  const workspace = tempDir("hsm-audit-workspace-");
  const action = installedCopy();
  const summary = join(tempDir(), "summary.md");
  writeFileSync(summary, "");
  const ctx: Context = { inputs: {}, steps: {} };
  const uploaded: string[] = [];
  let log = "";
  let failed = false;
  let gate = -1;
  const baseEnv = { ...process.env, ...target.env, GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary };
  for (const [i, step] of (job.steps as Parsed[]).entries()) {
    if (!condition(step.if, ctx, failed)) continue;
    const uses = String(step.uses ?? "");
    const outputFile = join(tempDir(), `output-${i}`);
    writeFileSync(outputFile, "");
    let status = 0;
    if (/^(actions\/checkout|actions\/setup-node|azure\/login)@/.test(uses)) {
      continue; // the workspace is there, node runs this test, and the stub credential stands in for the sign-in
    } else if (/^[\w.-]+\/hsm-audit@[0-9a-f]{40}$/.test(uses)) {
      const result = await runAction(step.with ?? {}, ctx, action, workspace, baseEnv, uploaded);
      status = result.status;
      log += result.log;
      ctx.steps[step.id ?? `step${i}`] = result.outputs;
    } else if (/^actions\/upload-artifact@/.test(uses)) {
      const path = join(workspace, expand(String(step.with.path), ctx));
      if (!existsSync(path) || readdirSync(path).length === 0) throw new Error(`nothing to upload at ${path}:\n${log}`);
      uploaded.push(...readdirSync(path));
    } else if (/^github\/codeql-action\/upload-sarif@/.test(uses)) {
      const path = join(workspace, expand(String(step.with.sarif_file), ctx));
      expect(existsSync(path)).toBe(true);
      uploaded.push(path);
    } else if (step.run) {
      const env = Object.fromEntries(
        Object.entries((step.env ?? {}) as Record<string, string>).map(([k, v]) => [k, expand(String(v), ctx)]),
      );
      const run = await bash(expand(String(step.run), ctx), workspace, { ...baseEnv, ...env, GITHUB_OUTPUT: outputFile });
      status = run.status;
      log += run.stdout;
      ctx.steps[step.id ?? `step${i}`] = readOutputs(outputFile);
      if (step.name === "Gate") gate = status;
    } else {
      throw new Error(`step ${i} of ${file} uses ${uses}, which this runner does not know`);
    }
    if (status !== 0 && step.name !== "Gate") failed = true;
  }
  return { steps: ctx.steps, uploaded, summary: readFileSync(summary, "utf8"), gate, log };
}

/** The action's own steps (action.yml), with the caller's `with:` over the inputs' defaults. */
async function runAction(
  given: Record<string, string>,
  caller: Context,
  actionPath: string,
  workspace: string,
  baseEnv: NodeJS.ProcessEnv,
  uploaded: string[],
) {
  const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Parsed;
  const inputs: Record<string, string> = Object.fromEntries(
    Object.entries(action.inputs as Record<string, Parsed>).map(([k, v]) => [k, String(v.default ?? "")]),
  );
  for (const [k, v] of Object.entries(given)) inputs[k] = expand(String(v), caller);
  const ctx: Context = { inputs, steps: {} };
  let log = "";
  let status = 0;
  for (const [i, step] of (action.runs.steps as Parsed[]).entries()) {
    if (!condition(step.if, ctx, status !== 0)) continue;
    const uses = String(step.uses ?? "");
    if (/^actions\/setup-node@/.test(uses)) continue;
    if (/^github\/codeql-action\/upload-sarif@/.test(uses)) {
      const path = join(workspace, expand(String(step.with.sarif_file), ctx));
      expect(existsSync(path)).toBe(true);
      uploaded.push(path);
      continue;
    }
    expect(step.shell).toBe("bash");
    const outputFile = join(tempDir(), `action-output-${i}`);
    writeFileSync(outputFile, "");
    const env = Object.fromEntries(
      Object.entries((step.env ?? {}) as Record<string, string>).map(([k, v]) => [k, expand(String(v), ctx)]),
    );
    const run = await bash(expand(String(step.run), ctx), workspace, {
      ...baseEnv,
      ...env,
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_OUTPUT: outputFile,
    });
    log += run.stdout;
    status = run.status;
    if (step.id) ctx.steps[step.id] = readOutputs(outputFile);
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs as Record<string, Parsed>).map(([k, v]) => [k, expand(String(v.value), ctx)]),
  );
  return { status, outputs, log };
}

describe("GitHub Actions examples, run step by step", () => {
  test("the gate: the scan, SARIF to code scanning, the summary, the reports kept, the gate on the exit code", async () => {
    const run = await runWorkflow("github-actions.yml");
    const code = Number(run.steps.scan!["exit-code"]);
    expect([0, 1, 3]).toContain(code);
    expect(run.gate).toBe(code);
    expect(run.summary).toMatch(/## hsm-audit: /);
    expect(run.uploaded).toEqual(
      expect.arrayContaining(["result.json", "results.sarif", "junit.xml", "summary.md", "findings.csv"]),
    );
    expect(run.uploaded.some((u) => u.endsWith("results.sarif"))).toBe(true);
  });

  test("the monthly pack: last month's PDF, HTML, CSV and snapshot are kept", async () => {
    const run = await runWorkflow("github-actions-monthly.yml");
    const period = run.steps.period!.period!;
    expect(period).toMatch(/^\d{4}-\d{2}$/);
    expect(run.log).not.toMatch(/Unknown argument|must not be given with/);
    const code = Number(run.steps.scan!["exit-code"]);
    expect([0, 1, 3]).toContain(code);
    expect(run.gate).toBe(code);
    expect(run.uploaded).toEqual(
      expect.arrayContaining(["result.json", "report.pdf", "report.html", "findings.csv", "snapshot.json"]),
    );
  });
});

describe("Azure DevOps example, run step by step", () => {
  test("the pinned install, the scan (on a push and on the monthly schedule), the published files and the gate", async () => {
    const doc = parse(readFileSync(join(ROOT, "examples/ci/azure-pipelines.yml"), "utf8")) as Parsed;
    expect(doc.schedules[0].cron).toBe("0 6 1 * *");
    for (const reason of ["IndividualCI", "Schedule"]) {
      const sources = tempDir("hsm-audit-sources-");
      const tool = join(sources, "hsm-audit");
      const copy = installedCopy();
      spawnSync("cp", ["-r", `${copy}/.`, tool]);
      // The tool's checkout is a git repository at some commit: the pipeline must refuse any other.
      for (const args of [["init", "-q"], ["add", "bin"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]]) {
        expect(spawnSync("git", args, { cwd: tool }).status).toBe(0);
      }
      const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: tool, encoding: "utf8" }).stdout.trim();
      const staging = tempDir("hsm-audit-staging-");
      const variables: Record<string, string> = {
        "Build.SourcesDirectory": sources,
        "Build.ArtifactStagingDirectory": staging,
        "Build.Reason": reason,
        HSM_AUDIT_COMMIT: head,
      };
      const out = join(staging, "hsm-audit");
      variables.HSM_AUDIT_OUT = out;
      const macro = (text: string) => text.replace(/\$\(([\w.]+)\)/g, (m, name: string) => variables[name] ?? m);
      const stub = stubBin();
      const env = { ...process.env, ...target.env, PATH: `${stub}:${target.env.PATH}`, HSM_AUDIT_OUT: out };
      for (const step of doc.steps as Parsed[]) {
        if (step.checkout || step.task === "NodeTool@0") continue;
        if (step.script || step.bash) {
          const script = macro(String(step.script ?? step.bash));
          const run = await bash(script, sources, env);
          if (step.displayName === "Gate") expect(run.status).toBe(Number(variables.HSM_AUDIT_EXIT_CODE));
          else expect(run.status).toBe(0);
        } else if (step.task === "AzureCLI@2") {
          const run = await bash(macro(String(step.inputs.inlineScript)), sources, { ...env, ...step.env });
          expect(run.status).toBe(0);
          const set = /##vso\[task\.setvariable variable=HSM_AUDIT_EXIT_CODE\](\d+)/.exec(run.stdout);
          expect(set).not.toBeNull();
          variables.HSM_AUDIT_EXIT_CODE = set![1]!;
          expect(["0", "1", "3"]).toContain(set![1]);
          expect(run.stdout).toMatch(/##vso\[task\.uploadsummary\]/);
        } else if (step.task === "PublishTestResults@2") {
          expect(existsSync(macro(String(step.inputs.testResultsFiles)))).toBe(true);
        } else if (step.task === "PublishPipelineArtifact@1") {
          const files = readdirSync(macro(String(step.inputs.targetPath)));
          expect(files).toEqual(expect.arrayContaining(["result.json", "junit.xml", "summary.md", "findings.csv"]));
          if (reason === "Schedule") expect(files).toEqual(expect.arrayContaining(["report.pdf", "snapshot.json"]));
        } else {
          throw new Error(`the Azure DevOps example has a step this runner does not know: ${JSON.stringify(step)}`);
        }
      }
      expect(readFileSync(join(stub, "npm-calls"), "utf8")).toMatch(/^npm ci/);
      // A checkout at another commit stops the pipeline before anything runs with the scan's identity.
      const install = (doc.steps as Parsed[]).find((s) => s.displayName === "Install hsm-audit (pinned)");
      variables.HSM_AUDIT_COMMIT = "0".repeat(40);
      expect((await bash(macro(String(install.script)), sources, env)).status).not.toBe(0);
    }
  });
});

test("action.yml and the GitHub workflows pass the action validator, which catches a broken file", () => {
  const validator = join(ROOT, "node_modules/@action-validator/cli/cli.mjs");
  for (const file of ["action.yml", "examples/ci/github-actions.yml", "examples/ci/github-actions-monthly.yml"]) {
    const run = spawnSync(process.execPath, [validator, join(ROOT, file)], { encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).toBe("");
    expect(run.status).toBe(0);
  }
  const broken = join(tempDir(), "action.yml");
  writeFileSync(broken, readFileSync(join(ROOT, "action.yml"), "utf8").replace("using: composite", "using: compost"));
  expect(spawnSync(process.execPath, [validator, broken]).status).not.toBe(0);
});
