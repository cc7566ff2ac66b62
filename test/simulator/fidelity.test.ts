// The real Azure SDK clients, over HTTPS, parse every route the simulator serves.
import { isRestError } from "@azure/core-rest-pipeline";
import { LogsQueryResultStatus } from "@azure/monitor-query-logs";
import {
  collect,
  hsmId,
  startTestSimulator,
  SUB_CORP,
  SUB_IDENTITY,
  SUB_PAYMENTS,
  SUB_RESEARCH,
  type TestSimulator,
} from "../helpers/simulator.js";

const HSM_FILTER = [
  "Microsoft.HardwareSecurityModules/cloudHsmClusters",
  "Microsoft.KeyVault/managedHSMs",
  "Microsoft.HardwareSecurityModules/dedicatedHSMs",
]
  .map((t) => `resourceType eq '${t}'`)
  .join(" or ");

const CHSM_PAYMENTS_EUS = hsmId(SUB_PAYMENTS, "rg-payments-hsm", "cloudHsm", "chsm-payments-eus");
const MHSM_PAYMENTS = hsmId(SUB_PAYMENTS, "rg-payments-hsm", "managedHsm", "mhsm-payments-keys");
const MHSM_IDENTITY = hsmId(SUB_IDENTITY, "rg-identity-hsm", "managedHsm", "mhsm-identity-signing");
const WORKSPACE_EUS = "a1b2c3d4-0001-4000-8000-000000000001";
const WORKSPACE_IDENTITY = "a1b2c3d4-0002-4000-8000-000000000002";

const DAY = 86_400_000;

/** Activity records of one HSM of the estate newer than `ms` before the estate's clock. */
function recordsWithin(t: TestSimulator, name: string, ms: number): number {
  const hsm = t.estate.subscriptions.flatMap((s) => s.hsms).find((h) => h.name === name)!;
  // The simulator's clock has moved on a little since the estate was loaded: allow for it on the older edge.
  const start = t.estate.now.getTime() - ms + 1000;
  return hsm.activity.filter((a) => a.time.getTime() >= start).length;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

describe("ARM routes through the Azure SDK", () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => t.close());

  test("subscriptions list (arm-resources-subscriptions)", async () => {
    const subs = await collect(t.clients.subscriptions().subscriptions.list());
    expect(subs.map((s) => s.subscriptionId).sort()).toEqual(
      [SUB_PAYMENTS, SUB_IDENTITY, SUB_RESEARCH, SUB_CORP].sort(),
    );
    const payments = subs.find((s) => s.subscriptionId === SUB_PAYMENTS)!;
    expect(payments.displayName).toBe("Contoso Payments Production");
    expect(payments.state).toBe("Enabled");
    expect(payments.tenantId).toBe("c0c0c0c0-0000-4000-8000-000000000001");
  });

  test.each([
    [SUB_PAYMENTS, "Registered"],
    [SUB_RESEARCH, "NotRegistered"],
  ])("Microsoft.Insights registration of %s is %s (arm-resources providers.get)", async (sub, state) => {
    const provider = await t.clients.resources(sub).providers.get("Microsoft.Insights");
    expect(provider.namespace).toBe("Microsoft.Insights");
    expect(provider.registrationState).toBe(state);
    expect(provider.resourceTypes?.map((r) => r.resourceType)).toContain("diagnosticSettings");
  });

  test("generic resources list with $filter follows nextLink pages", async () => {
    const before = t.sim.requests.length;
    const hsms = await collect(t.clients.resources(SUB_PAYMENTS).resources.list({ filter: HSM_FILTER }));
    expect(hsms.map((h) => h.name).sort()).toEqual(
      [
        "chsm-payments-eus",
        "chsm-payments-wus",
        "dhsm-payments-luna-01",
        "dhsm-payments-luna-02",
        "mhsm-payments-keys",
      ].sort(),
    );
    const pages = t.sim.requests.slice(before).filter((r) => r.route === "resources");
    // pageSize 2 in the estate: five HSMs come in three pages, the later ones through $skiptoken.
    expect(pages).toHaveLength(3);
    expect(pages[1]!.url).toContain("skiptoken");
    const chsm = hsms.find((h) => h.name === "chsm-payments-eus")!;
    expect(chsm.id).toBe(CHSM_PAYMENTS_EUS);
    expect(chsm.type).toBe("Microsoft.HardwareSecurityModules/cloudHsmClusters");
    expect(chsm.location).toBe("eastus");
    expect(chsm.tags).toMatchObject({ owner: "payments-platform", dataClass: "pci" });
  });

  test.each([
    ["resourceType eq 'Microsoft.KeyVault/managedHSMs' and name ne 'mhsm-identity-backup'", ["mhsm-identity-signing"]],
    ["substringof('identity-0', name)", ["chsm-identity-01", "chsm-identity-02"]],
    ["resourceGroup eq 'rg-identity-monitoring'", ["law-identity", "stidentityaudit"]],
  ])("generic resources $filter %s", async (filter, names) => {
    const found = await collect(t.clients.resources(SUB_IDENTITY).resources.list({ filter }));
    expect(found.map((r) => r.name).sort()).toEqual(names);
  });

  test("generic resources list filters by one type and rejects a filter it does not support", async () => {
    const managed = await collect(
      t.clients.resources(SUB_IDENTITY).resources.list({ filter: "resourceType eq 'Microsoft.KeyVault/managedHSMs'" }),
    );
    expect(managed.map((m) => m.name).sort()).toEqual(["mhsm-identity-backup", "mhsm-identity-signing"]);
    const error = await rejection(
      collect(t.clients.resources(SUB_IDENTITY).resources.list({ filter: "startswith(name, 'x')" })),
    );
    expect(isRestError(error) && error.statusCode).toBe(400);
  });

  test("Managed HSMs listed by subscription (arm-keyvault) carry their properties", async () => {
    const list = await collect(t.clients.keyVault(SUB_PAYMENTS).managedHsms.listBySubscription());
    expect(list).toHaveLength(1);
    const hsm = list[0]!;
    expect(hsm.id).toBe(MHSM_PAYMENTS);
    expect(hsm.sku?.name).toBe("Standard_B1");
    expect(hsm.properties?.hsmUri).toBe("https://mhsm-payments-keys.managedhsm.azure.net/");
    expect(hsm.properties?.enablePurgeProtection).toBe(true);
    expect(hsm.properties?.provisioningState).toBe("Succeeded");
  });

  test("single GETs: subscription, Managed HSM, a diagnostic setting and a category by name", async () => {
    const sub = await t.clients.subscriptions().subscriptions.get(SUB_RESEARCH);
    expect(sub.displayName).toBe("Contoso Research Sandbox");
    const mhsm = await t.clients.keyVault(SUB_IDENTITY).managedHsms.get("rg-identity-hsm", "mhsm-identity-signing");
    expect(mhsm.id).toBe(MHSM_IDENTITY);
    expect(mhsm.properties?.tenantId).toBe("c0c0c0c0-0000-4000-8000-000000000001");
    const byGroup = await collect(t.clients.keyVault(SUB_IDENTITY).managedHsms.listByResourceGroup("rg-identity-hsm"));
    expect(byGroup.map((h) => h.name).sort()).toEqual(["mhsm-identity-backup", "mhsm-identity-signing"]);
    const setting = await t.clients
      .monitor(SUB_IDENTITY)
      .diagnosticSettings.get(MHSM_IDENTITY.slice(1), "audit-dedicated");
    expect(setting.logAnalyticsDestinationType).toBe("Dedicated");
    const category = await t.clients
      .monitor(SUB_IDENTITY)
      .diagnosticSettingsCategory.get(MHSM_IDENTITY.slice(1), "AuditEvent");
    expect(category.categoryType).toBe("Logs");
    expect(category.categoryGroups).toEqual(["audit", "allLogs"]);
    const missing = await rejection(
      t.clients.monitor(SUB_IDENTITY).diagnosticSettings.get(MHSM_IDENTITY.slice(1), "no-such-setting"),
    );
    expect(isRestError(missing) && missing.statusCode).toBe(404);
  });

  test("generic resources list with $expand adds provisioningState and times", async () => {
    const [hsm] = await collect(
      t.clients.resources(SUB_RESEARCH).resources.list({
        filter: "name eq 'chsm-research-02'",
        expand: "createdTime,changedTime,provisioningState",
      }),
    );
    expect(hsm).toMatchObject({ name: "chsm-research-02", provisioningState: "Succeeded" });
    expect(hsm!.createdTime).toBeInstanceOf(Date);
  });

  test("Cloud HSM clusters and Dedicated HSMs by subscription, paged, through the SDK's generic ARM client", async () => {
    const arm = t.clients.arm();
    const names: string[] = [];
    let url: string | undefined =
      `/subscriptions/${SUB_PAYMENTS}/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters`;
    let pages = 0;
    while (url) {
      const response = await arm
        .pathUnchecked(url)
        .get({ queryParameters: pages === 0 ? { "api-version": "2025-03-31" } : {} });
      expect(response.status).toBe("200");
      const body = response.body as {
        value: { name: string; properties: { activationState: string } }[];
        nextLink?: string;
      };
      names.push(...body.value.map((v) => v.name));
      for (const v of body.value) expect(v.properties.activationState).toBe("Active");
      url = body.nextLink;
      pages++;
    }
    expect(names.sort()).toEqual(["chsm-payments-eus", "chsm-payments-wus"]);
    const dedicated = await arm
      .pathUnchecked(`/subscriptions/${SUB_PAYMENTS}/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs`)
      .get({ queryParameters: { "api-version": "2021-11-30" } });
    const value = (dedicated.body as { value: { name: string; sku: { name: string } }[] }).value;
    expect(value.map((v) => v.sku.name)).toEqual(["SafeNet Luna Network HSM A790", "SafeNet Luna Network HSM A790"]);
  });

  test("a resource by id (arm-resources getById), with 404 for one that does not exist", async () => {
    // The SDK's path template is `/{+resourceId}`: ids go without their leading `/`.
    const chsm = await t.clients.resources(SUB_PAYMENTS).resources.getById(CHSM_PAYMENTS_EUS.slice(1), "2025-03-31");
    expect(chsm.properties).toMatchObject({ provisioningState: "Succeeded", activationState: "Active" });
    const missing = await rejection(
      t.clients.resources(SUB_PAYMENTS).resources.getById(`${CHSM_PAYMENTS_EUS.slice(1)}-gone`, "2025-03-31"),
    );
    expect(isRestError(missing) && missing.statusCode).toBe(404);
    expect(isRestError(missing) && missing.code).toBe("ResourceNotFound");
  });

  test("diagnostic settings (arm-monitor 8.x, 2021-05-01-preview) with category and categoryGroup", async () => {
    const monitor = t.clients.monitor(SUB_PAYMENTS);
    const direct = await collect(monitor.diagnosticSettings.list(CHSM_PAYMENTS_EUS.slice(1)));
    expect(direct).toHaveLength(1);
    expect(direct[0]!.name).toBe("my-chsmAuditLogs");
    expect(direct[0]!.workspaceId).toMatch(/\/workspaces\/law-security-eus$/);
    expect(direct[0]!.storageAccountId).toMatch(/\/storageAccounts\/stcontosoauditeus$/);
    expect(direct[0]!.logs).toEqual([expect.objectContaining({ category: "HsmServiceOperations", enabled: true })]);
    const grouped = await collect(monitor.diagnosticSettings.list(MHSM_PAYMENTS.slice(1)));
    expect(grouped[0]!.logs?.[0]).toMatchObject({ categoryGroup: "audit", enabled: true });
    const last = t.sim.requests.filter((r) => r.route === "diagnosticSettings").pop()!;
    expect(last.url).toContain("api-version=2021-05-01-preview");
    expect(last.url.startsWith("//")).toBe(false);
  });

  test("an id passed with its leading '/' makes a '//' path, which ARM refuses", async () => {
    const error = await rejection(t.clients.resources(SUB_PAYMENTS).resources.getById(CHSM_PAYMENTS_EUS, "2025-03-31"));
    expect(isRestError(error) && error.statusCode).toBe(400);
    expect(isRestError(error) && error.code).toBe("InvalidRequestUri");
    // The query API, unlike ARM, reads `/v1//subscriptions/...` as one slash.
    const query = await t.clients.logs().queryResource(MHSM_IDENTITY, "AZKVAuditLogs | count", { duration: "P1D" });
    expect(query.status).toBe(LogsQueryResultStatus.Success);
  });

  test("diagnostic setting categories list their categoryGroups", async () => {
    const categories = await collect(
      t.clients.monitor(SUB_PAYMENTS).diagnosticSettingsCategory.list(MHSM_PAYMENTS.slice(1)),
    );
    expect(categories.map((c) => [c.name, c.categoryType, c.categoryGroups])).toEqual([
      ["AuditEvent", "Logs", ["audit", "allLogs"]],
      ["AllMetrics", "Metrics", []],
    ]);
    const overridden = await collect(
      t.clients
        .monitor(SUB_IDENTITY)
        .diagnosticSettingsCategory.list(
          hsmId(SUB_IDENTITY, "rg-identity-hsm", "cloudHsm", "chsm-identity-02").slice(1),
        ),
    );
    expect(overridden.find((c) => c.name === "HsmServiceOperations")?.categoryGroups).toEqual(["allLogs"]);
  });

  test("diagnostic settings are served only in 2021-05-01-preview, the version with category groups", async () => {
    const response = await t.clients
      .arm()
      .pathUnchecked(`${CHSM_PAYMENTS_EUS}/providers/Microsoft.Insights/diagnosticSettings`)
      .get({ queryParameters: { "api-version": "2017-05-01-preview" } });
    expect(response.status).toBe("400");
    expect((response.body as { error: { code: string } }).error.code).toBe("InvalidApiVersionParameter");
  });

  test("ids come back in Azure's casing: diagnostic settings and workspaces lower-cased", async () => {
    const [setting] = await collect(
      t.clients.monitor(SUB_PAYMENTS).diagnosticSettings.list(CHSM_PAYMENTS_EUS.slice(1)),
    );
    expect(setting!.id).toBe(
      `${CHSM_PAYMENTS_EUS.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/my-chsmAuditLogs`,
    );
    const workspace = await t.clients
      .operationalInsights(SUB_PAYMENTS)
      .workspaces.get("rg-security-monitoring", "law-security-eus");
    expect(workspace.id).toBe(
      `/subscriptions/${SUB_PAYMENTS}/resourcegroups/rg-security-monitoring/providers/microsoft.operationalinsights/workspaces/law-security-eus`,
    );
  });

  test("a workspace has no diagnostic settings in the estate: an empty list, not a 404", async () => {
    const settings = await collect(
      t.clients
        .monitor(SUB_PAYMENTS)
        .diagnosticSettings.list(
          `subscriptions/${SUB_PAYMENTS}/resourceGroups/rg-security-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-security-eus`,
        ),
    );
    expect(settings).toEqual([]);
  });

  test("a provider namespace the estate does not name is NotRegistered", async () => {
    const provider = await t.clients.resources(SUB_PAYMENTS).providers.get("Microsoft.Sql");
    expect(provider.registrationState).toBe("NotRegistered");
    const bad = await rejection(t.clients.resources(SUB_PAYMENTS).providers.get("not a namespace"));
    expect(isRestError(bad) && bad.code).toBe("InvalidResourceNamespace");
  });

  test("a Dedicated HSM has no diagnostic settings: ARM answers 400", async () => {
    const error = await rejection(
      collect(
        t.clients
          .monitor(SUB_PAYMENTS)
          .diagnosticSettings.list(
            hsmId(SUB_PAYMENTS, "rg-payments-dedicated", "dedicatedHsm", "dhsm-payments-luna-01").slice(1),
          ),
      ),
    );
    expect(isRestError(error) && error.statusCode).toBe(400);
  });

  test("workspace GET (arm-operationalinsights) and the ARM 404 shape for a deleted one", async () => {
    const workspace = await t.clients
      .operationalInsights(SUB_PAYMENTS)
      .workspaces.get("rg-security-monitoring", "law-security-eus");
    expect(workspace.customerId).toBe(WORKSPACE_EUS);
    expect(workspace.retentionInDays).toBe(400);
    expect(workspace.sku?.name).toBe("PerGB2018");
    const error = await rejection(
      t.clients.operationalInsights(SUB_RESEARCH).workspaces.get("rg-research", "law-research-old"),
    );
    expect(isRestError(error) && error.statusCode).toBe(404);
    expect(isRestError(error) && error.code).toBe("ResourceNotFound");
    const noGroup = await rejection(t.clients.operationalInsights(SUB_RESEARCH).workspaces.get("rg-nowhere", "law"));
    expect(isRestError(noGroup) && noGroup.code).toBe("ResourceGroupNotFound");
  });

  test("storage account GET by id, with the properties evidence needs", async () => {
    const account = await t.clients
      .resources(SUB_PAYMENTS)
      .resources.getById(
        `subscriptions/${SUB_PAYMENTS}/resourceGroups/rg-security-monitoring/providers/Microsoft.Storage/storageAccounts/stcontosoauditeus`,
        "2023-05-01",
      );
    expect(account.kind).toBe("StorageV2");
    expect(account.properties).toMatchObject({
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      // The blob endpoint is the simulator's own, path-style (as Azurite addresses accounts).
      primaryEndpoints: { blob: `${t.sim.url}/stcontosoauditeus/` },
    });
  });

  test("storage archive routes through arm-storage: containers, immutability policy, management policy", async () => {
    const storage = t.clients.storage(SUB_PAYMENTS);
    const containers = await collect(storage.blobContainers.list("rg-security-monitoring", "stcontosoauditeus"));
    expect(containers.map((c) => c.name).sort()).toEqual([
      "insights-logs-auditevent",
      "insights-logs-hsmserviceoperations",
    ]);
    expect(containers.every((c) => c.hasImmutabilityPolicy === true)).toBe(true);
    const policy = await storage.blobContainers.getImmutabilityPolicy(
      "rg-security-monitoring",
      "stcontosoauditeus",
      "insights-logs-auditevent",
    );
    expect(policy).toMatchObject({ immutabilityPeriodSinceCreationInDays: 400, state: "Locked" });
    const management = await storage.managementPolicies.get("rg-security-monitoring", "stcontosoauditeus", "default");
    expect(management.policy?.rules[0]).toMatchObject({
      name: "expire-audit-after-400d",
      enabled: true,
      definition: { actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 400 } } } },
    });
    const none = await rejection(
      storage.managementPolicies.get("rg-security-monitoring", "stcontosoauditeus2", "default"),
    );
    expect(isRestError(none) && none.statusCode).toBe(404);
    const noPolicy = await rejection(
      t.clients.storage(SUB_RESEARCH).managementPolicies.get("rg-research", "stresearcharchive", "default"),
    );
    expect(isRestError(noPolicy) && noPolicy.statusCode).toBe(404);
  });

  test("workspace tables (arm-operationalinsights): a table's retention, and 404 for a table never written", async () => {
    const tables = t.clients.operationalInsights(SUB_PAYMENTS).tables;
    const table = await tables.get("rg-security-monitoring", "law-security-eus", "AzureDiagnostics");
    expect(table).toMatchObject({ name: "AzureDiagnostics", retentionInDays: 400, totalRetentionInDays: 400 });
    const missing = await rejection(tables.get("rg-security-monitoring", "law-security-eus", "AZKVAuditLogs"));
    expect(isRestError(missing) && missing.statusCode).toBe(404);
  });

  test("the blob data plane (storage-blob): list by prefix, and a ranged read of an hourly blob", async () => {
    const container = t.clients.blob(`${t.sim.url}/stcontosoauditeus/`).getContainerClient("insights-logs-auditevent");
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: "resourceId=/SUBSCRIPTIONS/" })) names.push(blob.name);
    const hours = t.estate.subscriptions
      .flatMap((s) => s.hsms)
      .find((h) => h.name === "mhsm-payments-keys")!
      .activity.filter((r) => r.time <= t.estate.now)
      .map((r) => r.time.toISOString().slice(0, 13));
    expect(names.length).toBe(new Set(hours).size);
    expect(
      names.every((n) =>
        /^resourceId=\/SUBSCRIPTIONS\/.*\/MHSM-PAYMENTS-KEYS\/y=\d{4}\/m=\d{2}\/d=\d{2}\/h=\d{2}\/m=00\/PT1H\.json$/.test(
          n,
        ),
      ),
    ).toBe(true);
    const head = await container.getBlobClient(names[0]!).download(0, 512);
    expect(head.contentRange).toMatch(/^bytes 0-\d+\/\d+$/);
    const text = await streamText(head.readableStreamBody!);
    expect(JSON.parse(text.split("\n")[0]!)).toMatchObject({
      category: "AuditEvent",
      resourceId: MHSM_PAYMENTS.toUpperCase(),
    });
  });

  test("ARM POST /batch answers each inner request with its own status", async () => {
    const arm = t.clients.arm();
    const response = await arm.pathUnchecked("/batch").post({
      queryParameters: { "api-version": "2020-06-01" },
      body: {
        requests: [
          {
            httpMethod: "GET",
            name: "a",
            url: `${t.sim.url}${CHSM_PAYMENTS_EUS}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
          },
          {
            httpMethod: "GET",
            name: "b",
            url: `${CHSM_PAYMENTS_EUS}-gone/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
          },
        ],
      },
    });
    expect(response.status).toBe("200");
    const { responses } = response.body as {
      responses: { name: string; httpStatusCode: number; content: { value?: { name: string }[] } }[];
    };
    expect(responses.map((r) => [r.name, r.httpStatusCode])).toEqual([
      ["a", 200],
      ["b", 404],
    ]);
    expect(responses[0]!.content.value?.[0]?.name).toBe("my-chsmAuditLogs");
  });

  test("a request without the simulator's token is refused: ARM 401, Log Analytics 403", async () => {
    const stranger = await startTestSimulator(undefined, { token: "not-the-token" });
    try {
      const error = await rejection(collect(stranger.clients.subscriptions().subscriptions.list()));
      expect(isRestError(error) && error.statusCode).toBe(401);
      expect(isRestError(error) && error.code).toBe("InvalidAuthenticationToken");
      const query = await rejection(
        stranger.clients.logs().queryWorkspace(WORKSPACE_EUS, "AzureDiagnostics | count", { duration: "P1D" }),
      );
      expect(isRestError(query) && query.statusCode).toBe(403);
    } finally {
      await stranger.close();
    }
  });
});

describe("Log Analytics routes through @azure/monitor-query-logs", () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => t.close());

  const perResource = `union isfuzzy=true
      (CloudHsmServiceOperationAuditLogs | project TimeGenerated, _ResourceId),
      (AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and ResourceType == "MANAGEDHSMS" | project TimeGenerated, _ResourceId),
      (AZKVAuditLogs | project TimeGenerated, _ResourceId)
    | summarize Records = count(), LastRecord = max(TimeGenerated) by ResourceId = tolower(_ResourceId)
    | order by ResourceId asc`;

  test("workspace query: one summarised row per HSM, typed columns, timespan applied", async () => {
    const result = await t.clients.logs().queryWorkspace(WORKSPACE_EUS, perResource, { duration: "P7D" });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status !== LogsQueryResultStatus.Success) return;
    const table = result.tables[0]!;
    expect(table.columnDescriptors.map((c) => [c.name, c.type])).toEqual([
      ["ResourceId", "string"],
      ["Records", "long"],
      ["LastRecord", "datetime"],
    ]);
    const ids = table.rows.map((r) => r[0]);
    expect(ids).toEqual(
      [CHSM_PAYMENTS_EUS, hsmId(SUB_PAYMENTS, "rg-payments-hsm", "cloudHsm", "chsm-payments-wus"), MHSM_PAYMENTS]
        .map((id) => id.toLowerCase())
        .sort(),
    );
    for (const row of table.rows) {
      expect(row[2]).toBeInstanceOf(Date);
      // Every HSM of this workspace wrote within the last few hours.
      expect(Date.now() - (row[2] as Date).getTime()).toBeLessThan(4 * 3_600_000);
    }
    const eus = table.rows.find((r) => r[0] === CHSM_PAYMENTS_EUS.toLowerCase())!;
    expect(eus[1]).toBe(recordsWithin(t, "chsm-payments-eus", 7 * DAY));
    expect(eus[1]).toBeGreaterThan(80);
  });

  test("the timespan narrows what the same query sees", async () => {
    const result = await t.clients
      .logs()
      .queryWorkspace(WORKSPACE_EUS, "CloudHsmServiceOperationAuditLogs | summarize n = count()", {
        duration: "PT24H",
      });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status === LogsQueryResultStatus.Success) {
      const expected = recordsWithin(t, "chsm-payments-eus", DAY) + recordsWithin(t, "chsm-payments-wus", DAY);
      expect(expected).toBeGreaterThan(10);
      expect(result.tables[0]!.rows).toEqual([[expected]]);
    }
  });

  test("Managed HSM in resource-specific mode lands in AZKVAuditLogs", async () => {
    const result = await t.clients
      .logs()
      .queryWorkspace(
        WORKSPACE_IDENTITY,
        "AZKVAuditLogs | summarize n = count() by OperationName | order by OperationName asc",
        {
          duration: "P30D",
        },
      );
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status === LogsQueryResultStatus.Success) {
      const ops = result.tables[0]!.rows.map((r) => r[0]);
      expect(ops).toEqual(["KeyGet", "KeySign", "KeyVerify", "RoleDefinitionCreate"]);
    }
  });

  test("resource-centric query sees only that resource's records", async () => {
    const result = await t.clients
      .logs()
      .queryResource(
        MHSM_IDENTITY.slice(1),
        "union isfuzzy=true AZKVAuditLogs, AzureDiagnostics | summarize n = dcount(_ResourceId), total = count()",
        {
          duration: "P30D",
        },
      );
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status === LogsQueryResultStatus.Success) {
      const [n, total] = result.tables[0]!.rows[0]!;
      expect(n).toBe(1);
      expect(total).toBeGreaterThan(100);
    }
  });

  test("$batch answers each query, an unknown workspace with its own error", async () => {
    const results = await t.clients.logs().queryBatch([
      { workspaceId: WORKSPACE_EUS, query: "CloudHsmServiceOperationAuditLogs | count", timespan: { duration: "P1D" } },
      {
        workspaceId: "00000000-0000-4000-8000-0000000000ff",
        query: "AzureDiagnostics | count",
        timespan: { duration: "P1D" },
      },
    ]);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ status: LogsQueryResultStatus.Success });
    expect(results[1]).toMatchObject({ status: LogsQueryResultStatus.PartialFailure });
    expect(JSON.stringify(results[1])).toContain("WorkspaceNotFoundError");
  });

  test("a query the interpreter does not support is a 400 naming the construct", async () => {
    const error = await rejection(
      t.clients
        .logs()
        .queryWorkspace(WORKSPACE_EUS, "AzureDiagnostics | mv-expand x = dynamic([1,2])", { duration: "P1D" }),
    );
    expect(isRestError(error) && error.statusCode).toBe(400);
    expect(JSON.stringify((error as { details?: unknown }).details)).toContain("mv-expand");
  });

  test("a missing table without isfuzzy is a semantic error", async () => {
    const error = await rejection(
      t.clients
        .logs()
        .queryWorkspace(WORKSPACE_IDENTITY, "CloudHsmServiceOperationAuditLogs | count", { duration: "P1D" }),
    );
    expect(isRestError(error) && error.statusCode).toBe(400);
    expect(JSON.stringify((error as { details?: unknown }).details)).toMatch(
      /SemanticError.*CloudHsmServiceOperationAuditLogs/,
    );
  });

  test("an unknown workspace is a 404", async () => {
    const error = await rejection(
      t.clients
        .logs()
        .queryWorkspace("00000000-0000-4000-8000-0000000000ff", "AzureDiagnostics | count", { duration: "P1D" }),
    );
    expect(isRestError(error) && error.statusCode).toBe(404);
  });
});

describe("a pinned clock", () => {
  test("now() in queries and the Date header follow the estate's `now`", async () => {
    const t = await startTestSimulator(
      `tenantId: 00000000-0000-4000-8000-0000000000aa
now: 2026-01-01T00:00:00Z
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Pinned
    workspaces:
      - { name: law, resourceGroup: rg, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001 }
`,
    );
    try {
      const result = await t.clients
        .logs()
        .queryWorkspace("bbbbbbbb-0000-4000-8000-000000000001", "print now = now(), day_ago = ago(1d)", {
          duration: "P1D",
        });
      expect(result.status).toBe(LogsQueryResultStatus.Success);
      if (result.status !== LogsQueryResultStatus.Success) return;
      const [now, dayAgo] = result.tables[0]!.rows[0] as [Date, Date];
      expect(now.getTime() - Date.parse("2026-01-01T00:00:00Z")).toBeGreaterThanOrEqual(0);
      expect(now.getTime() - Date.parse("2026-01-01T00:00:00Z")).toBeLessThan(60_000);
      expect(now.getTime() - dayAgo.getTime()).toBe(86_400_000);
      const response = await t.clients
        .arm()
        .pathUnchecked("/subscriptions")
        .get({ queryParameters: { "api-version": "2022-12-01" } });
      expect(response.headers["date"]).toMatch(/^Thu, 01 Jan 2026 00:0\d:\d\d GMT$/);
    } finally {
      await t.close();
    }
  });
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString("utf8");
}
