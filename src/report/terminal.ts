// The terminal summary: findings grouped by subscription and HSM, readable without colour; colour only when asked.
import type { Finding, Result, Status } from "../model/result.js";
import { failCounts } from "../model/result.js";
import { HSM_TYPES } from "../azure/ids.js";
import { resultExitCode } from "../model/result.js";
import { idKey } from "../azure/ids.js";

export interface TerminalOptions {
  color: boolean;
}

const LABEL: Record<Status, string> = {
  pass: "PASS ",
  fail: "FAIL ",
  error: "ERROR",
  not_applicable: "N/A  ",
  waived: "WAIVE",
  manual: "MANUAL",
};

const COLOR: Record<Status, string> = {
  pass: "32",
  fail: "31",
  error: "35",
  not_applicable: "90",
  waived: "36",
  manual: "33",
};

/** Control characters (an ANSI escape in an HSM name, say) are shown, never sent to the terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export function safe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderTerminal(result: Result, options: TerminalOptions): string {
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
      const label = paint(COLOR[f.status], LABEL[f.status].padEnd(6));
      const severity = f.status === "fail" || f.status === "error" ? ` [${f.severity}]` : "";
      lines.push(`    ${label} ${f.policyId}${severity}`);
      lines.push(`           ${safe(f.message)}`);
    }
    const hidden = findings.filter((f) => f.status === "not_applicable").length;
    if (hidden > 0) lines.push(paint("90", `    (${hidden} polic${hidden === 1 ? "y does" : "ies do"} not apply)`));
  };

  lines.push(
    bold(`hsm-audit ${result.tool.version}`) +
      ` · ${result.scope.cloud} · ${result.scope.subscriptions.length} subscription(s) · ${result.resources.length} HSM(s)`,
  );
  lines.push(
    `Audit records searched from ${result.logWindow.start} to ${result.logWindow.end} (${result.logWindow.duration}).`,
  );
  lines.push("");

  const tenant = byResource.get("/subscriptions");
  if (tenant) {
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
  for (const subscriptionId of result.scope.subscriptions) {
    const subFindings = byResource.get(idKey(`/subscriptions/${subscriptionId}`)) ?? [];
    const hsms = hsmsOf.get(idKey(subscriptionId)) ?? [];
    if (subFindings.length === 0 && hsms.length === 0) continue;
    const name = result.scope.subscriptionNames?.[subscriptionId];
    lines.push(bold(`Subscription ${name ? `${safe(name)} (${subscriptionId})` : subscriptionId}`));
    findingLines(subFindings);
    for (const hsm of hsms) {
      lines.push(
        `  ${bold(`${HSM_TYPES[hsm.kind].label} ${safe(hsm.name)}`)} (${safe(hsm.resourceGroup)}, ${safe(hsm.location)})`,
      );
      findingLines(byResource.get(idKey(hsm.id)) ?? []);
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
  if (quiet > 0) lines.push(`${quiet} subscription(s) in scope hold no HSM.`);
  if (result.resources.length === 0 && quiet === result.scope.subscriptions.length && quiet > 0) {
    lines.push("No HSM was found: check that these are the subscriptions you meant (--subscription).");
  }

  const s = result.summary;
  lines.push(
    `Findings: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.manual} manual, ${s.waived} waived, ${s.notApplicable} not applicable.`,
  );
  const code = resultExitCode(result);
  const expired = (result.waivers ?? []).filter((w) => w.state === "expired");
  if (result.waivers && result.waivers.length > 0) {
    const count = (state: string) => result.waivers!.filter((w) => w.state === state).length;
    lines.push(`Waivers: ${count("applied")} applied, ${count("expired")} expired, ${count("unused")} unused.`);
    for (const w of expired) {
      lines.push(
        `  expired ${w.expires}: waiver ${w.index} of ${w.policy} for ${safe(w.resource)} (owner ${safe(w.owner)})`,
      );
    }
  }
  if (result.excluded && result.excluded.length > 0) {
    lines.push(`Excluded by the configuration: ${result.excluded.length} resource(s), not evaluated.`);
  }
  const counted = result.findings.filter((f) => f.status === "fail" && failCounts(f.severity, result.failOn)).length;
  if (s.fail + s.error + s.manual > 0) {
    lines.push(
      "The fix for each finding, with this estate's ids filled in, is in result.json (findings[].remediation).",
    );
  }
  const gate =
    result.failOn === "never"
      ? s.fail > 0
        ? ` The gate is off (--fail-on never): ${s.fail} finding(s) fail.`
        : ""
      : s.fail > 0
        ? ` ${s.fail} finding(s) fail below '${result.failOn}'.`
        : "";
  if (code === 1 && counted === 0) {
    lines.push(
      paint("31;1", `NOT COMPLIANT: ${expired.length} waiver(s) expired (--fail-on-expired-waivers; exit code 1).`),
    );
  } else if (code === 1) {
    lines.push(
      paint("31;1", `NOT COMPLIANT: ${counted} finding(s) fail at or above '${result.failOn}' (exit code 1).`),
    );
  } else if (code === 3) {
    const why = [
      s.error > 0 ? `evidence is incomplete for ${s.error} finding(s)` : "",
      s.manual > 0 ? `${s.manual} finding(s) need manual review` : "",
    ].filter(Boolean);
    lines.push(paint("35;1", `NOT PROVEN: ${why.join("; ")}; compliance cannot be claimed (exit code 3).${gate}`));
  } else if (result.failOn === "never" && s.fail > 0) {
    lines.push(paint("33;1", `GATE OFF (exit code 0):${gate}`));
  } else {
    lines.push(paint("32;1", `COMPLIANT (exit code 0).${gate}`));
  }
  return lines.join("\n");
}
