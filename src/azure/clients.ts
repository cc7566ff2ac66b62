// One place that builds the Azure SDK clients for an endpoint pair, so every caller shares the same pipeline options.
import type { Agent } from "node:https";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import type { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { ResourceManagementClient } from "@azure/arm-resources";
import type { MonitorClient } from "@azure/arm-monitor";
import type { OperationalInsightsManagementClient } from "@azure/arm-operationalinsights";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { LogsQueryClient } from "@azure/monitor-query-logs";
import type { StorageManagementClient } from "@azure/arm-storage";
import type { SecurityInsights } from "@azure/arm-securityinsight";
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { ManagementGroupsAPI } from "@azure/arm-managementgroups";
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { BlobServiceClient, StoragePipelineOptions } from "@azure/storage-blob";
import { getClient } from "@azure-rest/core-client";
import type { Pipeline } from "@azure/core-rest-pipeline";
import { retryPolicy, type EvidenceLog, type RetryOptions } from "./pipeline.js";
import type { Scheduler, ServiceFamily } from "./throttle.js";
import { CLOUDS, type CloudName } from "./clouds.js";

/**
 * The SDK packages, each loaded when first needed: the one place that loads them. `createClients` hands out each client
 * asynchronously, once its package is loaded; a scan also asks early (`preload`) for those every scan reads with, so
 * that loading them overlaps the first requests' round trips instead of delaying them (collect.ts).
 */
const SDK_LOADERS = {
  subscriptions: async () => (await import("@azure/arm-resources-subscriptions")).SubscriptionClient,
  resources: async () => (await import("@azure/arm-resources")).ResourceManagementClient,
  monitor: async () => (await import("@azure/arm-monitor")).MonitorClient,
  operationalInsights: async () => (await import("@azure/arm-operationalinsights")).OperationalInsightsManagementClient,
  keyVault: async () => (await import("@azure/arm-keyvault")).KeyVaultManagementClient,
  storage: async () => (await import("@azure/arm-storage")).StorageManagementClient,
  sentinel: async () => (await import("@azure/arm-securityinsight")).SecurityInsights,
  resourceGraph: async () => (await import("@azure/arm-resourcegraph")).ResourceGraphClient,
  managementGroups: async () => (await import("@azure/arm-managementgroups")).ManagementGroupsAPI,
  authorization: async () => (await import("@azure/arm-authorization")).AuthorizationManagementClient,
  logs: async () => (await import("@azure/monitor-query-logs")).LogsQueryClient,
  blob: async () => (await import("@azure/storage-blob")).BlobServiceClient,
};
export type SdkPart = keyof typeof SDK_LOADERS;
type Loaded = { [P in SdkPart]?: Awaited<ReturnType<(typeof SDK_LOADERS)[P]>> };
const loaded: Loaded = {};
const loading = new Map<SdkPart, Promise<void>>();

/** Loads the named SDK packages (all when none are named); resolves when they are ready. */
function loadSdk(parts: readonly SdkPart[] = Object.keys(SDK_LOADERS) as SdkPart[]): Promise<void> {
  return Promise.all(
    parts.map((part) => {
      let pending = loading.get(part);
      if (!pending) {
        pending = SDK_LOADERS[part]().then((value) => {
          (loaded as Record<SdkPart, unknown>)[part] = value;
        });
        loading.set(part, pending);
      }
      return pending;
    }),
  ).then(() => undefined);
}

function sdk<P extends SdkPart>(part: P): NonNullable<Loaded[P]> {
  const value = loaded[part];
  if (!value) throw new Error(`the SDK package for '${part}' is used before loadSdk() loaded it`);
  return value as NonNullable<Loaded[P]>;
}

/** The token audience of the blob data plane, in every cloud (tokens for it are asked of the same credential). */
export const STORAGE_AUDIENCE = "https://storage.azure.com";

export interface AzureConnection {
  credential: TokenCredential;
  /** ARM endpoint, e.g. `https://management.azure.com`. */
  armEndpoint: string;
  /** Log Analytics endpoint without `/v1`, e.g. `https://api.loganalytics.io`. */
  logsEndpoint: string;
  /**
   * The cloud whose token audiences every client asks for (`<audience>/.default`), AzureCloud unless given. Never the
   * endpoints': they may be overridden (a proxy, a private link, the simulator), and Entra ID refuses an audience it
   * does not know (AADSTS500011).
   */
  cloud?: CloudName;
  /** Token audience of the blob data plane (`https://storage.azure.com` unless a sovereign cloud says otherwise). */
  storageAudience?: string;
  /** An HTTPS agent, e.g. one that trusts a private CA; the default agent otherwise. */
  agent?: Agent;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /**
   * The scan's pipeline: every exchange recorded as evidence, lists guarded against endless paging, and the tool's
   * retry policy in place of the SDK's (which does not retry a 429 without `Retry-After`).
   */
  scanPipeline?: { evidence: EvidenceLog; retry: RetryOptions; scheduler?: Scheduler };
}

/** How long Log Analytics may run a query (`Prefer: wait`, asked by collect.ts). */
export const LOGS_SERVER_WAIT_S = 180;
/** The client waits for a query's answer a little longer than the service may run it. */
const LOGS_MIN_TIMEOUT_MS = (LOGS_SERVER_WAIT_S + 10) * 1000;

function common(connection: AzureConnection, audience: string, family: ServiceFamily, minTimeoutMs = 0) {
  const scan = connection.scanPipeline;
  const scheduler = scan?.scheduler;
  const scopes = [`${audience.replace(/\/+$/, "")}/.default`];
  return {
    // Clients generated by older code generators (Microsoft Sentinel's) read `credentialScopes` and, without it, ask
    // for a token of their endpoint; the newer ones read `credentials.scopes`. Both are given.
    credentials: { scopes },
    credentialScopes: scopes,
    ...(connection.agent ? { agent: connection.agent } : {}),
    ...(scan
      ? {
          retryOptions: { maxRetries: 0 },
          additionalPolicies: [
            { policy: scan.evidence.pagingGuard(), position: "perCall" as const },
            {
              policy: retryPolicy(
                { ...scan.retry, timeoutMs: Math.max(scan.retry.timeoutMs, minTimeoutMs) },
                undefined,
                scheduler ? (request) => scheduler.admit(family, request) : undefined,
              ),
              position: "perCall" as const,
            },
            { policy: scan.evidence.recorder(), position: "perRetry" as const },
          ],
        }
      : connection.retryOptions
        ? { retryOptions: connection.retryOptions }
        : {}),
    userAgentOptions: { userAgentPrefix: "hsm-audit" },
  };
}

/** The clients, handed out synchronously: every package they are made from must have been loaded. */
function loadedClients(connection: AzureConnection) {
  const cloud = CLOUDS[connection.cloud ?? "AzureCloud"];
  const arm = { endpoint: connection.armEndpoint, ...common(connection, cloud.armAudience, "arm") };
  const graph = { endpoint: connection.armEndpoint, ...common(connection, cloud.armAudience, "graph") };
  const logsAudience = cloud.logsAudience;
  // One client per kind and subscription, made on first use: a scan asks for them once per HSM or destination.
  const perSubscription = <T>(make: (subscriptionId: string) => T) => {
    const made = new Map<string, T>();
    return (subscriptionId: string): T => {
      const key = subscriptionId.toLowerCase();
      let client = made.get(key);
      if (client === undefined) made.set(key, (client = make(subscriptionId)));
      return client;
    };
  };
  const single = <T>(make: () => T) => {
    let client: T | undefined;
    return (): T => (client ??= make());
  };
  return {
    subscriptions: single((): SubscriptionClient => new (sdk("subscriptions"))(connection.credential, arm)),
    resources: perSubscription((s): ResourceManagementClient => new (sdk("resources"))(connection.credential, s, arm)),
    monitor: perSubscription((s): MonitorClient => new (sdk("monitor"))(connection.credential, s, arm)),
    operationalInsights: perSubscription(
      (s): OperationalInsightsManagementClient => new (sdk("operationalInsights"))(connection.credential, s, arm),
    ),
    keyVault: perSubscription((s): KeyVaultManagementClient => new (sdk("keyVault"))(connection.credential, s, arm)),
    storage: perSubscription((s): StorageManagementClient => new (sdk("storage"))(connection.credential, s, arm)),
    /** Microsoft Sentinel on a workspace: onboarding state and analytic rules. */
    sentinel: perSubscription((s): SecurityInsights => new (sdk("sentinel"))(connection.credential, s, arm)),
    /**
     * The blob data plane of one storage account, at the endpoint ARM gave for it (`primaryEndpoints.blob`), with a
     * token for the storage audience from the same credential. One client per endpoint.
     */
    blob: perSubscription((endpoint) => blobClient(connection, endpoint)),
    /** Azure Resource Graph, for the tenant-wide inventory (paced by its own limit). */
    resourceGraph: single((): ResourceGraphClient => new (sdk("resourceGraph"))(connection.credential, graph)),
    /** Management groups: the descendants (nested groups and subscriptions) of the group a scan is scoped to. */
    managementGroups: single((): ManagementGroupsAPI => new (sdk("managementGroups"))(connection.credential, arm)),
    /** Azure RBAC: the caller's own permissions at a resource group (`permissions.listForResourceGroup`). */
    authorization: perSubscription(
      (s): AuthorizationManagementClient => new (sdk("authorization"))(connection.credential, s, arm),
    ),
    /** The SDK's generic ARM client, for routes without a typed client (Cloud HSM lists, ARM `/batch`). */
    arm: single(() => getClient(connection.armEndpoint, connection.credential, arm)),
    logs: single(
      (): LogsQueryClient =>
        new (sdk("logs"))(connection.credential, {
          endpoint: `${connection.logsEndpoint.replace(/\/+$/, "")}/v1`,
          ...common(connection, logsAudience, "logs", LOGS_MIN_TIMEOUT_MS),
        }),
    ),
  };
}

/** A client, or the promise of one while its SDK package loads: either way, `await` it. */
export type Awaitable<T> = T | Promise<T>;

/**
 * A client getter that first loads the SDK package the client is made from. Once the package is loaded it hands the
 * client out at once, so that awaiting it costs a scan what awaiting the load alone used to and the order in which
 * concurrent reads reach Azure (and so the numbering of their evidence) stays as it was.
 */
function once<A extends unknown[], T>(part: SdkPart, get: (...args: A) => T): (...args: A) => Awaitable<T> {
  return (...args: A) => (loaded[part] ? get(...args) : loadSdk([part]).then(() => get(...args)));
}

/**
 * The scan's clients. Each getter loads the SDK package of its client on first use and gives the client (one
 * per kind and subscription, or per blob endpoint), so no caller needs to know which package a client comes from.
 * `arm()` is synchronous: the generic client needs no package loaded.
 */
export function createClients(connection: AzureConnection) {
  const made = loadedClients(connection);
  return {
    /** Starts loading these SDK packages (all when none are named) ahead of their first use; never rejects. */
    preload: (parts?: readonly SdkPart[]): Promise<void> => loadSdk(parts).catch(() => undefined),
    subscriptions: once("subscriptions", made.subscriptions),
    resources: once("resources", made.resources),
    monitor: once("monitor", made.monitor),
    operationalInsights: once("operationalInsights", made.operationalInsights),
    keyVault: once("keyVault", made.keyVault),
    storage: once("storage", made.storage),
    sentinel: once("sentinel", made.sentinel),
    blob: once("blob", made.blob),
    resourceGraph: once("resourceGraph", made.resourceGraph),
    managementGroups: once("managementGroups", made.managementGroups),
    authorization: once("authorization", made.authorization),
    logs: once("logs", made.logs),
    arm: made.arm,
  };
}

export type AzureClients = ReturnType<typeof createClients>;

/** Clients handed out synchronously, every SDK package loaded first: for tools and tests that use many at once. */
export async function createLoadedClients(connection: AzureConnection): Promise<LoadedClients> {
  await loadSdk();
  return loadedClients(connection);
}

export type LoadedClients = ReturnType<typeof loadedClients>;

/**
 * A blob service client with the scan's policies. `@azure/storage-blob` builds one core pipeline per client family
 * (the service client and every container and blob client made from it share it) and has no `additionalPolicies`
 * option: the policies are added once to that shared pipeline, where ARM clients get them through their options.
 * The e2e tests check that blob exchanges are recorded, so a change of this internal fails them.
 */
function blobClient(connection: AzureConnection, endpoint: string): BlobServiceClient {
  const base = common(connection, connection.storageAudience ?? STORAGE_AUDIENCE, "blob");
  const client = new (sdk("blob"))(endpoint, connection.credential, {
    audience: base.credentials.scopes,
    userAgentOptions: base.userAgentOptions,
    // The tool's retry policy replaces the storage retry policy, as it replaces the ARM one.
    ...(connection.scanPipeline ? { retryOptions: { maxTries: 1 } } : {}),
    ...(connection.agent ? { agent: connection.agent } : {}),
  } as StoragePipelineOptions);
  if ("additionalPolicies" in base) {
    const shared = (client as unknown as { storageClientContext: { pipeline: Pipeline } }).storageClientContext
      .pipeline;
    for (const { policy, position } of base.additionalPolicies) {
      shared.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
    }
  }
  return client;
}
/**
 * The scan's credential: one token per audience, shared by every client and reused until two minutes before it
 * expires. Each SDK client caches its token by itself, and a scan makes clients per subscription, so without this a
 * credential that runs a program (the Azure CLI) would run it hundreds of times. A request with claims (a
 * continuous-access challenge) always asks the credential afresh.
 */
export class SharedTokenCredential implements TokenCredential {
  private readonly cache = new Map<string, Promise<AccessToken | null>>();
  constructor(
    private readonly inner: TokenCredential,
    private readonly now: () => number = Date.now,
  ) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    if (options?.claims) return this.inner.getToken(scopes, options);
    const key = `${[scopes].flat().sort().join(" ")}|${options?.tenantId ?? ""}`;
    const cached = this.cache.get(key);
    if (cached) {
      return cached.then((token) =>
        token && token.expiresOnTimestamp - this.now() > 120_000 ? token : this.fetch(key, scopes, options),
      );
    }
    return this.fetch(key, scopes, options);
  }

  /** Asks for the tokens of these audiences now, all at once, so that no stage of the scan waits for one later. */
  warm(audiences: string[]): void {
    for (const audience of audiences) {
      this.getToken(`${audience.replace(/\/+$/, "")}/.default`).catch(() => undefined);
    }
  }

  private fetch(key: string, scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const pending = this.inner.getToken(scopes, options);
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }
}

/** A credential that hands out one fixed token: the simulator's, never a user's. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
