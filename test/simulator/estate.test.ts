// Estate files: what they resolve to, and the errors a person sees for a bad one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadEstateFile, parseEstate, settingCarries } from "../../src/simulator/estate.js";
import { SIMULATOR_PRINCIPAL_ID } from "../../src/simulator/token.js";
import { buildWorkspaceTables } from "../../src/simulator/tables.js";
import { estateSchema } from "../../src/simulator/estate-schema.js";
import { CONTOSO, ROOT } from "../helpers/simulator.js";
import { estateProblems } from "../helpers/estates.js";

const NOW = new Date("2026-11-22T12:00:00Z");

const base = (body: string) => `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Lab
${body}`;

const problemsOf = (text: string) => estateProblems(text, "lab.yaml", NOW);

/** A Cloud HSM `c` with the given YAML under it (indented 8 spaces), beside a workspace `law` and a storage account. */
const hsm = (body: string) =>
  base(`    workspaces:
      - { name: law, resourceGroup: rg, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001 }
    storageAccounts:
      - { name: starchive, resourceGroup: rg, location: eastus }
    cloudHsmClusters:
      - name: c
        resourceGroup: rg
        location: eastus
${body}`);

/** What passes the schema but Azure itself would refuse, or what cannot mean anything. */
function semanticCases(): { name: string; text: string; expected: string | RegExp }[] {
  const audit = "logs: [{ category: HsmServiceOperations, enabled: true }]";
  return [
    {
      name: "two settings with one name",
      text: hsm(`        diagnosticSettings:
          - { name: s, workspace: law, ${audit} }
          - { name: S, storageAccount: starchive, ${audit} }
`),
      expected:
        "lab.yaml:15: subscriptions[0].cloudHsmClusters[0].diagnosticSettings[1].name: a setting named 'S' already exists on this HSM",
    },
    {
      name: "a setting without a destination",
      text: hsm(`        diagnosticSettings:
          - { name: s, ${audit} }
`),
      expected: "subscriptions[0].cloudHsmClusters[0].diagnosticSettings[0]: names no destination",
    },
    {
      name: "a category the resource does not list",
      text: hsm(`        diagnosticSettings:
          - { name: s, workspace: law, logs: [{ category: AuditEvent, enabled: true }] }
`),
      expected:
        "diagnosticSettings[0].logs[0].category: 'AuditEvent' is not a log category of this HSM (it has HsmServiceOperations)",
    },
    {
      name: "a category group no category is in",
      text: hsm(`        diagnosticSettings:
          - { name: s, workspace: law, logs: [{ categoryGroup: security, enabled: true }] }
`),
      expected:
        "diagnosticSettings[0].logs[0].categoryGroup: 'security' is not a category group of this HSM's log categories",
    },
    {
      name: "a metric category the resource does not list",
      text: hsm(`        diagnosticSettings:
          - { name: s, workspace: law, ${audit}, metrics: [{ category: Latency, enabled: true }] }
`),
      expected:
        "diagnosticSettings[0].metrics[0].category: 'Latency' is not a metric category of this HSM (it has AllMetrics)",
    },
    {
      name: "one destination fed the same category by two settings",
      text: hsm(`        diagnosticSettings:
          - { name: s1, workspace: law, ${audit} }
          - { name: s2, workspace: law, logs: [{ categoryGroup: allLogs, enabled: true }] }
`),
      expected:
        "diagnosticSettings[1]: sends 'HsmServiceOperations' to a destination that setting 's1' already sends it to",
    },
    {
      name: "fields that would overwrite what the simulator sets",
      text: hsm(`        activity:
          - { ago: 1h, operation: CN_LOGIN, fields: { TimeGenerated: "2026-01-01", _ResourceId: x } }
`),
      expected: "activity[0].fields: TimeGenerated, _ResourceId are set by the simulator, not by fields",
    },
    {
      name: "a date that does not exist",
      text: hsm(`        activity:
          - { at: "2026-02-30T10:00:00Z", operation: CN_LOGIN }
`),
      expected: "activity[0].at: '2026-02-30T10:00:00Z' is not a date and time that exists",
    },
    {
      name: "a series that never advances",
      text: hsm(`        activity:
          - { every: 0s, from: 1d, operations: [CN_LOGIN] }
`),
      expected: "activity[0].every: must be longer than zero",
    },
    {
      name: "a series that ends before it starts",
      text: hsm(`        activity:
          - { every: 1h, from: 1h, to: 5h, operations: [CN_LOGIN] }
`),
      expected: "activity[0].to: ends before the series starts",
    },
    {
      name: "a `now` that does not exist",
      text: base("").replace("subscriptions:", "now: 2026-13-01T00:00:00Z\nsubscriptions:"),
      expected: "lab.yaml:2: now: '2026-13-01T00:00:00Z' is not a date and time that exists",
    },
    {
      name: "one customerId for two workspaces",
      text: base(`    workspaces:
      - { name: law1, resourceGroup: rg, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001 }
      - { name: law2, resourceGroup: rg, location: eastus, customerId: BBBBBBBB-0000-4000-8000-000000000001 }
`),
      expected:
        "subscriptions[0].workspaces[1].customerId: customerId bbbbbbbb-0000-4000-8000-000000000001 is already used at subscriptions[0].workspaces[0].customerId",
    },
    {
      name: "an HSM name ARM would not accept",
      text: base(`    managedHsms:
      - { name: "m/x", resourceGroup: rg, location: eastus }
`),
      expected: "subscriptions[0].managedHsms[0].name: must match pattern",
    },
    {
      name: "Retry-After without a status",
      text: `${base("")}faults:\n  - { route: provider, latencyMs: 10, retryAfter: 1 }\n`,
      expected: "faults[0]: must have property status when property retryAfter is present",
    },
    {
      name: "an effect switched off is no effect",
      text: `${base("")}faults:\n  - { route: provider, drop: false }\n`,
      expected: "faults[0].drop: must be equal to constant",
    },
  ];
}

describe("invalid estates name the file, line, path and reason", () => {
  test.each([
    {
      name: "YAML syntax",
      text: "tenantId: [unclosed\nsubscriptions: []\n",
      expected: /^lab\.yaml:\d+: not valid YAML or JSON/,
    },
    {
      name: "missing tenantId",
      text: "subscriptions: []\n",
      expected: "lab.yaml:1: missing required key 'tenantId'",
    },
    {
      name: "unknown key (a typo)",
      text: base("    cloudHsmCluster: []\n"),
      expected: "lab.yaml:3: subscriptions[0]: unknown key 'cloudHsmCluster'",
    },
    {
      name: "bad subscription id",
      text: base("").replace("aaaaaaaa-0000-4000-8000-000000000001", "not-a-guid"),
      expected: /lab\.yaml:3: subscriptions\[0\]\.subscriptionId: must match pattern/,
    },
    {
      name: "wrong type",
      text: base("    pageSize: two\n"),
      expected: "lab.yaml:5: subscriptions[0].pageSize: must be integer",
    },
    {
      name: "log entry with neither category nor group",
      text: base(`    cloudHsmClusters:
      - name: c
        resourceGroup: rg
        location: eastus
        diagnosticSettings:
          - name: s
            logs: [{ enabled: true }]
`),
      expected:
        "lab.yaml:11: subscriptions[0].cloudHsmClusters[0].diagnosticSettings[0].logs[0]: a log entry names exactly one of `category` or `categoryGroup`",
    },
    {
      name: "destination name that does not exist",
      text: base(`    cloudHsmClusters:
      - name: c
        resourceGroup: rg
        location: eastus
        diagnosticSettings:
          - name: s
            workspace: law-typo
            logs: [{ category: HsmServiceOperations, enabled: true }]
`),
      expected:
        "lab.yaml:11: subscriptions[0].cloudHsmClusters[0].diagnosticSettings[0].workspace: no workspace named 'law-typo' in this subscription",
    },
    {
      name: "activity that is neither a record nor a series",
      text: base(`    managedHsms:
      - name: m
        resourceGroup: rg
        location: eastus
        activity:
          - { ago: 1h }
`),
      expected: "subscriptions[0].managedHsms[0].activity[0]: an activity entry is either one record",
    },
    {
      name: "duration that is not one",
      text: base(`    managedHsms:
      - name: m
        resourceGroup: rg
        location: eastus
        activity:
          - { ago: yesterday, operation: KeyGet }
`),
      expected: /lab\.yaml:10: subscriptions\[0\]\.managedHsms\[0\]\.activity\[0\]\.ago: must match pattern/,
    },
    {
      name: "fault on an unknown route",
      text: `${base("")}faults:\n  - { route: everything, status: 500 }\n`,
      expected: "lab.yaml:6: faults[0].route: must be one of *, subscriptions",
    },
    {
      name: "fault with no effect",
      text: `${base("")}faults:\n  - { route: provider }\n`,
      expected: "faults[0]: a fault needs at least one effect",
    },
    {
      name: "more than five diagnostic settings",
      text: base(`    managedHsms:
      - name: m
        resourceGroup: rg
        location: eastus
        diagnosticSettings: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}]
`),
      expected: "subscriptions[0].managedHsms[0].diagnosticSettings: must NOT have more than 5 items",
    },
    {
      name: "HSMs under a provider the subscription is not registered for",
      text: base(`    providers: { Microsoft.KeyVault: NotRegistered }
    managedHsms:
      - { name: m, resourceGroup: rg, location: eastus }
`),
      expected:
        "subscriptions[0].managedHsms[0]: the subscription's Microsoft.KeyVault provider is NotRegistered, so it cannot hold managedHsms",
    },
    {
      name: "an immutability policy in a state Azure does not have",
      text: base(`    storageAccounts:
      - name: starchive
        resourceGroup: rg
        location: eastus
        containers: [{ name: insights-logs-auditevent, immutabilityPolicy: { days: 365, state: Frozen } }]
`),
      expected:
        "subscriptions[0].storageAccounts[0].containers[0].immutabilityPolicy.state: must be one of Locked, Unlocked",
    },
    {
      name: "a table retention Log Analytics refuses",
      text: base(`    workspaces:
      - name: law
        resourceGroup: rg
        location: eastus
        customerId: bbbbbbbb-0000-4000-8000-000000000001
        tableRetention: { AZKVAuditLogs: { retentionInDays: 1 } }
`),
      expected: "subscriptions[0].workspaces[0].tableRetention.AZKVAuditLogs.retentionInDays: must be >= 4",
    },
    {
      name: "an archive served over plain HTTP",
      text: base(`    storageAccounts:
      - { name: starchive, resourceGroup: rg, location: eastus, archive: { blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1/" } }
`),
      expected: /storageAccounts\[0\]\.archive\.blobEndpoint: must match pattern/,
    },
    ...semanticCases(),
  ])("$name", ({ text, expected }) => {
    const message = problemsOf(text);
    if (typeof expected === "string") expect(message).toContain(expected);
    else expect(message).toMatch(expected);
  });

  test("a missing file is named", () => {
    expect(() => loadEstateFile("/nonexistent/estate.yaml")).toThrow(
      /\/nonexistent\/estate\.yaml: cannot read the file/,
    );
  });
});

describe("resolution", () => {
  test("the Contoso estate loads with all three kinds", () => {
    const estate = loadEstateFile(CONTOSO, { now: NOW });
    const kinds = estate.subscriptions.flatMap((s) => s.hsms).map((h) => h.kind);
    expect(new Set(kinds)).toEqual(new Set(["cloudHsm", "managedHsm", "dedicatedHsm"]));
    expect(estate.subscriptions).toHaveLength(4);
    // A JWT (three base64url parts) with the fixed fake signature, whose claims name the scanning principal.
    expect(estate.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(estate.token.split(".")[1]!, "base64url").toString("utf8"));
    expect(claims).toMatchObject({ tid: estate.tenantId, oid: SIMULATOR_PRINCIPAL_ID, idtyp: "app" });
  });

  test("relative times resolve against the clock, series expand on the grid", () => {
    const estate = parseEstate(
      base(`    managedHsms:
      - name: m
        resourceGroup: rg
        location: eastus
        activity:
          - { ago: 90m, operation: KeyDelete, caller: 10.0.0.9, identity: admin@contoso.example }
          - { every: 1h, from: 3h, to: 1h, operations: [KeyGet, KeySign], callers: [10.0.0.1, 10.0.0.2] }
`),
      "lab.yaml",
      { now: NOW },
    );
    const activity = estate.subscriptions[0]!.hsms[0]!.activity;
    expect(activity.map((a) => [a.time.toISOString(), a.operation, a.caller])).toEqual([
      ["2026-11-22T10:30:00.000Z", "KeyDelete", "10.0.0.9"],
      ["2026-11-22T09:00:00.000Z", "KeyGet", "10.0.0.1"],
      ["2026-11-22T10:00:00.000Z", "KeySign", "10.0.0.2"],
      ["2026-11-22T11:00:00.000Z", "KeyGet", "10.0.0.1"],
    ]);
  });

  test("a `now` in the file pins the clock unless the caller overrides it", () => {
    const text = `tenantId: 00000000-0000-4000-8000-0000000000aa\nnow: 2026-01-01T00:00:00Z\nsubscriptions: []\n`;
    expect(parseEstate(text, "x.yaml").now.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(parseEstate(text, "x.yaml", { now: NOW }).now).toEqual(NOW);
  });
});

describe("routing of audit records to tables", () => {
  const estate = loadEstateFile(CONTOSO, { now: NOW });
  const hsm = (name: string) => estate.subscriptions.flatMap((s) => s.hsms).find((h) => h.name === name)!;

  test.each([
    ["chsm-payments-eus", true, "category named directly"],
    ["chsm-payments-wus", true, "allLogs group"],
    ["mhsm-payments-keys", true, "audit group that contains AuditEvent"],
    ["chsm-identity-02", false, "audit group that, for this resource, does not contain the category"],
    ["mhsm-research", false, "category listed but disabled"],
  ])("%s carries the audit category: %s (%s)", (name, expected) => {
    const h = hsm(name);
    const category = h.kind === "cloudHsm" ? "HsmServiceOperations" : "AuditEvent";
    expect(h.diagnosticSettings.some((s) => settingCarries(h, s, category))).toBe(expected);
  });

  test("records reach only the workspaces whose settings carry them, in the table of the destination type", () => {
    const tables = buildWorkspaceTables(estate);
    const ws = (sub: string, rg: string, name: string) =>
      tables.get(
        `/subscriptions/${sub}/resourcegroups/${rg}/providers/microsoft.operationalinsights/workspaces/${name}`,
      )!;
    const eus = ws("11111111-1111-4111-8111-111111111111", "rg-security-monitoring", "law-security-eus");
    expect([...eus.keys()].sort()).toEqual(["AzureDiagnostics", "CloudHsmServiceOperationAuditLogs"]);
    const identity = ws("22222222-2222-4222-8222-222222222222", "rg-identity-monitoring", "law-identity");
    // chsm-identity-02's setting does not carry its category, so nothing of it arrives.
    expect([...identity.keys()]).toEqual(["AZKVAuditLogs"]);
    const research = ws("33333333-3333-4333-8333-333333333333", "rg-research", "law-research");
    const rows = research.get("CloudHsmServiceOperationAuditLogs")!.rows;
    expect(new Set(rows.map((r) => r._ResourceId))).toEqual(
      new Set([
        "/subscriptions/33333333-3333-4333-8333-333333333333/resourcegroups/rg-research/providers/microsoft.hardwaresecuritymodules/cloudhsmclusters/chsm-research-02",
      ]),
    );
    expect(research.has("AzureDiagnostics")).toBe(false);
    const azd = eus.get("AzureDiagnostics")!.rows[0]!;
    expect(azd).toMatchObject({
      ResourceProvider: "MICROSOFT.KEYVAULT",
      ResourceType: "MANAGEDHSMS",
      Category: "AuditEvent",
    });
  });
});

describe("the published JSON schema", () => {
  test("docs/estate.schema.json is the schema the simulator validates with (npm run schemas)", () => {
    const published = JSON.parse(readFileSync(join(ROOT, "docs/estate.schema.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const { $schema: _draft, title: _title, ...rest } = published;
    expect(rest).toEqual(JSON.parse(JSON.stringify(estateSchema)));
  });
});

describe("the example in docs/estate.md", () => {
  test("parses, and routes its records into the workspace", () => {
    const doc = readFileSync(join(ROOT, "docs/estate.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const estate = parseEstate(example!, "docs/estate.md", { now: NOW });
    const hsm = estate.subscriptions[0]!.hsms[0]!;
    // Every hour from 2 days ago up to now (49 records), and one more.
    expect(hsm.activity).toHaveLength(50);
    expect(estate.faults).toEqual([
      { route: "diagnosticSettings", match: "chsm-payments", status: 429, retryAfter: 1, times: 1 },
    ]);
    const rows = [...buildWorkspaceTables(estate).values()][0]!.get("CloudHsmServiceOperationAuditLogs")!.rows;
    expect(rows).toHaveLength(50);
  });
});
