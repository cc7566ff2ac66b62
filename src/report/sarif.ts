// results.sarif: SARIF 2.1.0 for code scanning. One rule per policy, one result per finding that fails or could not
// be judged (error), and per waived failure with an external, accepted suppression. The HSM is the result's logical
// location; code scanning also wants a file, so each result points at its policy's file, `policies/<id>.yaml`, line 1.
import { createHash } from "node:crypto";
import { printable, printableFix } from "./printable.js";
import type { Finding, FindingChange, Result, ResultPolicy, Severity } from "../model/result.js";
import { earnedExitCode, shownStatus } from "../model/result.js";
import { lookup } from "./lookup.js";
import { idKey } from "../domain/ids.js";
import { sarifBaseline } from "./sarif-baseline.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
/** The partialFingerprints key; its value is the same for the same policy and resource across runs. */
export const FINGERPRINT_KEY = "hsmAuditFinding/v1";

/** GitHub's scale: critical is 9.0 and above, high 7.0 to 8.9, medium 4.0 to 6.9, low below 4.0. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "0.0",
};

type Level = "error" | "warning" | "note";
export const LEVEL: Record<Severity, Level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** GitHub keeps at most 20 tags per rule. */
const MAX_TAGS = 20;

/**
 * `sarifAll: false` (the default) leaves out failures below the fail-on threshold: they are for review, and code
 * scanning would raise an alert for each (a compliant estate of 1,000 HSMs raised hundreds).
 */
export function renderSarif(result: Result, options: { sarifAll?: boolean } = {}): string {
  const look = lookup(result);
  const rules = look.policies.map((p) => rule(p));
  const ruleIndex = new Map(look.policies.map((p, i) => [p.id, i]));
  const baseline = sarifBaseline(result, options.sarifAll === true);
  const results = result.findings
    .filter((f) => f.status === "fail" || f.status === "error" || f.status === "waived")
    .filter((f) => options.sarifAll === true || shownStatus(f, result.failOn) !== "review")
    .map((f) => {
      const name = look.displayName(f.resourceId);
      const level: Level = f.status === "error" ? "error" : LEVEL[f.severity];
      const sarifResult: Record<string, unknown> = {
        ruleId: f.policyId,
        ...(ruleIndex.has(f.policyId) ? { ruleIndex: ruleIndex.get(f.policyId) } : {}),
        level,
        message: { text: plainText(messageOf(f, name)) },
        ...placeOf(f.policyId, f.resourceId, name),
        ...(result.changes ? { baselineState: baseline.stateOf(f) } : {}),
        properties: {
          status: f.status,
          severity: f.severity,
          resourceId: f.resourceId,
          remediation: { azCli: f.remediation.azCli, powershell: f.remediation.powershell },
          evidence: [...f.evidence],
        },
      };
      if (f.status === "waived" && f.waiver) {
        const w = f.waiver;
        sarifResult.suppressions = [
          {
            kind: "external",
            status: "accepted",
            justification: `${w.reason} (owner ${w.owner}${w.ticket ? `, ticket ${w.ticket}` : ""}, until ${w.expires})`,
          },
        ];
      }
      return sarifResult;
    })
    .concat(baseline.absent.map((c) => absentResult(c, look.displayName(c.resourceId), ruleIndex)));
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: result.tool.name,
            version: result.tool.version,
            semanticVersion: result.tool.version,
            rules,
          },
        },
        automationDetails: { id: "hsm-audit/" },
        columnKind: "unicodeCodePoints",
        results,
        properties: {
          startedAt: result.startedAt,
          finishedAt: result.finishedAt,
          cloud: result.scope.cloud,
          subscriptions: [...result.scope.subscriptions],
          failOn: result.failOn,
          summary: { ...result.summary, exitCode: earnedExitCode(result) },
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** sha256 of the policy id and the lower-cased resource id: ARM ids change case between reads, alerts must not. */
export function fingerprint(policyId: string, resourceId: string): string {
  return createHash("sha256")
    .update(`${policyId}\n${idKey(resourceId)}`)
    .digest("hex");
}

function rule(p: ResultPolicy) {
  const frameworks = p.frameworks.map((m) => `${m.framework} ${m.control}`);
  const helpText = [
    p.description,
    p.rationale ? `Why: ${p.rationale}` : "",
    "Fix: each alert's message names the fix for its HSM, with the HSM's ids filled in (az CLI); result.json and " +
      "findings.csv also hold the PowerShell form.",
    frameworks.length > 0 ? `Controls: ${frameworks.join("; ")}.` : "",
    ...p.references.map((r) => `${r.title}: ${r.url}`),
  ].filter(Boolean);
  const helpMarkdown = [
    p.description,
    p.rationale ? `**Why:** ${p.rationale}` : "",
    "**Fix:** each alert's message names the fix for its HSM, with the HSM's ids filled in (az CLI); `result.json` " +
      "and `findings.csv` also hold the PowerShell form.",
    frameworks.length > 0 ? `**Controls:** ${frameworks.join("; ")}.` : "",
    p.references.length > 0 ? p.references.map((r) => `- [${r.title}](${r.url})`).join("\n") : "",
  ].filter(Boolean);
  return {
    id: p.id,
    name: p.id
      .split("-")
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(""),
    shortDescription: { text: p.title },
    fullDescription: { text: p.description },
    ...(p.references[0] ? { helpUri: p.references[0].url } : {}),
    help: { text: helpText.join("\n\n"), markdown: helpMarkdown.join("\n\n") },
    defaultConfiguration: { level: LEVEL[p.severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[p.severity],
      precision: "very-high",
      tags: ["security", "audit-logging", "hsm", ...frameworks].slice(0, MAX_TAGS),
    },
  };
}

function messageOf(f: Finding, name: string): string {
  const prefix = f.status === "error" ? "Not proven (evidence missing)" : f.status === "waived" ? "Waived" : "Fails";
  const azCli = printableFix(f.remediation.azCli);
  const fix = azCli ? ` Fix: ${azCli.replace(/\s*\n\s*/g, " ; ")}` : "";
  // Values from Azure as printed: no line break, control character or bidi override; long values cut.
  return `${prefix}: ${printable(name)}: ${printable(f.message)}${fix}`;
}

/** SARIF plain-text messages read `[text](id)` as an embedded link: literal brackets are escaped. */
function plainText(text: string): string {
  return text.replace(/[[\]]/g, (c) => `\\${c}`);
}

/**
 * A result the previous run reported and this one does not (`baselineState: absent`): kind `informational`, level
 * `none` (SARIF: a result that is not a failure has no level), with what it was and what it is now.
 */
function absentResult(c: FindingChange, name: string, ruleIndex: Map<string, number>): Record<string, unknown> {
  const now = c.after ?? "not evaluated";
  return {
    ruleId: c.policyId,
    ...(ruleIndex.has(c.policyId) ? { ruleIndex: ruleIndex.get(c.policyId) } : {}),
    kind: "informational",
    level: "none",
    message: {
      text: plainText(
        `No longer reported: ${printable(name)}: was ${c.before ?? "not evaluated"}, now ${now}. ${printable(c.message)}`,
      ),
    },
    ...placeOf(c.policyId, c.resourceId, name),
    baselineState: "absent",
    properties: { status: now, severity: c.severity, resourceId: c.resourceId, before: c.before ?? "not evaluated" },
  };
}

/**
 * Where a result of the pair (policy, resource) points, and the fingerprint that matches it from run to run: the same
 * for a finding and for an absent one (a failure last month's pack reported that this one does not).
 */
function placeOf(policyId: string, resourceId: string, name: string) {
  return {
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `policies/${encodeURIComponent(policyId)}.yaml` },
          region: { startLine: 1 },
        },
        logicalLocations: [{ name, fullyQualifiedName: resourceId, kind: "resource" }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(policyId, resourceId) },
  };
}
