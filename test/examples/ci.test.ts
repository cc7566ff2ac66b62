// The CI examples cannot rot: each parses as YAML, every hsm-audit flag it uses is one the CLI's --help lists for that
// command (or one the evidence pack brings), every format is in the contract, and the pipelines keep the shape the
// README promises: uploads before the gate, the gate on the scan's exit code. The example configuration and waivers
// files are valid for the CLI.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BIN } from "../helpers/cli.js";
import { ROOT } from "../helpers/simulator.js";
import { FORMAT_FILES, RENDERERS } from "../../src/report/outputs.js";
import { parseWaivers } from "../../src/engine/waivers.js";
import { loadPolicies } from "../../src/engine/policy.js";
import type { Parsed } from "../helpers/consumers.js";

const CI = join(ROOT, "examples/ci");
const FILES = readdirSync(CI).filter((f) => /\.ya?ml$/.test(f));

/** Flags and formats that arrive with the PDF/HTML evidence pack; the monthly example already uses them. */
const EVIDENCE_PACK_FLAGS = new Set(["--period"]);
const EVIDENCE_PACK_FORMATS = new Set(["pdf", "html"]);

const helps = new Map<string, string>();
function helpOf(command: string): string {
  if (!helps.has(command)) {
    const run = spawnSync(process.execPath, [BIN, ...command.split(" "), "--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    helps.set(command, run.stdout);
  }
  return helps.get(command)!;
}

/** Every string in a YAML document (scripts live in run:, inlineScript:, bash: values). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** The hsm-audit invocations in a script: command and arguments, with backslash continuations joined. */
function invocations(script: string): Array<{ command: string; args: string[] }> {
  const joined = script.replace(/\\\n\s*/g, " ");
  return [
    ...joined.matchAll(/(?:hsm-audit(?:@[\w.-]+)?|"\$hsm_audit")\s+(scan|evaluate|render|demo|config print)\b([^\n]*)/g),
  ].map(
    (m) => ({ command: m[1]!, args: m[2]!.trim().split(/\s+/) }),
  );
}

/** The flags of the script's hsm-audit calls that the CLI does not know. */
function unknownFlags(script: string): string[] {
  return invocations(script).flatMap(({ command, args }) => {
    const help = helpOf(command);
    return args
      .filter((a) => a.startsWith("--"))
      .filter((flag) => !(help.includes(`  ${flag} `) || help.includes(`  ${flag}\n`) || EVIDENCE_PACK_FLAGS.has(flag)));
  });
}

test("the flag check can fail: an unknown flag, even after a line continuation, is caught", () => {
  expect(unknownFlags("npx hsm-audit scan --fail-on high \\\n  --fail-fast --format sarif")).toEqual(["--fail-fast"]);
  expect(unknownFlags("npx hsm-audit config print --config x.yaml")).toEqual([]);
});

test("there are examples for GitHub Actions (gate and monthly) and Azure DevOps", () => {
  expect(FILES.sort()).toEqual(["azure-pipelines.yml", "github-actions-monthly.yml", "github-actions.yml"]);
});

const ACTION = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Parsed;
/** The flags a step of the hsm-audit action passes, from its `with:` (as scripts/action/scan.sh turns them into flags). */
const ACTION_FLAGS: Record<string, string> = {
  subscriptions: "--subscription",
  "fail-on": "--fail-on",
  formats: "--format",
  out: "--out",
  period: "--period",
  config: "--config",
  waivers: "--waivers",
};
function actionCalls(doc: Parsed): Array<{ command: string; args: string[] }> {
  const jobs = Object.values((doc.jobs ?? {}) as Record<string, Parsed>);
  return jobs
    .flatMap((job) => job.steps as Parsed[])
    .filter((step) => /\/hsm-audit@/.test(String(step.uses ?? "")))
    .map((step) => {
      const given = (step.with ?? {}) as Record<string, string>;
      for (const key of Object.keys(given)) expect(Object.keys(ACTION.inputs)).toContain(key);
      const args = Object.entries(given).flatMap(([k, v]) => (ACTION_FLAGS[k] ? [ACTION_FLAGS[k], String(v)] : []));
      if (given["extra-args"]) args.push(...String(given["extra-args"]).split(/\s+/));
      return { command: "scan", args };
    });
}

describe.each(FILES)("%s", (file) => {
  const text = readFileSync(join(CI, file), "utf8");
  const doc = parse(text) as Record<string, unknown>;
  const calls = [...strings(doc).flatMap(invocations), ...actionCalls(doc)];

  test("calls hsm-audit with flags its --help lists, and formats of the contract", () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const { command, args } of calls) {
      expect(unknownFlags(`hsm-audit ${command} ${args.join(" ")}`)).toEqual([]);
      const format = args[args.indexOf("--format") + 1];
      if (args.includes("--format")) {
        for (const f of format!.split(",")) {
          expect(Object.keys(FORMAT_FILES)).toContain(f);
          expect(Boolean(RENDERERS[f as keyof typeof FORMAT_FILES]) || EVIDENCE_PACK_FORMATS.has(f)).toBe(true);
        }
      }
    }
  });

  test("reads the scan's exit code and fails in a last step that runs whatever happened before", () => {
    expect(text).toMatch(file.startsWith("github") ? /steps\.scan\.outputs\.exit-code/ : /code=\$\?/);
    if (file.startsWith("github")) {
      const steps = (doc.jobs as Record<string, { steps: Array<Record<string, unknown>> }>)[
        Object.keys(doc.jobs as object)[0]!
      ]!.steps;
      const last = steps.at(-1)!;
      expect(last.name).toBe("Gate");
      expect(last.if).toBe("always()");
      expect(String(last.run)).toMatch(/exit/);
      // Every upload runs even when the scan found failures.
      for (const step of steps.filter((s) => /upload/.test(String(s.uses ?? "")))) {
        expect(String(step.if)).toMatch(/always\(\)/);
      }
      // hsm-audit comes from the action, pinned to a commit, never from a registry name run with --yes.
      const scan = steps.find((s) => s.id === "scan")!;
      expect(String(scan.uses)).toMatch(/^[\w.-]+\/hsm-audit@[0-9a-f]{40}$/);
      expect(text).not.toMatch(/npx/);
      expect(doc.permissions).toMatchObject({ "id-token": "write", contents: "read" });
      expect(steps.some((s) => String(s.uses).startsWith("azure/login@"))).toBe(true);
    } else {
      const steps = doc.steps as Array<Record<string, unknown>>;
      expect(text).not.toMatch(/npx/);
      expect(doc.schedules).toBeDefined();
      expect(steps.at(-1)).toMatchObject({ displayName: "Gate", condition: "always()" });
      expect(steps.find((s) => s.task === "PublishTestResults@2")).toMatchObject({
        condition: "always()",
        inputs: { testResultsFormat: "JUnit" },
      });
      expect(steps.find((s) => s.task === "PublishPipelineArtifact@1")).toMatchObject({ condition: "always()" });
      expect(steps.find((s) => s.task === "AzureCLI@2")).toMatchObject({ inputs: { azureSubscription: expect.any(String) } });
    }
  });
});

test("the gate workflow sends SARIF to code scanning, the summary to the job summary, with the permissions it needs", () => {
  const doc = parse(readFileSync(join(CI, "github-actions.yml"), "utf8")) as Parsed;
  expect(doc.permissions).toEqual({ "id-token": "write", "security-events": "write", contents: "read" });
  const steps = doc.jobs["hsm-audit"].steps as Array<Record<string, Parsed>>;
  const scan = steps.find((s) => s.id === "scan")!;
  expect(scan.with).toMatchObject({ "fail-on": "high", gate: "false" });
  expect(String(scan.with.formats).split(",")).toEqual(expect.arrayContaining(["sarif", "md"]));
  // The action uploads SARIF (by default) and writes summary.md to the job summary.
  expect(ACTION.inputs["upload-sarif"].default).toBe("true");
  const actionSteps = ACTION.runs.steps as Array<Record<string, Parsed>>;
  const upload = actionSteps.find((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif@"))!;
  expect(upload.with.sarif_file).toBe("${{ steps.scan.outputs.sarif }}");
  expect(readFileSync(join(ROOT, "scripts/action/scan.sh"), "utf8")).toMatch(/summary\.md.*GITHUB_STEP_SUMMARY/);
});

test("the example configuration is valid for the CLI, and so are its waivers", () => {
  const run = spawnSync(process.execPath, [BIN, "config", "print", "--config", join(ROOT, "examples/hsm-audit.config.yaml")], {
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toContain("failOn: high");
  const waivers = parseWaivers(readFileSync(join(ROOT, "examples/waivers.yaml"), "utf8"), "examples/waivers.yaml", {
    policyIds: new Set(loadPolicies().map((p) => p.id)),
    runTime: Date.now(),
    maxDays: 3650,
  });
  expect(waivers.length).toBeGreaterThan(0);
});
