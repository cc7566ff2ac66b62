// Appliances whose state the estate file gives (a Dedicated HSM's `appliance:`, not a folder of transcripts), read over
// SSH end to end: the CLI's scan (in this process) reads the Azure simulator and reads two LunaSH doubles, each serving
// the state of its HSM as the estate declares it. The compliant appliance passes every appliance check; the other,
// which sends its audit log nowhere, its syslog over UDP and keeps time by its own clock, fails exactly those three,
// each finding citing the transcripts read over SSH (its entry matched by the HSM's private IP, the address its double
// listens on).
import { writeFileSync } from "node:fs";
import { APPLIANCE_IDS } from "../helpers/snapshots.js";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, findingOf, startScanTarget, tempDir, type ScanTarget } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { paymentsEstate, PAYMENTS_SUBSCRIPTION } from "../helpers/estates.js";
import { parseEstate } from "../../src/simulator/estate.js";
import { sshKeyPair, startEstateLunashDoubles, type LunashDouble } from "../../src/simulator/lunash.js";

jest.setTimeout(180_000);

const ESTATE = paymentsEstate({
  dedicatedHsms: `      - name: dhsm-state-ok
        resourceGroup: rg-dedicated
        location: eastus
        sku: SafeNet Luna Network HSM A790
        privateIp: 127.0.0.1
        appliance:
          serial: "1288734"
      - name: dhsm-state-bad
        resourceGroup: rg-dedicated
        location: eastus
        sku: SafeNet Luna Network HSM A790
        privateIp: 127.0.0.2
        appliance:
          serial: "1288735"
          audit: { remoteHosts: [] }
          syslog: { remoteHosts: [{ host: 10.20.0.6, port: 514, protocol: udp, tls: false }] }
          ntp: { synchronizedTo: "LOCAL(0)" }
`,
});
const idOf = (name: string) =>
  `/subscriptions/${PAYMENTS_SUBSCRIPTION}/resourceGroups/rg-dedicated/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/${name}`;
const key = sshKeyPair();
/** The appliance aspects (appliance-audit-evidence is their roll-up). */
const APPLIANCE_POLICIES = APPLIANCE_IDS;

let target: ScanTarget;
const byName = new Map<string, LunashDouble>();
beforeAll(async () => {
  target = await startScanTarget(ESTATE);
  // One double per Dedicated HSM the estate gives an appliance state, serving that state on the HSM's private IP.
  const doubles = await startEstateLunashDoubles(parseEstate(ESTATE, "estate.yaml"), { authorizedKeys: [key.public] });
  for (const [id, d] of doubles) byName.set(id.split("/").pop()!, d);
});
afterAll(async () => {
  await target.close();
  for (const d of byName.values()) await d.close();
  cleanUp();
});

function config(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "luna_ed25519"), key.private, { mode: 0o600 });
  const file = join(dir, "hsm-audit.config.yaml");
  const entries = [...byName].map(
    // The failing appliance's entry has no resourceId: it is matched by its HSM's private IP, its double's address.
    ([name, d]) => `  - name: ${name.replace("dhsm-", "luna-")}
${name === "dhsm-state-bad" ? "" : `    resourceId: ${idOf(name)}\n`}    host: ${d.host}
    port: ${d.port}
    hostKey: ${d.hostKeySha256}
    key: luna_ed25519
`,
  );
  writeFileSync(file, `appliances:\n${entries.join("")}`);
  return file;
}

test("the estate's appliance states, read over SSH: the compliant one passes, the other fails what it lacks", async () => {
  expect([...byName].map(([name, d]) => `${name} ${d.host}`).sort()).toEqual([
    "dhsm-state-bad 127.0.0.2",
    "dhsm-state-ok 127.0.0.1",
  ]);
  const run = await scanInProcess(target, ["--config", config()]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(1);

  const ok = findingOf(run.result, "appliance-audit-evidence", "dhsm-state-ok")!;
  expect(ok).toMatchObject({ status: "pass", message: expect.stringMatching(/^Appliance luna-state-ok .*passes/) });
  const cited = run.result!.evidence.filter((e) => ok.evidence.includes(e.id));
  expect(cited.length).toBeGreaterThan(0);
  for (const e of cited) {
    expect(e).toMatchObject({ transport: "ssh", hostKey: byName.get("dhsm-state-ok")!.hostKeySha256 });
  }
  for (const policy of APPLIANCE_POLICIES) {
    expect([policy, findingOf(run.result, policy, "dhsm-state-ok")?.status]).toEqual([policy, "pass"]);
  }

  const failing: Record<string, RegExp> = {
    "appliance-remote-audit": /sends its audit log to no remote host/,
    "appliance-remote-syslog": /syslog goes over 10\.20\.0\.6:514\/udp/,
    "appliance-time-sync": /synchronized only to the appliance's own clock/,
  };
  for (const policy of APPLIANCE_POLICIES) {
    const finding = findingOf(run.result, policy, "dhsm-state-bad")!;
    const expected = failing[policy];
    expect([policy, finding.status]).toEqual([policy, expected ? "fail" : "pass"]);
    if (expected) expect(finding.message).toMatch(expected);
  }
  expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-state-bad")).toMatchObject({
    status: "fail",
    message: expect.stringMatching(/^Appliance luna-state-bad \(dhsm-state-bad, matched by private IP 127\.0\.0\.2 of/),
  });
  // Each double was asked the allow-listed commands, the audit ones as audit.
  for (const d of byName.values()) {
    expect(d.log).toEqual(expect.arrayContaining(["audit: audit show", "admin: sysconf ntp status"]));
  }
});
