// findings.ocsf.jsonl: one OCSF Compliance Finding (class 2003, schema 1.3.0) per finding, one JSON object a line, for
// the security data lakes and SIEMs that take OCSF. The mapping is in docs/ocsf.md; every line is validated in the
// tests against the JSON Schema in vendor/ocsf/1.3.0/.
import type { Finding, Result, ResultPolicy, Severity, Status } from "../model/result.js";
import { shownStatus } from "../model/result.js";
import { lookup } from "./lookup.js";
import { fingerprint } from "./sarif.js";

/** The OCSF schema version the events follow (metadata.version). */
export const OCSF_VERSION = "1.3.0";

export const OCSF_CLASS = {
  category_uid: 2,
  category_name: "Findings",
  class_uid: 2003,
  class_name: "Compliance Finding",
  activity_id: 1,
  activity_name: "Create",
  type_uid: 200301,
  type_name: "Compliance Finding: Create",
} as const;

/** severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
export const OCSF_SEVERITY: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: "Informational" },
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};

/**
 * compliance.status_id: 1 Pass, 2 Warning ("did not yield a result due to missing information"), 3 Fail, 99 Other.
 * Only a pass is Pass: a finding that could not be proven (`error`) or needs a person's evidence (`manual`) is a
 * Warning, whatever a waiver says of it. A waived failure stays Fail: the waiver accepts the risk, it does not make the
 * check pass (the finding's own status says Suppressed).
 */
export function complianceStatus(finding: Pick<Finding, "status" | "waiver">): { id: number; name: string } {
  const table: Record<Status, { id: number; name: string }> = {
    pass: { id: 1, name: "Pass" },
    fail: { id: 3, name: "Fail" },
    error: { id: 2, name: "Warning" },
    manual: { id: 2, name: "Warning" },
    not_applicable: { id: 99, name: "Not Applicable" },
    waived: finding.waiver?.accepted === "manual" ? { id: 2, name: "Warning" } : { id: 3, name: "Fail" },
  };
  return table[finding.status];
}

/** The finding's status_id: 3 Suppressed when a waiver accepted it, 1 New otherwise (the tool keeps no workflow). */
export function findingStatus(finding: Pick<Finding, "status">): { id: number; name: string } {
  return finding.status === "waived" ? { id: 3, name: "Suppressed" } : { id: 1, name: "New" };
}

const SUBSCRIPTION_TYPE = "Microsoft.Resources/subscriptions";

export function renderOcsf(result: Result): string {
  const look = lookup(result);
  const policies = new Map(look.policies.map((p) => [p.id, p]));
  const time = Date.parse(result.startedAt);
  const lines = result.findings.map((f) => line(event(result, f, policies.get(f.policyId), look, time)));
  return lines.join("");
}

/** The finding's id across runs (as SARIF's fingerprint: the policy and the lower-cased resource id). */
export function ocsfFindingUid(finding: Pick<Finding, "policyId" | "resourceId">): string {
  return `hsm-audit:${fingerprint(finding.policyId, finding.resourceId)}`;
}

function event(
  result: Result,
  f: Finding,
  policy: ResultPolicy | undefined,
  look: ReturnType<typeof lookup>,
  time: number,
): Record<string, unknown> {
  const resource = look.resource(f.resourceId);
  const subscriptionId =
    resource?.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(f.resourceId)?.[1] ?? result.scope.subscriptions[0];
  const subscriptionName = subscriptionId ? result.scope.subscriptionNames?.[subscriptionId] : undefined;
  const region = resource?.location || undefined;
  const severity = OCSF_SEVERITY[f.severity];
  const status = findingStatus(f);
  const compliance = complianceStatus(f);
  const findingUid = ocsfFindingUid(f);
  const frameworks = policy?.frameworks ?? [];
  const fixes = [
    f.remediation.azCli ? `az CLI:\n${f.remediation.azCli}` : "",
    f.remediation.powershell ? `PowerShell:\n${f.remediation.powershell}` : "",
  ].filter(Boolean);
  const waiver = f.waiver;
  return {
    ...OCSF_CLASS,
    severity_id: severity.id,
    severity: severity.name,
    time,
    message: f.message,
    status_id: status.id,
    status: status.name,
    ...(waiver
      ? {
          status_detail: `Waived: ${waiver.reason} (owner ${waiver.owner}${waiver.ticket ? `, ticket ${waiver.ticket}` : ""}, until ${waiver.expires})`,
        }
      : {}),
    metadata: {
      version: OCSF_VERSION,
      // This event: the run and the finding, so that a run's events are told from the same finding's in another run.
      uid: `${result.runId ?? result.startedAt}/${findingUid}`,
      product: { name: result.tool.name, vendor_name: result.tool.name, version: result.tool.version },
      profiles: ["cloud"],
      ...(result.runId ? { correlation_uid: result.runId } : {}),
    },
    finding_info: {
      uid: findingUid,
      title: f.title || policy?.title || f.policyId,
      ...(policy?.description ? { desc: policy.description } : {}),
      created_time: time,
      types: ["HSM audit logging"],
    },
    compliance: {
      control: f.policyId,
      ...(frameworks.length > 0
        ? {
            standards: [...new Set(frameworks.map((m) => m.framework))],
            requirements: frameworks.map((m) => `${m.framework} ${m.control}${m.title ? ` ${m.title}` : ""}`),
          }
        : {}),
      status_id: compliance.id,
      status: compliance.name,
      status_code: f.status,
      status_detail: f.message,
    },
    resources: [
      {
        uid: f.resourceId,
        name: look.displayName(f.resourceId),
        type: resource?.type ?? (f.resourceId.split("/").length <= 3 ? SUBSCRIPTION_TYPE : "Unknown"),
        ...(region ? { region } : {}),
        cloud_partition: result.scope.cloud,
        ...(resource
          ? {
              data: {
                kind: resource.kind,
                resourceGroup: resource.resourceGroup,
                ...(resource.sku ? { sku: resource.sku } : {}),
              },
            }
          : {}),
      },
    ],
    ...(fixes.length > 0 || (policy?.references.length ?? 0) > 0
      ? {
          remediation: {
            desc: fixes.length > 0 ? fixes.join("\n\n") : "No change needed.",
            ...(policy && policy.references.length > 0 ? { references: policy.references.map((r) => r.url) } : {}),
          },
        }
      : {}),
    cloud: {
      provider: "Azure",
      ...(region ? { region } : {}),
      ...(subscriptionId
        ? {
            account: {
              uid: subscriptionId,
              ...(subscriptionName ? { name: subscriptionName } : {}),
              type_id: 13,
              type: "Azure Subscription",
            },
          }
        : {}),
    },
    unmapped: {
      hsm_audit: {
        status: f.status,
        shown_status: shownStatus(f, result.failOn),
        fail_on: result.failOn,
        evidence: [...f.evidence],
        ...(result.runId ? { run_id: result.runId } : {}),
        started_at: result.startedAt,
        log_window: { ...result.logWindow },
        ...(waiver ? { waiver: { ...waiver } } : {}),
      },
    },
  };
}

/**
 * One JSON text and a line feed. JSON.stringify escapes the line breaks JSON forbids in strings (and lone
 * surrogates); U+2028, U+2029 and U+0085 are valid JSON but break lines for some readers, so they are escaped too.
 */
export function line(value: unknown): string {
  return `${JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}
