// The terminal summary: findings grouped by subscription and HSM, readable without colour; colour only when asked.
import { clockSummary } from "../model/clock.js";
import type { Finding, Result, ShownStatus } from "../model/result.js";
import { failCounts, shownStatus } from "../model/result.js";
import { HSM_TYPES } from "../domain/hsm-kinds.js";
import { earnedExitCode } from "../model/result.js";
import { CUT_NOTE, printable, printableResult } from "./printable.js";
import { idKey } from "../domain/ids.js";
import { managementGroupScope, principalWords, VERDICT } from "./words.js";
import { changesCountLine, changesLines } from "./changes-text.js";

export interface TerminalOptions {
  color: boolean;
  /** The verdict and the counts only (`--quiet`). */
  quiet?: boolean;
}

/** Statuses that put an HSM's findings on the terminal in full; the other HSMs are counted. */
const SHOWN_IN_FULL: ReadonlySet<ShownStatus> = new Set(["fail", "error", "manual", "waived"]);

const LABEL: Record<ShownStatus, string> = {
  pass: "PASS ",
  fail: "FAIL ",
  review: "REVIEW",
  error: "ERROR",
  not_applicable: "N/A  ",
  waived: "WAIVE",
  manual: "MANUAL",
};

const COLOR: Record<ShownStatus, string> = {
  pass: "32",
  fail: "31",
  review: "34",
  error: "35",
  not_applicable: "90",
  waived: "36",
  manual: "33",
};

/** Who accepted a waived finding, until when, and what it was: the compensating control in the auditor's words. */
export function waiverLine(w: NonNullable<Finding["waiver"]>): string {
  const what = w.accepted === "manual" ? "manual evidence accepted" : "failure accepted";
  return `${what} by waiver ${w.index} (owner ${w.owner}${w.ticket ? `, ticket ${w.ticket}` : ""}, until ${w.expires}): ${w.reason}`;
}

/**
 * The terminal summary. Every value from Azure is printed through `printableResult`: no line break, control character
 * or bidirectional override reaches the terminal (or the CI log) as itself, and long values are cut.
 */
export function renderTerminal(given: Result, options: TerminalOptions): string {
  // The terminal prints no evidence record, no finding's evidence ids, fix or details, and no message of a finding
  // that passes or does not apply: they are left out of its printable copy, of which they would be most on a large
  // estate (and `cut` then says whether something printed here was cut).
  const result = printableResult({
    ...given,
    evidence: [],
    findings: given.findings.map(({ details: _details, ...finding }) => ({
      ...finding,
      message: finding.status === "pass" || finding.status === "not_applicable" ? "" : finding.message,
      evidence: [],
      remediation: { azCli: "", powershell: "" },
    })),
  });
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (text: string) => paint("1", text);
  const lines: string[] = [];
  const byResource = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byResource.get(idKey(f.resourceId)) ?? [];
    list.push(f);
    byResource.set(idKey(f.resourceId), list);
  }
  const findingLines = (findings: Finding[]) => {
    const passed = findings.filter((f) => f.status === "pass");
    if (passed.length > 0)
      lines.push(`    ${paint(COLOR.pass, LABEL.pass.padEnd(6))} ${passed.map((f) => f.policyId).join(", ")}`);
    for (const f of findings.filter((f) => f.status !== "pass" && f.status !== "not_applicable")) {
      const shown = shownStatus(f, result.failOn);
      const label = paint(COLOR[shown], LABEL[shown].padEnd(6));
      const severity = shown === "fail" || shown === "error" ? ` [${f.severity}]` : "";
      lines.push(`    ${label} ${f.policyId}${severity}`);
      lines.push(`           ${f.message}`);
      if (f.status === "waived" && f.waiver) lines.push(`           ${printable(waiverLine(f.waiver))}`);
    }
    const hidden = findings.filter((f) => f.status === "not_applicable").length;
    if (hidden > 0) lines.push(paint("90", `    (${hidden} polic${hidden === 1 ? "y does" : "ies do"} not apply)`));
  };

  lines.push(
    bold(`hsm-audit ${result.tool.version}`) +
      ` · ${result.scope.cloud} · ${managementGroupScope(result.scope) ?? `${result.scope.subscriptions.length} subscription(s)`} · ${result.resources.length} HSM(s)`,
  );
  lines.push(
    `Audit records searched from ${result.logWindow.start} to ${result.logWindow.end} (${result.logWindow.duration}).`,
  );
  if (result.principal) lines.push(`Run as ${principalWords(result.principal)}.`);
  const gaps = (result.readAccess ?? []).filter((g) => g.access !== "granted").length;
  if (gaps > 0) {
    lines.push(
      paint(
        COLOR.manual,
        `! The credential could not be shown to read ${gaps} of the ${result.readAccess!.length} resource groups holding an HSM (see the report's scope).`,
      ),
    );
  }
  if (result.clock) {
    const text = printable(clockSummary(result.clock));
    lines.push(result.clock.beyondTolerance ? paint(COLOR.error, `! ${text}`) : text);
  }
  lines.push("");
  if (result.changes)
    lines.push(...(options.quiet ? [changesCountLine(result.changes)] : changesLines(result, paint)), "");

  const tenant = byResource.get("/subscriptions");
  if (tenant && !options.quiet) {
    lines.push(bold("Subscriptions"));
    findingLines(tenant);
    lines.push("");
  }
  const hsmsOf = new Map<string, Result["resources"]>();
  for (const r of result.resources) {
    const key = idKey(r.subscriptionId);
    const list = hsmsOf.get(key) ?? [];
    if (list.length === 0) hsmsOf.set(key, list);
    list.push(r);
  }
  // An HSM that needs attention is shown in full; the others are counted, so that the summary of a large estate
  // stays readable (every finding is in result.json and the reports).
  const needsAttention = (findings: Finding[]) =>
    findings.some((f) => SHOWN_IN_FULL.has(shownStatus(f, result.failOn)));
  for (const subscriptionId of result.scope.subscriptions) {
    const subFindings = byResource.get(idKey(`/subscriptions/${subscriptionId}`)) ?? [];
    const hsms = hsmsOf.get(idKey(subscriptionId)) ?? [];
    if (subFindings.length === 0 && hsms.length === 0) continue;
    if (options.quiet) continue;
    const name = result.scope.subscriptionNames?.[subscriptionId];
    lines.push(bold(`Subscription ${name ? `${name} (${subscriptionId})` : subscriptionId}`));
    findingLines(subFindings);
    let clean = 0;
    for (const hsm of hsms) {
      const findings = byResource.get(idKey(hsm.id)) ?? [];
      if (!needsAttention(findings)) {
        clean++;
        continue;
      }
      lines.push(`  ${bold(`${HSM_TYPES[hsm.kind].label} ${hsm.name}`)} (${hsm.resourceGroup}, ${hsm.location})`);
      findingLines(findings);
    }
    if (clean > 0) {
      lines.push(
        `  ${clean} ${hsms.length > clean ? "other " : ""}HSM(s): every finding passes, does not apply, or is for review.`,
      );
    }
    lines.push("");
  }
  const known = new Set(result.resources.map((r) => idKey(r.subscriptionId)));
  const unsure = new Set(
    result.findings
      .filter((f) => f.status === "error" && f.resourceId.startsWith("/subscriptions/"))
      .map((f) => f.resourceId.slice("/subscriptions/".length).toLowerCase()),
  );
  const quiet = result.scope.subscriptions.filter((id) => !known.has(idKey(id)) && !unsure.has(idKey(id))).length;
  if (quiet > 0 && !options.quiet) lines.push(`${quiet} subscription(s) in scope hold no HSM.`);
  if (result.resources.length === 0 && quiet === result.scope.subscriptions.length && quiet > 0) {
    const flag = result.scope.managementGroups ? "--management-group" : "--subscription";
    lines.push(`No HSM was found: check that these are the subscriptions you meant (${flag}).`);
  }

  const s = result.summary;
  const review = result.findings.filter((f) => shownStatus(f, result.failOn) === "review").length;
  lines.push(
    `Findings: ${s.pass} pass, ${s.fail - review} fail, ${review} for review, ${s.error} error, ${s.manual} manual, ${s.waived} waived, ${s.notApplicable} not applicable.`,
  );
  const code = earnedExitCode(result);
  const expired = (result.waivers ?? []).filter((w) => w.state === "expired");
  if (result.waivers && result.waivers.length > 0) {
    const count = (state: string) => result.waivers!.filter((w) => w.state === state).length;
    lines.push(`Waivers: ${count("applied")} applied, ${count("expired")} expired, ${count("unused")} unused.`);
    for (const w of options.quiet ? [] : expired) {
      lines.push(`  expired ${w.expires}: waiver ${w.index} of ${w.policy} for ${w.resource} (owner ${w.owner})`);
    }
  }
  if (result.excluded && result.excluded.length > 0) {
    lines.push(`Excluded by the configuration: ${result.excluded.length} resource(s), not evaluated.`);
  }
  const counted = result.findings.filter((f) => f.status === "fail" && failCounts(f.severity, result.failOn)).length;
  if (s.fail + s.error + s.manual > 0 && !options.quiet) {
    lines.push(
      "The fix for each finding, with this estate's ids filled in, is in result.json (findings[].remediation).",
    );
  }
  if (result.cut) lines.push(CUT_NOTE);
  const gate =
    result.failOn === "never"
      ? s.fail > 0
        ? ` The gate is off (--fail-on never): ${s.fail} finding(s) fail.`
        : ""
      : s.fail > 0
        ? ` ${s.fail} finding(s) below '${result.failOn}', for review.`
        : "";
  if (code === 1 && counted === 0) {
    lines.push(
      paint("31;1", `${VERDICT[1]}: ${expired.length} waiver(s) expired (--fail-on-expired-waivers; exit code 1).`),
    );
  } else if (code === 1) {
    lines.push(
      paint("31;1", `${VERDICT[1]}: ${counted} finding(s) fail at or above '${result.failOn}' (exit code 1).`),
    );
  } else if (code === 3) {
    const why = [
      s.error > 0 ? `evidence is incomplete for ${s.error} finding(s)` : "",
      s.manual > 0 ? `${s.manual} finding(s) need manual review` : "",
    ].filter(Boolean);
    lines.push(paint("35;1", `${VERDICT[3]}: ${why.join("; ")}; compliance cannot be claimed (exit code 3).${gate}`));
  } else if (result.failOn === "never" && s.fail > 0) {
    lines.push(paint("33;1", `GATE OFF (exit code 0):${gate}`));
  } else {
    lines.push(paint("32;1", `${VERDICT[0]} (exit code 0).${gate}`));
  }
  return lines.join("\n");
}
