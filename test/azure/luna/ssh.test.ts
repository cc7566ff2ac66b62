// Reading an appliance over SSH against the LunaSH double: every allow-listed command run as its user, the host key
// pinned (a changed one is refused, never accepted), and whatever fails (refused key, hidden command, dropped
// session, failed or garbled command) an error of the reading, never a value.
import ssh2 from "ssh2";
import { fileURLToPath } from "node:url";
import { readApplianceOverSsh, type SshAppliance } from "../../../src/azure/luna/ssh.js";
import { sshKeyPair, startLunashDouble, type LunashDouble, type LunashFaults } from "../../../src/simulator/lunash.js";
import { applianceState } from "../../../src/simulator/lunash-render.js";

const FOLDER = fileURLToPath(new URL("../../fixtures/luna/evidence/payments/luna-ok", import.meta.url));
const ID =
  "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-dedicated/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/dhsm-luna-ok";
const { utils } = ssh2;
const clientKey = sshKeyPair();
const otherKey = sshKeyPair();

const doubles: LunashDouble[] = [];
async function double(faults: LunashFaults = {}, from: "folder" | "state" = "folder"): Promise<LunashDouble> {
  const d = await startLunashDouble({
    ...(from === "folder" ? { folder: FOLDER } : { state: applianceState({ serial: "7654321" }, "dhsm-luna-ok") }),
    authorizedKeys: [clientKey.public],
    faults,
    now: () => new Date("2026-12-04T09:00:00Z"),
  });
  doubles.push(d);
  return d;
}
afterAll(async () => {
  for (const d of doubles) await d.close();
});

const target = (d: LunashDouble, extra: Partial<SshAppliance> = {}): SshAppliance => ({
  name: "luna-ok",
  resourceId: ID,
  host: d.host,
  port: d.port,
  hostKeySha256: d.hostKeySha256,
  auth: { privateKey: clientKey.private },
  ...extra,
});
const read = (appliance: SshAppliance) => readApplianceOverSsh(appliance, { timeoutMs: 10_000 });

test("every command is read as its user, with the verified host key in its evidence", async () => {
  const d = await double();
  const { appliance, evidence, errors } = await read(target(d));
  expect(errors).toEqual([]);
  for (const fact of Object.values(appliance.readings)) expect(fact).toHaveProperty("value");
  expect(Object.keys(appliance.readings)).toHaveLength(10);
  expect(d.log).toEqual(expect.arrayContaining(["audit: audit show", "admin: sysconf ntp status", "audit: hsm show"]));
  const auditShow = evidence.find((e) => e.command === "audit show")!;
  expect(auditShow).toMatchObject({
    method: "LUNASH",
    transport: "ssh",
    user: "audit",
    host: "127.0.0.1",
    hostKey: d.hostKeySha256,
    status: 0,
    url: `ssh://audit@127.0.0.1:${d.port}/audit%20show`,
  });
  expect(auditShow.body).toContain("Event Log Mask:");
});

test("a host key other than the pinned one is refused: every reading is an error, nothing was run", async () => {
  const d = await double();
  const { appliance, evidence } = await read(
    target(d, { hostKeySha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
  );
  expect(evidence).toEqual([]);
  expect(d.log).toEqual([]);
  expect(appliance.readings.hsmShow).toMatchObject({
    error: {
      message: expect.stringMatching(/host key of 127.0.0.1 is SHA256:.*not the pinned SHA256:AAAA.*never accepted/),
    },
  });
});

test("a key the appliance does not know is refused: an error, not a pass", async () => {
  const d = await double();
  const { appliance } = await read(target(d, { auth: { privateKey: otherKey.private } }));
  expect(appliance.readings.auditShow).toMatchObject({
    error: { message: expect.stringMatching(/refused the key of audit@/) },
  });
  expect(appliance.readings.ntpStatus).toMatchObject({
    error: { message: expect.stringMatching(/refused the key of admin@/) },
  });
});

test("audit commands run as admin are hidden: an error with the appliance's refusal", async () => {
  const d = await double();
  const { appliance } = await read(target(d, { users: { audit: "admin" } }));
  expect(appliance.readings.auditShow).toMatchObject({
    error: { message: expect.stringMatching(/65535.*not a valid command for this user/) },
  });
  expect(appliance.readings.hsmShow).toHaveProperty("value");
});

test("a refused user, a dropped session, a failed and a garbled command are errors of their readings", async () => {
  const d = await double({
    refuseUsers: ["admin"],
    drop: ["audit remotehost list"],
    fail: ["audit log list"],
    garble: ["hsm show"],
  });
  const { appliance, errors } = await read(target(d));
  expect(appliance.readings.ntpStatus).toMatchObject({
    error: { message: expect.stringMatching(/refused the key of admin@/) },
  });
  expect(appliance.readings.auditRemoteHosts).toMatchObject({
    error: { message: expect.stringMatching(/no `Command Result`/) },
  });
  expect(appliance.readings.auditLogList).toMatchObject({
    error: { message: expect.stringMatching(/RC_GENERAL_ERROR/) },
  });
  expect(appliance.readings.hsmShow).toMatchObject({ error: { message: expect.stringMatching(/control characters/) } });
  expect(appliance.readings.auditShow).toHaveProperty("value");
  expect(errors.every((e) => e.resourceId === ID)).toBe(true);
});

test.each([
  ["after the first login, pinned the first key (audit reads, admin is refused)", "first", "audit", "admin"],
  ["after the first login, pinned the second key (audit is refused, admin reads)", "second", "admin", "audit"],
] as const)(
  "a host key that changes %s: every reading is an error naming both keys, none a value",
  async (_what, pin, pinnedUser, refusedUser) => {
    const d = await double({ changeHostKeyAt: 2 });
    const [pinned, other] =
      pin === "first" ? [d.hostKeySha256, d.changedHostKeySha256!] : [d.changedHostKeySha256!, d.hostKeySha256];
    const { appliance, evidence, errors } = await read(target(d, { hostKeySha256: pinned }));
    expect(d.log.length).toBeGreaterThan(0);
    expect(d.log.every((l) => l.startsWith(`${pinnedUser}:`))).toBe(true);
    // What the pinned login read stays in the evidence (what was read), but no reading holds a value.
    expect(evidence.length).toBe(d.log.length);
    expect(Object.keys(appliance.readings)).toHaveLength(10);
    for (const fact of Object.values(appliance.readings)) {
      expect(fact).toMatchObject({
        error: {
          message: `Appliance luna-ok: the host key changed during the run: ${pinnedUser}@127.0.0.1 was shown the pinned ${pinned} but ${refusedUser}@127.0.0.1 was shown ${other}; no reading of this appliance is used (a changed host key is never accepted).`,
        },
      });
    }
    expect(errors).toHaveLength(10);
    expect(errors.every((e) => e.resourceId === ID)).toBe(true);
  },
);

describe("a double serving an appliance's state (not a folder)", () => {
  test("every command is read as its user and holds the state's values", async () => {
    const d = await double({}, "state");
    const { appliance, evidence, errors } = await read(target(d));
    expect(errors).toEqual([]);
    expect(Object.keys(appliance.readings)).toHaveLength(10);
    for (const fact of Object.values(appliance.readings)) expect(fact).toHaveProperty("value");
    expect(appliance.readings.hsmShow).toMatchObject({ value: { serial: "7654321", auditRoleInitialized: true } });
    // The audit log files are dated by the double's clock: the newest an hour before it.
    expect(appliance.readings.auditLogList).toMatchObject({
      value: { files: expect.arrayContaining([expect.objectContaining({ modified: "2026-12-04T08:00:00.000Z" })]) },
    });
    expect(evidence.find((e) => e.command === "hsm show")?.body).toContain("[dhsm-luna-ok] lunash:>hsm show");
  });

  test("audit commands are hidden from admin, and faults are injected as for a folder", async () => {
    const hidden = await double({}, "state");
    const asAdmin = await read(target(hidden, { users: { audit: "admin" } }));
    expect(asAdmin.appliance.readings.auditShow).toMatchObject({
      error: { message: expect.stringMatching(/65535.*not a valid command for this user/) },
    });
    const d = await double(
      { drop: ["audit remotehost list"], fail: ["audit log list"], garble: ["sysconf ntp status"] },
      "state",
    );
    const { appliance } = await read(target(d));
    expect(appliance.readings.auditRemoteHosts).toMatchObject({
      error: { message: expect.stringMatching(/no `Command Result`/) },
    });
    expect(appliance.readings.auditLogList).toMatchObject({
      error: { message: expect.stringMatching(/RC_GENERAL_ERROR/) },
    });
    expect(appliance.readings.ntpStatus).toMatchObject({
      error: { message: expect.stringMatching(/control characters/) },
    });
    expect(appliance.readings.auditShow).toHaveProperty("value");
  });
});

test("the key pairs the double and the tests use are always ones ssh2 reads (its generator spoils one in 256)", () => {
  // ssh2's own generator, unchecked, gives a malformed key about once in 256: 2,000 pairs would hit it about 8 times.
  for (let i = 0; i < 2000; i++) {
    const pair = sshKeyPair();
    expect(utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    expect(utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
  }
});
