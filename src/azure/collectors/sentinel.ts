// Microsoft Sentinel on a workspace: whether it is onboarded, and its analytic rules.
import type { CollectorContext } from "./context.js";
import { answersAbsent, listAll, read } from "./context.js";
import type { Fact, SentinelFacts } from "../../model/snapshot.js";
import { parseResourceId } from "../../domain/ids.js";
import { MalformedAnswer } from "../derive/common.js";
import { toSentinelRule } from "../derive/sentinel.js";

/** Sentinel on a workspace: not onboarded when ARM has no onboarding state for it; otherwise its analytic rules. */
export async function readSentinel(ctx: CollectorContext, workspaceId: string): Promise<Fact<SentinelFacts>> {
  const parsed = parseResourceId(workspaceId);
  return read(ctx, `Microsoft Sentinel on workspace ${workspaceId}`, workspaceId, async () => {
    if (!parsed?.subscriptionId || !parsed.resourceGroup || !parsed.name)
      throw new MalformedAnswer(`'${workspaceId}' is not a workspace id`);
    const client = await ctx.clients.sentinel(parsed.subscriptionId);
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
