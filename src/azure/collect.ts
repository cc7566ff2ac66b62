// Collection: reads the estate from Azure into a snapshot. This module only sequences the collectors of
// ./collectors/ (one per API family, each returning the facts it read) and assembles their answers; it records what
// was read and what could not be (as errors tied to their purpose) and never decides pass or fail.
import { readApplianceTranscripts, type ApplianceIndex } from "./luna/evidence-dir.js";
import type { SshAppliance } from "./luna/ssh.js";
import { matchAppliances } from "../domain/appliance-match.js";
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import type { Agent } from "node:https";
import { createClients, SharedTokenCredential } from "./clients.js";
import { CLOUDS, type CloudName } from "./clouds.js";
import { EvidenceLog, DEFAULT_RETRY, type RetryOptions } from "./pipeline.js";
import { HOURLY_SERIES_MAX_DAYS, ACTIVITY_QUESTION_NAMES } from "./queries.js";
import { formatIsoDuration } from "../util/duration.js";
import type {
  ActivitySample,
  ApplianceFacts,
  CollectionError,
  HsmFacts,
  Snapshot,
  SubscriptionFacts,
  WorkspaceFacts,
} from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import { measureClock } from "../model/clock.js";
import { TOOL } from "../version.js";
import { idKey } from "../domain/ids.js";
import { activityLogKeeps } from "../domain/audit-trail.js";
import { ArmBatcher } from "./batch.js";
import { collectionRecord, type CollectionCounts } from "./collection-record.js";
import { AZURE_LIMITS, Scheduler } from "./throttle.js";
import { ProgressTracker, type ScanProgress } from "./progress.js";
import { sortBy } from "./derive/common.js";
import { distinct, read, sortById, type CollectorContext } from "./collectors/context.js";
import { readSubscriptions } from "./collectors/subscriptions.js";
import { readManagementGroups } from "./collectors/management-groups.js";
import { readInventory } from "./collectors/inventory-arm.js";
import { readInventoryGraph } from "./collectors/inventory-graph.js";
import { readDiagnostics, readProvider } from "./collectors/monitor.js";
import { readWorkspace } from "./collectors/workspaces.js";
import { readStorageAccount } from "./collectors/storage.js";
import { readArrivals } from "./collectors/archive.js";
import {
  askWorkspaces,
  MAX_WORKSPACES_PER_QUERY,
  notQueried,
  queryGroups,
  type QueryTarget,
} from "./collectors/log-queries.js";
import { readSentinel } from "./collectors/sentinel.js";
import { groupsOf, readActivityLog } from "./collectors/activity-log.js";
import { readPermissions, resourceGroupsOf } from "./collectors/permissions.js";
import { principalOf } from "./derive/principal.js";

export interface CollectOptions {
  credential: TokenCredential;
  /** The cloud: every token is asked for its audiences, whatever endpoints are given. */
  cloud: CloudName;
  armEndpoint: string;
  logsEndpoint: string;
  storageAudience?: string;
  /** Subscriptions to scan; all the credential can list when empty (and no management group is given). */
  subscriptions?: string[];
  /** A management group to scan: the subscriptions its descendants list names, at every depth (not with `subscriptions`). */
  /** Management groups to scan: the union of their subscriptions, each once (not with `subscriptions`). */
  managementGroups?: string[];
  /** How far back to look for audit records, in milliseconds. */
  logWindowMs: number;
  /** A named period to search instead of the last `logWindowMs`; its end is cut at the scan's start. */
  period?: { start: Date; end: Date; label: string };
  agent?: Agent;
  /** Requests in flight at once (the scheduler's socket cap). */
  concurrency?: number;
  /** The scan's pacing; one shaped by Azure's published limits unless given. */
  scheduler?: Scheduler;
  /** Read diagnostic settings, categories and provider states through ARM's batch API (default true). */
  armBatch?: boolean;
  /** How HSMs are listed: per subscription through ARM (default), or tenant-wide through Azure Resource Graph. */
  inventory?: InventorySource;
  retry?: Partial<RetryOptions>;
  clock?: () => Date;
  /** The run's id (random unless given, as tests do). */
  runId?: string;
  /** Called whenever the scan gets further (the CLI draws it on a terminal). */
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Called with the queries of a workspace's Sentinel rules as soon as they are read, while other answers are still
   * awaited (the CLI reads their syntax then, instead of after the collection).
   */
  onSentinelQueries?: (queries: string[]) => void;
  /** Saved LunaSH transcripts of the Dedicated HSMs' appliances (`--appliance-evidence`), its index already checked. */
  applianceEvidence?: ApplianceIndex;
  /** Luna appliances to read over SSH, each behind a Dedicated HSM. */
  applianceSsh?: SshAppliance[];
}

/** Where the inventory of HSMs comes from. */
export type InventorySource = "arm" | "resource-graph";

export async function collect(options: CollectOptions): Promise<Snapshot> {
  // One source of appliance evidence: with both, the appliances read over SSH would be read and then never used.
  if (options.applianceEvidence && options.applianceSsh) {
    throw new Error("collect: applianceEvidence (saved transcripts) and applianceSsh cannot both be given");
  }
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const evidence = new EvidenceLog(clock);
  const scheduler =
    options.scheduler ?? new Scheduler({ ...AZURE_LIMITS, sockets: options.concurrency ?? AZURE_LIMITS.sockets });
  // The packages of the first requests load first; the others once the subscription list is asked for, so that
  // loading them overlaps its round trip and the inventory's. Each read waits only for its own package.
  const counts: CollectionCounts = { readAlone: 0, askedAgainAlone: 0, retries: 0 };
  const credential = new SharedTokenCredential(options.credential);
  const cloud = CLOUDS[options.cloud];
  credential.warm([cloud.armAudience, cloud.logsAudience]);
  // Who the scan runs as, from the ARM token the scan asks for anyway (the shared credential hands out the same one):
  // only the claims that name the principal are kept, never the token.
  const principalRead = credential.getToken(`${cloud.armAudience.replace(/\/+$/, "")}/.default`).then(
    (token) => principalOf(token?.token),
    (error: unknown) => ({
      known: false as const,
      reason: `the credential gave no ARM token: ${String((error as Error)?.message ?? error)
        .split("\n")[0]!
        .slice(0, 300)}`,
    }),
  );
  const clients = createClients({
    credential,
    cloud: cloud.name,
    armEndpoint: options.armEndpoint,
    logsEndpoint: options.logsEndpoint,
    ...(options.storageAudience ? { storageAudience: options.storageAudience } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    scanPipeline: {
      evidence,
      retry: { ...DEFAULT_RETRY, ...options.retry, onRetry: () => counts.retries++ },
      scheduler,
    },
  });
  const scopeGroups = options.managementGroups ?? [];
  if (scopeGroups.length > 0 && options.subscriptions?.length) {
    throw new Error("a scan takes subscriptions or management groups, not both");
  }
  const first = clients.preload([
    ...(scopeGroups.length > 0 ? (["managementGroups"] as const) : []),
    "subscriptions",
    "resourceGraph",
  ]);
  const ctx: CollectorContext = {
    clients,
    evidence,
    errors: [],
    counts,
    armEndpoint: options.armEndpoint.replace(/\/+$/, ""),
    ...(options.armBatch === false ? {} : { batch: new ArmBatcher(() => clients.arm(), evidence, scheduler) }),
  };
  const tracker = new ProgressTracker(options.onProgress);
  ctx.progress = tracker;
  // The appliances are read over SSH while Azure is read: the two share nothing.
  const applianceSshReads = options.applianceSsh ? readAppliancesOverSsh(options.applianceSsh, clock) : undefined;
  // Awaited after Azure is read: a failure (the SSH client not loading, say) is thrown there, not reported unhandled
  // while the collection is still running.
  applianceSshReads?.catch(() => undefined);
  const windowEnd = options.period && options.period.end < startedAt ? options.period.end : startedAt;
  const windowStart = options.period?.start ?? new Date(startedAt.getTime() - options.logWindowMs);

  tracker.stage(
    scopeGroups.length > 0
      ? `listing the subscriptions of management group${scopeGroups.length === 1 ? "" : "s"} ${scopeGroups.join(", ")}`
      : "listing subscriptions",
  );
  await first;
  const listing =
    scopeGroups.length > 0
      ? readManagementGroups(ctx, scopeGroups)
      : readSubscriptions(ctx, options.subscriptions ?? []);
  // The packages every scan of HSMs reads with, loaded while the subscriptions are listed; the others when first used
  // (the ARM inventory's, the storage archive's): a package loaded for nothing costs the same CPU as one used.
  setImmediate(
    () =>
      void clients.preload([
        "monitor",
        "operationalInsights",
        "sentinel",
        "logs",
        "authorization",
        ...(options.inventory === "resource-graph" ? [] : (["keyVault"] as const)),
        ...(options.armBatch === false ? (["resources"] as const) : []),
      ]),
  );
  const { subscriptions, readable, ...listed } = await listing;
  const subscriptionList = "subscriptionList" in listed ? listed.subscriptionList : undefined;
  const managementGroups = "managementGroups" in listed ? listed.managementGroups : undefined;
  tracker.subscriptionsKnown(subscriptions.map((s) => s.subscriptionId));

  // As soon as a subscription's HSMs are listed, its provider state and its HSMs' diagnostic settings are read:
  // no subscription waits for the others' lists.
  const hsms: HsmFacts[] = [];
  const readListed = async (subscription: SubscriptionFacts, listed: HsmFacts[]) => {
    hsms.push(...listed);
    const monitoredHere = listed.filter((h) => h.kind !== "dedicatedHsm");
    tracker.listed(subscription.subscriptionId, listed.length, monitoredHere.length);
    await Promise.all([
      // Only a subscription known to hold an HSM is judged on its provider (evaluate.ts).
      listed.length > 0
        ? readProvider(ctx, subscription.subscriptionId).then((fact) => {
            subscription.insightsProvider = fact;
            tracker.providerRead(subscription.subscriptionId);
          })
        : undefined,
      ...monitoredHere.map(async (hsm) => {
        Object.assign(hsm, await readDiagnostics(ctx, hsm));
        tracker.hsmDone(subscription.subscriptionId);
      }),
    ]);
  };

  tracker.stage("listing HSMs and reading their diagnostic settings");
  let inventory: Snapshot["scope"]["inventory"] = { source: "arm" };
  if (options.inventory === "resource-graph" && subscriptions.length > 0) {
    // Scoped to management groups, Resource Graph is asked once for the groups whose descendants were read.
    const graphGroups = (managementGroups ?? [])
      .filter((g) => isKnown(g.descendants) && g.descendants.value.subscriptions.length > 0)
      .map((g) => g.id);
    const graph = await readInventoryGraph(ctx, subscriptions, readable, graphGroups);
    if ("hsms" in graph) {
      inventory = {
        source: "resource-graph",
        ...(graphGroups.length > 0 ? { managementGroups: graphGroups } : {}),
        ...(graph.added.length > 0 ? { beyondDescendants: graph.added.map((s) => s.subscriptionId) } : {}),
      };
      if (graph.added.length > 0) {
        subscriptions.push(...graph.added);
        sortBy(subscriptions, (s) => s.subscriptionId);
        tracker.subscriptionsKnown(graph.added.map((s) => s.subscriptionId));
      }
      const bySubscription = new Map<string, HsmFacts[]>();
      for (const h of graph.hsms) {
        const key = h.subscriptionId.toLowerCase();
        const list = bySubscription.get(key) ?? [];
        if (list.length === 0) bySubscription.set(key, list);
        list.push(h);
      }
      await Promise.all(
        subscriptions.map((subscription) => {
          const key = subscription.subscriptionId.toLowerCase();
          subscription.inventory = graph.inventories.get(key)!;
          return readListed(subscription, bySubscription.get(key) ?? []);
        }),
      );
    } else {
      inventory = { source: "arm", fallbackFrom: "resource-graph", reason: graph.reason };
    }
  }
  if (inventory.source === "arm") {
    await Promise.all(
      subscriptions.map(async (subscription) => {
        const listed = await readInventory(ctx, subscription.subscriptionId);
        subscription.inventory = listed.inventory;
        await readListed(subscription, listed.hsms);
      }),
    );
  }
  sortById(hsms);
  const monitored = hsms.filter((h) => h.kind !== "dedicatedHsm");

  // The Activity Log of each resource group that holds a Cloud or Managed HSM: did its settings change in the window?
  // Asked alongside the destinations; a window the Activity Log no longer keeps is not asked (the engine says why).
  const activityLogReads = activityLogKeeps(windowStart, startedAt)
    ? Promise.all(
        groupsOf(monitored).map(({ subscriptionId, resourceGroup }) =>
          readActivityLog(
            async () => await ctx.clients.monitor(subscriptionId),
            (purpose, resourceId, fn) => read(ctx, purpose, resourceId, fn),
            subscriptionId,
            resourceGroup,
            windowStart,
            windowEnd,
          ),
        ),
      )
    : Promise.resolve(undefined);

  // The scan's own permissions in each resource group holding an HSM, asked alongside the destinations: what it could
  // read there, for the auditor (no finding depends on it).
  const permissionReads = Promise.all(resourceGroupsOf(hsms).map((group) => readPermissions(ctx, group)));

  const settings = monitored.flatMap((h) => (isKnown(h.diagnosticSettings) ? h.diagnosticSettings.value : []));
  const workspaceIds = distinct(settings.flatMap((s) => (s.workspaceId ? [s.workspaceId] : [])));
  const storageIds = distinct(settings.flatMap((s) => (s.storageAccountId ? [s.storageAccountId] : [])));
  tracker.stage(`reading ${workspaceIds.length} workspace(s) and ${storageIds.length} storage account(s)`);
  const [workspaces, storageAccounts] = await Promise.all([
    Promise.all(workspaceIds.map((id) => readWorkspace(ctx, id))),
    Promise.all(storageIds.map((id) => readStorageAccount(ctx, id))),
  ]);

  // The archive, the audit records, Sentinel and the activity questions do not depend on each other: they are all
  // asked at once, and the scheduler paces each service (Log Analytics runs five queries at a time).
  // Keyed as ids are compared: a setting that names its workspace in another case or with a trailing slash sends to
  // the same workspace, and its HSM is one of that workspace's senders.
  const senders = new Map<string, HsmFacts[]>();
  for (const h of monitored) {
    if (!isKnown(h.diagnosticSettings)) continue;
    const named = new Set(h.diagnosticSettings.value.flatMap((s) => (s.workspaceId ? [idKey(s.workspaceId)] : [])));
    for (const id of named) {
      const list = senders.get(id) ?? [];
      if (list.length === 0) senders.set(id, list);
      list.push(h);
    }
  }
  const sendersTo = (workspace: WorkspaceFacts) => senders.get(idKey(workspace.id)) ?? [];
  const targets: QueryTarget[] = workspaces.flatMap((workspace) => {
    const info = workspace.info;
    const hsmIds = sendersTo(workspace)
      .map((h) => h.id)
      .sort();
    return isKnown(info) && info.value.exists && hsmIds.length > 0
      ? [{ workspace, customerId: info.value.customerId, hsmIds }]
      : [];
  });
  const bin = windowEnd.getTime() - windowStart.getTime() > HOURLY_SERIES_MAX_DAYS * 86_400_000 ? "1d" : "1h";
  const groups = queryGroups(targets, windowStart, windowEnd, bin);
  tracker.queriesToAsk(groups.length * (1 + ACTIVITY_QUESTION_NAMES.length));
  tracker.stage(`asking ${targets.length} workspace(s) about the audit records`);
  // Sentinel's rules first: ARM answers them quickly, and the CLI reads their queries' syntax while the log questions,
  // slower to answer, are still out.
  const sentinelReads = Promise.all(
    targets.map(async ({ workspace }) => {
      const sentinel = await readSentinel(ctx, workspace.id);
      workspace.sentinel = sentinel;
      if (options.onSentinelQueries && isKnown(sentinel)) {
        const queries = sentinel.value.rules.flatMap((rule) => (rule.query ? [rule.query] : []));
        if (queries.length > 0) options.onSentinelQueries(queries);
      }
    }),
  );
  const [, asked] = await Promise.all([
    Promise.all(
      storageAccounts.map(async (account) => {
        account.arrivals = await readArrivals(ctx, account, monitored, windowStart, windowEnd);
      }),
    ),
    askWorkspaces(ctx, groups, windowStart, windowEnd, bin),
    sentinelReads,
  ]);
  const logSamples = workspaces.map(
    (workspace) => asked.samples.get(idKey(workspace.id)) ?? notQueried(workspace, sendersTo(workspace)),
  );
  const activity = workspaces.map((workspace) => asked.activity.get(idKey(workspace.id)));
  const activitySamples = activity.filter((a): a is ActivitySample => a !== undefined);

  const activityLogs = await activityLogReads;
  const [permissions, principal] = await Promise.all([permissionReads, principalRead]);

  // Appliance transcripts are read from disk, not from Azure: their records join the evidence (ids `lx-...`), and a
  // transcript missing or unreadable is an error of the snapshot tied to its Dedicated HSM.
  const appliance = options.applianceEvidence
    ? readApplianceTranscripts(options.applianceEvidence)
    : options.applianceSsh
      ? await applianceSshReads
      : undefined;
  const entries = options.applianceEvidence?.appliances ?? options.applianceSsh ?? [];
  const placed = appliance ? placeAppliances(hsms, entries, appliance) : undefined;
  if (placed) ctx.errors.push(...placed.errors);

  const finishedAt = clock();
  const records = sortById([...evidence.all(), ...(appliance?.evidence ?? [])]);
  const clockReading = measureClock(records);
  return {
    schemaVersion: 1,
    kind: "hsm-audit-snapshot",
    tool: TOOL,
    runId: options.runId ?? randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    scope: {
      cloud: options.cloud,
      subscriptions: subscriptions.map((s) => s.subscriptionId),
      armEndpoint: options.armEndpoint,
      logsEndpoint: options.logsEndpoint,
      inventory,
      ...(managementGroups ? { managementGroups } : {}),
    },
    collection: collectionRecord(scheduler, ctx.batch, counts, MAX_WORKSPACES_PER_QUERY),
    logWindow: {
      duration: formatIsoDuration(windowEnd.getTime() - windowStart.getTime()),
      start: windowStart.toISOString(),
      end: windowEnd.toISOString(),
      ...(options.period ? { period: options.period.label } : {}),
    },
    ...(clockReading ? { clock: clockReading } : {}),
    ...(subscriptionList ? { subscriptionList } : {}),
    subscriptions,
    hsms,
    workspaces: sortById(workspaces),
    storageAccounts: sortById(storageAccounts),
    logSamples: sortBy(logSamples, (s) => s.workspaceId),
    activitySamples: sortBy(activitySamples, (s) => s.workspaceId),
    ...(activityLogs ? { activityLogs: sortBy(activityLogs, (r) => `${r.subscriptionId}/${r.resourceGroup}`) } : {}),
    ...(appliance
      ? {
          applianceEvidence: options.applianceEvidence
            ? { transport: "file" as const, directory: options.applianceEvidence.directory }
            : { transport: "ssh" as const },
          appliances: sortBy(placed!.appliances, (a) => a.name),
        }
      : {}),
    principal,
    permissions,
    errors: sortBy(ctx.errors, (e) => `${e.resourceId ?? ""} ${e.for}`),
    evidence: records,
  };
}

/**
 * Each appliance given the Dedicated HSM it is (the one its entry names, or the one whose private IP is its host) and
 * how it was matched; the errors of its readings are tied to that HSM. `read` lists the appliances in `entries`' order.
 */
function placeAppliances(
  hsms: HsmFacts[],
  entries: ReadonlyArray<{ name: string; resourceId?: string; host?: string }>,
  read: { appliances: ApplianceFacts[]; errors: Array<CollectionError & { for: string; resourceId?: string }> },
) {
  const matches = matchAppliances(hsms, entries);
  const hsmOf = new Map<string, string>();
  const appliances = read.appliances.map((facts, i): ApplianceFacts => {
    const { hsmId: _named, ...rest } = facts;
    const { hsmId, match } = matches[i]!;
    if (hsmId) hsmOf.set(facts.name, hsmId);
    return { ...rest, ...(hsmId ? { hsmId } : {}), match };
  });
  const errors = read.errors.map((error) => {
    const name = /^appliance (\S+): /.exec(error.for)?.[1];
    const hsmId = name !== undefined ? hsmOf.get(name) : undefined;
    return error.resourceId || !hsmId ? error : { ...error, resourceId: hsmId };
  });
  return { appliances, errors };
}

/**
 * Every appliance over SSH at once; each appliance's evidence ids in a block of its own (`lx-00001`, `lx-00101`, ...).
 * The SSH client is loaded only for a scan that reads appliances (ssh2 is a tenth of a second of start-up).
 */
async function readAppliancesOverSsh(appliances: SshAppliance[], clock: () => Date) {
  const { readApplianceOverSsh } = await import("./luna/ssh.js");
  const reads = await Promise.all(
    appliances.map((appliance, i) => readApplianceOverSsh(appliance, { clock, firstId: i * 100 + 1 })),
  );
  return {
    appliances: reads.map((r) => r.appliance),
    evidence: reads.flatMap((r) => r.evidence),
    errors: reads.flatMap((r) => r.errors),
  };
}
