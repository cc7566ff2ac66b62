// One place that builds the Azure SDK clients for an endpoint pair, so every caller shares the same pipeline options.
import type { Agent } from "node:https";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { ResourceManagementClient } from "@azure/arm-resources";
import { MonitorClient } from "@azure/arm-monitor";
import { OperationalInsightsManagementClient } from "@azure/arm-operationalinsights";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { StorageManagementClient } from "@azure/arm-storage";
import { getClient } from "@azure-rest/core-client";
import { retryPolicy, type EvidenceLog, type RetryOptions } from "./pipeline.js";

export interface AzureConnection {
  credential: TokenCredential;
  /** ARM endpoint, e.g. `https://management.azure.com`. */
  armEndpoint: string;
  /** Log Analytics endpoint without `/v1`, e.g. `https://api.loganalytics.io`. */
  logsEndpoint: string;
  /** Token audience of ARM (`<audience>/.default` is requested). */
  armAudience?: string;
  /** Token audience of Log Analytics. */
  logsAudience?: string;
  /** An HTTPS agent, e.g. one that trusts a private CA; the default agent otherwise. */
  agent?: Agent;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /**
   * The scan's pipeline: every exchange recorded as evidence, lists guarded against endless paging, and the tool's
   * retry policy in place of the SDK's (which does not retry a 429 without `Retry-After`).
   */
  scanPipeline?: { evidence: EvidenceLog; retry: RetryOptions };
}

/** A query may run 180 s on the service (`Prefer: wait=180`): the client waits for its answer a little longer. */
const LOGS_MIN_TIMEOUT_MS = 190_000;

function common(connection: AzureConnection, audience: string, minTimeoutMs = 0) {
  const scan = connection.scanPipeline;
  return {
    credentials: { scopes: [`${audience.replace(/\/+$/, "")}/.default`] },
    ...(connection.agent ? { agent: connection.agent } : {}),
    ...(scan
      ? {
          retryOptions: { maxRetries: 0 },
          additionalPolicies: [
            { policy: scan.evidence.pagingGuard(), position: "perCall" as const },
            {
              policy: retryPolicy({ ...scan.retry, timeoutMs: Math.max(scan.retry.timeoutMs, minTimeoutMs) }),
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

export function createClients(connection: AzureConnection) {
  const arm = {
    endpoint: connection.armEndpoint,
    ...common(connection, connection.armAudience ?? connection.armEndpoint),
  };
  const logsAudience = connection.logsAudience ?? connection.logsEndpoint;
  return {
    subscriptions: () => new SubscriptionClient(connection.credential, arm),
    resources: (subscriptionId: string) => new ResourceManagementClient(connection.credential, subscriptionId, arm),
    monitor: (subscriptionId: string) => new MonitorClient(connection.credential, subscriptionId, arm),
    operationalInsights: (subscriptionId: string) =>
      new OperationalInsightsManagementClient(connection.credential, subscriptionId, arm),
    keyVault: (subscriptionId: string) => new KeyVaultManagementClient(connection.credential, subscriptionId, arm),
    storage: (subscriptionId: string) => new StorageManagementClient(connection.credential, subscriptionId, arm),
    /** The SDK's generic ARM client, for routes without a typed client (Cloud HSM lists, ARM `/batch`). */
    arm: () => getClient(connection.armEndpoint, connection.credential, arm),
    logs: () =>
      new LogsQueryClient(connection.credential, {
        endpoint: `${connection.logsEndpoint.replace(/\/+$/, "")}/v1`,
        ...common(connection, logsAudience, LOGS_MIN_TIMEOUT_MS),
      }),
  };
}

export type AzureClients = ReturnType<typeof createClients>;

/** A credential that hands out one fixed token: the simulator's, never a user's. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
