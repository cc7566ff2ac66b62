// summary.md: short enough for $GITHUB_STEP_SUMMARY and an Azure DevOps summary tab. Verdict and exit code in words,
// counts, and what failed or errored with its fix. No links: everything from Azure is escaped so that names can
// neither format, link, mention nor inject HTML.
import { earnedExitCode, failCounts, SEVERITIES, shownStatus, type Finding, type Result } from "../model/result.js";
import { lookup } from "./lookup.js";
import { CUT_NOTE, printableResult } from "./printable.js";
import { managementGroupScope, VERDICT } from "./words.js";
import { changesMarkdown } from "./changes-text.js";
import { accessStatementOf } from "./view-scope.js";

/** Rows of the findings table; the rest are counted. */
export const MAX_ROWS = 30;
const MAX_CELL = 400;

export function renderMarkdown(given: Result): string {
  // Every value from Azure as printed (no line break, control character or bidi override; long values cut).
  const result = printableResult(given);
  const look = lookup(result);
  const code = earnedExitCode(result);
  const s = result.summary;
  const counted = result.findings.filter((f) => f.status === "fail" && failCounts(f.severity, result.failOn)).length;
  const expired = (result.waivers ?? []).filter((w) => w.state === "expired");
  const review = result.findings.filter((f) => shownStatus(f, result.failOn) === "review").length;
  const meaning =
    code === 1
      ? counted > 0
        ? `${counted} finding(s) fail at or above severity ${result.failOn}.`
        : `${expired.length} waiver(s) have expired and expired waivers fail this run.`
      : code === 3
        ? `No counted failure, but ${s.error} finding(s) lack evidence and ${s.manual} need manual review: compliance is not proven.`
        : result.failOn === "never"
          ? "The gate is off (fail-on never): nothing makes this run fail."
          : `Every finding passes, is waived, does not apply, or is for review below severity ${result.failOn}.`;
  const lines = [
    `## hsm-audit: ${VERDICT[code]} (exit code ${code})`,
    "",
    meaning,
    "",
    `${result.resources.length} HSM(s) in ${inScope(result)}, ${result.scope.cloud}; ` +
      `run ${cell(result.startedAt)}; fail-on ${result.failOn}.`,
    "",
    "| pass | fail | review | error | manual | waived | not applicable |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${s.pass} | ${s.fail - review} | ${review} | ${s.error} | ${s.manual} | ${s.waived} | ${s.notApplicable} |`,
  ];
  const access = accessStatementOf(result);
  if (access.runBy) lines.push("", cell(access.runBy));
  if (access.readAccess) {
    // A subscription's gaps ("– resource group ...") nest under its line.
    lines.push("", ...access.readAccess.map((l) => (l.startsWith("– ") ? `  - ${cell(l.slice(2))}` : `- ${cell(l)}`)));
  }
  if (result.changes) lines.push("", ...changesMarkdown(result, cell));
  if (review > 0) {
    lines.push(
      "",
      `${review} finding(s) below severity ${result.failOn} are for review (activity highlights and the like), not failures: they are in result.json and the evidence pack.`,
    );
  }
  const shown = result.findings.filter((f) => ["fail", "error"].includes(shownStatus(f, result.failOn)));
  if (shown.length > 0) {
    // Failures first, most severe first; errors after; otherwise the result's order.
    const rank = (f: Finding) => (f.status === "fail" ? 0 : 10) + SEVERITIES.indexOf(f.severity);
    const sorted = shown.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i);
    lines.push(
      "",
      `### Failures and errors (${shown.length})`,
      "",
      "| HSM | policy | severity | status | finding | fix (az CLI) |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const { f } of sorted.slice(0, MAX_ROWS)) {
      lines.push(
        `| ${cell(look.displayName(f.resourceId))} | ${cell(f.policyId)} | ${f.severity} | ${f.status} | ${cell(f.message)} | ${cell(f.remediation.azCli) || "-"} |`,
      );
    }
    if (shown.length > MAX_ROWS) {
      lines.push("", `...and ${shown.length - MAX_ROWS} more: every finding is in result.json and findings.csv.`);
    }
  }
  if (result.waivers && result.waivers.length > 0) {
    const n = (state: string) => result.waivers!.filter((w) => w.state === state).length;
    lines.push("", `Waivers: ${n("applied")} applied, ${n("expired")} expired, ${n("unused")} unused.`);
    if (expired.length > 0) {
      lines.push(
        "",
        "| expired waiver | policy | resource | owner | ticket | expired after |",
        "| --- | --- | --- | --- | --- | --- |",
      );
      for (const w of expired.slice(0, MAX_ROWS)) {
        lines.push(
          `| ${w.index} | ${cell(w.policy)} | ${cell(w.resource)} | ${cell(w.owner)} | ${cell(w.ticket) || "-"} | ${cell(w.expires)} |`,
        );
      }
    }
  }
  if (result.excluded && result.excluded.length > 0) {
    lines.push("", `Excluded by the configuration, not evaluated: ${result.excluded.length} resource(s).`);
  }
  if (result.cut) lines.push("", cell(CUT_NOTE));
  return `${lines.join("\n")}\n`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * A table cell: HTML and Markdown syntax escaped (pipes would split the row, backticks open code, brackets make
 * links), URLs and mentions broken so that nothing links, line breaks kept as <br>, long text cut.
 */
export function cell(value: string): string {
  let v = value.replace(CONTROL, "").trim();
  if (v.length > MAX_CELL) v = `${v.slice(0, MAX_CELL - 1)}…`;
  return v
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]~|#!{}()]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, ":&#47;&#47;")
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`)
    .replace(/@/g, "&#64;")
    .replace(/\r\n?|\n/g, "<br>");
}

/** Where the HSMs were looked for: the management group the scan was scoped to, or the count of subscriptions. */
function inScope(result: Result): string {
  const group = managementGroupScope(result.scope);
  return group ? cell(group) : `${result.scope.subscriptions.length} subscription(s)`;
}
