// The CI outputs end to end: the demo and real scans (the CLI run in this process: main() for the demo and render,
// scanInProcess for scans over the SDK clients and HTTPS to the simulator) write results.sarif, junit.xml,
// summary.md, findings.csv and findings.ocsf.jsonl that their real consumers accept, with counts that are the
// result's; and the gate's exit code across fail-on thresholds, waivers and errors.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, startScanTarget, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { parseCsv, parseJunit, sarifProblems, validateSarifSchema, type Parsed } from "../helpers/consumers.js";
import { CSV_COLUMNS } from "../../src/report/csv.js";
import { failCounts, type Result } from "../../src/model/result.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ROOT } from "../helpers/simulator.js";

import { jest } from "@jest/globals";
jest.setTimeout(120_000);
afterAll(cleanUp);

const validateOcsf = new Ajv2020({ strict: true, allErrors: true }).compile(
  JSON.parse(readFileSync(join(ROOT, "vendor/ocsf/1.3.0/compliance_finding.schema.json"), "utf8")) as object,
);

describe("hsm-audit demo --format sarif,junit,md,csv,ocsf", () => {
  let out: string;
  let code: number | null;
  let result: Result;
  beforeAll(async () => {
    out = join(tempDir(), "demo");
    const run = await runMain(["demo", "--out", out, "--format", "sarif,junit,md,csv,ocsf"], tempDir());
    code = run.code;
    result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
  });

  test("exits 1, as the Contoso estate breaks policies on purpose, and writes every file", () => {
    expect(code).toBe(1);
    for (const f of [
      "result.json",
      "results.sarif",
      "junit.xml",
      "summary.md",
      "findings.csv",
      "findings.ocsf.jsonl",
    ]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
  });

  test("results.sarif passes the SARIF Multitool and the SARIF 2.1.0 schema, a result per failure and error", () => {
    const file = join(out, "results.sarif");
    expect(sarifProblems(file)).toEqual([]);
    const log = JSON.parse(readFileSync(file, "utf8")) as Parsed;
    expect(validateSarifSchema(log) || validateSarifSchema.errors).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(result.policies!.map((p) => p.id));
    // Failures below fail-on (the info highlights) are for review: left out of code scanning by default.
    const below = result.findings.filter((f) => f.status === "fail" && !failCounts(f.severity, result.failOn)).length;
    expect(below).toBeGreaterThan(0);
    expect(run.results).toHaveLength(result.summary.fail - below + result.summary.error + result.summary.waived);
    expect(result.summary.fail).toBeGreaterThan(below);
  });

  test("junit.xml parses and its counts are the result's", () => {
    const doc = parseJunit(readFileSync(join(out, "junit.xml"), "utf8"));
    const s = result.summary;
    expect(doc.testsuites["@tests"]).toBe(String(result.findings.length));
    // Failures below fail-on (the info highlights) are skipped, as the exit code ignores them.
    const below = result.findings.filter((f) => f.status === "fail" && !failCounts(f.severity, result.failOn)).length;
    expect(below).toBeGreaterThan(0);
    expect(doc.testsuites["@failures"]).toBe(String(s.fail - below));
    expect(doc.testsuites["@errors"]).toBe(String(s.error));
    expect(doc.testsuites["@skipped"]).toBe(String(s.notApplicable + s.waived + s.manual + below));
    const cases = doc.testsuites.testsuite.flatMap((suite: { testcase: unknown[] }) => suite.testcase);
    expect(cases).toHaveLength(result.findings.length);
  });

  test("findings.csv parses to a row per finding, and summary.md states the verdict and counts", () => {
    const [header, ...rows] = parseCsv(readFileSync(join(out, "findings.csv"), "utf8"));
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(result.findings.length);
    const md = readFileSync(join(out, "summary.md"), "utf8");
    expect(md).toContain("## hsm-audit: NOT COMPLIANT (exit code 1)");
    const s = result.summary;
    const below = result.findings.filter((f) => f.status === "fail" && !failCounts(f.severity, result.failOn)).length;
    expect(md).toContain(
      `| ${s.pass} | ${s.fail - below} | ${below} | ${s.error} | ${s.manual} | ${s.waived} | ${s.notApplicable} |`,
    );
    expect(md).toContain(`### Failures and errors (${s.fail - below + s.error})`);
  });

  test("findings.ocsf.jsonl: a Compliance Finding per finding, each valid against the vendored OCSF 1.3.0 schema", () => {
    const lines = readFileSync(join(out, "findings.ocsf.jsonl"), "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(result.findings.length);
    const events = lines.map((l) => JSON.parse(l) as Parsed);
    for (const e of events) expect(validateOcsf(e) || validateOcsf.errors).toBe(true);
    const suppressed = events.filter((e) => e.status === "Suppressed").length;
    expect(suppressed).toBe(result.summary.waived);
    const passes = events.filter((e) => e.compliance.status === "Pass").length;
    expect(passes).toBe(result.summary.pass);
  });

  test("render re-renders the saved result into the same bytes", async () => {
    const again = join(tempDir(), "again");
    const run = await runMain(
      ["render", "--result", join(out, "result.json"), "--out", again, "--format", "sarif,junit,md,csv,ocsf"],
      tempDir(),
    );
    expect(run.code).toBe(0);
    for (const f of ["results.sarif", "junit.xml", "summary.md", "findings.csv", "findings.ocsf.jsonl"]) {
      expect(readFileSync(join(again, f), "utf8")).toBe(readFileSync(join(out, f), "utf8"));
    }
  });
});

const SUB = "aaaaaaaa-0000-4000-8000-000000000001";
/** A compliant Managed HSM and a Cloud HSM with no diagnostic setting at all (its HSM policies fail). */
function estate(faults = "") {
  return `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Payments
    workspaces:
      - { name: law-audit, resourceGroup: rg-mon, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001, retentionInDays: 400 }
    cloudHsmClusters:
      - name: chsm-bare
        resourceGroup: rg-hsm
        location: eastus
    managedHsms:
      - name: mhsm-a
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit-group
            workspace: law-audit
            logs: [{ categoryGroup: audit, enabled: true }]
        activity:
          - { every: 4h, from: 2d, operations: [KeySign, KeyGet] }
${faults ? `faults:\n${faults}\n` : ""}`;
}

const WAIVE_BARE = [
  "diagnostic-setting-present",
  "diagnostic-setting-continuous",
  "audit-category-enabled",
  "log-destination-configured",
  "log-destination-exists",
  "workspace-retention",
  "logs-flowing",
]
  .map(
    (policy) =>
      `- policy: ${policy}\n  resource: /subscriptions/${SUB}/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-bare\n  reason: Being decommissioned\n  owner: platform-team\n  ticket: CHG-1\n  expires: ${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}\n`,
  )
  .join("");

describe("the gate: scans with fail-on thresholds, waivers and errors", () => {
  const cases: Array<[string, string, string[], boolean, number]> = [
    ["fail-on low (default)", "", [], false, 1],
    ["fail-on critical (the missing setting is critical)", "", ["--fail-on", "critical"], false, 1],
    ["fail-on never", "", ["--fail-on", "never"], false, 0],
    ["every failure waived", "", [], true, 0],
    [
      "waived failures beside an error (403 on the other HSM's settings)",
      "  - { route: diagnosticSettings, match: mhsm-a, status: 403 }",
      [],
      true,
      3,
    ],
  ];
  test.each(cases)("%s", async (_name, faults, args, waive, expected) => {
    const target = await startScanTarget(estate(faults));
    try {
      const extra: string[] = [];
      if (waive) {
        const file = join(tempDir(), "waivers.yaml");
        writeFileSync(file, WAIVE_BARE);
        extra.push("--waivers", file);
      }
      const run = await scanInProcess(target, [...args, ...extra, "--format", "sarif,junit,md,csv,ocsf"]);
      expect(run.code).toBe(expected);
      expect(run.result!.summary.compliant).toBe(expected === 0);
      const md = readFileSync(join(run.out, "summary.md"), "utf8");
      expect(md).toContain(`(exit code ${expected})`);
      if (waive) {
        // Every counted failure is waived; what still fails is info (Sentinel is not on this workspace).
        expect(run.result!.findings.filter((f) => f.status === "fail" && f.severity !== "info")).toEqual([]);
        expect(run.result!.waivers!.filter((w) => w.state === "applied")).toHaveLength(
          run.result!.findings.filter((f) => f.status === "waived").length,
        );
        // In OCSF, each waived finding is Suppressed and still a compliance Fail (the waiver accepts the risk).
        const events = readFileSync(join(run.out, "findings.ocsf.jsonl"), "utf8")
          .split("\n")
          .slice(0, -1)
          .map((l) => JSON.parse(l) as Parsed);
        for (const e of events) expect(validateOcsf(e) || validateOcsf.errors).toBe(true);
        const suppressed = events.filter((e) => e.status === "Suppressed");
        expect(suppressed).toHaveLength(run.result!.summary.waived);
        expect(suppressed.length).toBeGreaterThan(0);
        for (const e of suppressed) expect(e.compliance.status).toBe("Fail");
      }
    } finally {
      await target.close();
    }
  });
});
