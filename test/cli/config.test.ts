// The configuration file, the waivers file and their flags, through the real CLI on an offline snapshot (evaluate):
// precedence (flag > file > default), every mistake an exit 2 naming file and line with nothing written, and
// `config print`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { cloudHsm, sealed, snapshot } from "../helpers/snapshots.js";
import type { Result } from "../../src/model/result.js";

afterAll(cleanUp);

/** A Cloud HSM without any diagnostic setting: its HSM policies fail (critical, high, medium); nothing is an error. */
const bare = cloudHsm({ name: "chsm-bare", resourceGroup: "rg-hsm", settings: [] });
/** Sealed: its evidence holds the bodies its facts were read from, as evaluate checks. */
const SNAPSHOT = sealed(snapshot({ hsms: [bare] }));

/** The CLI's own main(), in this process (test/helpers/main-in-process.ts): these runs never reach the network. */
function cli(args: string[], cwd: string) {
  return runMain(args, cwd);
}

/** A working directory with the snapshot and the given files; runs `evaluate` there. */
function setup(files: Record<string, string> = {}) {
  const dir = tempDir();
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify(SNAPSHOT));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const evaluate = async (args: string[] = []) => {
    const run = await cli(["evaluate", "--snapshot", "snapshot.json", ...args], dir);
    const out = args.includes("--out") ? join(dir, args[args.indexOf("--out") + 1]!) : join(dir, "hsm-audit-results");
    const resultFile = [out, join(dir, "configured-out")].map((d) => join(d, "result.json")).find((f) => existsSync(f));
    const result = resultFile ? (JSON.parse(readFileSync(resultFile, "utf8")) as Result) : undefined;
    return { ...run, result, dir };
  };
  return { dir, evaluate };
}

const waiverOf = (policy: string, expires: string, extra = "") =>
  `- policy: ${policy}\n  resource: /subscriptions/*/resourceGroups/rg-hsm/**\n  reason: Standby HSM, audit trail set up next sprint\n  owner: alice@contoso.example\n  ticket: SEC-7\n  expires: ${expires}\n${extra}`;
/** Waives every HSM policy that fails for the bare HSM, until the end of the snapshot's year. */
const ALL_HSM_FAILURES = [
  "diagnostic-setting-present",
  "diagnostic-setting-continuous",
  "audit-category-enabled",
  "log-destination-configured",
  "log-destination-exists",
  "workspace-retention",
  "logs-flowing",
];

describe("precedence: a flag beats the configuration file, which beats the default", () => {
  test("the default fail-on (low) fails the bare HSM; the file's 'never' passes it; the flag's 'low' fails it again", async () => {
    const { evaluate } = setup();
    const first = await evaluate();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(1);
    const configured = setup({ "hsm-audit.config.yaml": "failOn: never\n" });
    const viaFile = await configured.evaluate();
    expect(viaFile.code).toBe(0);
    expect(viaFile.result!.failOn).toBe("never");
    expect((await configured.evaluate(["--fail-on", "low"])).code).toBe(1);
  });

  test("--no-config reads no file, not even the default one", async () => {
    const configured = setup({ "hsm-audit.config.yaml": "failOn: never\n" });
    const run = await configured.evaluate(["--no-config"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.result!.failOn).toBe("low");
  });

  test("--config names another file; formats and out come from it, relative to the file", async () => {
    const { evaluate, dir } = setup({
      "ci.yaml": "failOn: critical\nformats: [csv, md]\nout: configured-out\n",
    });
    const run = await evaluate(["--config", "ci.yaml"]);
    expect(run.code).toBe(1);
    expect(run.result!.failOn).toBe("critical");
    expect(existsSync(join(dir, "configured-out", "findings.csv"))).toBe(true);
    expect(existsSync(join(dir, "configured-out", "summary.md"))).toBe(true);
    // --format given replaces the file's list.
    const flagged = await evaluate(["--config", "ci.yaml", "--format", "junit", "--out", "flag-out"]);
    expect(existsSync(join(dir, "flag-out", "junit.xml"))).toBe(true);
    expect(existsSync(join(dir, "flag-out", "findings.csv"))).toBe(false);
    expect(flagged.code).toBe(1);
  });

  test("params per policy reach the check: a stricter retention shows in the policy's params", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "params:\n  workspace-retention:\n    minimumDays: 730\n" });
    const printed = await cli(["config", "print"], dir);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/params:\n {2}workspace-retention:\n {4}minimumDays: 730/);
  });

  test("exclude leaves an HSM out of evaluation and lists it as excluded", async () => {
    const { evaluate } = setup({
      "hsm-audit.config.yaml": "exclude:\n  - /subscriptions/*/resourceGroups/RG-HSM/**\n",
    });
    const run = await evaluate();
    expect(run.result!.excluded).toEqual([
      { resourceId: bare.id, pattern: "/subscriptions/*/resourceGroups/RG-HSM/**" },
    ]);
    expect(run.result!.findings.some((f) => f.resourceId === bare.id)).toBe(false);
    expect(run.result!.resources.map((r) => r.id)).toContain(bare.id);
  });
});

describe("formats", () => {
  test("the file's formats are written beside result.json (every format of the contract is in this build)", async () => {
    const { evaluate, dir } = setup({ "hsm-audit.config.yaml": "formats: [pdf, csv]\n" });
    expect((await evaluate()).code).toBe(1);
    for (const file of ["result.json", "report.pdf", "findings.csv"]) {
      expect(existsSync(join(dir, "hsm-audit-results", file))).toBe(true);
    }
  });
});

describe("config print", () => {
  test("shows each merged value and where it came from", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "failOn: high\nlogWindow: 30d\nwaivers:\n  maxDays: 90\n" });
    const run = await cli(["config", "print", "--log-window", "14d"], dir);
    expect(run.code).toBe(0);
    const file = join(dir, "hsm-audit.config.yaml");
    expect(run.stdout).toContain(`# configuration file: ${file}`);
    expect(run.stdout).toContain(`# failOn: ${file}\nfailOn: high`);
    expect(run.stdout).toContain("# logWindow: flag\nlogWindow: 14d");
    expect(run.stdout).toContain("# clockSkewTolerance: default\nclockSkewTolerance: 5m");
    expect(run.stdout).toContain(
      `# out: default (a relative path is resolved against the working directory, ${dir})\nout: hsm-audit-results`,
    );
    expect(run.stdout).toMatch(/maxDays: 90/);
  });
});

describe("config print takes every scan flag and shows the scan that would run", () => {
  test("the scan's own flags, each with its source, after the checks a scan makes", async () => {
    const { dir } = setup();
    writeFileSync(join(dir, "placeholder"), "");
    const run = await cli(
      [
        "config",
        "print",
        "--inventory",
        "resource-graph",
        "--concurrency",
        "8",
        "--timeout",
        "30s",
        "--period",
        "2026-10",
        "--snapshot-out",
        "snap.json",
        "--no-arm-batch",
      ],
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "# scan (flags only): inventory: flag; armBatch: flag; concurrency: flag; maxRetries: default; timeout: flag; armEndpoint: default; logsEndpoint: default; snapshotOut: flag",
    );
    expect(run.stdout).toMatch(
      /\n {2}inventory: resource-graph\n {2}armBatch: false\n {2}concurrency: 8\n {2}maxRetries: 4\n {2}timeout: 30s\n/,
    );
    expect(run.stdout).toContain(`snapshotOut: ${join(dir, "snap.json")}`);
    expect(run.stdout).toContain("# period: flag\nperiod: 2026-10");
    expect(run.stdout).toContain(
      "# searched for audit records: 2026-10: 2026-10-01T00:00:00.000Z to 2026-11-01T00:00:00.000Z",
    );
  });

  test.each([
    [["--concurrency", "0"], /--concurrency/],
    [["--inventory", "everything"], /--inventory must be arm or resource-graph, not 'everything'/],
    [["--timeout", "soon"], /--timeout must be a duration/],
    [["--period", "2026-13"], /--period must be a month as YYYY-MM/],
    [["--period", "2026-10", "--log-window", "7d"], /--period and --log-window cannot be used together/],
    [
      ["--snapshot-out", "no-such-dir/snap.json"],
      /--snapshot-out no-such-dir\/snap\.json: its directory .* does not exist/,
    ],
  ])("a bad scan flag (%j) is refused as the scan refuses it: exit 2", async (args, expected) => {
    const { dir } = setup();
    const run = await cli(["config", "print", ...args], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected);
    expect(run.stdout).toBe("");
  });

  test("says where out resolves: against the configuration file's folder, or the working directory", async () => {
    const { dir } = setup({ "ci.yaml": "out: results\n" });
    const fromFile = await cli(["config", "print", "--config", "ci.yaml"], dir);
    expect(fromFile.stdout).toContain(
      `# out: ${join(dir, "ci.yaml")} (resolved against the configuration file's folder)\nout: ${join(dir, "results")}`,
    );
    const fromFlag = await cli(["config", "print", "--config", "ci.yaml", "--out", "elsewhere"], dir);
    expect(fromFlag.stdout).toContain(
      `# out: flag (a relative path is resolved against the working directory, ${dir})\nout: elsewhere`,
    );
  });
});

describe("the scan's scope: subscriptions, or management groups", () => {
  const SUB = "11111111-1111-4111-8111-111111111111";

  test("managementGroups in the file is shown with its source; a --subscription flag replaces it", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "managementGroups:\n  - mg-payments\n  - mg-identity\n" });
    const file = join(dir, "hsm-audit.config.yaml");
    const printed = await cli(["config", "print"], dir);
    expect(printed.stderr).toBe("");
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      `# managementGroups: ${file}\nmanagementGroups:\n  - mg-payments\n  - mg-identity`,
    );
    expect(printed.stdout).toContain("# subscriptions: default\nsubscriptions: []");
    const flagged = await cli(["config", "print", "--subscription", SUB], dir);
    expect(flagged.code).toBe(0);
    expect(flagged.stdout).toContain(
      "# managementGroups: flag (--subscription given: the configuration file's scope gives way)\nmanagementGroups: null",
    );
    expect(flagged.stdout).toContain(`# subscriptions: flag\nsubscriptions:\n  - ${SUB}`);
  });

  test("a --management-group flag replaces the file's subscriptions", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": `subscriptions: [${SUB}]\n` });
    const run = await cli(["config", "print", "--management-group", "Contoso_(EU).prod"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("# managementGroups: flag\nmanagementGroups:\n  - Contoso_(EU).prod");
    expect(run.stdout).toContain(
      "# subscriptions: flag (--management-group given: the configuration file's scope gives way)\nsubscriptions: []",
    );
  });

  test.each([
    [
      ["--management-group", "mg.payments."],
      /--management-group must be a management group id \(1 to 90 letters.*not ending with '\.'\), not 'mg\.payments\.'/,
    ],
    [["--management-group", "mg/payments"], /--management-group must be a management group id .* not 'mg\/payments'/],
    [["--management-group", "x".repeat(91)], /--management-group must be a management group id/],
    [["--management-group", ""], /--management-group must be a management group id/],
    [
      ["--management-group", "mg-payments", "--subscription", SUB],
      /--subscription and --management-group cannot be used together: a scan covers the subscriptions named, or every subscription under the management groups named; choose one/,
    ],
  ])("%j is refused before anything runs: exit 2", async (args, expected) => {
    const { dir } = setup();
    for (const command of [
      ["config", "print"],
      ["scan", "--out", "out"],
    ]) {
      const run = await cli([...command, ...args], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(expected);
      expect(run.stdout).toBe("");
      expect(existsSync(join(dir, "out"))).toBe(false);
    }
  });

  test("the longest id Azure allows (90 characters) is taken", async () => {
    const { dir } = setup();
    const id = `${"a".repeat(89)})`;
    const run = await cli(["config", "print", "--management-group", id], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`managementGroups:\n  - ${id}`);
  });

  test("--management-group is repeatable, and replaces the file's groups", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "managementGroups: [mg-identity]\n" });
    const run = await cli(["config", "print", "--management-group", "mg-payments", "--management-group", "mg-eu"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("# managementGroups: flag\nmanagementGroups:\n  - mg-payments\n  - mg-eu\n");
  });
});

describe("the configuration file's period and policies", () => {
  test("period: a month, or previous-month; a window flag replaces it", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "period: 2026-10\n" });
    const month = await cli(["config", "print"], dir);
    expect(month.code).toBe(0);
    expect(month.stdout).toContain(`# period: ${join(dir, "hsm-audit.config.yaml")}\nperiod: 2026-10`);
    expect(month.stdout).toContain("# searched for audit records: 2026-10: 2026-10-01T00:00:00.000Z to 2026-11-01");
    const flagged = await cli(["config", "print", "--log-window", "3d"], dir);
    expect(flagged.stdout).toContain("# period: flag\nperiod: null");
    expect(flagged.stdout).toContain("# searched for audit records: the last 3 days before the scan");
    const other = await cli(["config", "print", "--period", "2026-09"], dir);
    expect(other.stdout).toContain("# period: flag\nperiod: 2026-09");
    writeFileSync(join(dir, "hsm-audit.config.yaml"), "period: previous-month\n");
    const previous = await cli(["config", "print"], dir);
    expect(previous.stdout).toContain("period: previous-month");
    expect(previous.stdout).toMatch(/# searched for audit records: (\d{4}-\d{2}): \1-01T00:00:00\.000Z to /);
  });

  test("policies: directories relative to the file, added to the built-in ones; --policies replaces them", async () => {
    const { dir } = setup({ "hsm-audit.config.yaml": "policies: [team-policies]\n" });
    const builtIn = readFileSync(join(ROOT, "policies", "workspace-retention.yaml"), "utf8");
    expect(builtIn).toContain("severity: medium");
    const own = join(dir, "team-policies");
    const flagged = join(dir, "flag-policies");
    for (const [folder, severity] of [
      [own, "critical"],
      [flagged, "low"],
    ] as const) {
      mkdirSync(folder);
      writeFileSync(
        join(folder, "workspace-retention.yaml"),
        builtIn.replace("severity: medium", `severity: ${severity}`),
      );
    }
    const severityOf = (result: Result | undefined) =>
      result!.findings.find((f) => f.policyId === "workspace-retention")!.severity;
    const run = await cli(["evaluate", "--snapshot", "snapshot.json", "--fail-on", "never"], dir);
    expect(run.stderr).toBe("");
    const result = JSON.parse(readFileSync(join(dir, "hsm-audit-results", "result.json"), "utf8")) as Result;
    expect(severityOf(result)).toBe("critical");
    const printed = await cli(["config", "print"], dir);
    expect(printed.stdout).toContain(`# policies: ${join(dir, "hsm-audit.config.yaml")}\npolicies:\n  - ${own}`);
    const byFlag = await cli(
      [
        "evaluate",
        "--snapshot",
        "snapshot.json",
        "--fail-on",
        "never",
        "--policies",
        "flag-policies",
        "--out",
        "by-flag",
      ],
      dir,
    );
    expect(byFlag.stderr).toBe("");
    const flaggedResult = JSON.parse(readFileSync(join(dir, "by-flag", "result.json"), "utf8")) as Result;
    expect(severityOf(flaggedResult)).toBe("low");
  });
});

describe("an invalid configuration file exits 2 naming file and line, and writes nothing", () => {
  test.each([
    ["bad YAML", "failOn: [high\n", /hsm-audit\.config\.yaml:2: not valid YAML/],
    ["an unknown key", "failOn: high\nfial: 1\n", /hsm-audit\.config\.yaml:2: unknown key 'fial'/],
    ["a bad fail-on", "\nfailOn: severe\n", /hsm-audit\.config\.yaml:2: failOn: must be one of "critical"/],
    ["a bad log window", "logWindow: forever\n", /hsm-audit\.config\.yaml:1: logWindow: must be a duration/],
    [
      "a clock skew tolerance over a day",
      "failOn: high\nclockSkewTolerance: 2d\n",
      /hsm-audit\.config\.yaml:2: clockSkewTolerance: must be a duration such as 5m/,
    ],
    ["an unknown format", "formats:\n  - sarif\n  - docx\n", /hsm-audit\.config\.yaml:3: formats\.1: must be one of/],
    [
      "a bad subscription id",
      "subscriptions:\n  - prod\n",
      /hsm-audit\.config\.yaml:2: subscriptions\.0: must be a subscription id/,
    ],
    [
      "a bad management group id",
      "failOn: high\nmanagementGroups:\n  - mg-payments\n  - payments.\n",
      /hsm-audit\.config\.yaml:4: managementGroups\.1: must be a management group id \(1 to 90 letters/,
    ],
    [
      "managementGroups as a single id rather than a list",
      "failOn: high\nmanagementGroups: mg-payments\n",
      /hsm-audit\.config\.yaml:2: managementGroups: must be array/,
    ],
    [
      "an empty managementGroups list",
      "managementGroups: []\n",
      /hsm-audit\.config\.yaml:1: managementGroups: must NOT have fewer than 1 items/,
    ],
    [
      "the singular key of earlier builds",
      "managementGroup: mg-payments\n",
      /hsm-audit\.config\.yaml:1: unknown key 'managementGroup'/,
    ],
    [
      "both subscriptions and management groups",
      "subscriptions: [11111111-1111-4111-8111-111111111111]\nmanagementGroups: [mg-payments]\n",
      /hsm-audit\.config\.yaml:2: subscriptions and managementGroups cannot both be set: a scan covers the subscriptions named, or every subscription under the management groups named/,
    ],
    [
      "params of an unknown policy",
      "params:\n  no-such-policy: {}\n",
      /hsm-audit\.config\.yaml:2: params: no policy 'no-such-policy'/,
    ],
    [
      "a param of the wrong type",
      "params:\n  workspace-retention:\n    minimumDays: lots\n",
      /hsm-audit\.config\.yaml:3: params\.workspace-retention\.minimumDays: must be integer/,
    ],
    ["a waivers maxDays of 0", "waivers:\n  maxDays: 0\n", /hsm-audit\.config\.yaml:2: waivers\.maxDays: must be >= 1/],
    ["a list instead of a mapping", "- failOn: high\n", /hsm-audit\.config\.yaml:1: must be a mapping/],
    [
      "a period that is not a month",
      "failOn: high\nperiod: 2026-13\n",
      /hsm-audit\.config\.yaml:2: period: must be a month as YYYY-MM/,
    ],
    [
      "both a period and a log window",
      "logWindow: 7d\nperiod: 2026-10\n",
      /hsm-audit\.config\.yaml:2: period and logWindow cannot both be set/,
    ],
    ["policies that are not a list", "policies: team\n", /hsm-audit\.config\.yaml:1: policies: must be array/],
    [
      "a policies folder holding other YAML (the configuration itself)",
      "policies: [.]\n",
      /hsm-audit\.config\.yaml:1: policies: .*hsm-audit\.config\.yaml:1: missing required key 'id'/,
    ],
  ])("%s", async (_name, text, expected) => {
    const { evaluate, dir } = setup({ "hsm-audit.config.yaml": text });
    const run = await evaluate();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).toContain(join(dir, "hsm-audit.config.yaml"));
    expect(existsSync(join(dir, "hsm-audit-results"))).toBe(false);
  });

  test("--config naming a file that does not exist", async () => {
    const { evaluate } = setup();
    const run = await evaluate(["--config", "missing.yaml"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--config missing\.yaml: cannot read it \(ENOENT\)/);
  });
});

describe("waivers through the CLI", () => {
  test("waived failures leave the gate green; the result, CSV and SARIF say who accepted them", async () => {
    const { evaluate, dir } = setup({
      "waivers.yaml": ALL_HSM_FAILURES.map((p) => waiverOf(p, "2025-12-31")).join(""),
    });
    const run = await evaluate(["--waivers", "waivers.yaml", "--format", "csv,sarif"]);
    expect(run.stderr).toBe("");
    const result = run.result!;
    // Info findings (the activity highlights, Sentinel coverage) may still fail: reported, not counted.
    const failing = result.findings.filter((f) => f.status === "fail" && f.severity !== "info");
    expect(failing).toEqual([]);
    expect(run.code).toBe(0);
    expect(result.summary.waived).toBeGreaterThan(0);
    expect(result.summary.waived).toBe(result.findings.filter((f) => f.status === "waived").length);
    expect(result.waivers!.every((w) => ["applied", "unused"].includes(w.state))).toBe(true);
    expect(readFileSync(join(dir, "hsm-audit-results", "findings.csv"), "utf8")).toContain("alice@contoso.example");
    expect(readFileSync(join(dir, "hsm-audit-results", "results.sarif"), "utf8")).toContain('"kind": "external"');
  });

  test("an expired waiver does not apply, is reported, and fails the run with --fail-on-expired-waivers", async () => {
    const { evaluate } = setup({
      "waivers.yaml": waiverOf("diagnostic-setting-present", "2025-06-07"),
    });
    const plain = await evaluate(["--waivers", "waivers.yaml", "--fail-on", "never"]);
    expect(plain.code).toBe(0);
    expect(plain.result!.waivers!.map((w) => w.state)).toEqual(["expired"]);
    expect(plain.stdout).toMatch(/Waivers: 0 applied, 1 expired, 0 unused/);
    const gated = await evaluate(["--waivers", "waivers.yaml", "--fail-on", "never", "--fail-on-expired-waivers"]);
    expect(gated.code).toBe(1);
    expect(gated.result!.summary.compliant).toBe(false);
    expect(gated.result!.failOnExpiredWaivers).toBe(true);
    // The configuration file can ask for the same gate.
    const { evaluate: viaConfig } = setup({
      "waivers.yaml": waiverOf("diagnostic-setting-present", "2025-06-07"),
      "hsm-audit.config.yaml": "failOn: never\nwaivers:\n  file: waivers.yaml\n  failOnExpired: true\n",
    });
    expect((await viaConfig()).code).toBe(1);
  });

  test.each([
    [
      "an unknown policy",
      waiverOf("no-such-policy", "2025-12-31"),
      /waivers\.yaml:1: waiver 0\.policy: no policy 'no-such-policy'/,
    ],
    [
      "no owner",
      waiverOf("logs-flowing", "2025-12-31").replace(/ {2}owner:.*\n/, ""),
      /waivers\.yaml:1: waiver 0: missing required key 'owner'/,
    ],
    [
      "a bad date",
      waiverOf("logs-flowing", "2025-13-01"),
      /waivers\.yaml:6: waiver 0\.expires: '2025-13-01' is not a calendar date/,
    ],
    // The snapshot was taken on 2025-06-08: 365 days later is 2026-06-08.
    [
      "an expiry too far off",
      waiverOf("logs-flowing", "2026-06-09"),
      /waivers\.yaml:6: waiver 0\.expires: 2026-06-09 is more than 365 days after the run/,
    ],
    [
      "an unknown key",
      waiverOf("logs-flowing", "2025-12-31", "  approved: yes\n"),
      /waivers\.yaml:7: waiver 0: unknown key 'approved'/,
    ],
    ["not a list", "policy: logs-flowing\n", /waivers\.yaml:1: must be a list of waivers/],
    ["bad YAML", "- policy: logs-flowing\n  resource: [\n", /waivers\.yaml:3: not valid YAML/],
  ])(
    "an invalid waivers file (%s) exits 2 with file:line: reason and writes nothing",
    async (_name, text, expected) => {
      const { evaluate, dir } = setup({ "waivers.yaml": text });
      const run = await evaluate(["--waivers", "waivers.yaml", "--format", "sarif"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^hsm-audit: invalid waivers file: waivers\.yaml:/);
      expect(run.stderr).toMatch(expected);
      expect(existsSync(join(dir, "hsm-audit-results"))).toBe(false);
    },
  );

  test("the file's waivers.maxDays sets the limit", async () => {
    const { evaluate } = setup({
      "waivers.yaml": waiverOf("logs-flowing", "2025-07-09"),
      "hsm-audit.config.yaml": "waivers:\n  file: waivers.yaml\n  maxDays: 30\n",
    });
    const run = await evaluate();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /waivers\.yaml:6: waiver 0\.expires: 2025-07-09 is more than 30 days after the run \(at most 2025-07-08\)/,
    );
  });
});
