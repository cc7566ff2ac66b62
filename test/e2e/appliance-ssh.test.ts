// Appliances read over SSH end to end: the CLI's scan (in this process), configured with `appliances:` (host, pinned
// host key, key file), scans the Azure simulator and reads the LunaSH double over SSH. The compliant appliance passes
// on transcripts read by the tool; a pinned host key that is not the appliance's makes every appliance finding an error
// (exit 3), and so does one that changes between the tool's two logins. An entry without resourceId is matched to the
// Dedicated HSM whose private IP is its host (the estate gives dhsm-luna-ok the double's address), through either
// inventory.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, findingOf, startScanTarget, statusOf, tempDir, type ScanTarget } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { paymentsEstate, PAYMENTS_SUBSCRIPTION } from "../helpers/estates.js";
import { sshKeyPair, startLunashDouble, type LunashDouble } from "../../src/simulator/lunash.js";
import { rebasedApplianceEvidence, type RebasedEvidence } from "../../src/simulator/appliance-evidence.js";
import type { Snapshot } from "../../src/model/snapshot.js";

jest.setTimeout(180_000);

const ESTATE = paymentsEstate({
  dedicatedHsms: `      - name: dhsm-luna-ok
        resourceGroup: rg-dedicated
        location: eastus
        sku: SafeNet Luna Network HSM A790
        privateIp: 127.0.0.1
`,
});
const ID = `/subscriptions/${PAYMENTS_SUBSCRIPTION}/resourceGroups/rg-dedicated/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/dhsm-luna-ok`;
const key = sshKeyPair();

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

/** A configuration naming the double, with `hostKey` pinned (and the HSM's resourceId, unless `byAddress`). */
function config(hostKey: string, byAddress = false, double: LunashDouble = luna): string {
  const dir = tempDir();
  writeFileSync(join(dir, "luna_ed25519"), key.private, { mode: 0o600 });
  const file = join(dir, "hsm-audit.config.yaml");
  writeFileSync(
    file,
    `appliances:
  - name: luna-ok
${byAddress ? "" : `    resourceId: ${ID}\n`}    host: ${double.host}
    port: ${double.port}
    hostKey: ${hostKey}
    key: luna_ed25519
`,
  );
  return file;
}

test("the appliance read over SSH passes every appliance check, its evidence naming the pinned host key", async () => {
  const run = await scanInProcess(target, ["--config", config(luna.hostKeySha256), "--format", "html"]);
  expect(run.stderr).toBe("");
  expect(statusOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toBe("pass");
  const finding = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
  const cited = run.result!.evidence.filter((e) => finding.evidence.includes(e.id));
  expect(cited.length).toBe(7);
  for (const e of cited) expect(e).toMatchObject({ transport: "ssh", hostKey: luna.hostKeySha256, host: "127.0.0.1" });
  expect(cited.find((e) => e.command === "sysconf ntp status")).toMatchObject({ user: "admin" });
  expect(luna.log).toEqual(expect.arrayContaining(["audit: audit show", "admin: syslog remotehost list"]));
  expect(run.result!.resources.find((r) => r.id === ID)?.appliance).toEqual({
    name: "luna-ok",
    matchedBy: "resourceId",
  });
});

test("a host key other than the pinned one: every appliance finding is an error, never a pass (exit 3)", async () => {
  const run = await scanInProcess(target, ["--config", config("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]);
  expect(run.code).toBe(3);
  expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toMatchObject({
    status: "error",
    message: expect.stringMatching(/host key of 127.0.0.1 is SHA256:.*not the pinned/),
  });
  for (const f of run.result!.findings.filter((x) => x.policyId.startsWith("appliance-"))) {
    expect([f.policyId, f.status]).toEqual([f.policyId, "error"]);
  }
});

test.each(["arm", "resource-graph"])(
  "an entry without resourceId is matched by the HSM's private IP (--inventory %s) and judged over SSH",
  async (inventory) => {
    const snapshotFile = join(tempDir(), "snapshot.json");
    const run = await scanInProcess(target, [
      "--config",
      config(luna.hostKeySha256, true),
      "--inventory",
      inventory,
      "--snapshot-out",
      snapshotFile,
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const finding = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
    expect(finding).toMatchObject({
      resourceId: ID,
      status: "pass",
      message: expect.stringMatching(
        /^Appliance luna-ok \(dhsm-luna-ok, matched by private IP 127\.0\.0\.1 of dhsm-luna-ok-nic\) passes every appliance check/,
      ),
    });
    const cited = run.result!.evidence.filter((e) => finding.evidence.includes(e.id));
    expect(cited.filter((e) => e.transport === "ssh").length).toBe(7);
    // And the inventory's answer that showed the HSM's address (ARM's list, or Resource Graph's query).
    expect(cited.filter((e) => e.transport !== "ssh").map((e) => e.purpose)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(inventory === "arm" ? /Dedicated HSM list of subscription/ : /in Azure Resource Graph/),
      ]),
    );
    // result.json says it too, beside the HSM.
    expect(run.result!.resources.find((r) => r.id === ID)?.appliance).toEqual({
      name: "luna-ok",
      matchedBy: "privateIp",
      privateIp: "127.0.0.1",
      networkInterface: expect.stringMatching(/\/networkInterfaces\/dhsm-luna-ok-nic$/),
    });
    const snapshot = JSON.parse(readFileSync(snapshotFile, "utf8")) as Snapshot;
    // The inventory asked for, not a fallback: each path keeps the HSMs' network interfaces.
    expect(snapshot.scope.inventory).toEqual({ source: inventory });
    expect(snapshot.hsms.find((h) => h.name === "dhsm-luna-ok")?.networkInterfaces).toEqual([
      { id: expect.stringMatching(/\/networkInterfaces\/dhsm-luna-ok-nic$/), privateIpAddress: "127.0.0.1" },
    ]);
    expect(snapshot.appliances).toEqual([
      expect.objectContaining({
        name: "luna-ok",
        hsmId: ID,
        match: expect.objectContaining({ by: "privateIp", privateIp: "127.0.0.1" }),
      }),
    ]);
  },
);

test("an entry whose address no Dedicated HSM has: a warning naming it, the HSM stays manual with the reason", async () => {
  const file = config(luna.hostKeySha256, true);
  writeFileSync(file, readFileSync(file, "utf8").replace(`host: ${luna.host}`, "host: 127.0.0.2"));
  const run = await scanInProcess(target, ["--config", file]);
  expect(run.stderr).toContain(
    "hsm-audit: warning: appliance luna-ok: no Dedicated HSM the scan found has the private IP 127.0.0.2",
  );
  expect(run.code).toBe(3);
  expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toMatchObject({
    status: "manual",
    message: expect.stringMatching(
      /names no appliance for it, nor is any appliance's host its private IP \(127\.0\.0\.1\)/,
    ),
  });
});

test("a host key that changes after the first login: the whole appliance is an error naming both keys (exit 3)", async () => {
  const changing = await startLunashDouble({
    folder: join(evidence.directory, "luna-ok"),
    authorizedKeys: [key.public],
    faults: { changeHostKeyAt: 2 },
  });
  try {
    const run = await scanInProcess(target, [
      "--config",
      config(changing.hostKeySha256, false, changing),
      "--format",
      "md",
    ]);
    expect(run.code).toBe(3);
    // The first login (audit) was shown the pinned key and read its four commands; the second (admin) was refused.
    expect(changing.log).toEqual(expect.arrayContaining(["audit: hsm show", "audit: audit show"]));
    expect(changing.log.some((l) => l.startsWith("admin:"))).toBe(false);
    const changed = changing.changedHostKeySha256!;
    const rollUp = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
    expect(rollUp.status).toBe("error");
    expect(rollUp.message).toContain(`audit@127.0.0.1 was shown the pinned ${changing.hostKeySha256}`);
    expect(rollUp.message).toContain(`admin@127.0.0.1 was shown ${changed}`);
    // Not one aspect passes on what the first login read (the audit role, the event mask, ...).
    const appliance = run.result!.findings.filter((f) => f.policyId.startsWith("appliance-"));
    expect(appliance.length).toBeGreaterThan(1);
    for (const f of appliance) {
      expect([f.policyId, f.status]).toEqual([f.policyId, "error"]);
      expect(f.message).toContain("the host key changed during the run");
    }
    const summary = readFileSync(join(run.out, "summary.md"), "utf8");
    expect(summary).toContain("the host key changed during the run");
    expect(summary).toContain(changed);
  } finally {
    await changing.close();
  }
});

test("matched by private IP while another subscription's Dedicated HSMs could not be listed: every appliance finding is an error (exit 3)", async () => {
  const hidden = "eeeeeeee-0000-4000-8000-00000000000e";
  const partial = await startScanTarget(`${ESTATE}  - subscriptionId: ${hidden}
    displayName: Hidden
faults:
  - { route: hsmList, match: ${hidden}, status: 403 }
`);
  try {
    const run = await scanInProcess(partial, ["--config", config(luna.hostKeySha256, true)]);
    expect(run.code).toBe(3);
    const appliance = run.result!.findings.filter((f) => f.policyId.startsWith("appliance-") && f.resourceId === ID);
    expect(appliance.length).toBeGreaterThan(1);
    for (const f of appliance) {
      expect([f.policyId, f.status]).toEqual([f.policyId, "error"]);
      expect(f.message).toContain(
        `matched to dhsm-luna-ok by its private IP 127.0.0.1 alone, and the Dedicated HSMs of subscription Hidden (${hidden}) could not be listed`,
      );
    }
    // The failed list is cited: the 403 the auditor can read.
    const rollUp = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
    const cited = run.result!.evidence.filter((e) => rollUp.evidence.includes(e.id));
    expect(cited.some((e) => e.status === 403 && e.url.includes(hidden))).toBe(true);
  } finally {
    await partial.close();
  }
});
