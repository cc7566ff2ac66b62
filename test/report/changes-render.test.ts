// The changes as each renderer shows them: SARIF's baselineState for every move of a finding (valid against the SARIF
// 2.1.0 schema), and names chosen by a hostile tenant owner printed as text in the terminal, Markdown and HTML.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { summarise } from "../../src/engine/evaluate.js";
import { computeChanges } from "../../src/report/changes.js";
import { renderSarif } from "../../src/report/sarif.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderTerminal } from "../../src/report/terminal.js";
import type { Result, Status } from "../../src/model/result.js";
import { HOSTILE_NAMES, hsmId, sampleResult } from "../helpers/results.js";
import { sarifProblems, validateSarifSchema, type Parsed } from "../helpers/consumers.js";
import { cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

/** One HSM, one finding per policy; `statuses` sets some of them (by policy id). */
function oneHsm(statuses: Record<string, Status | undefined>, startedAt = "2026-11-01T10:00:00.000Z"): Result {
  const base = sampleResult(["chsm-one"]);
  const findings = base.findings
    .filter((f) => !(f.policyId in statuses) || statuses[f.policyId] !== undefined)
    .map((f) => {
      const status = statuses[f.policyId] ?? f.status;
      const { waiver, ...rest } = f;
      return { ...rest, status, ...(status === "waived" ? { waiver: waiver ?? WAIVER } : {}) };
    });
  return { ...base, startedAt, finishedAt: startedAt, findings, summary: summarise(findings, base.failOn) };
}
const WAIVER = { index: 1, reason: "accepted", owner: "owner", ticket: "SEC-1", expires: "2026-12-31" };

function withPrevious(previous: Result, current: Result): Result {
  return { ...current, changes: computeChanges({ result: previous, sha256: "c".repeat(64) }, current) };
}

interface SarifResult {
  ruleId: string;
  baselineState?: string;
  kind?: string;
  level?: string;
}
const sarifResults = (result: Result, sarifAll = false) =>
  (JSON.parse(renderSarif(result, { sarifAll })) as Parsed).runs[0].results as SarifResult[];

describe("results.sarif baselineState, for high-policy (fail-on low) moving from one status to another", () => {
  test.each<[Status | undefined, Status | undefined, string[]]>([
    ["pass", "fail", ["new"]],
    [undefined, "fail", ["new"]],
    ["manual", "error", ["new"]],
    ["fail", "fail", ["unchanged"]],
    ["error", "error", ["unchanged"]],
    ["error", "fail", ["updated"]],
    ["fail", "waived", ["updated"]],
    ["fail", "pass", ["absent"]],
    ["error", "manual", ["absent"]],
    ["fail", undefined, ["absent"]],
    ["pass", "pass", []],
  ])("%s -> %s: %j", (before, after, states) => {
    const result = withPrevious(
      oneHsm({ "high-policy": before }, "2026-10-01T10:00:00.000Z"),
      oneHsm({ "high-policy": after }),
    );
    const log = JSON.parse(renderSarif(result)) as Parsed;
    expect(validateSarifSchema(log) || validateSarifSchema.errors).toBe(true);
    const mine = (log.runs[0].results as SarifResult[]).filter((r) => r.ruleId === "high-policy");
    expect(mine.map((r) => r.baselineState)).toEqual(states);
    for (const r of mine.filter((m) => m.baselineState === "absent")) {
      expect([r.kind, r.level]).toEqual(["informational", "none"]);
    }
    // The other policies did not move: unchanged, every one.
    const others = (log.runs[0].results as SarifResult[]).filter((r) => r.ruleId !== "high-policy");
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => r.baselineState === "unchanged")).toBe(true);
  });

  test("a failure below fail-on is in the log only with --sarif-all, and its baseline follows the log", () => {
    const result = withPrevious(
      oneHsm({ "info-policy": "fail" }, "2026-10-01T10:00:00.000Z"),
      oneHsm({ "info-policy": "pass" }),
    );
    expect(sarifResults(result).filter((r) => r.ruleId === "info-policy")).toEqual([]);
    expect(sarifResults(result, true).find((r) => r.ruleId === "info-policy")?.baselineState).toBe("absent");
  });

  test("without a previous pack: no baselineState anywhere", () => {
    expect(sarifResults(oneHsm({})).some((r) => "baselineState" in r)).toBe(false);
  });

  test("the SARIF Multitool accepts a log with absent results", () => {
    const result = withPrevious(
      oneHsm({ "high-policy": "fail", "critical-policy": "error" }, "2026-10-01T10:00:00.000Z"),
      oneHsm({ "high-policy": "pass", "critical-policy": "fail" }),
    );
    const file = join(tempDir(), "results.sarif");
    writeFileSync(file, renderSarif(result));
    expect(sarifProblems(file)).toEqual([]);
  });
});

describe("hostile names in the changes", () => {
  // Every hostile HSM fails critical-policy now and did not before; one hostile HSM is gone since.
  const previous = sampleResult(HOSTILE_NAMES.slice(1));
  const before: Result = {
    ...previous,
    startedAt: "2026-10-01T10:00:00.000Z",
    finishedAt: "2026-10-01T10:00:00.000Z",
    findings: previous.findings.map((f) => (f.policyId === "critical-policy" ? { ...f, status: "pass" } : f)),
  };
  before.summary = summarise(before.findings, before.failOn);
  const current = sampleResult(HOSTILE_NAMES.slice(0, -1)).findings.map((f) =>
    f.policyId === "critical-policy" ? { ...f, status: "fail" as Status } : f,
  );
  const now = sampleResult(HOSTILE_NAMES.slice(0, -1));
  const result = withPrevious(before, { ...now, findings: current, summary: summarise(current, now.failOn) });

  test("the changes name them: new failures, a new HSM, one gone", () => {
    expect(result.changes!.gating).toBeGreaterThan(0);
    expect(result.changes!.newHsms.map((h) => h.name)).toEqual([HOSTILE_NAMES[0]]);
    expect(result.changes!.removedHsms.map((h) => h.id)).toEqual([hsmId(HOSTILE_NAMES[HOSTILE_NAMES.length - 1]!)]);
  });

  test("the terminal prints them on one line each, escaped", () => {
    const text = renderTerminal(result, { color: false });
    const section = text.slice(text.indexOf("Changes since"), text.indexOf("Subscription "));
    expect(section).toContain("New failures (");
    expect(section).toContain('quote"comma,new\\nline');
    // eslint-disable-next-line no-control-regex
    expect(section).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test("--quiet: the changes counted on one line", () => {
    const text = renderTerminal(result, { color: false, quiet: true });
    expect(text).toMatch(
      /^Changes since 2026-10-01: \d+ new failure\(s\) \(\d+ gating\), \d+ new error\(s\), \d+ changed, \d+ resolved; 1 HSM\(s\) new, 1 gone\.$/m,
    );
    expect(text).not.toContain("New failures (");
  });

  test("summary.md escapes them", () => {
    const md = renderMarkdown(result);
    const section = md.slice(md.indexOf("### Changes since"));
    expect(section).toContain("#### New failures");
    expect(section).not.toContain("<script>");
    expect(section).not.toContain("[link](http");
  });

  test("report.html escapes them, with no inline style the CSP would refuse", () => {
    const html = renderHtml(result, { paper: "a4", resultSha256: "0".repeat(64) });
    const section = html.slice(html.indexOf('<section id="changes"'), html.indexOf('<section id="summary">'));
    expect(section).toContain("New failures");
    expect(section).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(section).not.toContain("<script>");
    expect(section).not.toMatch(/ style=|<style/);
    expect(html).toContain('<li><a href="#changes">Changes since 2026-10-01</a></li>');
  });

  test("packs of another estate: every report says so before the lists", () => {
    const elsewhere = withPrevious(
      { ...before, scope: { ...before.scope, cloud: "AzureUSGovernment" } },
      { ...now, findings: current, summary: summarise(current, now.failOn) },
    );
    const warning = "The two packs did not look at the same estate";
    const text = renderTerminal(elsewhere, { color: false });
    expect(text).toContain(`! ${warning}`);
    expect(text).toContain("Differs: cloud: AzureUSGovernment then, AzureCloud now.");
    expect(text.indexOf(warning)).toBeLessThan(text.indexOf("New failures ("));
    expect(renderMarkdown(elsewhere)).toContain(`**${warning}`);
    expect(renderHtml(elsewhere, { paper: "a4", resultSha256: "0".repeat(64) })).toContain(
      `<p class="status-fail" data-testid="changes-warning">${warning}`,
    );
  });

  test("no changes, no section", () => {
    const html = renderHtml(now, { paper: "a4", resultSha256: "0".repeat(64) });
    expect(html).not.toContain('id="changes"');
    expect(renderTerminal(now, { color: false })).not.toContain("Changes since");
    expect(renderMarkdown(now)).not.toContain("Changes since");
  });
});
