// The benchmark's estate: `subscriptions` subscriptions holding `hsms` HSMs between them (two Cloud HSMs for every
// Managed HSM, one Dedicated HSM in twenty), every Cloud and Managed HSM sending its audit log to one of `workspaces`
// Log Analytics workspaces (spread over the first subscriptions, reached across subscriptions by ARM id), with
// Microsoft Sentinel on each workspace and a few records a day per HSM. Deterministic: the same arguments give the
// same estate.

const guid = (prefix, i) => `${prefix}-0000-4000-8000-${String(i).padStart(12, "0")}`;

export function benchEstate({ subscriptions, hsms, workspaces, recordsEvery = "6h" }) {
  const subs = Array.from({ length: subscriptions }, (_, i) => ({
    subscriptionId: guid(String(i).padStart(8, "0"), i),
    displayName: `Bench subscription ${i}`,
    cloudHsmClusters: [],
    managedHsms: [],
    dedicatedHsms: [],
    workspaces: [],
  }));
  const workspaceIds = [];
  for (let w = 0; w < workspaces; w++) {
    const sub = subs[w % subs.length];
    const name = `law-bench-${w}`;
    sub.workspaces.push({
      name,
      resourceGroup: "rg-monitoring",
      location: "eastus",
      customerId: guid("c0000000", w),
      retentionInDays: 400,
      sentinel: {
        onboarded: true,
        rules: [
          {
            name: "hsm-key-destruction",
            displayName: "HSM key destruction",
            query:
              "union (AzureDiagnostics | where ResourceType == 'MANAGEDHSMS' and OperationName == 'KeyDelete'), (CloudHsmServiceOperationAuditLogs | where OperationName == 'CN_TOMBSTONE_OBJECT')",
          },
        ],
      },
    });
    workspaceIds.push(
      `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/${name}`,
    );
  }
  for (let h = 0; h < hsms; h++) {
    const sub = subs[h % subs.length];
    const kind = h % 20 === 19 ? "dedicated" : h % 3 === 2 ? "managed" : "cloud";
    const name = `${kind === "cloud" ? "chsm" : kind === "managed" ? "mhsm" : "dhsm"}-bench-${h}`;
    if (kind === "dedicated") {
      sub.dedicatedHsms.push({ name, resourceGroup: "rg-hsm", location: "eastus" });
      continue;
    }
    const workspace = workspaceIds[h % workspaceIds.length];
    const hsm = {
      name,
      resourceGroup: "rg-hsm",
      location: "eastus",
      diagnosticSettings: [
        {
          name: "audit-to-workspace",
          workspace,
          logs: [{ category: kind === "cloud" ? "HsmServiceOperations" : "AuditEvent", enabled: true }],
        },
      ],
      activity: [
        kind === "cloud"
          ? {
              every: recordsEvery,
              from: "7d",
              operations: ["CN_LOGIN", "HASH_SINGLE_CALL", "CN_LOGOUT"],
              callers: ["10.0.0.4", "10.0.0.5"],
            }
          : {
              every: recordsEvery,
              from: "7d",
              operations: ["KeyGet", "KeySign", "KeyWrap"],
              callers: ["10.0.1.4"],
              identities: ["app@contoso.example"],
            },
      ],
    };
    (kind === "cloud" ? sub.cloudHsmClusters : sub.managedHsms).push(hsm);
  }
  for (const sub of subs) {
    for (const key of ["cloudHsmClusters", "managedHsms", "dedicatedHsms", "workspaces"]) {
      if (sub[key].length === 0) delete sub[key];
    }
  }
  return {
    description: `Benchmark estate: ${hsms} HSMs in ${subscriptions} subscriptions, ${workspaces} workspaces`,
    tenantId: "00000000-0000-4000-8000-0000000000be",
    token: "bench-token-not-a-secret",
    subscriptions: subs,
  };
}
