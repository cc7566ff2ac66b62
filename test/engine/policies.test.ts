// The built-in policy pack and the frameworks that map it, and how invalid policy files are rejected.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Ajv } from "ajv";
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { loadFrameworks, mappingsOf } from "../../src/engine/frameworks.js";
import { BUILT_IN_POLICIES, loadPolicies, PolicyError, type Policy } from "../../src/engine/policy.js";
import { placeholders } from "../../src/engine/remediation.js";
import { APPLIANCE_IDS } from "../helpers/snapshots.js";
import {
  WORKSPACE,
  cloudHsm,
  dedicatedHsm,
  managedHsm,
  row,
  sample,
  setting,
  snapshot,
  workspace,
} from "../helpers/snapshots.js";

/** DESIGN.md, "Built-in policy ids", plus the inventory policy that guards the rest. */
const DESIGN_IDS = [
  "insights-provider-registered",
  "diagnostic-setting-present",
  "audit-category-enabled",
  "log-destination-configured",
  "log-destination-exists",
  "workspace-retention",
  "logs-flowing",
  "appliance-audit-evidence",
];
/** Added to DESIGN's: the inventory check, the activity highlights and Sentinel coverage. */
const ACTIVITY_IDS = [
  "activity-failed-access",
  "activity-mass-retrieval",
  "activity-new-callers",
  "activity-sensitive-operations",
  "activity-trail-gap",
  "sentinel-coverage",
];

/** What proves the trail over the period, beyond the state at the scan. */
const PERIOD_IDS = ["diagnostic-setting-continuous"];

/** The storage archive of the audit trail. */
const ARCHIVE_IDS = ["archive-immutable", "archive-retention", "archive-secure", "archive-flowing"];
const BUILT_IN_IDS = [
  ...DESIGN_IDS,
  "hsm-inventory-complete",
  ...ACTIVITY_IDS,
  ...ARCHIVE_IDS,
  ...PERIOD_IDS,
  ...APPLIANCE_IDS,
].sort();

/** The placeholders evaluate.ts fills, per target scope (placeholderValues), and those the checks add (values). */
const SUBSCRIPTION_PLACEHOLDERS = ["subscriptionId", "subscriptionScope"];
const HSM_PLACEHOLDERS = [
  "logWindowTimespan",
  "logWindowDays",
  "logWindowStart",
  "logWindowEnd",
  "resourceId",
  "name",
  "resourceGroup",
  "subscriptionId",
  "location",
  "hsmResourceType",
  "auditCategory",
  "logsJson",
  "workspaceId",
  "workspaceResourceGroup",
  "workspaceName",
  "workspaceCustomerId",
  "minimumDays",
  "minimumInteractiveDays",
  // The archive checks' values.
  "storageAccountId",
  "storageAccountName",
  "storageResourceGroup",
  "container",
  "role",
  "minimumTlsVersion",
  // destination-retention's table, when the table's own retention is short.
  "table",
];

const builtIns = loadPolicies();
const templates = (p: Policy) =>
  [p.remediation, ...Object.values(p.remediation.cases ?? {})].flatMap((r) => [r.azCli, r.powershell, r.bicep ?? ""]);

describe("the built-in policy pack", () => {
  test("holds DESIGN's eight built-in ids, hsm-inventory-complete, the activity highlights and Sentinel coverage", () => {
    expect(builtIns.map((p) => p.id).sort()).toEqual(BUILT_IN_IDS);
  });

  test("loads every YAML file of policies/", () => {
    const files = readdirSync(BUILT_IN_POLICIES).filter((f) => /\.ya?ml$/i.test(f));
    expect(files.map((f) => f.replace(/\.ya?ml$/i, "")).sort()).toEqual(BUILT_IN_IDS);
  });

  test.each(builtIns)("$id: its id is its file name and it is marked built-in", (policy) => {
    expect(basename(policy.file).replace(/\.ya?ml$/i, "")).toBe(policy.id);
    expect(policy.source).toBe("built-in");
  });

  test.each(builtIns)("$id: its check kind exists, judges its appliesTo, and its params are valid", (policy) => {
    const kind = CHECK_KINDS.get(policy.check);
    expect(kind).toBeDefined();
    const scopes = new Set(policy.appliesTo.map((a) => (a === "subscription" ? "subscription" : "hsm")));
    expect([...scopes]).toEqual([kind!.scope]);
    const validate = new Ajv({ strict: false }).compile(kind!.paramsSchema);
    expect(validate(policy.params) ? [] : validate.errors).toEqual([]);
  });

  test.each(builtIns)("$id: every remediation placeholder is one that evaluation fills", (policy) => {
    const allowed = policy.appliesTo.includes("subscription") ? SUBSCRIPTION_PLACEHOLDERS : HSM_PLACEHOLDERS;
    const used = templates(policy).flatMap((t) => placeholders(t));
    expect(used.filter((p) => !allowed.includes(p))).toEqual([]);
  });

  /** A command of a fix that changes Azure (creates, updates, registers, assigns), not one that only reads. */
  const CHANGES = /^\s*az (?:[a-z-]+ )+(?:create|update|register|lock|delete)\b/m;
  const fixes = builtIns.flatMap((p) =>
    [["", p.remediation] as const, ...Object.entries(p.remediation.cases ?? {})].map(([name, r]) => ({
      fix: name ? `${p.id} (${name})` : p.id,
      forms: r,
    })),
  );
  test("some fixes change Azure and some only read", () => {
    expect(fixes.filter((f) => CHANGES.test(f.forms.azCli)).length).toBeGreaterThan(5);
    expect(fixes.filter((f) => !CHANGES.test(f.forms.azCli)).length).toBeGreaterThan(5);
  });
  test.each(fixes.filter((f) => CHANGES.test(f.forms.azCli)))(
    "$fix: a fix that changes Azure has a Bicep form",
    ({ forms }) => {
      expect(forms.bicep?.trim()).toBeTruthy();
    },
  );

  test("DESIGN's applies-to column holds", () => {
    const appliesTo = Object.fromEntries(builtIns.map((p) => [p.id, [...p.appliesTo].sort()]));
    expect(appliesTo).toEqual({
      "insights-provider-registered": ["subscription"],
      "hsm-inventory-complete": ["subscription"],
      "diagnostic-setting-present": ["cloudHsm", "managedHsm"],
      "diagnostic-setting-continuous": ["cloudHsm", "managedHsm"],
      "audit-category-enabled": ["cloudHsm", "managedHsm"],
      "log-destination-configured": ["cloudHsm", "managedHsm"],
      "log-destination-exists": ["cloudHsm", "managedHsm"],
      "workspace-retention": ["cloudHsm", "managedHsm"],
      "logs-flowing": ["cloudHsm", "managedHsm"],
      "appliance-audit-evidence": ["dedicatedHsm"],
      ...Object.fromEntries(APPLIANCE_IDS.map((id) => [id, ["dedicatedHsm"]])),
      // Failures and key reads can only be counted in Managed HSM logs.
      "activity-failed-access": ["managedHsm"],
      "activity-mass-retrieval": ["managedHsm"],
      "activity-new-callers": ["cloudHsm", "managedHsm"],
      "activity-sensitive-operations": ["cloudHsm", "managedHsm"],
      "activity-trail-gap": ["cloudHsm", "managedHsm"],
      "sentinel-coverage": ["cloudHsm", "managedHsm"],
      ...Object.fromEntries(ARCHIVE_IDS.map((id) => [id, ["cloudHsm", "managedHsm"]])),
    });
  });

  test("the activity highlights are info by default: they inform the reviewer and leave the gate to the rest", () => {
    for (const id of ACTIVITY_IDS.filter((i) => i.startsWith("activity-"))) {
      expect(builtIns.find((p) => p.id === id)!.severity).toBe("info");
    }
  });

  test("DESIGN's defaults hold: 365 days retention, a workspace destination, one record, one setting", () => {
    const params = (id: string) => builtIns.find((p) => p.id === id)?.params;
    expect(params("workspace-retention")).toMatchObject({ minimumDays: 365 });
    expect(params("log-destination-configured")).toMatchObject({ destinations: ["logAnalytics"] });
    expect(params("logs-flowing")).toMatchObject({ minimumRecords: 1 });
    expect(params("diagnostic-setting-present")).toMatchObject({ minimum: 1 });
    expect(params("insights-provider-registered")).toMatchObject({ states: ["Registered"] });
  });

  test("on fully configured HSMs, every placeholder of every applicable remediation is filled", () => {
    const chsm = cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] });
    const mhsm = managedHsm({ settings: [setting({ category: "AuditEvent", workspaceId: WORKSPACE })] });
    const result = evaluate(
      snapshot({
        hsms: [chsm, mhsm, dedicatedHsm()],
        workspaces: [workspace(WORKSPACE, { retentionInDays: 30, customerId: "c0ffee00-0000-4000-8000-000000000001" })],
        logSamples: [sample(WORKSPACE, { rows: [row(chsm, 1), row(mhsm, 1)] })],
      }),
      builtIns,
      { failOn: "low" },
    );
    const applicable = result.findings.filter((f) => f.status !== "not_applicable");
    const unfilled = applicable.flatMap((f) => {
      const policy = builtIns.find((p) => p.id === f.policyId)!;
      const { azCli, powershell, bicep = "" } = policy.remediation;
      const filled = `${f.remediation.azCli}\n${f.remediation.powershell}\n${f.remediation.bicep ?? ""}`;
      return placeholders(`${azCli}\n${powershell}\n${bicep}`)
        .filter((name) => filled.includes(`<${name}>`))
        .map((name) => `${f.policyId} on ${f.resourceId}: <${name}>`);
    });
    expect(unfilled).toEqual([]);
    // The appliance aspects do not apply to a Dedicated HSM without appliance evidence (their roll-up is manual).
    expect(applicable.length).toBeGreaterThan(
      builtIns.filter((p) => !(APPLIANCE_IDS as readonly string[]).includes(p.id)).length,
    );
  });
});

describe("frameworks", () => {
  const frameworks = loadFrameworks();
  const ids = new Set(builtIns.map((p) => p.id));

  test("load, and every policy id they reference exists", () => {
    expect(frameworks.length).toBeGreaterThanOrEqual(3);
    const dangling = frameworks.flatMap((f) =>
      f.requirements.flatMap((r) => r.policies.filter((p) => !ids.has(p)).map((p) => `${f.id} ${r.id}: ${p}`)),
    );
    expect(dangling).toEqual([]);
  });

  const requirementsOf = (title: RegExp, version: RegExp) => {
    const framework = frameworks.find((f) => title.test(f.title) && version.test(f.version));
    return framework?.requirements.map((r) => r.id) ?? [];
  };

  test("PCI DSS 4.0 maps requirement 10", () => {
    expect(requirementsOf(/PCI DSS/, /^4\.0/).filter((r) => r.startsWith("10."))).not.toEqual([]);
  });

  test("NIST SP 800-53 r5 maps the AU family", () => {
    const au = requirementsOf(/NIST SP 800-53/, /5/).filter((r) => r.startsWith("AU-"));
    expect(au).toEqual(expect.arrayContaining(["AU-2", "AU-11", "AU-12"]));
  });

  test("ISO/IEC 27001:2022 maps A.8.15", () => {
    expect(requirementsOf(/27001/, /2022/)).toContain("A.8.15");
  });

  test.each(BUILT_IN_IDS)("%s is mapped by at least one framework", (id) => {
    expect(mappingsOf(id, frameworks).length).toBeGreaterThan(0);
  });

  test("workspace-retention answers PCI DSS 10.5.1 (twelve months of history)", () => {
    const pci = mappingsOf("workspace-retention", frameworks).filter((m) => /PCI/.test(m.framework.title));
    expect(pci.map((m) => m.requirement.id)).toContain("10.5.1");
  });
});

describe("an invalid framework file is rejected naming file and line", () => {
  /** A valid framework. Line numbers below refer to this text. */
  const FRAMEWORK = [
    /*  1 */ "id: house-rules",
    /*  2 */ "title: House rules",
    /*  3 */ 'version: "1"',
    /*  4 */ "url: https://example.com/house-rules",
    /*  5 */ "requirements:",
    /*  6 */ "  - id: R1",
    /*  7 */ "    title: Audit logs are kept",
    /*  8 */ "    policies: [workspace-retention]",
    /*  9 */ "  - id: R2",
    /* 10 */ "    title: Audit logs flow",
    /* 11 */ "    policies:",
    /* 12 */ "      - logs-flowing",
  ];
  const withLine = (n: number, ...lines: string[]) =>
    [...FRAMEWORK.slice(0, n - 1), ...lines, ...FRAMEWORK.slice(n)].join("\n") + "\n";
  const frameworkDir = (name: string, text: string) => policyDir({ [name]: text });

  test("the valid one loads", () => {
    const [framework] = loadFrameworks(frameworkDir("house-rules.yaml", withLine(1, FRAMEWORK[0]!)));
    expect(framework).toMatchObject({ id: "house-rules", requirements: [{ id: "R1" }, { id: "R2" }] });
  });

  test.each([
    ["bad YAML", "house-rules.yaml", withLine(7, "    title: [unclosed"), 8, /not valid YAML/],
    ["unknown key", "house-rules.yaml", withLine(4, FRAMEWORK[3]!, "owner: audit"), 5, /unknown key 'owner'/],
    ["missing key", "house-rules.yaml", withLine(4), 1, /missing required key 'url'/],
    ["url not https", "house-rules.yaml", withLine(4, "url: http://example.com"), 4, /url: must match/],
    ["requirement without policies", "house-rules.yaml", withLine(8, "    policies: []"), 8, /policies/],
    ["a policy id not a string", "house-rules.yaml", withLine(12, "      - {id: x}"), 12, /must be string/],
    ["id not equal to file name", "house-rule.yaml", withLine(1, FRAMEWORK[0]!), 1, /must equal the file name/],
  ])("%s", (_what, name, text, line, reason) => {
    const dir = frameworkDir(name, text);
    let error: unknown;
    try {
      loadFrameworks(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toMatch(reason);
    expect((error as PolicyError).line).toBe(line);
    expect((error as PolicyError).message.startsWith(`${join(dir, name)}:${line}: `)).toBe(true);
  });

  test.each(loadFrameworks())("built-in $id: its id is its file name", (framework) => {
    expect(basename(framework.file).replace(/\.ya?ml$/i, "")).toBe(framework.id);
  });
});

// --- user policies ----------------------------------------------------------------------------------------------------

/** A valid user policy: destination-retention at 90 days. Line numbers below refer to this text. */
const VALID = [
  /*  1 */ "id: retention-90-days",
  /*  2 */ "title: Audit log kept 90 days",
  /*  3 */ "description: A workspace that receives the audit category keeps it at least 90 days.",
  /*  4 */ "severity: medium",
  /*  5 */ "appliesTo: [cloudHsm, managedHsm]",
  /*  6 */ "check: destination-retention",
  /*  7 */ "params:",
  /*  8 */ "  minimumDays: 90",
  /*  9 */ "rationale: Our standard keeps three months of audit log online.",
  /* 10 */ "remediation:",
  /* 11 */ "  azCli: az monitor log-analytics workspace update --ids {{workspaceId}} --retention-time {{minimumDays}}",
  /* 12 */ "  powershell: Set-AzOperationalInsightsWorkspace -Name {{workspaceName}} -RetentionInDays {{minimumDays}}",
  /* 13 */ "references: []",
];

/** VALID with line `n` (1-based) replaced by `lines` (none: deleted). */
const replaceLine = (n: number, ...lines: string[]) =>
  [...VALID.slice(0, n - 1), ...lines, ...VALID.slice(n)].join("\n") + "\n";

const dirs: string[] = [];
function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-policies-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("an invalid policy file is rejected naming file and line", () => {
  test.each([
    ["duplicate key (YAML)", "retention-90-days.yaml", replaceLine(3, VALID[2]!, "title: Again"), 4, /not valid YAML/],
    ["tab indentation (YAML)", "retention-90-days.yaml", replaceLine(9, "\trationale: tabbed"), 9, /not valid YAML/],
    [
      "unknown key",
      "retention-90-days.yaml",
      replaceLine(4, "owner: security-team", VALID[3]!),
      4,
      /unknown key 'owner'/,
    ],
    ["wrong severity", "retention-90-days.yaml", replaceLine(4, "severity: urgent"), 4, /severity: must be one of/],
    ["id not equal to file name", "retention-ninety.yaml", replaceLine(1, VALID[0]!), 1, /must equal the file name/],
    ["id not kebab-case", "Retention_90.yaml", replaceLine(1, "id: Retention_90"), 1, /kebab-case/],
    [
      "unknown check kind",
      "retention-90-days.yaml",
      replaceLine(6, "check: destination-retained"),
      6,
      /unknown check kind/,
    ],
    ["invalid params", "retention-90-days.yaml", replaceLine(8, '  minimumDays: "a year"'), 8, /minimumDays/],
    ["params out of range", "retention-90-days.yaml", replaceLine(8, "  minimumDays: 0"), 8, /minimumDays/],
    [
      "unknown param",
      "retention-90-days.yaml",
      replaceLine(8, VALID[7]!, "  maximumDays: 400"),
      9,
      /unknown key 'maximumDays'/,
    ],
    [
      "unknown param whose value is a block (the key's line, not the value's)",
      "retention-90-days.yaml",
      replaceLine(8, VALID[7]!, "  bogus:", "    - 1"),
      9,
      /unknown key 'bogus'/,
    ],
    ["unknown appliesTo kind", "retention-90-days.yaml", replaceLine(5, "appliesTo: [keyVault]"), 5, /appliesTo/],
    [
      "appliesTo subscription with an HSM check kind",
      "retention-90-days.yaml",
      replaceLine(5, "appliesTo: [subscription]"),
      5,
      /judges HSMs, so appliesTo cannot name subscription/,
    ],
    [
      "appliesTo an HSM kind with a subscription check kind",
      "retention-90-days.yaml",
      replaceLine(6, "check: provider-registered").replace("  minimumDays: 90\n", "  states: [Registered]\n"),
      5,
      /judges subscriptions, so appliesTo cannot name HSM kinds/,
    ],
    [
      "a reference that is not https",
      "retention-90-days.yaml",
      replaceLine(13, "references:", "  - title: Intranet", "    url: http://wiki"),
      15,
      /https/,
    ],
  ])("%s", (_label, fileName, text, line, reason) => {
    const dir = policyDir({ [fileName]: text });
    const file = join(dir, fileName);
    let error: unknown;
    try {
      loadPolicies([dir]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const policyError = error as PolicyError;
    expect(policyError.message.startsWith(`${file}:${line}: `)).toBe(true);
    expect(policyError.message).toMatch(reason);
    expect({ file: policyError.file, line: policyError.line }).toEqual({ file, line });
  });

  test("the unmodified template is valid (so each case above fails for its own reason)", () => {
    const dir = policyDir({ "retention-90-days.yaml": replaceLine(1, VALID[0]!) });
    expect(loadPolicies([dir]).map((p) => p.id)).toContain("retention-90-days");
  });

  test("two policies with one id in a user directory are rejected", () => {
    const dir = policyDir({ "retention-90-days.yaml": VALID.join("\n"), "retention-90-days.yml": VALID.join("\n") });
    expect(() => loadPolicies([dir])).toThrow(PolicyError);
    expect(() => loadPolicies([dir])).toThrow(/a second policy with id 'retention-90-days'/);
  });

  test("a user directory without policy files is rejected", () => {
    const dir = policyDir({ "notes.txt": "not a policy" });
    expect(() => loadPolicies([dir])).toThrow(/holds no policy file/);
  });
});

describe("user policies", () => {
  test("a policy reusing destination-retention at 90 days under a new id loads alongside the built-ins", () => {
    const dir = policyDir({ "retention-90-days.yaml": VALID.join("\n") });
    const policies = loadPolicies([dir]);
    expect(policies.map((p) => p.id).sort()).toEqual([...BUILT_IN_IDS, "retention-90-days"].sort());
    const mine = policies.find((p) => p.id === "retention-90-days")!;
    expect(mine).toMatchObject({ source: dir, check: "destination-retention", params: { minimumDays: 90 } });
    // The categories param, left out, takes the kind's default.
    expect(mine.params.categories).toEqual({ cloudHsm: ["HsmServiceOperations"], managedHsm: ["AuditEvent"] });
  });

  test("a user policy with a built-in's id replaces it", () => {
    const text = replaceLine(1, "id: workspace-retention");
    const dir = policyDir({ "workspace-retention.yaml": text });
    const policies = loadPolicies([dir]);
    expect(policies.map((p) => p.id).sort()).toEqual(BUILT_IN_IDS);
    const replaced = policies.filter((p) => p.id === "workspace-retention");
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ source: dir, severity: "medium", params: { minimumDays: 90 } });
  });

  test("a file loaded again is parsed again only when its text changed, and each load is the caller's own copy", () => {
    const dir = policyDir({ "retention-90-days.yaml": VALID.join("\n") });
    const mine = () => loadPolicies([dir]).find((p) => p.id === "retention-90-days")!;
    const loads = [mine(), mine(), mine()];
    expect(new Set(loads).size).toBe(3);
    for (const loaded of loads) {
      expect(loaded.params.minimumDays).toBe(90);
      expect(loaded.references.map((r) => r.title)).not.toContain("changed by a caller");
      loaded.params.minimumDays = 1;
      loaded.references.push({ title: "changed by a caller", url: "https://example.com" });
    }
    expect(mine().params.minimumDays).toBe(90);
    writeFileSync(join(dir, "retention-90-days.yaml"), VALID.join("\n").replace("minimumDays: 90", "minimumDays: 120"));
    expect(mine().params.minimumDays).toBe(120);
    writeFileSync(join(dir, "retention-90-days.yaml"), VALID.join("\n").replace("severity: medium", "severity: bogus"));
    expect(() => mine()).toThrow(PolicyError);
  });

  test("policies are listed in id order", () => {
    const dir = policyDir({ "retention-90-days.yaml": VALID.join("\n") });
    const listed = loadPolicies([dir]).map((p) => p.id);
    expect(listed).toEqual([...listed].sort());
  });

  test("the 90-day user policy passes a 120-day workspace that the built-in 365-day policy fails", () => {
    const dir = policyDir({ "retention-90-days.yaml": VALID.join("\n") });
    const policies = loadPolicies([dir]);
    const hsm = managedHsm({ settings: [setting({ category: "AuditEvent", workspaceId: WORKSPACE })] });
    const result = evaluate(
      snapshot({ hsms: [hsm], workspaces: [workspace(WORKSPACE, { retentionInDays: 120 })] }),
      policies,
      { failOn: "low" },
    );
    const statusOf = (id: string) => result.findings.find((f) => f.policyId === id)?.status;
    expect({ builtIn: statusOf("workspace-retention"), mine: statusOf("retention-90-days") }).toEqual({
      builtIn: "fail",
      mine: "pass",
    });
    // The failing built-in carries its fix with its own threshold; the passing user policy needs none.
    expect(result.findings.find((f) => f.policyId === "workspace-retention")?.remediation.azCli).toContain(
      "--retention-time '365'",
    );
    expect(result.findings.find((f) => f.policyId === "retention-90-days")?.remediation.azCli).toBe("");
  });
});
