// `--appliance-evidence DIR` and the configuration's `applianceEvidence`: a bad directory or index stops the scan
// before anything is read (exit 2, naming the file and the line); `config print` shows where the setting came from.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";

afterAll(cleanUp);

/** The CLI's main() in this process. No credential can sign in: a scan that got past its options would fail
 * differently (not with exit 2 and the file). */
function cli(args: string[], cwd: string) {
  return runMain(args, cwd, { AZURE_TOKEN_CREDENTIALS: "AzureCliCredential", PATH: "/nonexistent" });
}

const ID =
  "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/d1";

test("a directory that does not exist is a usage error", async () => {
  const dir = tempDir();
  const run = await cli(["scan", "--appliance-evidence", "missing", "--out", "out"], dir);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--appliance-evidence: .*missing: cannot read it \(ENOENT\)/);
});

test("an index naming a folder that is not there is a usage error with its file and line", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "evidence"));
  writeFileSync(
    join(dir, "evidence", "appliances.yaml"),
    `# index\nappliances:\n  - name: luna-1\n    resourceId: ${ID}\n`,
  );
  const run = await cli(["scan", "--appliance-evidence", "evidence", "--out", "out"], dir);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${join(dir, "evidence", "appliances.yaml")}:3: appliances.0.name: no folder`);
});

test("the configuration's applianceEvidence is relative to the file, checked with its line, and printed", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "conf", "evidence", "luna-1"), { recursive: true });
  writeFileSync(
    join(dir, "conf", "evidence", "appliances.yaml"),
    `appliances:\n  - name: luna-1\n    resourceId: ${ID}\n`,
  );
  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "failOn: high\napplianceEvidence: evidence\n");
  const printed = await cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain(
    `# applianceEvidence: ${join(dir, "conf", "hsm-audit.config.yaml")}\napplianceEvidence: ${join(dir, "conf", "evidence")}`,
  );

  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "failOn: high\napplianceEvidence: elsewhere\n");
  const bad = await cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    `invalid configuration: ${join(dir, "conf", "hsm-audit.config.yaml")}:2: applianceEvidence:`,
  );

  writeFileSync(join(dir, "conf", "hsm-audit.config.yaml"), "applianceEvidence: [a]\n");
  const wrongType = await cli(["config", "print", "--config", "conf/hsm-audit.config.yaml"], dir);
  expect(wrongType.code).toBe(2);
  expect(wrongType.stderr).toMatch(/hsm-audit.config.yaml:1: applianceEvidence/);
});

describe("the configuration's appliances (read over SSH): each mistake exits 2 with the file and the line", () => {
  const entry = (extra: string) =>
    `appliances:\n  - name: luna-1\n    resourceId: ${ID}\n    host: 10.20.1.4\n    hostKey: SHA256:${"A".repeat(43)}\n${extra}`;
  test.each([
    [
      "a password",
      "    password: hunter2\n",
      6,
      /appliances.0.password: a password is never read from the configuration/,
      undefined,
    ],
    ["neither key nor agent", "", 2, /appliances.0: give either key \(a private key file\) or agent: true/, undefined],
    ["both key and agent", "    key: id_ed25519\n    agent: true\n", 2, /give either key/, undefined],
    [
      "a key file not there",
      "    key: missing_key\n",
      6,
      /appliances.0.key: cannot read .*missing_key \(ENOENT\)/,
      undefined,
    ],
    [
      "two entries for one Dedicated HSM (its id in other capitals)",
      `    agent: true\n  - name: luna-2\n    resourceId: ${ID.replace("/rg/", "/RG/").replace(/d1$/, "D1")}\n    host: 10.20.1.5\n    hostKey: SHA256:${"B".repeat(43)}\n    agent: true\n`,
      8,
      /appliances.1.resourceId: the same Dedicated HSM as appliances.0; one HSM has one appliance/,
      undefined,
    ],
    [
      "a fingerprint that is not one",
      "    key: k\n",
      5,
      /hostKey: must be the host key's SHA-256 fingerprint/,
      "MD5:aa",
    ],
  ] as [string, string, number, RegExp, string | undefined][])("%s", async (_what, extra, line, why, hostKey) => {
    const dir = tempDir();
    writeFileSync(join(dir, "k"), "not a key");
    const text = entry(extra).replace(hostKey ? `SHA256:${"A".repeat(43)}` : "\u0000", hostKey ?? "");
    writeFileSync(join(dir, "hsm-audit.config.yaml"), text);
    const run = await cli(["config", "print"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, "hsm-audit.config.yaml")}:${line}:`);
    expect(run.stderr).toMatch(why);
  });

  test.each([
    ["a host name", "luna-1.contoso.example", 2],
    ["an IPv4 address", "10.20.1.4", 0],
    ["an IPv6 address", "fd00::4", 0],
  ])(
    "no resourceId, host %s (%s): exit %d (the entry is matched by the HSM's private IP)",
    async (_what, host, code) => {
      const dir = tempDir();
      writeFileSync(join(dir, "k"), "key");
      writeFileSync(
        join(dir, "hsm-audit.config.yaml"),
        `appliances:\n  - name: luna-1\n    host: "${host}"\n    hostKey: SHA256:${"A".repeat(43)}\n    key: k\n`,
      );
      const run = await cli(["config", "print"], dir);
      expect(run.code).toBe(code);
      if (code === 2) {
        expect(run.stderr).toContain(
          `${join(dir, "hsm-audit.config.yaml")}:3: appliances.0.host: without resourceId, the appliance is matched to the Dedicated HSM whose private IP it is, so host must be an IP address`,
        );
      }
    },
  );

  test("appliances and applianceEvidence cannot both be given", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "ev", "luna-1"), { recursive: true });
    writeFileSync(join(dir, "ev", "appliances.yaml"), `appliances:\n  - name: luna-1\n    resourceId: ${ID}\n`);
    writeFileSync(join(dir, "k"), "key");
    writeFileSync(join(dir, "hsm-audit.config.yaml"), `applianceEvidence: ev\n${entry("    key: k\n")}`);
    const run = await cli(["config", "print"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/hsm-audit.config.yaml:2: appliances \(read over SSH\) and applianceEvidence/);
  });
});
