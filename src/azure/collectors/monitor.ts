// Azure Monitor's configuration of an HSM: its diagnostic settings and their categories, and the registration of
// Microsoft.Insights in its subscription; read through ARM's batch API when the scan uses it.
import type { CollectorContext } from "./context.js";
import { batchedGet, batchedList, listAll, read } from "./context.js";
import type { Fact, HsmFacts } from "../../model/snapshot.js";
import { toCategories, toProviderState, toSettings } from "../derive/monitor.js";

/** API versions of the reads sent through ARM's batch: those the typed clients use for the same routes. */
const BATCH_API_VERSIONS = { providers: "2025-04-01", diagnosticSettings: "2021-05-01-preview" };

export async function readProvider(
  ctx: CollectorContext,
  subscriptionId: string,
): Promise<Fact<{ registrationState: string }>> {
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
          return (await ctx.clients.resources(subscriptionId)).providers.get("Microsoft.Insights");
        },
      );
      return toProviderState(provider);
    },
  );
}

/** The diagnostic settings of one HSM and the categories it can log, read at once. */
export async function readDiagnostics(
  ctx: CollectorContext,
  hsm: Pick<HsmFacts, "id" | "subscriptionId">,
): Promise<Required<Pick<HsmFacts, "diagnosticSettings" | "categories">>> {
  const uri = hsm.id.replace(/^\/+/, "");
  const monitor = async () => await ctx.clients.monitor(hsm.subscriptionId);
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
  return { diagnosticSettings: settings, categories };
}
