// summary.md for the job summary: the verdict and exit code in words, the counts, what failed with its fix; no
// link, mention or HTML from a name; short.
import { cell, MAX_ROWS, renderMarkdown } from "../../src/report/markdown.js";
import { resultExitCode } from "../../src/model/result.js";
import { summarise } from "../../src/engine/evaluate.js";
import { sampleResult } from "../helpers/results.js";

test("verdict, exit code, counts and a row per failure and error", () => {
  const result = sampleResult();
  const md = renderMarkdown(result);
  expect(md).toContain(`NOT COMPLIANT (exit code ${resultExitCode(result)})`);
  const s = result.summary;
  // sampleResult's fail-on is low: its info failures are for review, counted apart and not listed as failures.
  const review = result.findings.filter((f) => f.status === "fail" && f.severity === "info").length;
  expect(review).toBeGreaterThan(0);
  expect(md).toContain(
    `| ${s.pass} | ${s.fail - review} | ${review} | ${s.error} | ${s.manual} | ${s.waived} | ${s.notApplicable} |`,
  );
  const shown = result.findings.filter((f) => (f.status === "fail" && f.severity !== "info") || f.status === "error");
  expect(md).toContain(`### Failures and errors (${shown.length})`);
  const rows = md.split("\n").filter((l) => /^\| .* \| (critical|high|medium|low|info) \| (fail|error) \| /.test(l));
  expect(rows).toHaveLength(Math.min(shown.length, MAX_ROWS));
  // Every row has exactly the table's six cells: no name split it.
  for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(6);
});

test("a compliant result says so, and why the code is 0", () => {
  const result = sampleResult(["chsm-ok"]);
  result.findings = result.findings.map((f) => ({ ...f, status: "pass" }));
  result.summary = summarise(result.findings, "low");
  const md = renderMarkdown(result);
  expect(md).toContain("COMPLIANT (exit code 0)");
  expect(md).not.toContain("Failures and errors");
});

test("long lists are cut with a count of the rest", () => {
  const names = Array.from({ length: 80 }, (_, i) => `chsm-${i}`);
  const result = sampleResult(names);
  const shown = result.findings.filter(
    (f) => (f.status === "fail" && f.severity !== "info") || f.status === "error",
  ).length;
  const md = renderMarkdown(result);
  expect(md).toContain(`...and ${shown - MAX_ROWS} more`);
  expect(md.length).toBeLessThan(64 * 1024);
});

test.each([
  ["a|b", "a\\|b"],
  ["`code`", "\\`code\\`"],
  ["<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"],
  ["[x](http://evil.example)", "\\[x\\]\\(http:&#47;&#47;evil.example\\)"],
  ["www.evil.example", "www&#46;evil.example"],
  ["@admin", "&#64;admin"],
  ["two\nlines", "two<br>lines"],
  ["a lone\rreturn", "a lone<br>return"],
  ["crlf\r\nline", "crlf<br>line"],
  ["esc\u001b[31m", "esc\\[31m"],
])("cell(%j) is %j", (input, expected) => {
  expect(cell(input)).toBe(expected);
});

test("nothing from a hostile name links, mentions or opens HTML", () => {
  const md = renderMarkdown(sampleResult());
  expect(md).not.toMatch(/https?:\/\//);
  expect(md).not.toMatch(/<(?!br>)/);
  expect(md).not.toMatch(/(^|[^\\])\]\(/);
  expect(md).not.toMatch(/(^|\s)@\w/);
});
