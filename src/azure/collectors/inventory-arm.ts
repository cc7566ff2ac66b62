// The inventory through ARM: each subscription's HSMs, one list per kind.
import { isRestError } from "@azure/core-rest-pipeline";
import { createRestError } from "@azure-rest/core-client";
import type { CollectorContext } from "./context.js";
import { listAll, read } from "./context.js";
import type { HsmFacts, SubscriptionFacts } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { HSM_KINDS, HSM_TYPES, kindOfType, type HsmKind } from "../../domain/hsm-kinds.js";
import { parseResourceId } from "../../domain/ids.js";
import { MalformedAnswer } from "../derive/common.js";

/** API versions of the routes read through the SDK's generic client (no typed client exists for them). */
export const API_VERSIONS = {
  cloudHsmClusters: "2025-03-31",
  dedicatedHSMs: "2021-11-30",
};

export interface RawResource {
  id?: unknown;
  name?: unknown;
  type?: unknown;
  location?: unknown;
  sku?: { name?: unknown };
  properties?: { provisioningState?: unknown; networkProfile?: unknown };
}

/** What the inventory of one subscription found: its HSMs, and per kind how many (or why its list could not be read). */
export interface SubscriptionInventory {
  hsms: HsmFacts[];
  inventory: SubscriptionFacts["inventory"];
}

/** Lists the HSMs of one subscription through ARM, one list per kind, all at once. */
export async function readInventory(ctx: CollectorContext, sub: string): Promise<SubscriptionInventory> {
  const hsms: HsmFacts[] = [];
  const inventory = {} as SubscriptionFacts["inventory"];
  const lists: Record<HsmKind, () => Promise<RawResource[]>> = {
    cloudHsm: () =>
      listGeneric(ctx, `/subscriptions/${sub}/providers/${HSM_TYPES.cloudHsm.type}`, API_VERSIONS.cloudHsmClusters),
    managedHsm: async () =>
      (await listAll(
        (await ctx.clients.keyVault(sub)).managedHsms.listBySubscription(),
        (h) => h.id,
        "the list",
      )) as RawResource[],
    dedicatedHsm: () =>
      listGeneric(ctx, `/subscriptions/${sub}/providers/${HSM_TYPES.dedicatedHsm.type}`, API_VERSIONS.dedicatedHSMs),
  };
  await Promise.all(
    HSM_KINDS.map(async (kind) => {
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
        inventory[kind] = {
          value: { count: fact.value.hsms.length, ...(unregistered ? { unregistered } : {}) },
          evidence: fact.evidence,
        };
      } else {
        inventory[kind] = fact;
      }
    }),
  );
  return { hsms, inventory };
}

export function toHsm(raw: RawResource, kind: HsmKind, subscriptionId: string): HsmFacts {
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
    ...(kind === "dedicatedHsm" ? networkProfileOf(raw.properties?.networkProfile) : {}),
  };
}

/** The most network interfaces kept of one HSM (a Dedicated HSM has one; the rest of a hostile list is dropped). */
const MAX_INTERFACES = 8;

/**
 * A Dedicated HSM's `networkProfile`: its interfaces' private IPs (and ids) and its subnet. What is not as the API
 * describes it is left out: an interface without an address matches nothing.
 */
export function networkProfileOf(profile: unknown): Pick<HsmFacts, "networkInterfaces" | "subnetId"> {
  if (!profile || typeof profile !== "object" || Array.isArray(profile)) return {};
  const { networkInterfaces, subnet } = profile as { networkInterfaces?: unknown; subnet?: unknown };
  const short = (v: unknown, max: number): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
  const nics = (Array.isArray(networkInterfaces) ? networkInterfaces : [])
    .filter((n): n is { id?: unknown; privateIpAddress?: unknown } => !!n && typeof n === "object")
    .filter((n) => short(n.privateIpAddress, 64))
    .slice(0, MAX_INTERFACES)
    .map((n) => ({ ...(short(n.id, 1024) ? { id: n.id } : {}), privateIpAddress: n.privateIpAddress as string }));
  const subnetId = subnet && typeof subnet === "object" ? (subnet as { id?: unknown }).id : undefined;
  return {
    ...(nics.length > 0 ? { networkInterfaces: nics } : {}),
    ...(short(subnetId, 1024) ? { subnetId } : {}),
  };
}

/** A list read with the SDK's generic ARM client, following every `nextLink`. */
export function listGeneric(ctx: CollectorContext, path: string, apiVersion: string): Promise<RawResource[]> {
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
