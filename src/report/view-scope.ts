// What the evidence pack covers and how it was gathered, in the words of the reports (src/report/view.ts puts them in
// the view): the scope statement (point in time and period), who ran the scan and what it could read, the collection
// sentences and whether all evidence was gathered.
import type { Result } from "../model/result.js";
import { managementGroupScope, principalWords } from "./words.js";

/** What the pack's evidence covers: what was read once at scan time, and what covers the period. */
export interface ScopeStatement {
  pointInTime: string;
  period: string;
  caveat: string;
  /** "Run by: <name> (object id ..., tenant ...)", when the result recorded the principal. */
  runBy?: string;
  /** One line per subscription holding an HSM: what the credential could read there, when the result recorded it. */
  readAccess?: string[];
  /** Where `readAccess` comes from, and that it decides no finding (present with `readAccess`). */
  readAccessNote?: string;
}

/**
 * What is point-in-time and what covers the period, from the result: when the configuration was read (the scan's
 * start and end), and the window the log records and the Activity Log were asked about.
 */
export function scopeStatementOf(result: Result): ScopeStatement {
  const window = result.logWindow;
  const appliance = result.evidence.some((e) => e.transport === "file" || e.transport === "ssh");
  const period = window.period ? `${periodLabel(window.period)}, ` : "";
  return {
    pointInTime:
      `Point in time, read once during the scan (${result.startedAt} to ${result.finishedAt}): the HSM inventory, ` +
      "their diagnostic settings and log categories, the destinations those settings name and their retention, the " +
      `Microsoft.Insights provider registration of each subscription, Microsoft Sentinel's onboarding and rules` +
      `${appliance ? ", and the Luna appliances' audit configuration (their transcripts' times are in Appendix B)" : ""}. ` +
      "These findings say how things stood when read, not throughout the period.",
    period:
      `Over the period (${period}${window.start} to ${window.end}, ${humanDuration(window.duration)}): the audit ` +
      "records each HSM wrote to its workspaces (counted per day, with the operations and callers), and the Activity " +
      "Log's changes to diagnostic settings, which show whether a setting existed throughout it.",
    caveat:
      "A setting removed and restored within the period leaves no trace in the point-in-time reading: the Activity " +
      "Log and the days without records are the evidence for the period.",
    ...accessStatementOf(result),
  };
}

/**
 * Who ran the scan and what it could read, in words (the scope page of the PDF and the HTML, summary.md): the
 * principal from its token's claims, and per subscription whether every resource group holding an HSM granted the
 * reads the scan needs, or which did not. From a result as printed (printableResult): every value is printable.
 */
export function accessStatementOf(
  result: Pick<Result, "principal" | "readAccess" | "scope">,
): Pick<ScopeStatement, "runBy" | "readAccess" | "readAccessNote"> {
  const out: Pick<ScopeStatement, "runBy" | "readAccess" | "readAccessNote"> = {};
  const principal = result.principal;
  if (principal) {
    out.runBy = principal.known
      ? `Run by: ${principalWords(principal)}, as the claims of the scan's ARM access token name it (read without ` +
        "checking its signature; the token itself is not kept)."
      : `Run by: ${principalWords(principal)}.`;
  }
  const groups = result.readAccess;
  if (groups && groups.length > 0) {
    const names = result.scope.subscriptionNames ?? {};
    const bySubscription = new Map<string, NonNullable<Result["readAccess"]>>();
    for (const g of groups) {
      const list = bySubscription.get(g.subscriptionId) ?? [];
      if (list.length === 0) bySubscription.set(g.subscriptionId, list);
      list.push(g);
    }
    // A subscription with gaps gets a line of its own per gap: one line per subscription could grow past what a
    // report prints of one value.
    out.readAccess = [...bySubscription].flatMap(([id, list]) => {
      const label = names[id] ? `Subscription ${names[id]} (${id})` : `Subscription ${id}`;
      const gaps = list.filter((g) => g.access !== "granted");
      if (gaps.length === 0) {
        return [`${label}: could read every resource group holding an HSM (${list.length}).`];
      }
      return [
        `${label}: could not be shown to read every resource group holding an HSM (${gaps.length} of ${list.length}):`,
        ...gaps.map((g) =>
          g.access === "missing"
            ? `– resource group ${g.resourceGroup} lacks ${(g.missing ?? []).join(", ")};`
            : `– resource group ${g.resourceGroup} unknown (${g.reason ?? "its permissions could not be read"});`,
        ),
      ];
    });
    // A subscription in scope where the scan found no HSM has no resource group whose permissions were read: said, so
    // that its absence is not read as a gap or a grant.
    const read = new Set([...bySubscription.keys()].map((id) => id.toLowerCase()));
    for (const id of result.scope.subscriptions) {
      if (read.has(id.toLowerCase())) continue;
      const label = names[id] ? `Subscription ${names[id]} (${id})` : `Subscription ${id}`;
      out.readAccess.push(`${label}: no HSM found, so no resource group's permissions were read.`);
    }
    out.readAccessNote =
      "What the credential could read comes from Microsoft.Authorization/permissions, read for each resource group " +
      "holding an HSM (its role assignments' actions and notActions; deny assignments are not in that answer). It is " +
      "information for the auditor: no finding depends on it.";
  }
  return out;
}

/** The view's `scope`, when the scan was scoped to a management group. */
export function optionalScope(result: Result): { scope?: string } {
  const scope = managementGroupScope(result.scope);
  return scope ? { scope } : {};
}

/** How the evidence was gathered, as the result records it. */
export function collectionOf(result: Result): string[] {
  const inventory = result.scope.inventory;
  const listing =
    inventory?.source === "resource-graph"
      ? "The HSMs were listed by one Azure Resource Graph query over the subscriptions in scope."
      : inventory?.fallbackFrom === "resource-graph"
        ? `The HSMs were listed per subscription from Azure Resource Manager: Azure Resource Graph was asked first but could not be used (${inventory.reason ?? "no reason given"}).`
        : "The HSMs were listed per subscription from Azure Resource Manager.";
  const appliance = applianceCollection(result);
  const done = result.scope.collection;
  if (!done) return [listing, ...assumedCollection(result), ...appliance];
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const batch = done.armBatch;
  const reads =
    batch && batch.answered > 0
      ? `Diagnostic settings, their categories and provider states were read up to ${batch.size} at a time through ARM's batch API (${plural(batch.batches, "batch", "batches")}, ${plural(batch.answered, "answer")}); each answer is listed in Appendix B as an exchange of its own, inside the batch exchange that carried it, with the SHA-256 of that answer's content.` +
        (batch.readAlone > 0
          ? ` ${plural(batch.readAlone, "read")} the batch declined (throttled, failed on the server's side, or paged) ${batch.readAlone === 1 ? "was" : "were"} read again alone.`
          : "")
      : batch
        ? `Diagnostic settings, their categories and provider states were read one request each: ARM's batch API was offered but answered none of them${batch.readAlone > 0 ? ` (${plural(batch.readAlone, "read")} read alone)` : ""}.`
        : "Diagnostic settings, their categories and provider states were read one request each (ARM's batch API was not used).";
  const alone = done.logQueries.askedAgainAlone;
  const queries =
    `Each question about the audit records was asked once of up to ${done.logQueries.workspacesPerQuery} workspaces together, and its answer split by workspace; ` +
    (alone > 0
      ? `${plural(alone, "workspace")} whose shared answer failed ${alone === 1 ? "was" : "were"} asked again alone.`
      : "no shared answer failed, so no workspace was asked again alone.");
  const pacing =
    `At most ${plural(done.concurrency, "request")} ${done.concurrency === 1 ? "was" : "were"} in flight at once; ` +
    (done.retries > 0
      ? `${plural(done.retries, "request")} ${done.retries === 1 ? "was" : "were"} sent again after a throttle, a server error, a timeout or a network failure (every attempt is listed in Appendix B).`
      : "no request had to be sent again.");
  return [listing, reads, queries, pacing, ...appliance];
}

/** What was read from the Luna appliances behind Dedicated HSMs, when any appliance evidence was given. */
function applianceCollection(result: Result): string[] {
  const records = result.evidence.filter((e) => e.transport === "file" || e.transport === "ssh");
  if (records.length === 0) return [];
  const appliances = new Set(records.map((e) => /^appliance (\S+):/.exec(e.purpose)?.[1] ?? e.url));
  const commands = [...new Set(records.map((e) => e.command ?? ""))].filter(Boolean).sort();
  const n = appliances.size;
  const ssh = records.some((e) => e.transport === "ssh");
  const how = ssh
    ? "read over SSH, the appliance's host key pinned by its SHA-256 fingerprint"
    : "an administrator saved";
  return [
    `The Luna appliances behind Dedicated HSMs (${n} appliance${n === 1 ? "" : "s"}) were judged from ${records.length} LunaSH transcript${records.length === 1 ? "" : "s"} ` +
      `${how} (${commands.join(", ")}), each run as the appliance user that may run it (the audit commands are hidden from admin). ` +
      "Each is listed in Appendix B as a LUNASH exchange with the appliance user, the time it was read and the SHA-256 of the transcript; " +
      "the snapshot keeps its text. A transcript missing, failed on the appliance (non-zero Command Result) or not readable makes the findings that need it an error. " +
      "The layouts of audit show, audit log list and audit remotehost list are inferred from Thales documentation, not from published output: an unknown layout is an error, never a pass.",
  ];
}

/** For a result of an earlier version, which records not how it gathered: what the scan of that version did. */
function assumedCollection(result: Result): string[] {
  const batched = result.evidence.some((e) => e.via);
  return [
    batched
      ? "Diagnostic settings, their categories and provider states were read up to 20 at a time through ARM's batch API; each answer is listed in Appendix B as an exchange of its own, inside the batch exchange that carried it, with the SHA-256 of that answer's content."
      : "Diagnostic settings, their categories and provider states were read one request each.",
    "Each question about the audit records was asked once of up to 100 workspaces together, and its answer split by workspace; a workspace whose shared answer failed was asked again alone.",
  ];
}

/**
 * Whether all evidence was gathered: every read succeeded (the errors the pack lists) and no finding is an error. The
 * one source of the verdict's sentence about evidence and of the errors section's.
 */
export function gatheredOf(result: Pick<Result, "errors" | "summary">): { complete: boolean; sentence: string } {
  const errors = result.summary.error;
  const failedReads = (result.errors ?? []).length;
  if (errors === 0 && failedReads === 0) {
    return {
      complete: true,
      sentence: "Every read succeeded and every finding rests on evidence gathered in this run: the pack is complete.",
    };
  }
  return {
    complete: false,
    sentence:
      `${failedReads} read(s) failed and ${errors} finding(s) are errors. An error is a finding that could not be ` +
      "proven either way: the pack is incomplete until they are resolved and the scan is run again.",
  };
}

/** `P7D` as "7 days", `PT24H` as "24 hours", `P1DT12H` as "1 day 12 hours"; anything else as it is. */
export function humanDuration(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m || iso === "P" || iso.endsWith("T")) return iso;
  const parts = [
    [m[1], "day"],
    [m[2], "hour"],
    [m[3], "minute"],
    [m[4], "second"],
  ].flatMap(([n, unit]) => (n && Number(n) > 0 ? [`${n} ${unit}${Number(n) === 1 ? "" : "s"}`] : []));
  return parts.length ? parts.join(" ") : iso;
}

export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period.replace("/", " to ");
  const month = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)).toLocaleString("en-GB", {
    month: "long",
    timeZone: "UTC",
  });
  return `${month} ${m[1]} (UTC)`;
}
