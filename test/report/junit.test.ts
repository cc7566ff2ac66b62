// junit.xml, read back by a validating XML parser: a suite per policy, a case per resource, and counts that are the
// result's, whatever the names hold.
import { renderJunit } from "../../src/report/junit.js";
import { printable } from "../../src/report/printable.js";
import { parseJunit } from "../helpers/consumers.js";
import { HOSTILE_NAMES, sampleResult } from "../helpers/results.js";
import { failCounts, type Finding } from "../../src/model/result.js";

const result = sampleResult();
const xml = renderJunit(result);
const doc = parseJunit(xml);

/** A fail the gate counts (at or above fail-on) is a failure; one below it is skipped, as the exit code ignores it. */
const counted = (f: Finding) => f.status === "fail" && failCounts(f.severity, result.failOn);
const skipped = (f: Finding) =>
  ["not_applicable", "waived", "manual"].includes(f.status) || (f.status === "fail" && !counted(f));
const counts = (findings: Finding[]) => ({
  tests: String(findings.length),
  failures: String(findings.filter(counted).length),
  errors: String(findings.filter((f) => f.status === "error").length),
  skipped: String(findings.filter(skipped).length),
});
const attrs = (node: Record<string, string>) => ({
  tests: node["@tests"],
  failures: node["@failures"],
  errors: node["@errors"],
  skipped: node["@skipped"],
});

test("the totals are the result's", () => {
  expect(attrs(doc.testsuites)).toEqual(counts(result.findings));
  expect(doc.testsuites["@failures"]).toBe(String(result.findings.filter(counted).length));
  expect(doc.testsuites["@errors"]).toBe(String(result.summary.error));
});

test("a testsuite per policy, with its counts, and a testcase per resource it judged", () => {
  const suites = doc.testsuites.testsuite;
  expect(suites.map((s: Record<string, string>) => s["@name"])).toEqual(result.policies!.map((p) => p.id));
  for (const suite of suites) {
    const findings = result.findings.filter((f) => f.policyId === suite["@name"]);
    expect(attrs(suite)).toEqual(counts(findings));
    expect(suite.testcase).toHaveLength(findings.length);
  }
});

test("fail is a failure, error an error, not applicable, waived and manual are skipped with the reason", () => {
  const cases = doc.testsuites.testsuite.flatMap((s: { testcase: unknown[] }) => s.testcase);
  result.findings.forEach((f, i) => {
    const c = cases[i];
    expect(c["@classname"]).toBe(`hsm-audit.${f.policyId}`);
    // As printed: line breaks and control characters escaped, what XML cannot carry dropped.
    expect(c["@name"]).toContain(printable(f.resourceId).replace(/\ufffe/g, ""));
    expect(Boolean(c.failure)).toBe(counted(f));
    expect(Boolean(c.error)).toBe(f.status === "error");
    expect(c.skipped !== undefined).toBe(skipped(f));
    if (f.status === "fail" && !counted(f)) expect(c.skipped["@message"]).toMatch(/^below the fail-on threshold/);
    if (f.status === "waived") expect(c.skipped["@message"]).toContain(f.waiver!.owner);
    if (counted(f)) expect(c.failure["@type"]).toBe(f.severity);
  });
});

test("hostile names are escaped: the document stays well formed and reads back as the name as printed", () => {
  const names = doc.testsuites.testsuite[0].testcase.map((c: Record<string, string>) => c["@name"]);
  expect(xml).not.toContain("<script>");
  expect(xml).not.toContain("\u0001");
  expect(xml).not.toContain("\u001b");
  expect(xml).not.toContain("\ufffe");
  for (const name of HOSTILE_NAMES) {
    // Line breaks and control characters escaped (no forged line in a CI log), what XML cannot carry dropped.
    expect(names.some((n: string) => n.startsWith(printable(name).replace(/\ufffe/g, "")))).toBe(true);
    expect(names.every((n: string) => !/[\n\r\t]/.test(n))).toBe(true);
  }
});
