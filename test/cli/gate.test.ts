// A gate a team can live with (the CLI against the simulator, run in this process: main() for what its argument
// parsing and sign-in decide, scanInProcess for scans): setup failures said in words with exit 2 before anything is
// written, flags checked, manual findings waivable, highlights shown as REVIEW and kept out of SARIF by default, and a
// quiet summary.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { cleanUp, startScanTarget, tempDir, type ScanTarget } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { useColor, keepNegativeValues } from "../../src/cli/options.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { sampleResult } from "../helpers/results.js";
import { flowingCloudHsm, PAYMENTS_SUBSCRIPTION, paymentsEstate } from "../helpers/estates.js";

const SUB = PAYMENTS_SUBSCRIPTION;
const DEDICATED = `/subscriptions/${SUB}/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/dhsm-a`;

/** A Cloud HSM whose trail flows, a Dedicated HSM (manual evidence), and a key deletion (an info highlight). */
const ESTATE = paymentsEstate({
  cloudHsmClusters: flowingCloudHsm("chsm-a", "3d", [
    "{ every: 24h, from: 1d, operations: [CN_TOMBSTONE_OBJECT], callers: [10.0.0.4] }",
  ]),
  dedicatedHsms: "      - name: dhsm-a\n        resourceGroup: rg-hsm\n        location: eastus\n",
});

/** An expiry well inside the default 365-day limit of the run, whatever day the test runs. */
const EXPIRES = new Date(Date.now() + 100 * 86_400_000).toISOString().slice(0, 10);

let target: ScanTarget;
beforeAll(async () => {
  target = await startScanTarget(ESTATE);
});
afterAll(async () => {
  await target.close();
  cleanUp();
});

describe("setup failures: exit 2 with what to do, nothing written", () => {
  test("no credential signs in", async () => {
    const out = join(tempDir(), "out");
    const bin = tempDir();
    writeFileSync(join(bin, "az"), "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n", {
      mode: 0o755,
    });
    // DefaultAzureCredential itself, restricted to the Azure CLI, runs this `az`.
    const run = await runMain(["scan", ...target.endpoints, "--out", out], tempDir(), {
      ...target.env,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/could not sign in to Azure/);
    expect(run.stderr).toMatch(/az login/);
    expect(run.stderr).toMatch(/AZURE_CLIENT_ID/);
    expect(existsSync(out)).toBe(false);
  });

  test("the services' certificate is not trusted", async () => {
    const out = join(tempDir(), "out");
    // The simulator's authority is not trusted, as when NODE_EXTRA_CA_CERTS does not name it.
    const run = await scanInProcess(target, ["--out", out, "--max-retries", "0"], { untrusted: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/certificate was not trusted/);
    expect(run.stderr).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(existsSync(join(out, "result.json"))).toBe(false);
  });
});

describe("flags are checked, and say what is wrong", () => {
  test.each([
    [["--concurrency", "0"], /--concurrency must be a whole number from 1 to 256, not 0/],
    [["--log-window", "-5d"], /--log-window.*-5d/],
    [["--max-retries", "-1"], /--max-retries must be a whole number from 0 to 10, not -1/],
  ])("scan %j", async (args, expected) => {
    // main() itself: a negative value must reach its flag's check through the CLI's own argument parsing.
    const run = await runMain(
      ["scan", ...target.endpoints, "--out", join(tempDir(), "out"), ...args],
      tempDir(),
      target.env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/Unknown arguments/);
  });

  test("render without --format says what to ask for", async () => {
    const run = await runMain(["render", "--result", "nowhere.json", "--out", join(tempDir(), "r")], tempDir());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/render needs --format/);
  });

  test("a negative value is kept with its flag; other arguments are untouched", () => {
    expect(keepNegativeValues(["scan", "--log-window", "-5d", "-q", "--out", "x"])).toEqual([
      "scan",
      "--log-window=-5d",
      "-q",
      "--out",
      "x",
    ]);
  });

  test.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{ isTTY: true }, { TERM: "dumb" }, false],
    [{ isTTY: true }, { NO_COLOR: "1" }, false],
    [{ isTTY: false }, { FORCE_COLOR: "1" }, true],
    [{ isTTY: false }, { FORCE_COLOR: "" }, true],
    [{ isTTY: true }, { FORCE_COLOR: "0" }, false],
    [{ isTTY: true }, { FORCE_COLOR: "false" }, false],
    [{ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" }, true],
  ])("colour on %j with %j: %s", (stream, env, expected) => {
    expect(useColor(stream, env)).toBe(expected);
  });
});

describe("the gate", () => {
  let plain: ReturnType<typeof scanInProcess> | undefined;
  /** `hsm-audit scan` of the estate without further flags, run once for the tests that read it. */
  const plainScan = () => (plain ??= scanInProcess(target));

  test("a waiver accepts a Dedicated HSM's manual evidence, and every output names it", async () => {
    const dir = tempDir();
    const waivers = join(dir, "waivers.yaml");
    writeFileSync(
      waivers,
      `- policy: appliance-audit-evidence
  resource: ${DEDICATED}
  reason: The appliance's audit log is exported monthly and reviewed (SEC-77 runbook).
  owner: hsm-team@contoso.example
  ticket: SEC-77
  expires: ${EXPIRES}
`,
    );
    const run = await scanInProcess(target, ["--waivers", waivers, "--format", "csv,junit,md,sarif"]);
    expect(run.stderr).toBe("");
    const finding = run.result!.findings.find(
      (f) => f.policyId === "appliance-audit-evidence" && f.resourceId.toLowerCase() === DEDICATED.toLowerCase(),
    )!;
    expect(finding).toMatchObject({
      status: "waived",
      waiver: { owner: "hsm-team@contoso.example", accepted: "manual" },
    });
    expect(run.result!.waivers![0]!.state).toBe("applied");
    expect(run.result!.summary.manual).toBe(0);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/manual evidence accepted by waiver 1 \(owner hsm-team@contoso\.example, ticket SEC-77/);
    expect(readFileSync(join(run.out, "findings.csv"), "utf8")).toMatch(/hsm-team@contoso\.example/);
    expect(readFileSync(join(run.out, "junit.xml"), "utf8")).toMatch(new RegExp(`waived until ${EXPIRES} by hsm-team`));
    const sarif = JSON.parse(readFileSync(join(run.out, "results.sarif"), "utf8"));
    const suppressed = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "appliance-audit-evidence");
    expect(suppressed.suppressions[0].justification).toMatch(/hsm-team@contoso\.example/);
  });

  test("without the waiver the manual finding keeps the gate at 3", async () => {
    const run = await plainScan();
    expect(run.code).toBe(3);
  });

  test("a highlight below --fail-on reads REVIEW, never FAIL, and stays out of SARIF unless --sarif-all", async () => {
    const run = await scanInProcess(target, ["--format", "sarif,md"]);
    const highlight = run.result!.findings.find((f) => f.policyId === "activity-sensitive-operations")!;
    expect(highlight).toMatchObject({ status: "fail", severity: "info" });
    const review = run.result!.findings.filter((f) => f.status === "fail" && f.severity === "info").length;
    expect(review).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`Findings: \\d+ pass, 0 fail, ${review} for review, `));
    expect(run.stdout).not.toMatch(/FAIL\s+activity-/);
    const sarif = JSON.parse(readFileSync(join(run.out, "results.sarif"), "utf8"));
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).not.toContain(
      "activity-sensitive-operations",
    );
    expect(readFileSync(join(run.out, "summary.md"), "utf8")).toMatch(/\| pass \| fail \| review \|/);

    const all = await scanInProcess(target, ["--format", "sarif", "--sarif-all"]);
    const sarifAll = JSON.parse(readFileSync(join(all.out, "results.sarif"), "utf8"));
    expect(sarifAll.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain(
      "activity-sensitive-operations",
    );
  });

  test("--quiet prints the verdict and the counts only", async () => {
    const run = await scanInProcess(target, ["--quiet"]);
    expect(run.stdout).toMatch(/^Findings: /m);
    expect(run.stdout).toMatch(/NOT PROVEN/);
    expect(run.stdout).not.toMatch(/Subscription /);
    expect(run.stdout).not.toMatch(/chsm-a/);
  });

  test("HSMs that need no attention are counted, not listed", async () => {
    const run = await plainScan();
    // The Dedicated HSM's manual finding puts it on screen; the Cloud HSM passes every gate policy.
    expect(run.stdout).toMatch(/Dedicated HSM dhsm-a/);
    expect(run.stdout).not.toMatch(/Cloud HSM chsm-a/);
    expect(run.stdout).toMatch(/1 other HSM\(s\): every finding passes, does not apply, or is for review\./);
  });
});

describe("the terminal summary", () => {
  test("a failure below --fail-on reads REVIEW; one at or above it reads FAIL", () => {
    const result = sampleResult();
    const text = renderTerminal(result, { color: false });
    const info = result.findings.filter((f) => f.status === "fail" && f.severity === "info");
    expect(info.length).toBeGreaterThan(0);
    expect(text).toMatch(/REVIEW info-policy/);
    expect(text).not.toMatch(/FAIL\s+info-policy/);
    expect(text).toMatch(/FAIL\s+critical-policy \[critical\]/);
  });
});
