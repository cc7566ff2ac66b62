// Archived audit logs on the blob data plane: for each HSM and category a storage account receives, the newest
// archived hour in the window.
import { isRestError } from "@azure/core-rest-pipeline";
import type { CollectorContext } from "./context.js";
import { read } from "./context.js";
import type { ArchiveArrival, HsmFacts, StorageAccountFacts } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { sameId } from "../../domain/ids.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../../domain/hsm-kinds.js";
import { entryCarries } from "../../domain/audit-trail.js";
import { archivePrefix, logContainerName } from "../../domain/archive-naming.js";
import { newestArchivedHour, type ArchiveReader } from "../archive.js";
import { MalformedAnswer } from "../derive/common.js";

/** The HSMs and log categories whose settings send to this storage account. */
export function archivedTrails(hsms: HsmFacts[], accountId: string): { hsm: HsmFacts; category: string }[] {
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

/** For each HSM and category that `hsms` send to the storage account, the newest archived hour in [start, end). */
export function readArrivals(
  ctx: CollectorContext,
  account: StorageAccountFacts,
  hsms: HsmFacts[],
  start: Date,
  end: Date,
): Promise<ArchiveArrival[]> {
  return Promise.all(
    archivedTrails(hsms, account.id).map((trail) => readArrival(ctx, account, trail.hsm, trail.category, start, end)),
  );
}

export async function readArrival(
  ctx: CollectorContext,
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
function blobReader(ctx: CollectorContext, endpoint: string, container: string): ArchiveReader {
  return {
    async list(prefix) {
      const names: { name: string; lastModified?: string }[] = [];
      try {
        const blobs = (await ctx.clients.blob(endpoint)).getContainerClient(container);
        for await (const page of blobs.listBlobsFlat({ prefix }).byPage({ maxPageSize: 1000 })) {
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
        const blobs = (await ctx.clients.blob(endpoint)).getContainerClient(container);
        response = await blobs.getBlobClient(name).download(0, bytes);
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
