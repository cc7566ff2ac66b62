// `hsm-audit demo`: serve the built-in simulated estate and read it through the real Azure SDK clients.
// It authenticates with the simulator's own token over loopback: no user credential, no real Azure endpoint.
import { Agent } from "node:https";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadEstateFile } from "../../simulator/estate.js";
import { startSimulator } from "../../simulator/server.js";
import { createClients, StaticTokenCredential } from "../../azure/clients.js";
import { printLine } from "../output.js";

export const DEMO_ESTATE = join(dirname(fileURLToPath(import.meta.url)), "../../../examples/estates/contoso.yaml");

const HSM_TYPES = [
  "Microsoft.HardwareSecurityModules/cloudHsmClusters",
  "Microsoft.KeyVault/managedHSMs",
  "Microsoft.HardwareSecurityModules/dedicatedHSMs",
];

/** Records per HSM in the last 7 days, across the tables any HSM kind writes; missing tables are tolerated. */
export const DEMO_ACTIVITY_QUERY = `union isfuzzy=true
  (CloudHsmServiceOperationAuditLogs | project TimeGenerated, _ResourceId),
  (AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS" | project TimeGenerated, _ResourceId),
  (AZKVAuditLogs | project TimeGenerated, _ResourceId)
| summarize Records = count(), LastRecord = max(TimeGenerated) by ResourceId = tolower(_ResourceId)`;

export interface DemoOptions {
  estate?: string;
  print?: (line: string) => void;
}

export async function demo(options: DemoOptions = {}): Promise<number> {
  const print = options.print ?? printLine;
  const estate = loadEstateFile(options.estate ?? DEMO_ESTATE);
  const sim = await startSimulator({ estate });
  const agent = new Agent({ ca: sim.caCert, keepAlive: true });
  try {
    const clients = createClients({
      credential: new StaticTokenCredential(sim.token),
      armEndpoint: sim.url,
      logsEndpoint: sim.url,
      agent,
    });
    print("hsm-audit demo: the simulated Contoso estate, read through the Azure SDK clients over HTTPS.");
    print(
      "The compliance scan (policies, verdicts, reports) is not part of this build yet; this is an inventory, not a verdict.",
    );
    print("");

    /** Per workspace: records per HSM in the last 7 days, or why the workspace could not be read. */
    type Activity = { byResource: Map<string, { records: number; last: Date | undefined }> } | { error: string };
    const workspaceActivity = new Map<string, Promise<Activity>>();
    const readActivity = async (workspaceId: string): Promise<Activity> => {
      const parts =
        /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)$/i.exec(
          workspaceId,
        );
      if (!parts) return { error: `'${workspaceId}' is not a workspace id` };
      try {
        const workspace = await clients.operationalInsights(parts[1]!).workspaces.get(parts[2]!, parts[3]!);
        if (!workspace.customerId) return { error: "the workspace has no customerId" };
        const result = await clients
          .logs()
          .queryWorkspace(workspace.customerId, DEMO_ACTIVITY_QUERY, { duration: "P7D" });
        if (result.status !== "Success") {
          // A partial answer cannot show that an HSM wrote nothing: say so rather than count what came back.
          return { error: `the query failed in part (${result.partialError.message})` };
        }
        const byResource = new Map<string, { records: number; last: Date | undefined }>();
        for (const row of result.tables[0]?.rows ?? []) {
          byResource.set(String(row[0]), {
            records: Number(row[1]),
            last: row[2] instanceof Date ? row[2] : undefined,
          });
        }
        return { byResource };
      } catch (error) {
        return { error: (error as Error).message.split("\n")[0] ?? String(error) };
      }
    };
    const activityFor = (workspaceId: string): Promise<Activity> => {
      const key = workspaceId.toLowerCase();
      let activity = workspaceActivity.get(key);
      if (!activity) {
        activity = readActivity(workspaceId);
        workspaceActivity.set(key, activity);
      }
      return activity;
    };

    for await (const subscription of clients.subscriptions().subscriptions.list()) {
      const subscriptionId = subscription.subscriptionId!;
      const resources = clients.resources(subscriptionId);
      const provider = await resources.providers.get("Microsoft.Insights");
      print(`Subscription ${subscription.displayName} (${subscriptionId})`);
      print(`  Microsoft.Insights provider: ${provider.registrationState}`);
      const filter = HSM_TYPES.map((t) => `resourceType eq '${t}'`).join(" or ");
      let hsmCount = 0;
      for await (const hsm of resources.resources.list({ filter })) {
        hsmCount++;
        const type = String(hsm.type);
        const kind = /cloudHsmClusters/i.test(type)
          ? "Cloud HSM"
          : /managedHSMs/i.test(type)
            ? "Managed HSM"
            : "Dedicated HSM";
        print(`  ${kind.padEnd(13)} ${hsm.name} (${hsm.location})`);
        if (kind === "Dedicated HSM") {
          print("    audit happens inside the Luna appliance; Azure Monitor holds no log for it");
          continue;
        }
        const resourceUri = hsm.id!.replace(/^\//, "");
        const settings = [];
        for await (const setting of clients.monitor(subscriptionId).diagnosticSettings.list(resourceUri))
          settings.push(setting);
        if (settings.length === 0) print("    no diagnostic setting");
        for (const setting of settings) {
          const logs = (setting.logs ?? [])
            .filter((l) => l.enabled)
            .map((l) => l.category ?? `group:${l.categoryGroup}`)
            .join(", ");
          const destinations = [
            setting.workspaceId ? `workspace ${lastSegment(setting.workspaceId)}` : undefined,
            setting.storageAccountId ? `storage ${lastSegment(setting.storageAccountId)}` : undefined,
            setting.eventHubAuthorizationRuleId ? "event hub" : undefined,
          ].filter(Boolean);
          print(
            `    setting ${setting.name}: logs [${logs || "none enabled"}] -> ${destinations.join(", ") || "no destination"}`,
          );
          if (setting.workspaceId) {
            const activity = await activityFor(setting.workspaceId);
            if ("error" in activity) {
              print(`      (workspace ${lastSegment(setting.workspaceId)} could not be read: ${activity.error})`);
            } else {
              const mine = activity.byResource.get(hsm.id!.toLowerCase());
              print(
                mine
                  ? `      ${mine.records} audit records in the last 7 days, last at ${mine.last?.toISOString() ?? "unknown"}`
                  : "      no audit record in the last 7 days",
              );
            }
          }
        }
      }
      if (hsmCount === 0) print("  no HSM in this subscription");
      print("");
    }
    print(`Served by the simulator at ${sim.url}; ${sim.requests.length} HTTPS requests answered.`);
    return 0;
  } finally {
    agent.destroy();
    await sim.close();
  }
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}
