// Storage accounts that receive archives: their properties, log containers (with immutability) and lifecycle policy.
import type { CollectorContext } from "./context.js";
import { answersAbsent, listAll, read, readDestination } from "./context.js";
import type { LogContainer, StorageAccountFacts } from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { isStorageAccountId, parseResourceId } from "../../domain/ids.js";
import {
  hasImmutabilityPolicy,
  isLogContainer,
  toContainer,
  toContainers,
  toLifecycle,
  toStorageAccount,
} from "../derive/storage.js";

export async function readStorageAccount(ctx: CollectorContext, id: string): Promise<StorageAccountFacts> {
  const account: StorageAccountFacts = await readDestination(
    ctx,
    id,
    { label: "storage account", matches: isStorageAccountId },
    async (parsed) => {
      const raw = await (
        await ctx.clients.storage(parsed.subscriptionId)
      ).storageAccounts.getProperties(parsed.resourceGroup, parsed.name);
      return toStorageAccount(raw as unknown as Record<string, unknown>);
    },
  );
  if (!isKnown(account.info) || !account.info.value.exists) return account;
  const parsed = parseResourceId(id)!;
  const storage = await ctx.clients.storage(parsed.subscriptionId);
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
