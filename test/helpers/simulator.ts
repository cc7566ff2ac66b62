// Starts the simulator for a test and builds the real Azure SDK clients against it.
import { Agent } from "node:https";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadEstateFile, parseEstate, type Estate } from "../../src/simulator/estate.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { sharedCertificates } from "./shared-certificates.js";
import { createLoadedClients, StaticTokenCredential, type LoadedClients } from "../../src/azure/clients.js";
import { collect as collectSnapshot, type CollectOptions } from "../../src/azure/collect.js";
import type { Snapshot } from "../../src/model/snapshot.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CONTOSO = join(ROOT, "examples/estates/contoso.yaml");

export { sharedCertificates };

/** `collect()` of the whole estate a test simulator serves, in-process, with the simulator's token and a week's window. */
export function collectFrom(t: TestSimulator, options: Partial<CollectOptions> = {}): Promise<Snapshot> {
  return collectSnapshot({
    credential: new StaticTokenCredential(t.sim.token),
    cloud: "AzureCloud",
    armEndpoint: t.sim.url,
    logsEndpoint: t.sim.url,
    logWindowMs: 7 * 86_400_000,
    agent: t.agent,
    ...options,
  });
}

export interface TestSimulator {
  sim: RunningSimulator;
  estate: Estate;
  clients: LoadedClients;
  agent: Agent;
  close(): Promise<void>;
}

/** Starts a simulator on `estate` (a file path, or YAML text when it contains a newline). */
export async function startTestSimulator(
  estate: string = CONTOSO,
  options: { requestLog?: string; maxRetries?: number; token?: string; now?: Date; clock?: () => Date } = {},
): Promise<TestSimulator> {
  const loaded = estate.includes("\n")
    ? parseEstate(estate, "inline.yaml", options.now ? { now: options.now } : {})
    : loadEstateFile(estate, options.now ? { now: options.now } : {});
  const sim = await startSimulator({
    estate: loaded,
    certificates: sharedCertificates(),
    ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const agent = new Agent({ ca: sim.caCert, keepAlive: true });
  const clients = await createLoadedClients({
    credential: new StaticTokenCredential(options.token ?? sim.token),
    armEndpoint: sim.url,
    logsEndpoint: sim.url,
    agent,
    // Fast retries keep fault tests quick; the retry policy itself is the SDK's.
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  return {
    sim,
    estate: loaded,
    clients,
    agent,
    close: async () => {
      agent.destroy();
      await sim.close();
    },
  };
}

export async function collect<T>(iterable: AsyncIterable<T>, limit = 10_000): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

export const SUB_PAYMENTS = "11111111-1111-4111-8111-111111111111";
export const SUB_IDENTITY = "22222222-2222-4222-8222-222222222222";
export const SUB_RESEARCH = "33333333-3333-4333-8333-333333333333";
export const SUB_CORP = "44444444-4444-4444-8444-444444444444";

export const hsmId = (sub: string, rg: string, kind: "cloudHsm" | "managedHsm" | "dedicatedHsm", name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/${
    kind === "cloudHsm"
      ? "Microsoft.HardwareSecurityModules/cloudHsmClusters"
      : kind === "managedHsm"
        ? "Microsoft.KeyVault/managedHSMs"
        : "Microsoft.HardwareSecurityModules/dedicatedHSMs"
  }/${name}`;
