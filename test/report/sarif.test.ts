// results.sarif: valid SARIF 2.1.0 for Microsoft's SARIF Multitool and for the schema it ships, within GitHub code
// scanning's upload rules, with one rule per policy and fingerprints that stay put across runs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fingerprint, renderSarif, SECURITY_SEVERITY } from "../../src/report/sarif.js";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { sarifProblems as problems, validateSarifSchema as validateSchema, type Parsed } from "../helpers/consumers.js";
import { hsmId, sampleResult } from "../helpers/results.js";
import { shownStatus, type Result } from "../../src/model/result.js";

afterAll(cleanUp);

interface SarifLog {
  runs: Array<{
    tool: { driver: { rules: Array<Record<string, Parsed>> } };
    results: Array<Record<string, Parsed>>;
    automationDetails: { id: string };
  }>;
}

describe("results.sarif", () => {
  const result = sampleResult();
  const text = renderSarif(result);
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0]!;

  test("the SARIF Multitool validates it with no error and no warning", () => {
    const file = join(tempDir(), "results.sarif");
    writeFileSync(file, text);
    expect(problems(file)).toEqual([]);
  });

  test("the Multitool check can fail: a result without a message is an error", () => {
    const broken = JSON.parse(text) as SarifLog;
    delete broken.runs[0]!.results[0]!.message;
    const file = join(tempDir(), "broken.sarif");
    writeFileSync(file, JSON.stringify(broken, null, 2));
    expect(problems(file).some((p) => p.level === "error")).toBe(true);
  });

  test("it is valid against the SARIF 2.1.0 schema the Multitool ships", () => {
    if (!validateSchema(log)) throw new Error(JSON.stringify(validateSchema.errors, null, 2));
    const broken = JSON.parse(text) as SarifLog;
    broken.runs[0]!.results[0]!.level = "fatal";
    expect(validateSchema(broken)).toBe(false);
  });

  test("one rule per policy, with descriptions, help, security-severity and tags", () => {
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(result.policies!.map((p) => p.id));
    for (const [i, rule] of rules.entries()) {
      const policy = result.policies![i]!;
      expect(rule.shortDescription.text).toBe(policy.title);
      expect(rule.fullDescription.text).toBe(policy.description);
      expect(rule.help.text).toContain(policy.rationale);
      expect(rule.help.markdown).toContain("Fix");
      expect(rule.properties["security-severity"]).toBe(SECURITY_SEVERITY[policy.severity]);
      expect(rule.properties.tags).toContain("security");
      expect(rule.properties.tags.length).toBeLessThanOrEqual(20);
    }
  });

  test("one result per failing, errored or waived finding; waived ones suppressed with the waiver's reason", () => {
    // A failure below the fail-on threshold is for review: left out unless --sarif-all.
    const shown = result.findings.filter(
      (f) => ["fail", "error", "waived"].includes(f.status) && shownStatus(f, result.failOn) !== "review",
    );
    expect(run.results).toHaveLength(shown.length);
    for (const [i, r] of run.results.entries()) {
      const f = shown[i]!;
      expect(r.ruleId).toBe(f.policyId);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(f.policyId);
      const expected =
        f.status === "error"
          ? "error"
          : { critical: "error", high: "error", medium: "warning", low: "note", info: "note" }[f.severity];
      expect(r.level).toBe(expected);
      expect(r.locations[0].logicalLocations[0]).toMatchObject({ fullyQualifiedName: f.resourceId, kind: "resource" });
      if (f.status === "waived") {
        expect(r.suppressions).toEqual([
          expect.objectContaining({
            kind: "external",
            status: "accepted",
            justification: expect.stringContaining(f.waiver!.reason),
          }),
        ]);
      } else {
        expect(r.suppressions).toBeUndefined();
      }
    }
  });

  test("GitHub's upload rules: a rule id, a file location with a line, fingerprints, a category, within limits", () => {
    expect(log.runs.length).toBeLessThanOrEqual(20);
    expect(run.results.length).toBeLessThanOrEqual(25_000);
    expect(run.tool.driver.rules.length).toBeLessThanOrEqual(25_000);
    expect(run.automationDetails.id).toMatch(/^hsm-audit\//);
    for (const r of run.results) {
      expect(typeof r.ruleId).toBe("string");
      expect(r.locations.length).toBeGreaterThanOrEqual(1);
      expect(r.locations.length).toBeLessThanOrEqual(1000);
      const physical = r.locations[0].physicalLocation;
      expect(physical.artifactLocation.uri).toBe(`policies/${r.ruleId}.yaml`);
      expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(r.partialFingerprints)[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(r.message.text.length).toBeGreaterThan(0);
    }
  });

  test("fingerprints: the same policy and HSM give the same fingerprint whatever the case of the id", () => {
    const id = hsmId("chsm-a");
    expect(fingerprint("logs-flowing", id)).toBe(fingerprint("logs-flowing", id.toUpperCase()));
    expect(fingerprint("logs-flowing", id)).not.toBe(fingerprint("logs-flowing", hsmId("chsm-b")));
    expect(fingerprint("logs-flowing", id)).not.toBe(fingerprint("workspace-retention", id));
    const prints = run.results.map((r) => Object.values(r.partialFingerprints)[0]);
    expect(new Set(prints).size).toBe(prints.length);
    // A second run gives the same bytes.
    expect(renderSarif(sampleResult())).toBe(text);
  });

  test("a hostile name cannot make an embedded link in a message", () => {
    for (const r of run.results) expect(r.message.text).not.toMatch(/(^|[^\\])\[[^\]]*\]\(/);
  });

  test("a result written before it listed its policies still gets a rule per policy from its findings", () => {
    const { policies: _p, ...older } = result;
    const sarif = JSON.parse(renderSarif(older as Result)) as SarifLog;
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id).sort()).toEqual(
      [...new Set(result.findings.map((f) => f.policyId))].sort(),
    );
    if (!validateSchema(sarif)) throw new Error(JSON.stringify(validateSchema.errors, null, 2));
  });
});
