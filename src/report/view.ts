// The evidence pack's reading order, shared by the HTML and PDF renderers: what goes where, in which order, with
// which words. It arranges what result.json holds (groups, sorts, counts, labels) and computes no verdict.
import { clockSummary } from "../model/clock.js";
import type {
  Finding,
  Result,
  ResultActivity,
  ResultDestination,
  ResultEvidence,
  ResultPolicy,
  ResultResource,
  ResultWaiver,
  Severity,
  ShownStatus,
  WaiverState,
  Status,
} from "../model/result.js";
import { earnedExitCode, failCounts, SEVERITIES, shownStatus } from "../model/result.js";
import type { DiagnosticSetting, HsmKind } from "../model/snapshot.js";
import { HSM_TYPES } from "../domain/hsm-kinds.js";
import { idKey } from "../domain/ids.js";
import { VERDICT } from "./words.js";
import {
  collectionOf,
  gatheredOf,
  humanDuration,
  optionalScope,
  periodLabel,
  scopeStatementOf,
  type ScopeStatement,
} from "./view-scope.js";

/** How each status reads: never by colour alone, always a word and a symbol. */
export const STATUS_LABEL: Record<ShownStatus, { word: string; symbol: string }> = {
  fail: { word: "FAIL", symbol: "✗" },
  error: { word: "ERROR", symbol: "!" },
  manual: { word: "MANUAL", symbol: "?" },
  review: { word: "REVIEW", symbol: "◇" },
  waived: { word: "WAIVED", symbol: "~" },
  pass: { word: "PASS", symbol: "✓" },
  not_applicable: { word: "N/A", symbol: "–" },
};

/** The order findings are read in: what needs attention first. */
export const STATUS_ORDER: readonly ShownStatus[] = [
  "fail",
  "error",
  "manual",
  "review",
  "waived",
  "pass",
  "not_applicable",
];

const EXIT_MEANING: Record<0 | 1 | 3, { verdict: string; meaning: string }> = {
  0: {
    verdict: VERDICT[0],
    meaning:
      "Exit code 0: every finding passed, was waived, did not apply, or failed below the fail-on threshold, and all evidence was gathered.",
  },
  1: {
    verdict: VERDICT[1],
    meaning: "Exit code 1: at least one finding failed at or above the fail-on threshold.",
  },
  3: {
    verdict: VERDICT[3],
    meaning:
      "Exit code 3: nothing failed above the threshold, but some evidence could not be gathered or must be supplied by hand, so compliance is not proven.",
  },
};

export interface FindingView {
  finding: Finding;
  /** False for a `fail` below the fail-on threshold: reported for review, not counted against compliance. */
  counted: boolean;
  /** As a person reads it: a failure below the fail-on threshold is `review`. */
  status: { key: ShownStatus; word: string; symbol: string };
  resourceName: string;
  /** The subscription-scope or tenant-scope label when the finding is not about an HSM. */
  where: string;
  evidence: string[];
  hasFix: boolean;
}

export interface SettingLine {
  text: string;
  audit: boolean;
}

export interface DayBar {
  day: string;
  records: number;
}

export interface ActivityView extends ResultActivity {
  stateText: string;
  days: DayBar[];
  maxPerDay: number;
}

export interface HsmView {
  resource: ResultResource;
  anchor: string;
  kindLabel: string;
  facts: { label: string; value: string }[];
  findings: FindingView[];
  /** The worst status among its findings, for the headline. */
  worst: Status;
  statusCounts: { key: ShownStatus; word: string; symbol: string; count: number }[];
  settings?: { name: string; id: string; carriesAudit: boolean; lines: SettingLine[] }[];
  settingsError?: string;
  settingsEvidence: string[];
  destinations: (ResultDestination & { kindLabel: string; stateText: string })[];
  activity: ActivityView[];
  fixes: FindingView[];
  manualEvidence?: ResultPolicy;
  /** Findings that list the records they rest on (the activity highlights). */
  highlights: FindingView[];
}

export interface SubscriptionView {
  id: string;
  name: string;
  anchor: string;
  findings: FindingView[];
  hsms: HsmView[];
}

export interface ReportView {
  /** Whether a value from Azure was cut to be printed (src/report/printable.ts). */
  cut: boolean;
  title: string;
  verdict: string;
  meaning: string;
  exitCode: 0 | 1 | 3;
  compliant: boolean;
  tool: string;
  generatedAt: string;
  startedAt: string;
  finishedAt: string;
  cloud: string;
  tenants: string[];
  subscriptions: { id: string; name: string }[];
  /** What the scan was scoped to, when it was a management group: "management group X (N subscriptions)". */
  scope?: string;
  period: { label: string; start: string; end: string; duration: string };
  /** What the pack's evidence covers: what was read once at scan time, and what covers the period. */
  scopeStatement: ScopeStatement;
  failOn: string;
  policyPack?: { version: string; sha256: string };
  resultSha256: string;
  statusCounts: { key: ShownStatus; word: string; symbol: string; count: number }[];
  /** Counted as a person reads them: a failure below the fail-on threshold is `review`, not `fail`. */
  severityRows: { severity: Severity; fail: number; review: number; error: number }[];
  kindRows: { kind: string; hsms: number; fail: number; review: number; error: number; manual: number; pass: number }[];
  attention: FindingView[];
  /** Failures below the fail-on threshold (the activity highlights, by default): for review, not counted. */
  review: FindingView[];
  tenantFindings: FindingView[];
  sections: SubscriptionView[];
  /** Each failed read: what for, the resource, the answer (status and code; empty when none came) and the message. */
  errors: { for: string; resourceId: string; answer: string; message: string }[];
  completeness: string;
  /** How the services' clock stood to the scanner's (absent when the result records no clock reading). */
  clock?: { text: string; beyondTolerance: boolean };
  /** How the evidence was gathered: the sources and how requests were grouped, in sentences. */
  collection: string[];
  policies: ResultPolicy[];
  evidence: (ResultEvidence & { citedBy: string[] })[];
  hsmCount: number;
  /** The waivers file's waivers, in force first; absent when no waivers file was given. */
  waivers?: { state: string; stateText: string; waiver: ResultWaiver; covers: string[] }[];
  /** Resources the configuration left out of evaluation, with the pattern that matched. */
  excluded: { resourceId: string; pattern: string }[];
}

/** A stable, safe anchor for an id read from Azure (only [a-z0-9-]). */
export function anchorOf(prefix: string, id: string): string {
  let hash = 0x811c9dc5;
  for (const ch of idKey(id)) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  const readable = idKey(id)
    .split("/")
    .pop()!
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 40);
  return `${prefix}-${readable}-${hash.toString(16)}`;
}

export const evidenceAnchor = (id: string) => `evidence-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;

export function buildView(result: Result, resultSha256: string): ReportView {
  const code = earnedExitCode(result);
  const resources = new Map(result.resources.map((r) => [idKey(r.id), r]));
  const policyById = new Map((result.policies ?? []).map((p) => [p.id, p]));
  const names = result.scope.subscriptionNames ?? {};
  const subscriptionName = (id: string) => names[id] ?? id;

  const shown = (f: Finding) => shownStatus(f, result.failOn ?? "low");
  const views = result.findings.map((finding): FindingView => {
    const resource = resources.get(idKey(finding.resourceId));
    const sub = /^\/subscriptions\/([^/]+)$/i.exec(finding.resourceId);
    const details = finding.details
      ? { ...finding.details, rows: finding.details.rows.map((r) => ({ identity: "", note: "", ...r })) }
      : undefined;
    return {
      finding: details ? { ...finding, details } : finding,
      counted: finding.status !== "fail" || failCounts(finding.severity, result.failOn ?? "low"),
      status: { key: shown(finding), ...STATUS_LABEL[shown(finding)] },
      resourceName: resource?.name ?? (sub ? subscriptionName(sub[1]!) : "all subscriptions"),
      where: resource ? HSM_TYPES[resource.kind].label : sub ? "Subscription" : "Tenant",
      evidence: finding.evidence,
      hasFix: Boolean(finding.remediation.azCli || finding.remediation.powershell || finding.remediation.bicep),
    };
  });
  const byStatus = (a: FindingView, b: FindingView) =>
    STATUS_ORDER.indexOf(a.finding.status) - STATUS_ORDER.indexOf(b.finding.status) ||
    SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) ||
    compare(a.finding.policyId, b.finding.policyId);

  const byResource = new Map<string, FindingView[]>();
  for (const v of views) {
    const key = idKey(v.finding.resourceId);
    const list = byResource.get(key);
    if (list) list.push(v);
    else byResource.set(key, [v]);
  }
  const findingsOf = (id: string) => [...(byResource.get(idKey(id)) ?? [])];
  // The policy whose finding on an HSM waits for evidence a person supplies: its `manual` finding, or the waiver that
  // accepted one. A result of an earlier version (no `summary.exitCode`) may not say what a waiver accepted: there,
  // the policy that applies to Dedicated HSMs, as those versions showed it.
  const earlier = result.summary.exitCode === undefined;
  const formerManualPolicy = [...policyById.values()].find((p) => p.appliesTo.includes("dedicatedHsm"));
  const manualPolicyOf = (resource: ResultResource, findings: FindingView[]) => {
    const manual = findings.find((f) => f.finding.status === "manual" || f.finding.waiver?.accepted === "manual");
    if (manual) return policyById.get(manual.finding.policyId);
    return earlier && resource.kind === "dedicatedHsm" ? formerManualPolicy : undefined;
  };

  const hsmView = (resource: ResultResource): HsmView => {
    const findings = findingsOf(resource.id).sort(byStatus);
    const counts = countStatuses(findings.map((f) => f.status.key));
    const manualPolicy = manualPolicyOf(resource, findings);
    return {
      resource,
      anchor: anchorOf("hsm", resource.id),
      kindLabel: HSM_TYPES[resource.kind].label,
      facts: [
        { label: "Kind", value: `${HSM_TYPES[resource.kind].label} (${resource.type})` },
        { label: "Name", value: resource.name },
        { label: "Resource group", value: resource.resourceGroup },
        { label: "Location", value: resource.location },
        { label: "SKU", value: resource.sku ?? "not stated" },
        { label: "Provisioning state", value: resource.provisioningState ?? "not stated" },
        { label: "Resource id", value: resource.id },
      ],
      findings,
      // The headline is the worst counted status: a highlight below the threshold does not make an HSM fail.
      worst: findings.find((f) => f.counted)?.finding.status ?? "not_applicable",
      statusCounts: counts.filter((c) => c.count > 0),
      ...settingsOf(resource),
      destinations: (resource.destinations ?? []).map((d) => ({
        ...d,
        kindLabel: DESTINATION_LABEL[d.kind],
        stateText: DESTINATION_STATE[d.state],
      })),
      activity: (resource.activity ?? []).map((a) => activityView(a, result.logWindow.start, result.logWindow.end)),
      fixes: findings.filter((f) => f.hasFix && (f.finding.status === "fail" || f.finding.status === "error")),
      highlights: findings.filter((f) => f.finding.details && f.finding.status === "fail"),
      ...(manualPolicy ? { manualEvidence: manualPolicy } : {}),
    };
  };

  const resourcesBySubscription = new Map<string, ResultResource[]>();
  for (const r of result.resources) {
    const key = idKey(r.subscriptionId);
    const list = resourcesBySubscription.get(key);
    if (list) list.push(r);
    else resourcesBySubscription.set(key, [r]);
  }
  const subscriptionIds = [
    ...new Set([...result.scope.subscriptions, ...result.resources.map((r) => r.subscriptionId)]),
  ].filter((id) => resourcesBySubscription.has(idKey(id)) || findingsOf(`/subscriptions/${id}`).length > 0);
  const sections = subscriptionIds
    .map((id) => ({
      id,
      name: subscriptionName(id),
      anchor: anchorOf("sub", id),
      findings: findingsOf(`/subscriptions/${id}`).sort(byStatus),
      hsms: (resourcesBySubscription.get(idKey(id)) ?? [])
        .sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.id, b.id))
        .map(hsmView),
    }))
    .sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.id, b.id));

  // Which findings cite each evidence record, grouped by resource: "chsm-1: policy-a, policy-b".
  const cited = new Map<string, Map<string, string[]>>();
  for (const v of views) {
    for (const id of v.finding.evidence) {
      const perResource = cited.get(id) ?? new Map<string, string[]>();
      perResource.set(v.resourceName, [...(perResource.get(v.resourceName) ?? []), v.finding.policyId]);
      cited.set(id, perResource);
    }
  }
  const citedBy = (id: string) =>
    [...(cited.get(id) ?? new Map<string, string[]>())].map(([name, policies]) => `${name}: ${policies.join(", ")}`);
  const kinds = [...new Set(result.resources.map((r) => r.kind))].sort(
    (a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b),
  );
  const { verdict } = EXIT_MEANING[code];
  const gathered = gatheredOf(result);
  // Whether all evidence was gathered is said in one place, from the errors the pack lists: the verdict's sentence and
  // the errors section cannot disagree.
  const meaning =
    code === 0 && !gathered.complete
      ? `Exit code 0: every finding passed, was waived, did not apply, or failed below the fail-on threshold, but not all evidence was gathered: ${gathered.sentence}`
      : EXIT_MEANING[code].meaning;
  const window = result.logWindow;
  return {
    cut: (result as { cut?: boolean }).cut === true,
    title: "HSM audit-trail evidence pack",
    verdict,
    meaning,
    exitCode: code,
    compliant: result.summary.compliant,
    tool: `${result.tool.name} ${result.tool.version}`,
    generatedAt: result.finishedAt,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    cloud: result.scope.cloud,
    tenants: result.scope.tenantIds ?? [],
    subscriptions: result.scope.subscriptions.map((id) => ({ id, name: subscriptionName(id) })),
    ...optionalScope(result),
    period: {
      label: window.period ? periodLabel(window.period) : `the ${humanDuration(window.duration)} before the scan`,
      start: window.start,
      end: window.end,
      duration: window.duration,
    },
    scopeStatement: scopeStatementOf(result),
    failOn: result.failOn ?? "low",
    ...(result.policyPack ? { policyPack: result.policyPack } : {}),
    resultSha256,
    statusCounts: countStatuses(views.map((v) => v.status.key)),
    severityRows: SEVERITIES.map((severity) => {
      const of = (s: ShownStatus) => views.filter((v) => v.finding.severity === severity && v.status.key === s).length;
      return { severity, fail: of("fail"), review: of("review"), error: of("error") };
    }),
    kindRows: kinds.map((kind) => {
      const ids = new Set(result.resources.filter((r) => r.kind === kind).map((r) => idKey(r.id)));
      const of = (s: ShownStatus) =>
        views.filter((v) => v.status.key === s && ids.has(idKey(v.finding.resourceId))).length;
      return {
        kind: HSM_TYPES[kind].label,
        hsms: ids.size,
        fail: of("fail"),
        review: of("review"),
        error: of("error"),
        manual: of("manual"),
        pass: of("pass"),
      };
    }),
    attention: views
      .filter((v) => v.counted && (v.finding.status === "fail" || v.finding.status === "error"))
      .sort(byStatus),
    review: views.filter((v) => !v.counted).sort(byStatus),
    tenantFindings: findingsOf("/subscriptions").sort(byStatus),
    sections,
    errors: (result.errors ?? []).map((e) => ({
      for: e.for,
      resourceId: e.resourceId ?? "",
      answer: [e.status, e.code].filter((x) => x !== undefined).join(" "),
      message: e.message,
    })),
    completeness: gathered.sentence,
    ...(result.clock
      ? { clock: { text: clockSummary(result.clock), beyondTolerance: result.clock.beyondTolerance } }
      : {}),
    collection: collectionOf(result),
    policies: result.policies ?? [],
    evidence: result.evidence.map((e) => ({ ...e, citedBy: citedBy(e.id) })),
    hsmCount: result.resources.length,
    ...(result.waivers
      ? {
          waivers: [...result.waivers]
            .sort((a, b) => WAIVER_ORDER.indexOf(a.state) - WAIVER_ORDER.indexOf(b.state) || a.index - b.index)
            .map((waiver) => ({
              state: waiver.state,
              stateText: WAIVER_STATE[waiver.state],
              waiver,
              covers: waiver.findings.map(
                (f) => `${f.policyId} · ${resources.get(idKey(f.resourceId))?.name ?? f.resourceId}`,
              ),
            })),
        }
      : {}),
    excluded: result.excluded ?? [],
  };
}

const WAIVER_ORDER: WaiverState[] = ["applied", "expired", "unused"];
const WAIVER_STATE: Record<WaiverState, string> = {
  applied: "~ in force: it waived the findings listed (failures, or manual evidence it stands in for)",
  expired: "✗ expired: it no longer applies, and the findings it covered count again",
  unused: "– unused: it matched no failure or manual finding",
};

const KIND_ORDER: HsmKind[] = ["cloudHsm", "managedHsm", "dedicatedHsm"];

const DESTINATION_LABEL: Record<ResultDestination["kind"], string> = {
  workspace: "Log Analytics workspace",
  storageAccount: "Storage account",
  eventHub: "Event Hub",
  partner: "Partner solution",
};

const DESTINATION_STATE: Record<ResultDestination["state"], string> = {
  exists: "✓ exists",
  missing: "✗ missing",
  unreadable: "! could not be read",
  "not-checked": "– not checked",
};

const ACTIVITY_STATE: Record<ResultActivity["state"], string> = {
  ok: "✓ queried",
  partial: "! answered in part",
  error: "! query failed",
  "not-queried": "! not queried",
};

function countStatuses(statuses: ShownStatus[]) {
  return STATUS_ORDER.map((key) => ({ key, ...STATUS_LABEL[key], count: statuses.filter((s) => s === key).length }));
}

function settingsOf(resource: ResultResource): Pick<HsmView, "settings" | "settingsError" | "settingsEvidence"> {
  const s = resource.diagnosticSettings;
  if (!s) return { settingsEvidence: [] };
  if ("error" in s) return { settingsError: s.error, settingsEvidence: s.evidence };
  return {
    settingsEvidence: s.evidence,
    settings: s.settings.map(({ setting, auditEntries }) => ({
      name: setting.name,
      id: setting.id,
      carriesAudit: auditEntries.length > 0,
      lines: settingLines(setting, auditEntries),
    })),
  };
}

/** A setting as formatted JSON, one `logs` entry a line, the entries that carry the audit category marked. */
export function settingLines(setting: DiagnosticSetting, auditEntries: number[]): SettingLine[] {
  const { logs, ...rest } = setting;
  const lines: SettingLine[] = [{ text: "{", audit: false }];
  for (const [key, value] of Object.entries(rest)) {
    lines.push({ text: `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`, audit: false });
  }
  lines.push({ text: `  "logs": [`, audit: false });
  logs.forEach((log, i) => {
    lines.push({
      text: `    ${JSON.stringify(log)}${i < logs.length - 1 ? "," : ""}`,
      audit: auditEntries.includes(i),
    });
  });
  lines.push({ text: "  ]", audit: false }, { text: "}", audit: false });
  return lines;
}

/** Every UTC day of the window, with its records (none where the workspace returned no row for that day). */
function activityView(activity: ResultActivity, start: string, end: string): ActivityView {
  const counts = new Map((activity.perDay ?? []).map((d) => [d.day, d.records]));
  const days: DayBar[] = [];
  const first = Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)) - 1, Number(start.slice(8, 10)));
  const last = new Date(end).getTime() - 1;
  for (let t = first; t <= last && days.length < 800; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push({ day, records: counts.get(day) ?? 0 });
  }
  // Every field a template prints is present (empty when the result has none): the templates are strict.
  const details = activity.details
    ? {
        ...activity.details,
        operations: activity.details.operations.map((o) => ({ command: "", description: "", failures: 0, ...o })),
        callers: activity.details.callers.map((c) => ({ identity: "", failures: 0, ...c })),
        ...(activity.details.longestSilence
          ? {
              longestSilence: {
                atMostHours: activity.details.longestSilence.hours,
                trailing: false,
                ...activity.details.longestSilence,
              },
            }
          : {}),
      }
    : undefined;
  return {
    ...activity,
    ...(details ? { details } : {}),
    stateText: ACTIVITY_STATE[activity.state],
    days,
    maxPerDay: Math.max(0, ...days.map((d) => d.records)),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
