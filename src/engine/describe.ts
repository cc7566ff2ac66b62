// What the reports show beside the findings: each HSM's facts (settings with the audit entries marked, destinations
// and their state, log activity per workspace) and each policy with the controls it supports. Computed here, once,
// so that renderers only lay out what result.json holds.
import { createHash } from "node:crypto";
import type {
  ActivityRows,
  HsmFacts,
  Snapshot,
  StorageAccountFacts,
  StorageAccountProperties,
} from "../model/snapshot.js";
import { meaningOf } from "./glossary.js";
import { longestSilences } from "./silence.js";
import { isKnown } from "../model/snapshot.js";
import type {
  ActivityDetails,
  ResultActivity,
  ResultAppliance,
  ResultDestination,
  ResultPolicy,
  ResultResource,
  ResultSettings,
} from "../model/result.js";
import { idKey, sameId } from "../domain/ids.js";
import type { Policy } from "./policy.js";
import { mappingsOf, type Framework } from "./frameworks.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../domain/hsm-kinds.js";
import { entryCarries } from "../domain/audit-trail.js";
import { isPayShield } from "../domain/luna.js";
import { memoFor, type EvaluationMemo } from "./memo.js";

export function describePolicies(policies: Policy[], frameworks: Framework[]): ResultPolicy[] {
  return policies.map((p) => ({
    id: p.id,
    title: p.title,
    description: p.description.trim(),
    severity: p.severity,
    check: p.check,
    appliesTo: [...p.appliesTo],
    rationale: p.rationale.trim(),
    references: p.references.map((r) => ({ ...r })),
    frameworks: mappingsOf(p.id, frameworks).map(({ framework, requirement }) => ({
      framework: `${framework.title} ${framework.version}`,
      control: requirement.id,
      title: requirement.title,
    })),
    source: p.source,
    sha256: p.sha256,
  }));
}

/**
 * The policy pack: the tool's version when only built-in policies were used (`+custom` otherwise), and a SHA-256 over
 * every policy's id and file digest, so a reader can tell two runs used the same rules.
 */
export function policyPack(policies: Policy[], toolVersion: string): { version: string; sha256: string } {
  const custom = policies.some((p) => p.source !== "built-in");
  const lines = [...policies]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((p) => `${p.id}\t${p.sha256}\n`)
    .join("");
  return {
    version: `${toolVersion}${custom ? "+custom" : ""}`,
    sha256: createHash("sha256").update(lines).digest("hex"),
  };
}

/** The categories the reports mark as the audit trail: those of the policy that judges them, or the defaults. */
export function auditCategoriesOf(policies: Policy[]): Partial<Record<string, string[]>> {
  const policy = policies.find((p) => p.check === "audit-category-enabled");
  const configured = policy?.params.categories as Partial<Record<string, string[]>> | undefined;
  return { ...DEFAULT_AUDIT_CATEGORIES, ...configured };
}

export function describeResource(
  hsm: HsmFacts,
  snapshot: Snapshot,
  categoriesByKind: Partial<Record<string, string[]>>,
  memo?: EvaluationMemo,
): ResultResource {
  const identity: ResultResource = {
    id: hsm.id,
    type: hsm.type,
    kind: hsm.kind,
    name: hsm.name,
    subscriptionId: hsm.subscriptionId,
    resourceGroup: hsm.resourceGroup,
    location: hsm.location,
    ...(hsm.sku ? { sku: hsm.sku } : {}),
    ...(hsm.provisioningState ? { provisioningState: hsm.provisioningState } : {}),
  };
  if (hsm.kind === "dedicatedHsm") {
    const appliance = applianceOf(hsm, snapshot);
    return appliance ? { ...identity, appliance } : identity;
  }
  const categories = categoriesByKind[hsm.kind] ?? [];
  const settings = settingsOf(hsm, categories);
  const lookup = memoFor(snapshot, memo);
  return {
    ...identity,
    auditCategories: [...categories],
    diagnosticSettings: settings,
    destinations: destinationsOf(hsm, settings, lookup),
    activity: activityOf(hsm, settings, lookup),
  };
}

function settingsOf(hsm: HsmFacts, categories: string[]): ResultSettings {
  const fact = hsm.diagnosticSettings;
  if (!fact) return { error: "not collected", evidence: [] };
  if (!isKnown(fact)) return { error: fact.error.message, evidence: [...fact.evidence] };
  const known = isKnown(hsm.categories) ? hsm.categories.value : undefined;
  return {
    evidence: [...fact.evidence],
    settings: fact.value.map((setting) => {
      const auditEntries = setting.logs.flatMap((log, index) =>
        categories.some((c) => {
          const answer = entryCarries(log, c, known);
          return answer === true || answer === "group";
        })
          ? [index]
          : [],
      );
      return { setting, auditEntries };
    }),
  };
}

function destinationsOf(hsm: HsmFacts, settings: ResultSettings, lookup: EvaluationMemo): ResultDestination[] {
  if (!("settings" in settings)) return [];
  const byId = new Map<string, ResultDestination>();
  const add = (destination: ResultDestination) => {
    const key = idKey(destination.id);
    const seen = byId.get(key);
    if (seen) {
      seen.carriesAudit ||= destination.carriesAudit;
      if (!seen.settings.includes(destination.settings[0]!)) seen.settings.push(...destination.settings);
    } else byId.set(key, destination);
  };
  for (const { setting, auditEntries } of settings.settings) {
    const base = { carriesAudit: auditEntries.length > 0, settings: [setting.name] };
    if (setting.workspaceId) {
      const info = lookup.workspace(setting.workspaceId)?.info;
      add({
        ...base,
        id: setting.workspaceId,
        kind: "workspace",
        ...(!info
          ? { state: "not-checked", detail: "not read" }
          : !isKnown(info)
            ? { state: "unreadable", detail: info.error.message, evidence: [...info.evidence] }
            : !info.value.exists
              ? { state: "missing", detail: info.value.reason, evidence: [...info.evidence] }
              : {
                  state: "exists",
                  detail:
                    info.value.retentionInDays === undefined
                      ? "retention not stated"
                      : `retention ${info.value.retentionInDays} days`,
                  evidence: [...info.evidence],
                }),
      });
    }
    if (setting.storageAccountId) {
      const account = lookup.storageAccount(setting.storageAccountId);
      const info = account?.info;
      add({
        ...base,
        id: setting.storageAccountId,
        kind: "storageAccount",
        ...(!info
          ? { state: "not-checked", detail: "not read" }
          : !isKnown(info)
            ? { state: "unreadable", detail: info.error.message, evidence: [...info.evidence] }
            : !info.value.exists
              ? { state: "missing", detail: info.value.reason, evidence: [...info.evidence] }
              : {
                  state: "exists",
                  ...archiveDetail(hsm, account!, lookup),
                }),
      });
    }
    if (setting.eventHubAuthorizationRuleId) {
      add({
        ...base,
        id: setting.eventHubAuthorizationRuleId + (setting.eventHubName ? `/eventhubs/${setting.eventHubName}` : ""),
        kind: "eventHub",
        state: "not-checked",
        detail: "Event Hub destinations are recorded, not read",
      });
    }
    if (setting.marketplacePartnerId) {
      add({
        ...base,
        id: setting.marketplacePartnerId,
        kind: "partner",
        state: "not-checked",
        detail: "partner destinations are recorded, not read",
      });
    }
  }
  return [...byId.values()];
}

/** What the HSM did in one workspace, from the answers to the activity questions; undefined when none was asked. */
function detailsOf(hsm: HsmFacts, workspaceId: string, lookup: EvaluationMemo): ActivityDetails | undefined {
  const snapshot = lookup.snapshot;
  const sample = lookup.activitySampleOf(workspaceId, hsm.id);
  if (!sample) return undefined;
  const failed: string[] = [];
  const partial: string[] = [];
  const rowsOf = <Q extends keyof ActivityRows>(q: Q): readonly ActivityRows[Q][number][] => {
    const result = sample.questions[q].result;
    if (!isKnown(result)) {
      failed.push(`${q}: ${result.error.message}`);
      return [];
    }
    if (result.value.partial) partial.push(q);
    return lookup.rowsOf(result.value.rows as ActivityRows[Q][number][], hsm.id);
  };
  const outcomesKnown = hsm.kind === "managedHsm";
  const operations = rowsOf("operations")
    .map((o) => {
      const meaning = meaningOf(hsm.kind, o.operation);
      return {
        name: o.operation,
        ...(meaning ? { command: meaning.command, description: meaning.description } : {}),
        records: o.records,
        ...(outcomesKnown ? { failures: o.failures } : {}),
      };
    })
    .sort((a, b) => b.records - a.records || (a.name < b.name ? -1 : 1));
  const callerRows = rowsOf("callers");
  const callers = callerRows
    .map((c) => ({
      address: c.caller,
      ...(c.identity ? { identity: c.identity } : {}),
      records: c.records,
      ...(outcomesKnown ? { failures: c.failures } : {}),
      first: c.first,
      last: c.last,
    }))
    .sort((a, b) => b.records - a.records || (a.address < b.address ? -1 : 1));
  const opRows = rowsOf("operations");
  const firsts = opRows.map((o) => o.first).sort();
  const lasts = opRows.map((o) => o.last).sort();
  const silence = longestSilences(rowsOf("series"), sample.bin, snapshot.logWindow.end, snapshot.logWindow.start)[0];
  return {
    state: failed.length ? "error" : partial.length ? "partial" : "ok",
    ...(failed.length
      ? { message: `not every question was answered: ${failed.join("; ")}` }
      : partial.length
        ? { message: `answered in part: ${partial.join(", ")}` }
        : {}),
    ...(firsts[0] ? { firstRecord: firsts[0] } : {}),
    ...(lasts.length ? { lastRecord: lasts[lasts.length - 1]! } : {}),
    operations,
    callers,
    ...(outcomesKnown ? { failedRequests: opRows.reduce((n, o) => n + o.failures, 0) } : {}),
    outcomesKnown,
    ...(silence
      ? {
          longestSilence: {
            from: silence.from,
            to: silence.to,
            hours: silence.hours,
            atMostHours: silence.atMostHours,
            ...(silence.trailing ? { trailing: true } : {}),
          },
        }
      : {}),
    bin: sample.bin,
  };
}

function activityOf(hsm: HsmFacts, settings: ResultSettings, lookup: EvaluationMemo): ResultActivity[] {
  if (!("settings" in settings)) return [];
  const workspaceIds: string[] = [];
  for (const { setting, auditEntries } of settings.settings) {
    if (auditEntries.length === 0 || !setting.workspaceId) continue;
    if (!workspaceIds.some((id) => sameId(id, setting.workspaceId!))) workspaceIds.push(setting.workspaceId);
  }
  return workspaceIds.map((workspaceId): ResultActivity => {
    const sample = lookup.logSampleOf(workspaceId, hsm.id);
    if (!sample) return { workspaceId, state: "not-queried", message: "no query was run", evidence: [] };
    const evidence = [...sample.result.evidence];
    if (!isKnown(sample.result)) {
      const notQueried = sample.result.error.code === "NotQueried";
      return {
        workspaceId,
        state: notQueried ? "not-queried" : "error",
        message: sample.result.error.message,
        evidence,
      };
    }
    const row = lookup.rowsOf(sample.result.value.rows, hsm.id)[0];
    const partial = sample.result.value.partial;
    const details = detailsOf(hsm, workspaceId, lookup);
    return {
      workspaceId,
      state: partial ? "partial" : "ok",
      ...(partial ? { message: partial.message } : {}),
      records: row?.records ?? 0,
      ...(row?.lastRecord ? { lastRecord: row.lastRecord } : {}),
      perDay: (row?.perDay ?? []).map((d) => ({ ...d })),
      evidence,
      ...(details ? { details } : {}),
    };
  });
}

/**
 * What the reports show of a storage archive: the account, its security settings, what keeps the logs immutable,
 * what deletes them, and the newest archived hour of this HSM; with the evidence of each.
 */
function archiveDetail(
  hsm: HsmFacts,
  account: StorageAccountFacts,
  lookup: EvaluationMemo,
): { detail: string; evidence: string[] } {
  const info = account.info as { value: StorageAccountProperties; evidence: string[] };
  const p = info.value;
  const evidence = [...info.evidence];
  const parts = [[p.kind, p.sku, p.location].filter(Boolean).join(", ") || "exists"];
  parts.push(
    `minimum TLS ${p.minimumTlsVersion ?? "not stated"}, anonymous blob access ${p.allowBlobPublicAccess === false ? "off" : p.allowBlobPublicAccess === true ? "on" : "not stated"}`,
  );
  if (p.immutableStorageWithVersioning === true) parts.push("account-level immutable storage with versioning");
  const containers = account.containers;
  if (containers) {
    evidence.push(...containers.evidence);
    if (!isKnown(containers)) parts.push(`containers not read (${containers.error.message})`);
    else if (containers.value.length === 0) parts.push("no insights-logs container");
    else
      parts.push(
        containers.value
          .map((c) =>
            c.immutabilityPolicy
              ? `container ${c.name} ${c.immutabilityPolicy.state === "Locked" ? "locked" : "unlocked policy"} ${c.immutabilityPolicy.periodDays} days`
              : `container ${c.name} mutable`,
          )
          .join(", "),
      );
  }
  const lifecycle = account.lifecycle;
  if (lifecycle) {
    evidence.push(...lifecycle.evidence);
    if (!isKnown(lifecycle)) parts.push(`lifecycle policy not read (${lifecycle.error.message})`);
    else {
      const deletes = lifecycle.value.rules
        .filter((r) => r.enabled)
        .flatMap((r) =>
          r.deletes
            .filter((d) => d.target === "baseBlob")
            .map(
              (d) =>
                `rule '${r.name}' deletes after ${d.days} days${r.prefixMatch.length ? ` (${r.prefixMatch.join(", ")})` : ""}`,
            ),
        );
      parts.push(
        !lifecycle.value.policy
          ? "no lifecycle policy"
          : deletes.length
            ? deletes.join(", ")
            : "no lifecycle rule deletes blobs",
      );
    }
  }
  for (const arrival of account.arrivals ? lookup.rowsOf(account.arrivals, hsm.id) : []) {
    evidence.push(...arrival.result.evidence);
    if (!isKnown(arrival.result)) parts.push(`${arrival.category} archive not read (${arrival.result.error.message})`);
    else if (arrival.result.value.containerMissing) parts.push(`no container ${arrival.container}`);
    else if (!arrival.result.value.newest)
      parts.push(
        `no archived hour of ${arrival.category} in the ${arrival.result.value.daysListed.length} day(s) listed`,
      );
    else parts.push(`newest archived hour of ${arrival.category} ${arrival.result.value.newest.hour}`);
  }
  return { detail: parts.join("; "), evidence };
}

/**
 * The appliance a Dedicated HSM's evidence came from and how it was matched (a snapshot written before entries could
 * omit resourceId records no match: its entries named their HSM). None for a Payment HSM, never judged as Luna.
 */
function applianceOf(hsm: HsmFacts, snapshot: Snapshot): ResultAppliance | undefined {
  if (!snapshot.applianceEvidence || isPayShield(hsm.sku)) return undefined;
  const appliance = (snapshot.appliances ?? []).find((a) => a.hsmId !== undefined && sameId(a.hsmId, hsm.id));
  if (!appliance) return undefined;
  const match = appliance.match;
  if (match?.by !== "privateIp") return { name: appliance.name, matchedBy: "resourceId" };
  return {
    name: appliance.name,
    matchedBy: "privateIp",
    ...(match.privateIp ? { privateIp: match.privateIp } : {}),
    ...(match.networkInterface ? { networkInterface: match.networkInterface } : {}),
  };
}
