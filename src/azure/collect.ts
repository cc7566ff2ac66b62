// Collection: reads the estate from Azure through the SDK clients into a snapshot. It records what it read and what
// it could not read (as errors tied to their purpose); it never decides pass or fail.
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import type { Agent } from "node:https";
import { isRestError, RestError } from "@azure/core-rest-pipeline";
import { createRestError } from "@azure-rest/core-client";
import { createClients, loadSdk, LOGS_SERVER_WAIT_S, SharedTokenCredential, type AzureClients } from "./clients.js";
import { CLOUDS, type CloudName } from "./clouds.js";
import { EvidenceLog, DEFAULT_RETRY, type RetryOptions } from "./pipeline.js";
import {
  HSM_TYPES,
  idKey,
  isStorageAccountId,
  isWorkspaceId,
  kindOfType,
  parseResourceId,
  sameId,
  uniqueIds,
  type ParsedResourceId,
} from "./ids.js";
import {
  ACTIVITY_QUESTION_NAMES,
  ACTIVITY_QUESTIONS,
  HOURLY_SERIES_MAX_DAYS,
  hsmInventoryQuery,
  logSampleQuery,
  LOG_SAMPLE_COLUMNS,
  type ActivityQuestion,
  type CellType,
} from "./queries.js";
import { formatIsoDuration } from "../util/duration.js";
import type {
  ArchiveArrival,
  CollectionError,
  Fact,
  HsmFacts,
  HsmKind,
  ActivityRows,
  ActivitySample,
  SentinelFacts,
  LogContainer,
  LogSample,
  LogSampleRow,
  Snapshot,
  StorageAccountFacts,
  SubscriptionFacts,
  WorkspaceFacts,
  WorkspaceTable,
} from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import { measureClock } from "../model/clock.js";
import { TOOL } from "../version.js";
import { DEFAULT_AUDIT_CATEGORIES, entryCarries } from "../engine/audit-trail.js";
import { ArmBatcher, isDeclined } from "./batch.js";
import { collectionRecord, type CollectionCounts } from "./collection-record.js";
import { AZURE_LIMITS, Scheduler } from "./throttle.js";
import { ProgressTracker, type ScanProgress } from "./progress.js";
import { archivePrefix, logContainerName, newestArchivedHour, type ArchiveReader } from "./archive.js";
import { readActivityLog } from "./activity-log.js";
import { activityLogKeeps } from "../engine/audit-trail.js";
import { lifted, MalformedAnswer, sortBy } from "./derive/common.js";
import { toCategories, toProviderState, toSettings } from "./derive/monitor.js";
import { AUDIT_TABLES, toTable, toWorkspaceInfo } from "./derive/workspace.js";
import {
  hasImmutabilityPolicy,
  isLogContainer,
  toContainer,
  toContainers,
  toLifecycle,
  toStorageAccount,
} from "./derive/storage.js";
import { toSentinelRule } from "./derive/sentinel.js";

export interface CollectOptions {
  credential: TokenCredential;
  /** The cloud: every token is asked for its audiences, whatever endpoints are given. */
  cloud: CloudName;
  armEndpoint: string;
  logsEndpoint: string;
  storageAudience?: string;
  /** Subscriptions to scan; all the credential can list when empty. */
  subscriptions?: string[];
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
}

/** Where the inventory of HSMs comes from. */
export type InventorySource = "arm" | "resource-graph";

/** API versions of the routes read through the SDK's generic client (no typed client exists for them). */
export const API_VERSIONS = {
  cloudHsmClusters: "2025-03-31",
  dedicatedHSMs: "2021-11-30",
};

interface Context {
  clients: AzureClients;
  evidence: EvidenceLog;
  errors: Snapshot["errors"];
  armEndpoint: string;
  /** ARM's batch API, when the scan may use it. */
  batch?: ArmBatcher;
  progress?: ProgressTracker;
  /** What the snapshot's `collection` counts as the scan goes. */
  counts: CollectionCounts;
}

export async function collect(options: CollectOptions): Promise<Snapshot> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const evidence = new EvidenceLog(clock);
  const scheduler =
    options.scheduler ?? new Scheduler({ ...AZURE_LIMITS, sockets: options.concurrency ?? AZURE_LIMITS.sockets });
  // The packages of the first requests load first; the others once the subscription list is asked for, so that
  // loading them overlaps its round trip and the inventory's. Each read waits only for its own package.
  const first = loadSdk(["subscriptions", "resourceGraph"]).catch(() => undefined);
  const counts: CollectionCounts = { readAlone: 0, askedAgainAlone: 0, retries: 0 };
  const credential = new SharedTokenCredential(options.credential);
  const cloud = CLOUDS[options.cloud];
  credential.warm([cloud.armAudience, cloud.logsAudience]);
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
  const ctx: Context = {
    clients,
    evidence,
    errors: [],
    counts,
    armEndpoint: options.armEndpoint.replace(/\/+$/, ""),
    ...(options.armBatch === false ? {} : { batch: new ArmBatcher(() => clients.arm(), evidence, scheduler) }),
  };
  const tracker = new ProgressTracker(options.onProgress);
  ctx.progress = tracker;
  const windowEnd = options.period && options.period.end < startedAt ? options.period.end : startedAt;
  const windowStart = options.period?.start ?? new Date(startedAt.getTime() - options.logWindowMs);

  tracker.stage("listing subscriptions");
  await first;
  const listing = readSubscriptions(ctx, options.subscriptions ?? []);
  setImmediate(() => void loadSdk().catch(() => undefined));
  const { subscriptionList, subscriptions, readable } = await listing;
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
      ...monitoredHere.map((hsm) => readDiagnostics(ctx, hsm).then(() => tracker.hsmDone(subscription.subscriptionId))),
    ]);
  };

  tracker.stage("listing HSMs and reading their diagnostic settings");
  let inventory: Snapshot["scope"]["inventory"] = { source: "arm" };
  if (options.inventory === "resource-graph" && subscriptions.length > 0) {
    const graph = await readInventoryGraph(ctx, subscriptions, readable);
    if ("hsms" in graph) {
      inventory = { source: "resource-graph" };
      const bySubscription = new Map<string, HsmFacts[]>();
      for (const h of graph.hsms) {
        const key = h.subscriptionId.toLowerCase();
        const list = bySubscription.get(key) ?? [];
        if (list.length === 0) bySubscription.set(key, list);
        list.push(h);
      }
      await Promise.all(
        subscriptions.map((subscription) =>
          readListed(subscription, bySubscription.get(subscription.subscriptionId.toLowerCase()) ?? []),
        ),
      );
    } else {
      inventory = { source: "arm", fallbackFrom: "resource-graph", reason: graph.reason };
    }
  }
  if (inventory.source === "arm") {
    await Promise.all(
      subscriptions.map(async (subscription) => readListed(subscription, await readInventory(ctx, subscription))),
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
            async () => {
              await loadSdk(["monitor"]);
              return ctx.clients.monitor(subscriptionId);
            },
            (purpose, resourceId, fn) => read(ctx, purpose, resourceId, fn),
            subscriptionId,
            resourceGroup,
            windowStart,
            windowEnd,
          ),
        ),
      )
    : Promise.resolve(undefined);

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
  const [, asked] = await Promise.all([
    Promise.all(
      storageAccounts.map(async (account) => {
        account.arrivals = await Promise.all(
          archivedTrails(monitored, account.id).map((trail) =>
            readArrival(ctx, account, trail.hsm, trail.category, windowStart, windowEnd),
          ),
        );
      }),
    ),
    askWorkspaces(ctx, groups, windowStart, windowEnd, bin),
    Promise.all(
      targets.map(async ({ workspace }) => {
        workspace.sentinel = await readSentinel(ctx, workspace.id);
      }),
    ),
  ]);
  const logSamples = workspaces.map(
    (workspace) => asked.samples.get(idKey(workspace.id)) ?? notQueried(workspace, sendersTo(workspace)),
  );
  const activity = workspaces.map((workspace) => asked.activity.get(idKey(workspace.id)));
  const activitySamples = activity.filter((a): a is ActivitySample => a !== undefined);

  const activityLogs = await activityLogReads;

  const finishedAt = clock();
  const records = sortById(evidence.all());
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
    errors: sortBy(ctx.errors, (e) => `${e.resourceId ?? ""} ${e.for}`),
    evidence: records,
  };
}

// ---- one step of collection ----------------------------------------------------------------------------------

/** Runs one read, attributed to `purpose`; a failure becomes an error of the snapshot, tied to `purpose`. */
async function read<T>(
  ctx: Context,
  purpose: string,
  resourceId: string | undefined,
  fn: () => Promise<T>,
): Promise<Fact<T>> {
  const outcome = await ctx.evidence.attribute(purpose, fn);
  if (outcome.ok) return { value: outcome.value, evidence: outcome.evidence };
  const error = toCollectionError(outcome.error, purpose);
  ctx.errors.push({ for: purpose, ...(resourceId ? { resourceId } : {}), ...error });
  return { error, evidence: outcome.evidence };
}

export function toCollectionError(error: unknown, purpose: string): CollectionError {
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code ?? undefined;
    const first = (error.message || "").split("\n")[0]!.slice(0, 500);
    const what = status ? `HTTP ${status}${code ? ` ${code}` : ""}` : (code ?? "network error");
    return {
      message: `could not read ${purpose}: ${what}${first && first !== code ? `: ${first}` : ""}`,
      ...(status ? { status } : {}),
      ...(code ? { code } : {}),
    };
  }
  if (error instanceof MalformedAnswer)
    return { message: `could not read ${purpose}: ${error.message}`, code: "Malformed" };
  const message = (error as Error)?.message ?? String(error);
  const code = (error as { code?: unknown })?.code;
  return {
    message: `could not read ${purpose}: ${message.split("\n")[0]}`,
    ...(typeof code === "string" ? { code } : {}),
  };
}

/**
 * Reads a paged list to its end, stopping at the first item listed twice: a `nextLink` that leads back to pages
 * already read would otherwise go on for ever (the paging guard also caps the number of pages).
 */
async function listAll<T>(items: AsyncIterable<T>, keyOf: (item: T) => string | undefined, what: string): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  for await (const item of items) {
    const id = keyOf(item);
    const key = id === undefined ? undefined : idKey(id);
    if (key === undefined) throw new MalformedAnswer(`${what} holds an item without an id or name`);
    if (seen.has(key))
      throw new MalformedAnswer(`${what}: '${keyOf(item)}' listed twice, so its nextLink does not end`);
    seen.add(key);
    all.push(item);
  }
  return all;
}

// ---- subscriptions -----------------------------------------------------------------------------------------

/**
 * What proves that the credential can read a subscription, by lower-cased id: the subscription list that named it, or
 * the GET of it that succeeded; or the error of that GET. Resource Graph's silence about a subscription counts as "no
 * HSM there" only when this proves it readable, because Resource Graph leaves out, without a word, what it cannot read.
 */
type Readable = Map<string, Fact<{ via: "list" | "get" }>>;

async function readSubscriptions(
  ctx: Context,
  named: string[],
): Promise<{ subscriptionList?: Fact<{ count: number }>; subscriptions: SubscriptionFacts[]; readable: Readable }> {
  const readable: Readable = new Map();
  const blank = (subscriptionId: string, displayName?: string, tenantId?: string): SubscriptionFacts => ({
    subscriptionId,
    ...(displayName ? { displayName } : {}),
    ...(tenantId ? { tenantId } : {}),
    inventory: {} as SubscriptionFacts["inventory"],
  });
  if (named.length > 0) {
    const subscriptions = await Promise.all(
      distinct(named).map(async (id) => {
        const fact = await read(ctx, `subscription ${id}`, `/subscriptions/${id}`, async () => {
          await loadSdk(["subscriptions"]);
          return ctx.clients.subscriptions().subscriptions.get(id);
        });
        readable.set(
          id.toLowerCase(),
          isKnown(fact)
            ? { value: { via: "get" }, evidence: fact.evidence }
            : { error: fact.error, evidence: fact.evidence },
        );
        return isKnown(fact) ? blank(id, fact.value.displayName, fact.value.tenantId) : blank(id);
      }),
    );
    return { subscriptions, readable };
  }
  const listed = await read(ctx, "the subscriptions the credential can see", undefined, async () => {
    await loadSdk(["subscriptions"]);
    const all = await listAll(
      ctx.clients.subscriptions().subscriptions.list(),
      (s) => s.subscriptionId,
      "the subscription list",
    );
    return all.map((s) => ({
      subscriptionId: s.subscriptionId!,
      ...(s.displayName ? { displayName: s.displayName } : {}),
      ...(s.tenantId ? { tenantId: s.tenantId } : {}),
    }));
  });
  if (!isKnown(listed)) return { subscriptionList: listed, subscriptions: [], readable };
  for (const s of listed.value)
    readable.set(s.subscriptionId.toLowerCase(), { value: { via: "list" }, evidence: listed.evidence });
  return {
    readable,
    subscriptionList: { value: { count: listed.value.length }, evidence: listed.evidence },
    subscriptions: sortBy(
      listed.value.map((s) => blank(s.subscriptionId, s.displayName, s.tenantId)),
      (s) => s.subscriptionId,
    ),
  };
}

/** API versions of the reads sent through ARM's batch: those the typed clients use for the same routes. */
const BATCH_API_VERSIONS = { providers: "2025-04-01", diagnosticSettings: "2021-05-01-preview" };

async function readProvider(ctx: Context, subscriptionId: string): Promise<Fact<{ registrationState: string }>> {
  return read(
    ctx,
    `Microsoft.Insights registration in subscription ${subscriptionId}`,
    `/subscriptions/${subscriptionId}`,
    async () => {
      const provider = await batchedGet(
        ctx,
        `/subscriptions/${subscriptionId}/providers/Microsoft.Insights?api-version=${BATCH_API_VERSIONS.providers}`,
        (content) => content as { registrationState?: unknown },
        async () => {
          await loadSdk(["resources"]);
          return ctx.clients.resources(subscriptionId).providers.get("Microsoft.Insights");
        },
      );
      return toProviderState(provider);
    },
  );
}

/**
 * One GET through ARM's batch when the scan uses it and the batch answers it; otherwise (or when the batch declines
 * it: throttled, failed on the server's side, paged, or no batch API) the same read as a single call. An inner answer
 * is recorded as evidence of its own, tied to the batch exchange that carried it; an inner error is the same error
 * the single call would have thrown.
 */
async function batchedGet<T>(
  ctx: Context,
  url: string,
  fromContent: (content: unknown) => T,
  alone: () => Promise<T>,
): Promise<T> {
  if (!ctx.batch) return alone();
  const answer = await ctx.batch.get(url);
  if (isDeclined(answer)) {
    ctx.counts.readAlone++;
    ctx.evidence.cite(answer.carriedBy);
    return alone();
  }
  ctx.evidence.derive({
    method: "GET",
    url: `${ctx.armEndpoint}${url}`,
    status: answer.status,
    content: answer.content,
    via: answer.carriedBy,
  });
  if (answer.status >= 200 && answer.status < 300) {
    if (!answer.content || typeof answer.content !== "object")
      throw new MalformedAnswer(`the batch's answer to GET ${url.split("?")[0]} has no body`);
    return fromContent(answer.content);
  }
  const error = (answer.content as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  throw new RestError(typeof error?.message === "string" ? error.message : `the service answered ${answer.status}`, {
    statusCode: answer.status,
    ...(typeof error?.code === "string" ? { code: error.code } : {}),
  });
}

/** The items of a list answer carried by the batch (one page), with `properties` lifted as the SDK does. */
function batchedList(content: unknown, keyOf: (item: Record<string, unknown>) => unknown): Record<string, unknown>[] {
  const value = (content as { value?: unknown }).value;
  if (!Array.isArray(value)) throw new MalformedAnswer("the list answer has no value list");
  const seen = new Set<string>();
  return value.map((raw) => {
    if (!raw || typeof raw !== "object") throw new MalformedAnswer("the list holds an item that is not an object");
    const flat = lifted(raw);
    const key = keyOf(flat);
    if (typeof key !== "string") throw new MalformedAnswer("the list holds an item without an id or name");
    if (seen.has(key.toLowerCase())) throw new MalformedAnswer(`the list: '${key}' listed twice`);
    seen.add(key.toLowerCase());
    return flat;
  });
}

// ---- inventory -------------------------------------------------------------------------------------------------

interface RawResource {
  id?: unknown;
  name?: unknown;
  type?: unknown;
  location?: unknown;
  sku?: { name?: unknown };
  properties?: { provisioningState?: unknown };
}

async function readInventory(ctx: Context, subscription: SubscriptionFacts): Promise<HsmFacts[]> {
  const sub = subscription.subscriptionId;
  const hsms: HsmFacts[] = [];
  const lists: Record<HsmKind, () => Promise<RawResource[]>> = {
    cloudHsm: () =>
      listGeneric(ctx, `/subscriptions/${sub}/providers/${HSM_TYPES.cloudHsm.type}`, API_VERSIONS.cloudHsmClusters),
    managedHsm: async () =>
      (await loadSdk(["keyVault"]),
      await listAll(
        ctx.clients.keyVault(sub).managedHsms.listBySubscription(),
        (h) => h.id,
        "the list",
      )) as RawResource[],
    dedicatedHsm: () =>
      listGeneric(ctx, `/subscriptions/${sub}/providers/${HSM_TYPES.dedicatedHsm.type}`, API_VERSIONS.dedicatedHSMs),
  };
  await Promise.all(
    (Object.keys(lists) as HsmKind[]).map(async (kind) => {
      const fact = await read(
        ctx,
        `the ${HSM_TYPES[kind].label} list of subscription ${sub}`,
        `/subscriptions/${sub}`,
        async () => {
          try {
            return { hsms: (await lists[kind]()).map((raw) => toHsm(raw, kind, sub)) };
          } catch (error) {
            // A subscription not registered for the provider cannot hold its resources: the list is empty.
            if (isRestError(error) && error.code === "MissingSubscriptionRegistration") {
              return { hsms: [], unregistered: HSM_TYPES[kind].type.split("/")[0]! };
            }
            throw error;
          }
        },
      );
      if (isKnown(fact)) {
        hsms.push(...fact.value.hsms);
        const { unregistered } = fact.value;
        subscription.inventory[kind] = {
          value: { count: fact.value.hsms.length, ...(unregistered ? { unregistered } : {}) },
          evidence: fact.evidence,
        };
      } else {
        subscription.inventory[kind] = fact;
      }
    }),
  );
  return hsms;
}

/** Resource Graph answers at most this many rows a page, and takes at most this many subscriptions a query. */
const GRAPH_PAGE_ROWS = 1000;
const GRAPH_SUBSCRIPTIONS_PER_QUERY = 1000;
const GRAPH_MAX_PAGES = 1000;

/**
 * Every HSM of the scanned subscriptions in one paged Resource Graph query per 1,000 subscriptions (the most one
 * query may name). Any failure, a truncated answer or pages that do not add up leave the inventory to the
 * per-subscription lists, which read ARM itself: the reason is kept in the snapshot, and nothing is inferred from a
 * partial answer. Resource Graph answers only for what the credential can read and says nothing of the rest, so a
 * subscription it lists nothing for holds no HSM only when `readable` proves that the credential can read it; the
 * inventory of any other subscription is an error.
 */
async function readInventoryGraph(
  ctx: Context,
  subscriptions: SubscriptionFacts[],
  readable: Readable,
): Promise<{ hsms: HsmFacts[] } | { reason: string }> {
  const query = hsmInventoryQuery(Object.values(HSM_TYPES).map((t) => t.type));
  const hsms: HsmFacts[] = [];
  /** The exchanges of the query that covered each subscription, by lower-cased id. */
  const evidenceOf = new Map<string, string[]>();
  for (let i = 0; i < subscriptions.length; i += GRAPH_SUBSCRIPTIONS_PER_QUERY) {
    const chunk = subscriptions.slice(i, i + GRAPH_SUBSCRIPTIONS_PER_QUERY).map((s) => s.subscriptionId);
    const outcome = await ctx.evidence.attribute("the HSMs of the scanned subscriptions, in Azure Resource Graph", () =>
      graphPages(ctx, query, chunk),
    );
    for (const id of chunk) evidenceOf.set(id.toLowerCase(), outcome.evidence);
    if (!outcome.ok) return { reason: toCollectionError(outcome.error, "the Resource Graph inventory").message };
    for (const raw of outcome.value) {
      const kind = typeof raw.type === "string" ? kindOfType(raw.type) : undefined;
      const subscriptionId = typeof raw.subscriptionId === "string" ? raw.subscriptionId : "";
      if (!kind) return { reason: `Resource Graph listed '${String(raw.id)}' of type '${String(raw.type)}'` };
      try {
        hsms.push(
          toHsm(
            {
              id: raw.id,
              name: raw.name,
              // ARG lower-cases types: the HSM keeps ARM's spelling of its type, as the ARM lists give it.
              type: HSM_TYPES[kind].type,
              location: raw.location,
              ...(typeof raw.skuName === "string" && raw.skuName ? { sku: { name: raw.skuName } } : {}),
              ...(typeof raw.provisioningState === "string" && raw.provisioningState
                ? { properties: { provisioningState: raw.provisioningState } }
                : {}),
            },
            kind,
            subscriptionId,
          ),
        );
      } catch (error) {
        return { reason: (error as Error).message };
      }
    }
  }
  const scanned = new Map(subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s]));
  if (hsms.some((h) => !scanned.has(h.subscriptionId.toLowerCase())))
    return { reason: "Resource Graph listed an HSM of a subscription that was not asked for" };
  const counts = new Map<string, number>();
  for (const h of hsms) {
    const key = `${h.subscriptionId.toLowerCase()} ${h.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const subscription of subscriptions) {
    const id = subscription.subscriptionId.toLowerCase();
    const evidence = evidenceOf.get(id) ?? [];
    const proof = readable.get(id);
    for (const kind of Object.keys(HSM_TYPES) as HsmKind[]) {
      const count = counts.get(`${id} ${kind}`) ?? 0;
      if (isKnown(proof)) {
        subscription.inventory[kind] = { value: { count }, evidence: [...evidence, ...proof.evidence] };
        continue;
      }
      const why = proof ? proof.error.message : `subscription ${subscription.subscriptionId} was not read`;
      subscription.inventory[kind] = {
        error: {
          message:
            `Resource Graph listed ${count} ${HSM_TYPES[kind].label}(s) of subscription ${subscription.subscriptionId}, ` +
            `but it leaves out without a word what the credential cannot read, and the subscription itself could not ` +
            `be read (${why})`,
          ...(proof?.error.status ? { status: proof.error.status } : {}),
          ...(proof?.error.code ? { code: proof.error.code } : {}),
        },
        evidence: [...(proof?.evidence ?? []), ...evidence],
      };
    }
  }
  return { hsms };
}

async function graphPages(ctx: Context, query: string, subscriptions: string[]): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const tokens = new Set<string>();
  const ids = new Set<string>();
  let skipToken: string | undefined;
  let total: number | undefined;
  for (let page = 0; ; page++) {
    if (page >= GRAPH_MAX_PAGES) throw new MalformedAnswer(`Resource Graph did not stop after ${page} pages`);
    await loadSdk(["resourceGraph"]);
    const answer = await ctx.clients.resourceGraph().resources({
      subscriptions,
      query,
      options: { top: GRAPH_PAGE_ROWS, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
    });
    if (answer.resultTruncated !== "false") throw new MalformedAnswer("Resource Graph truncated its answer");
    if (!Array.isArray(answer.data)) throw new MalformedAnswer("the Resource Graph answer has no rows");
    total ??= answer.totalRecords;
    for (const raw of answer.data as unknown[]) {
      if (!raw || typeof raw !== "object") throw new MalformedAnswer("a Resource Graph row is not an object");
      const row = raw as Record<string, unknown>;
      const id = typeof row.id === "string" ? idKey(row.id) : undefined;
      if (!id) throw new MalformedAnswer("a Resource Graph row has no id");
      if (ids.has(id)) throw new MalformedAnswer(`Resource Graph listed '${String(row.id)}' twice`);
      ids.add(id);
      rows.push(row);
    }
    if (!answer.skipToken) break;
    if (tokens.has(answer.skipToken)) throw new MalformedAnswer("Resource Graph's skipToken went round in a circle");
    tokens.add(answer.skipToken);
    skipToken = answer.skipToken;
  }
  if (typeof total === "number" && total !== rows.length)
    throw new MalformedAnswer(`Resource Graph counted ${total} rows but its pages held ${rows.length}`);
  return rows;
}

function toHsm(raw: RawResource, kind: HsmKind, subscriptionId: string): HsmFacts {
  if (typeof raw.id !== "string" || typeof raw.name !== "string")
    throw new MalformedAnswer("an HSM without id or name in the list");
  const parsed = parseResourceId(raw.id);
  if (!parsed) throw new MalformedAnswer(`'${raw.id}' is not an ARM resource id`);
  const type = typeof raw.type === "string" ? raw.type : HSM_TYPES[kind].type;
  if (kindOfType(type) !== kind) throw new MalformedAnswer(`${raw.id} has type '${type}' in the ${kind} list`);
  return {
    id: raw.id,
    type,
    kind,
    name: raw.name,
    subscriptionId: parsed.subscriptionId || subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: typeof raw.location === "string" ? raw.location : "",
    ...(typeof raw.sku?.name === "string" ? { sku: raw.sku.name } : {}),
    ...(typeof raw.properties?.provisioningState === "string"
      ? { provisioningState: raw.properties.provisioningState }
      : {}),
  };
}

/** A list read with the SDK's generic ARM client, following every `nextLink`. */
function listGeneric(ctx: Context, path: string, apiVersion: string): Promise<RawResource[]> {
  const client = ctx.clients.arm();
  async function* pages(): AsyncGenerator<RawResource> {
    let response = await client.pathUnchecked(path).get({ queryParameters: { "api-version": apiVersion } });
    for (;;) {
      if (response.status !== "200") throw createRestError(response);
      const body = response.body as { value?: unknown; nextLink?: unknown } | undefined;
      if (!body || !Array.isArray(body.value)) throw new MalformedAnswer(`the answer to GET ${path} has no value list`);
      yield* body.value as RawResource[];
      if (typeof body.nextLink !== "string" || body.nextLink === "") return;
      response = await client.pathUnchecked(body.nextLink).get();
    }
  }
  return listAll(pages(), (r) => (typeof r.id === "string" ? r.id : undefined), "the list");
}

// ---- diagnostic settings ---------------------------------------------------------------------------------------

async function readDiagnostics(ctx: Context, hsm: HsmFacts): Promise<void> {
  const uri = hsm.id.replace(/^\/+/, "");
  const monitor = async () => {
    await loadSdk(["monitor"]);
    return ctx.clients.monitor(hsm.subscriptionId);
  };
  const version = BATCH_API_VERSIONS.diagnosticSettings;
  const [settings, categories] = await Promise.all([
    read(ctx, `the diagnostic settings of ${hsm.id}`, hsm.id, async () => {
      const all = await batchedGet(
        ctx,
        `/${uri}/providers/Microsoft.Insights/diagnosticSettings?api-version=${version}`,
        (content) => batchedList(content, (s) => s.name),
        async () =>
          (await listAll(
            (await monitor()).diagnosticSettings.list(uri),
            (s) => s.name,
            "the list",
          )) as unknown as Record<string, unknown>[],
      );
      return toSettings(all);
    }),
    read(ctx, `the diagnostic setting categories of ${hsm.id}`, hsm.id, async () => {
      const all = await batchedGet(
        ctx,
        `/${uri}/providers/Microsoft.Insights/diagnosticSettingsCategories?api-version=${version}`,
        (content) =>
          batchedList(content, (c) => c.name) as { name?: string; categoryType?: unknown; categoryGroups?: unknown }[],
        async () => listAll((await monitor()).diagnosticSettingsCategory.list(uri), (c) => c.name, "the list"),
      );
      return toCategories(all);
    }),
  ]);
  hsm.diagnosticSettings = settings;
  hsm.categories = categories;
}

// ---- destinations ---------------------------------------------------------------------------------------------

/**
 * ARM's answers that a resource is gone, as opposed to an error reading it. `SubscriptionNotFound` is not one of
 * them: a subscription the credential cannot see (another tenant, no role) answers it too.
 */
const NOT_FOUND_CODES = new Set(["ResourceNotFound", "ResourceGroupNotFound"]);

function notFound(error: unknown): string | undefined {
  if (!isRestError(error) || error.statusCode !== 404 || !error.code) return undefined;
  return NOT_FOUND_CODES.has(error.code) ? error.code : undefined;
}

/**
 * Whether a 404 says that the thing asked for does not exist, by its error code. A 404 with another code (a gateway
 * or proxy that could not route the request, say) says nothing about it: it is an error of the read.
 */
function answersAbsent(error: unknown, codes: readonly string[]): boolean {
  return isRestError(error) && error.statusCode === 404 && error.code !== undefined && codes.includes(error.code);
}

/**
 * Reads one destination by its ARM id: what `get` returns when it exists, `exists: false` with ARM's reason when ARM
 * answers 404, or the error. An id that is not of the expected kind is an error without a request.
 */
async function readDestination<T extends object>(
  ctx: Context,
  id: string,
  kind: { label: string; matches: (id: string) => boolean },
  get: (parsed: ParsedResourceId) => Promise<T>,
): Promise<{ id: string; info: Fact<{ exists: false; reason: string } | ({ exists: true } & T)> }> {
  const parsed = parseResourceId(id);
  const purpose = `${kind.label} ${id}`;
  if (!parsed || !kind.matches(id)) {
    const error = { message: `could not read ${purpose}: it is not a ${kind.label} id`, code: "InvalidId" };
    ctx.errors.push({ for: purpose, resourceId: id, ...error });
    return { id, info: { error, evidence: [] } };
  }
  const info = await read(ctx, purpose, id, async () => {
    try {
      return { exists: true as const, ...(await get(parsed)) };
    } catch (error) {
      const reason = notFound(error);
      if (reason) return { exists: false as const, reason };
      throw error;
    }
  });
  return { id, info };
}

export { AUDIT_TABLES };

async function readWorkspace(ctx: Context, id: string): Promise<WorkspaceFacts> {
  const workspace = await readWorkspaceProperties(ctx, id);
  if (!isKnown(workspace.info) || !workspace.info.value.exists) return workspace;
  const parsed = parseResourceId(id)!;
  const tables = await read(ctx, `the audit tables' retention in workspace ${id}`, id, () =>
    Promise.all(
      AUDIT_TABLES.map(async (name): Promise<WorkspaceTable> => {
        try {
          await loadSdk(["operationalInsights"]);
          const table = await ctx.clients
            .operationalInsights(parsed.subscriptionId)
            .tables.get(parsed.resourceGroup, parsed.name, name);
          return toTable(name, table);
        } catch (error) {
          // A table the workspace has never received is no error: records that arrive take the workspace default.
          if (answersAbsent(error, ["ResourceNotFound", "NotFound"])) return { name, exists: false };
          throw error;
        }
      }),
    ),
  );
  return { ...workspace, tables };
}

function readWorkspaceProperties(ctx: Context, id: string): Promise<WorkspaceFacts> {
  return readDestination(ctx, id, { label: "Log Analytics workspace", matches: isWorkspaceId }, async (parsed) => {
    await loadSdk(["operationalInsights"]);
    const workspace = await ctx.clients
      .operationalInsights(parsed.subscriptionId)
      .workspaces.get(parsed.resourceGroup, parsed.name);
    return toWorkspaceInfo(workspace);
  });
}

async function readStorageAccount(ctx: Context, id: string): Promise<StorageAccountFacts> {
  const account: StorageAccountFacts = await readDestination(
    ctx,
    id,
    { label: "storage account", matches: isStorageAccountId },
    async (parsed) => {
      await loadSdk(["storage"]);
      const raw = await ctx.clients
        .storage(parsed.subscriptionId)
        .storageAccounts.getProperties(parsed.resourceGroup, parsed.name);
      return toStorageAccount(raw as unknown as Record<string, unknown>);
    },
  );
  if (!isKnown(account.info) || !account.info.value.exists) return account;
  const parsed = parseResourceId(id)!;
  await loadSdk(["storage"]);
  const storage = ctx.clients.storage(parsed.subscriptionId);
  const [containers, lifecycle] = await Promise.all([
    read(ctx, `the audit log containers of storage account ${id}`, id, async () => {
      const all = await listAll(
        storage.blobContainers.list(parsed.resourceGroup, parsed.name),
        (c) => c.name,
        "the list",
      );
      const logs = (all as unknown as Record<string, unknown>[]).filter(isLogContainer);
      return toContainers(
        await Promise.all(
          logs.map(async (c): Promise<LogContainer> => {
            if (!hasImmutabilityPolicy(c)) return toContainer(c);
            const policy = await storage.blobContainers.getImmutabilityPolicy(
              parsed.resourceGroup,
              parsed.name,
              c.name as string,
            );
            return toContainer(c, policy as unknown as Record<string, unknown>);
          }),
        ),
      );
    }),
    read(ctx, `the lifecycle management policy of storage account ${id}`, id, async () => {
      try {
        const policy = await storage.managementPolicies.get(parsed.resourceGroup, parsed.name, "default");
        return toLifecycle(policy as unknown as Record<string, unknown>);
      } catch (error) {
        // ARM answers 404 for an account without a lifecycle policy: nothing deletes its blobs by age.
        if (answersAbsent(error, ["ManagementPolicyNotFound", "ResourceNotFound"])) return { policy: false, rules: [] };
        throw error;
      }
    }),
  ]);
  return { ...account, containers, lifecycle };
}

// ---- archived audit logs (blob data plane) ------------------------------------------------------------------------

/** The HSMs and log categories whose settings send to this storage account. */
function archivedTrails(hsms: HsmFacts[], accountId: string): { hsm: HsmFacts; category: string }[] {
  const trails: { hsm: HsmFacts; category: string }[] = [];
  for (const hsm of hsms) {
    if (!isKnown(hsm.diagnosticSettings)) continue;
    const known = isKnown(hsm.categories) ? hsm.categories.value : undefined;
    // When the categories API could not be read, the default audit category stands for what a group may carry.
    const candidates = known
      ? known.filter((c) => c.categoryType.toLowerCase() !== "metrics").map((c) => c.name)
      : (DEFAULT_AUDIT_CATEGORIES[hsm.kind as keyof typeof DEFAULT_AUDIT_CATEGORIES] ?? []);
    const categories = new Map<string, string>();
    for (const setting of hsm.diagnosticSettings.value) {
      if (!setting.storageAccountId || !sameId(setting.storageAccountId, accountId)) continue;
      for (const log of setting.logs) {
        if (!log.enabled) continue;
        if (log.category) categories.set(log.category.toLowerCase(), log.category);
        for (const c of candidates) {
          const carries = entryCarries(log, c, known);
          if (carries === true || carries === "group" || carries === "unknown") categories.set(c.toLowerCase(), c);
        }
      }
    }
    for (const category of [...categories.values()].sort()) trails.push({ hsm, category });
  }
  return trails;
}

async function readArrival(
  ctx: Context,
  account: StorageAccountFacts,
  hsm: HsmFacts,
  category: string,
  start: Date,
  end: Date,
): Promise<ArchiveArrival> {
  const container = logContainerName(category);
  const prefix = archivePrefix(hsm.id);
  const base = { hsmId: hsm.id, category, container, prefix };
  const info = account.info;
  const endpoint = isKnown(info) && info.value.exists ? info.value.blobEndpoint : undefined;
  if (!endpoint) {
    const why = !isKnown(info)
      ? "the storage account could not be read"
      : !info.value.exists
        ? "the storage account does not exist"
        : "ARM gave no blob endpoint for the account";
    return { ...base, result: { error: { message: `no blob was read: ${why}`, code: "NotRead" }, evidence: [] } };
  }
  const result = await read(
    ctx,
    `the archived ${category} logs of ${hsm.id} in storage account ${account.id}`,
    hsm.id,
    () => newestArchivedHour(blobReader(ctx, endpoint, container), { container, prefix, start, end }),
  );
  return { ...base, result };
}

/** Lists and reads blobs of one container through the SDK's blob client (recorded, retried like every client). */
function blobReader(ctx: Context, endpoint: string, container: string): ArchiveReader {
  const client = () => ctx.clients.blob(endpoint).getContainerClient(container);
  return {
    async list(prefix) {
      const names: { name: string; lastModified?: string }[] = [];
      try {
        await loadSdk(["blob"]);
        for await (const page of client().listBlobsFlat({ prefix }).byPage({ maxPageSize: 1000 })) {
          for (const item of page.segment.blobItems) {
            const modified = item.properties.lastModified;
            names.push({ name: item.name, ...(modified ? { lastModified: modified.toISOString() } : {}) });
          }
          // A day holds at most 24 hourly blobs: thousands mean the prefix is not what it should be.
          if (names.length > 5000) throw new MalformedAnswer(`more than 5000 blobs under ${prefix}`);
        }
      } catch (error) {
        if (isRestError(error) && error.statusCode === 404 && error.code === "ContainerNotFound") return undefined;
        throw error;
      }
      return names;
    },
    async head(name, bytes) {
      let response;
      try {
        await loadSdk(["blob"]);
        response = await client().getBlobClient(name).download(0, bytes);
      } catch (error) {
        // A range request on an empty blob is answered 416: there is nothing to read.
        if (isRestError(error) && error.statusCode === 416) return Buffer.alloc(0);
        throw error;
      }
      const body = response.readableStreamBody;
      if (!body) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      return Buffer.concat(chunks);
    },
  };
}

// ---- log sample --------------------------------------------------------------------------------------------------

/** The sample of a workspace that was not asked: why not. */
function notQueried(workspace: WorkspaceFacts, hsms: HsmFacts[]): LogSample {
  const info = workspace.info;
  const why = !isKnown(info)
    ? "the workspace could not be read"
    : !info.value.exists
      ? "the workspace does not exist"
      : "no HSM sends to it";
  return {
    workspaceId: workspace.id,
    hsmIds: hsms.map((h) => h.id).sort(),
    result: { error: { message: `no query was run: ${why}`, code: "NotQueried" }, evidence: [] },
  };
}

// ---- audit records and activity: the questions asked of the workspaces ------------------------------------------

/** A workspace to ask, with the id queries address it by and the HSMs that send their audit logs to it. */
export interface QueryTarget {
  workspace: WorkspaceFacts;
  customerId: string;
  hsmIds: string[];
}

/** Log Analytics: one query may span at most 100 workspaces and answer at most 500,000 rows (DOMAIN.md §4). */
const MAX_WORKSPACES_PER_QUERY = 100;
/** The rows a query is planned for, half the service's limit: the estimate counts HSMs by bins, not records. */
const ROW_BUDGET = 250_000;

/**
 * Workspaces asked together: one query spans a group, so the number of queries does not grow with the workspaces
 * (Log Analytics runs five at a time and 200 in 30 s). A group holds at most 100 workspaces, and at most as many HSMs
 * as keep the largest answer (one row per HSM and hour, or day) within the row budget.
 */
export function queryGroups(targets: QueryTarget[], start: Date, end: Date, bin: "1h" | "1d"): QueryTarget[][] {
  const span = end.getTime() - start.getTime();
  const days = Math.ceil(span / 86_400_000) + 1;
  const rowsPerHsm = Math.max(days, bin === "1h" ? Math.ceil(span / 3_600_000) + 1 : days);
  const groups: QueryTarget[][] = [];
  let current: QueryTarget[] = [];
  let rows = 0;
  for (const target of targets) {
    const cost = target.hsmIds.length * rowsPerHsm;
    if (current.length > 0 && (current.length >= MAX_WORKSPACES_PER_QUERY || rows + cost > ROW_BUDGET)) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(target);
    rows += cost;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

type Tables = { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined;
type Asked<T> = { query: string; result: Fact<{ rows: T; partial?: { message: string; code?: string } }> };

/** Asks every group the audit-record query and the activity questions; per workspace (by `idKey`), the answers. */
async function askWorkspaces(
  ctx: Context,
  groups: QueryTarget[][],
  start: Date,
  end: Date,
  bin: "1h" | "1d",
): Promise<{ samples: Map<string, LogSample>; activity: Map<string, ActivitySample> }> {
  const samples = new Map<string, LogSample>();
  const activity = new Map<string, ActivitySample>();
  await Promise.all(
    groups.map(async (group) => {
      const [sample, ...answers] = await Promise.all([
        askGroup(ctx, group, "the audit records", (ids?: string[]) => logSampleQuery(ids), toRows, start, end),
        ...ACTIVITY_QUESTION_NAMES.map((name) =>
          askGroup(
            ctx,
            group,
            `the ${name} of the HSMs`,
            (ids?: string[]) => ACTIVITY_QUESTIONS[name].build(ids, bin),
            (tables) => activityRows(name, tables),
            start,
            end,
          ),
        ),
      ]);
      for (const target of group) {
        const key = idKey(target.workspace.id);
        const base = { workspaceId: target.workspace.id, hsmIds: [...target.hsmIds] };
        samples.set(key, { ...base, customerId: target.customerId, ...sample.get(key)! });
        activity.set(key, {
          ...base,
          bin,
          questions: Object.fromEntries(
            ACTIVITY_QUESTION_NAMES.map((name, i) => [name, answers[i]!.get(key)!]),
          ) as ActivitySample["questions"],
        });
      }
    }),
  );
  return { samples, activity };
}

/**
 * One question, asked of a group of workspaces in one query (the first workspace addressed, the others as
 * `additionalWorkspaces`) about every HSM's records, its rows split by `TenantId` (the workspace's customer id) and
 * kept only for the HSMs that send to that workspace. When the shared query fails, answers only in part or answers rows it should not, each
 * workspace is asked alone, so that one workspace's trouble is not every workspace's. A group of one is asked alone.
 */
async function askGroup<T>(
  ctx: Context,
  group: QueryTarget[],
  what: string,
  build: (ids?: string[]) => string,
  parse: (tables: Tables) => T,
  start: Date,
  end: Date,
): Promise<Map<string, Asked<T>>> {
  const alone = async (target: QueryTarget): Promise<Asked<T>> => {
    const query = build(target.hsmIds);
    const purpose = `${what} in workspace ${target.workspace.id}`;
    const result = await answered(
      ctx,
      read(ctx, purpose, target.workspace.id, async () => {
        const answer = await logsQuery(ctx, [target.customerId], query, start, end);
        const tables = answer.status === "Success" ? answer.tables : answer.partialTables;
        const rows = parse(splitByWorkspace(tables, [target]).get(idKey(target.workspace.id)));
        if (answer.status === "Success") return { rows };
        const partial = answer.partialError as { message?: string; code?: string };
        return {
          rows,
          partial: {
            message: `the query failed in part: ${partial.code ?? "PartialError"}: ${partial.message ?? ""}`.trim(),
            ...(partial.code ? { code: partial.code } : {}),
          },
        };
      }),
    );
    return { query, result };
  };
  if (group.length === 1) return new Map([[idKey(group[0]!.workspace.id), await alone(group[0]!)]]);

  // The shared query names no HSM: it reads every HSM's records in these workspaces, and the split keeps each
  // workspace's own senders. Its text stays small however many HSMs it covers.
  const query = build();
  const shared = await answered(
    ctx,
    ctx.evidence.attribute(`${what} in ${group.length} workspaces`, async () => {
      const answer = await logsQuery(ctx, distinctCustomerIds(group), query, start, end);
      if (answer.status !== "Success") throw new MalformedAnswer("the query answered only in part");
      const split = splitByWorkspace(answer.tables, group);
      return new Map(group.map((t) => [idKey(t.workspace.id), parse(split.get(idKey(t.workspace.id)))] as const));
    }),
  );
  if (shared.ok) {
    return new Map(
      group.map((t) => [
        idKey(t.workspace.id),
        { query, result: { value: { rows: shared.value.get(idKey(t.workspace.id))! }, evidence: shared.evidence } },
      ]),
    );
  }
  ctx.progress?.queriesToAsk(group.length);
  ctx.counts.askedAgainAlone += group.length;
  const each = await Promise.all(group.map(alone));
  return new Map(
    group.map((t, i) => {
      const asked = each[i]!;
      // The failed shared attempt is part of the record of how the answer was reached.
      return [
        idKey(t.workspace.id),
        { ...asked, result: { ...asked.result, evidence: [...shared.evidence, ...asked.result.evidence] } },
      ];
    }),
  );
}

/** One query to one workspace, or to several (the first addressed, the others as additional workspaces). */
async function logsQuery(ctx: Context, customerIds: string[], query: string, start: Date, end: Date) {
  await loadSdk(["logs"]);
  return ctx.clients.logs().queryWorkspace(
    customerIds[0]!,
    query,
    { startTime: start, endTime: end },
    {
      serverTimeoutInSeconds: LOGS_SERVER_WAIT_S,
      ...(customerIds.length > 1 ? { additionalWorkspaces: customerIds.slice(1) } : {}),
    },
  );
}

/** The customer ids of a group, each once (two entries of one workspace share one). */
function distinctCustomerIds(group: QueryTarget[]): string[] {
  return [...new Map(group.map((t) => [t.customerId.toLowerCase(), t.customerId])).values()];
}

/**
 * The rows of an answer per workspace entry, keyed by the workspace's resource id (`idKey`), never by its customer id:
 * two entries may share one (two spellings of one workspace, or a customer id an adversary repeats). A row's
 * `TenantId` (the customer id of the workspace the record is in) names the entries it may belong to, and it is kept
 * for each of them whose senders include its `_ResourceId`. A row of a workspace that was not asked makes the answer
 * malformed.
 */
function splitByWorkspace(tables: Tables, targets: QueryTarget[]): Map<string, Tables> {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const tenantAt = table.columnDescriptors.findIndex((d) => d.name === "TenantId");
  const resourceAt = table.columnDescriptors.findIndex((d) => d.name === "_ResourceId");
  if (tenantAt < 0) throw new MalformedAnswer("the query answer has no column TenantId");
  if (resourceAt < 0) throw new MalformedAnswer("the query answer has no column _ResourceId");
  const byTenant = new Map<string, QueryTarget[]>();
  for (const t of targets) {
    const list = byTenant.get(t.customerId.toLowerCase()) ?? [];
    if (list.length === 0) byTenant.set(t.customerId.toLowerCase(), list);
    list.push(t);
  }
  const senders = new Map(targets.map((t) => [idKey(t.workspace.id), new Set(t.hsmIds.map(idKey))]));
  const rows = new Map<string, unknown[][]>(targets.map((t) => [idKey(t.workspace.id), []]));
  for (const row of table.rows) {
    const candidates = byTenant.get(String(row[tenantAt]).toLowerCase());
    if (!candidates)
      throw new MalformedAnswer(`the answer holds rows of workspace '${String(row[tenantAt])}', which was not asked`);
    const hsm = typeof row[resourceAt] === "string" ? idKey(row[resourceAt]) : undefined;
    for (const target of candidates) {
      const key = idKey(target.workspace.id);
      if (hsm !== undefined && senders.get(key)!.has(hsm)) rows.get(key)!.push(row);
    }
  }
  return new Map(
    targets.map((t) => [idKey(t.workspace.id), [{ ...table, rows: rows.get(idKey(t.workspace.id))! }]] as const),
  );
}

function toRows(tables: { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined): LogSampleRow[] {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const index = Object.fromEntries(
    LOG_SAMPLE_COLUMNS.map((c) => [c, table.columnDescriptors.findIndex((d) => d.name === c)]),
  );
  for (const [column, i] of Object.entries(index)) {
    if (i < 0) throw new MalformedAnswer(`the query answer has no column ${column}`);
  }
  // One row per HSM and UTC day; folded here into one row per HSM with its series.
  const byHsm = new Map<string, LogSampleRow & { perDay: { day: string; records: number }[] }>();
  for (const row of table.rows) {
    const hsmId = row[index._ResourceId!];
    const count = row[index.Records!];
    const records =
      typeof count === "number" ? count : typeof count === "string" && /^\d+$/.test(count) ? Number(count) : NaN;
    const day = instant(row[index.Day!]);
    const lastRecord = instant(row[index.LastRecord!]);
    if (typeof hsmId !== "string" || !Number.isFinite(records) || records < 0 || !day)
      throw new MalformedAnswer("a row of the query answer has the wrong types");
    const entry = byHsm.get(hsmId) ?? { hsmId, records: 0, perDay: [] };
    entry.records += records;
    entry.perDay.push({ day: day.toISOString().slice(0, 10), records });
    if (lastRecord && (!entry.lastRecord || lastRecord.toISOString() > entry.lastRecord))
      entry.lastRecord = lastRecord.toISOString();
    byHsm.set(hsmId, entry);
  }
  return [...byHsm.values()].map((entry) => ({
    ...entry,
    perDay: entry.perDay.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
  }));
}

/** A datetime cell as the SDK hands it over (a Date, or a string when the column type was not declared). */
function instant(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

// ---- Microsoft Sentinel ----------------------------------------------------------------------------------------

/** Sentinel on a workspace: not onboarded when ARM has no onboarding state for it; otherwise its analytic rules. */
async function readSentinel(ctx: Context, workspaceId: string): Promise<Fact<SentinelFacts>> {
  const parsed = parseResourceId(workspaceId);
  return read(ctx, `Microsoft Sentinel on workspace ${workspaceId}`, workspaceId, async () => {
    if (!parsed?.subscriptionId || !parsed.resourceGroup || !parsed.name)
      throw new MalformedAnswer(`'${workspaceId}' is not a workspace id`);
    await loadSdk(["sentinel"]);
    const client = ctx.clients.sentinel(parsed.subscriptionId);
    try {
      await client.sentinelOnboardingStates.get(parsed.resourceGroup, parsed.name, "default");
    } catch (error) {
      // No onboarding state: Sentinel is not on this workspace. Any other failure is an error of the read.
      if (answersAbsent(error, ["NotFound", "ResourceNotFound"])) return { onboarded: false, rules: [] };
      throw error;
    }
    const rules = await listAll(
      client.alertRules.list(parsed.resourceGroup, parsed.name),
      (rule) => rule.name,
      "the analytic rules",
    );
    return {
      onboarded: true,
      rules: rules.map((rule) => toSentinelRule(rule as unknown as Record<string, unknown>)),
    };
  });
}

// ---- activity -------------------------------------------------------------------------------------------------

/** How each column of each question's answer is read into the snapshot: the key it becomes, and its type. */

/** Optional cells: a null there is an absence (no sign-in), not a malformed answer. */
const OPTIONAL_CELLS = new Set(["firstLogin"]);

function activityRows<Q extends ActivityQuestion>(
  name: Q,
  tables: { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined,
): ActivityRows[Q] {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const cells: Record<string, readonly [string, CellType]> = ACTIVITY_QUESTIONS[name].cells;
  const index = Object.keys(cells).map((column) => {
    const i = table.columnDescriptors.findIndex((d) => d.name === column);
    if (i < 0) throw new MalformedAnswer(`the query answer has no column ${column}`);
    return [column, i] as const;
  });
  return table.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [column, i] of index) {
      const [key, type] = cells[column]!;
      const value = cell(row[i], type);
      if (value === undefined) {
        if (OPTIONAL_CELLS.has(key)) continue;
        throw new MalformedAnswer(`a row of the query answer has no valid ${column}`);
      }
      out[key] = value;
    }
    return out;
  }) as ActivityRows[Q];
}

function cell(value: unknown, type: CellType): unknown {
  switch (type) {
    case "string":
      return value === null || value === undefined ? "" : String(value);
    case "number": {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    }
    case "instant":
      return instant(value)?.toISOString();
    case "json": {
      let parsed = value;
      if (typeof value === "string") {
        try {
          parsed = JSON.parse(value) as unknown;
        } catch {
          return undefined;
        }
      }
      if (!Array.isArray(parsed)) return undefined;
      // Times inside the evidence rows come back as text: keep them as ISO instants.
      return parsed.map((item: unknown) =>
        item && typeof item === "object" && !Array.isArray(item)
          ? Object.fromEntries(
              Object.entries(item as Record<string, unknown>).map(([k, v]) => [
                k,
                k === "time" ? (instant(v)?.toISOString() ?? String(v)) : v === null ? "" : String(v),
              ]),
            )
          : String(item),
      );
    }
  }
}

// ---- helpers --------------------------------------------------------------------------------------------------

/** Each resource once (ids compared by `idKey`), sorted. */
function distinct(ids: string[]): string[] {
  return sortBy(uniqueIds(ids), (id) => id);
}

/** The resource groups that hold the HSMs, each once (ARM names are case-insensitive: the first spelling is kept). */
function groupsOf(hsms: HsmFacts[]): { subscriptionId: string; resourceGroup: string }[] {
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
  for (const h of hsms) {
    const key = `${h.subscriptionId}/${h.resourceGroup}`.toLowerCase();
    if (!groups.has(key)) groups.set(key, { subscriptionId: h.subscriptionId, resourceGroup: h.resourceGroup });
  }
  return [...groups.values()];
}

const sortById = <T extends { id: string }>(items: T[]) => sortBy(items, (i) => i.id);

/** A log query's read, counted as answered (or failed) for the progress shown. */
async function answered<T>(ctx: Context, reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } finally {
    ctx.progress?.queryAnswered();
  }
}
