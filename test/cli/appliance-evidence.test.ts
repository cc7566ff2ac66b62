// `--appliance-evidence DIR` and the configuration's `applianceEvidence`: a bad directory or index stops the scan
// before anything is read (exit 2, naming the file and the line); `config print` shows where the setting came from.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

function cli(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    // No credential can sign in: a scan that got past its options would fail differently (not with exit 2 and the file).
    env: { ...process.env, NO_COLOR: "1", AZURE_TOKEN_CREDENTIALS: "AzureCliCredential", PATH: "/nonexistent" },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const ID =
  "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/d1";

test("a directory that does not exist is a usage error", () => {
  const dir = tempDir();
  const run = cli(["scan", "--appliance-evidence", "missing", "--out", "out"], dir);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--appliance-evidence: .*missing: cannot read it \(ENOENT\)/);
});

test("an index naming a folder that is not there is a usage error with its file and line", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "evidence"));
  writeFileSync(
    join(dir, "evidence", "appliances.yaml"),
    `# index\nappliances:\n  - name: luna-1\n    resourceId: ${ID}\n`,
  );
  const run = cli(["scan", "--appliance-evidence", "evidence", "--out", "out"], dir);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${join(dir, "evidence", "appliances.yaml")}:3: appliances.0.name: no folder`);
});

test("the configuration's applianceEvidence is relative to the file, checked with its line, and printed", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "conf", "evidence", "luna-1"), { recursive: true });
  writeFileSync(
    join(dir, "conf", "evidence", "appliances.yaml"),
    `appliances:\n  - name: luna-1\n    resourceId: ${ID}\n`,
  );
  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "failOn: high\napplianceEvidence: evidence\n");
  const printed = cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain(
    `# applianceEvidence: ${join(dir, "conf", "hsm-audit.config.yaml")}\napplianceEvidence: ${join(dir, "conf", "evidence")}`,
  );

  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "failOn: high\napplianceEvidence: elsewhere\n");
  const bad = cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    `invalid configuration: ${join(dir, "conf", "hsm-audit.config.yaml")}:2: applianceEvidence:`,
  );

  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "applianceEvidence: [a]\n");
  const wrongType = cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(wrongType.code).toBe(2);
  expect(wrongType.stderr).toMatch(/hsm-audit.config.yaml:1: applianceEvidence/);
});
