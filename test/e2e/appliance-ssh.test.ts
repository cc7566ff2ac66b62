// Appliances read over SSH end to end: the real CLI, configured with `appliances:` (host, pinned host key, key file),
// scans the Azure simulator and reads the LunaSH double over SSH. The compliant appliance passes on transcripts read
// by the tool; a pinned host key that is not the appliance's makes every appliance finding an error (exit 3).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import ssh2 from "ssh2";
import { cleanUp, findingOf, scan, startScanTarget, statusOf, tempDir, type ScanTarget } from "../helpers/cli.js";
import { ROOT } from "../helpers/simulator.js";
import { paymentsEstate, PAYMENTS_SUBSCRIPTION } from "../helpers/estates.js";
import { startLunashDouble, type LunashDouble } from "../../src/simulator/lunash.js";
import { rebasedApplianceEvidence, type RebasedEvidence } from "../../src/simulator/appliance-evidence.js";

jest.setTimeout(180_000);

const ESTATE = paymentsEstate({
  dedicatedHsms: `      - name: dhsm-luna-ok
        resourceGroup: rg-dedicated
        location: eastus
        sku: SafeNet Luna Network HSM A790
`,
});
const ID = `/subscriptions/${PAYMENTS_SUBSCRIPTION}/resourceGroups/rg-dedicated/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/dhsm-luna-ok`;
const key = ssh2.utils.generateKeyPairSync("ed25519");

let target: ScanTarget;
let luna: LunashDouble;
let evidence: RebasedEvidence;
beforeAll(async () => {
  target = await startScanTarget(ESTATE);
  // The transcripts' file dates brought to the present: the scan reads them now, over SSH.
  evidence = rebasedApplianceEvidence(join(ROOT, "test/fixtures/luna/evidence/payments"), new Date());
  luna = await startLunashDouble({
    folder: join(evidence.directory, "luna-ok"),
    authorizedKeys: [key.public],
  });
});
afterAll(async () => {
  await target.close();
  await luna.close();
  evidence.remove();
  cleanUp();
});

/** A configuration naming the double, with `hostKey` pinned. */
function config(hostKey: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, "luna_ed25519"), key.private, { mode: 0o600 });
  const file = join(dir, "hsm-audit.config.yaml");
  writeFileSync(
    file,
    `appliances:
  - name: luna-ok
    resourceId: ${ID}
    host: ${luna.host}
    port: ${luna.port}
    hostKey: ${hostKey}
    key: luna_ed25519
`,
  );
  return file;
}

test("the appliance read over SSH passes every appliance check, its evidence naming the pinned host key", async () => {
  const run = await scan(target, ["--config", config(luna.hostKeySha256), "--format", "html"]);
  expect(run.stderr).toBe("");
  expect(statusOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toBe("pass");
  const finding = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
  const cited = run.result!.evidence.filter((e) => finding.evidence.includes(e.id));
  expect(cited.length).toBe(7);
  for (const e of cited) expect(e).toMatchObject({ transport: "ssh", hostKey: luna.hostKeySha256, host: "127.0.0.1" });
  expect(cited.find((e) => e.command === "sysconf ntp status")).toMatchObject({ user: "admin" });
  expect(luna.log).toEqual(expect.arrayContaining(["audit: audit show", "admin: syslog remotehost list"]));
});

test("a host key other than the pinned one: every appliance finding is an error, never a pass (exit 3)", async () => {
  const run = await scan(target, ["--config", config("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]);
  expect(run.code).toBe(3);
  expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toMatchObject({
    status: "error",
    message: expect.stringMatching(/host key of 127.0.0.1 is SHA256:.*not the pinned/),
  });
  for (const f of run.result!.findings.filter((x) => x.policyId.startsWith("appliance-"))) {
    expect([f.policyId, f.status]).toEqual([f.policyId, "error"]);
  }
});
