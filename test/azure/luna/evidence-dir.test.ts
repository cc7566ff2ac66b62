// Offline appliance evidence: the index is checked (a mistake names the file and the line), each transcript becomes
// an evidence record and a reading, and a transcript missing or unreadable is an error of that reading.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ApplianceIndexError,
  loadApplianceIndex,
  readApplianceTranscripts,
} from "../../../src/azure/luna/evidence-dir.js";
import { verifySnapshot } from "../../../src/azure/verify.js";
import type { Snapshot } from "../../../src/model/snapshot.js";
import { snapshot } from "../../helpers/snapshots.js";

const PAYMENTS = fileURLToPath(new URL("../../fixtures/luna/evidence/payments", import.meta.url));
const ID = (name: string) =>
  `/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-dedicated/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/${name}`;

describe("reading a directory of transcripts", () => {
  const read = readApplianceTranscripts(loadApplianceIndex(PAYMENTS));
  const byName = (name: string) => read.appliances.find((a) => a.name === name)!;

  test("every transcript of a complete folder is a reading backed by its own evidence record", () => {
    const ok = byName("luna-ok");
    expect(ok.hsmId).toBe(ID("dhsm-luna-ok"));
    expect(ok.host).toBe("10.20.1.4");
    expect(Object.keys(ok.readings)).toHaveLength(10);
    for (const fact of Object.values(ok.readings)) expect(fact).toHaveProperty("value");
    const evidence = read.evidence.find((e) => e.id === ok.readings.auditShow!.evidence[0])!;
    expect(evidence).toMatchObject({
      method: "LUNASH",
      url: "file:luna-ok/audit-show.txt",
      status: 0,
      capturedAt: "2026-12-04T09:00:00.000Z",
      transport: "file",
      command: "audit show",
      user: "audit",
      host: "10.20.1.4",
      purpose: "appliance luna-ok: audit show",
    });
    expect(evidence.sha256).toBe(createHash("sha256").update(evidence.body!, "utf8").digest("hex"));
  });

  test("a hidden command, a transcript not saved and a cut one are errors, each tied to the HSM", () => {
    const broken = byName("luna-broken").readings;
    expect(broken.auditShow).toMatchObject({ error: { message: expect.stringMatching(/65535.*not a valid command/) } });
    expect(broken.auditShow!.evidence).toHaveLength(1);
    expect(broken.ntpStatus).toMatchObject({
      error: {
        message: expect.stringMatching(
          /sysconf ntp status.*was not saved.*ssh admin@<appliance> "sysconf ntp status" > sysconf-ntp-status.txt/,
        ),
      },
      evidence: [],
    });
    expect(broken.syslogRemoteHosts).toMatchObject({
      error: { message: expect.stringMatching(/no `Command Result`/) },
    });
    expect(read.errors.filter((e) => e.resourceId === ID("dhsm-luna-broken"))).toHaveLength(3);
    expect(read.evidence.find((e) => e.url === "file:luna-broken/audit-show.txt")!.status).toBe(65535);
  });
});

describe("a bad directory or index is a usage error with the file and the line", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hsm-audit-appliances-"));
    mkdirSync(join(dir, "luna-a"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const index = (text: string) => writeFileSync(join(dir, "appliances.yaml"), text);
  const failure = (): ApplianceIndexError => {
    try {
      loadApplianceIndex(dir);
    } catch (error) {
      if (error instanceof ApplianceIndexError) return error;
      throw error;
    }
    throw new Error("the index was accepted");
  };
  const good = `  - name: luna-a\n    resourceId: ${ID("a")}\n`;

  test.each([
    ["no index", undefined, undefined, /^cannot read it \(ENOENT\)/],
    ["bad YAML", "appliances:\n  - name: [\n", 3, /not valid YAML/],
    ["no list", "appliances: 3\n", 1, /must be a mapping with `appliances:`/],
    ["an unknown key", `appliances:\n${good}    password: hunter2\n`, 4, /appliances.0.password: unknown key/],
    [
      "a path as a name",
      `appliances:\n  - name: ../etc\n    resourceId: ${ID("a")}\n`,
      2,
      /appliances.0.name: must be the name of a folder/,
    ],
    [
      "a Cloud HSM id",
      "appliances:\n  - name: luna-a\n    resourceId: /subscriptions/x/resourceGroups/g/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/c\n",
      3,
      /must be the ARM id of a Dedicated HSM/,
    ],
    ["a folder not there", `appliances:\n  - name: luna-b\n    resourceId: ${ID("b")}\n`, 2, /no folder .*luna-b/],
    [
      "the same HSM twice",
      `appliances:\n${good}  - name: luna-a2\n    resourceId: ${ID("A")}\n`,
      5,
      /the same Dedicated HSM as appliances.0/,
    ],
    [
      "a time that is not one",
      `appliances:\n${good}    capturedAt: yesterday\n`,
      4,
      /capturedAt: must be an ISO 8601 instant/,
    ],
    ["a hostile host", `appliances:\n${good}    host: "a b; rm -rf /"\n`, 4, /host: must be a host name or an address/],
    [
      "neither resourceId nor host",
      "appliances:\n  - name: luna-a\n",
      2,
      /appliances.0: give resourceId, or host as the Dedicated HSM's private IP address/,
    ],
    [
      "no resourceId, and a host name (an entry without resourceId is matched by its IP)",
      "appliances:\n  - name: luna-a\n    host: luna-a.contoso.example\n",
      3,
      /appliances.0: give resourceId, or host as the Dedicated HSM's private IP address/,
    ],
  ])("%s", (_what, text, line, why) => {
    if (text !== undefined) index(text);
    const error = failure();
    expect(error.line).toBe(line);
    expect(error.file).toBe(join(dir, "appliances.yaml"));
    expect(error.reason).toMatch(why);
  });

  test.each(["10.20.1.4", "fd00::4"])("no resourceId, host %s: accepted, to be matched by that address", (host) => {
    index(`appliances:\n  - name: luna-a\n    host: "${host}"\n`);
    const loaded = loadApplianceIndex(dir);
    expect(loaded.appliances).toEqual([{ name: "luna-a", host }]);
    const read = readApplianceTranscripts(loaded);
    expect(read.appliances[0]!.hsmId).toBeUndefined();
    expect(read.errors.every((e) => e.resourceId === undefined)).toBe(true);
  });

  test("a directory that does not exist", () => {
    expect(() => loadApplianceIndex(join(dir, "nowhere"))).toThrow(/nowhere: cannot read it \(ENOENT\)/);
  });

  test("a transcript that is not UTF-8 is hashed, not kept, and is an error", () => {
    index(`appliances:\n${good}`);
    writeFileSync(join(dir, "luna-a", "hsm-show.txt"), Buffer.from([0xff, 0xfe, 0x41, 0x00, 0xc3]));
    const read = readApplianceTranscripts(loadApplianceIndex(dir));
    const fact = read.appliances[0]!.readings.hsmShow!;
    expect(fact).toMatchObject({ error: { message: expect.stringMatching(/not UTF-8 text/) } });
    const record = read.evidence.find((e) => e.id === fact.evidence[0])!;
    expect(record.body).toBeUndefined();
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("a saved snapshot's appliance readings are checked against their transcripts", () => {
  const read = readApplianceTranscripts(loadApplianceIndex(PAYMENTS));
  const base = (): Snapshot => ({
    ...snapshot(),
    appliances: structuredClone(read.appliances),
    evidence: structuredClone(read.evidence),
  });

  test("as read, every reading is verified", () => {
    const v = verifySnapshot(base());
    expect(v.tampered).toEqual([]);
    expect(v.verified).toBeGreaterThanOrEqual(25);
  });

  test("a reading edited after the scan is tampering", () => {
    const s = base();
    const ok = s.appliances!.find((a) => a.name === "luna-bad")!;
    (ok.readings.auditRemoteHosts as { value: unknown }).value = [{ host: "10.0.0.9", port: 1660, protocol: "tcp" }];
    const v = verifySnapshot(s);
    expect(v.tampered).toEqual([
      expect.objectContaining({ fact: expect.stringMatching(/^appliances\[\d\]\.readings\.auditRemoteHosts$/) }),
    ]);
  });

  test("a reading whose transcript was not kept is an error, not a value", () => {
    const s = base();
    const id = s.appliances![0]!.readings.hsmShow!.evidence[0]!;
    delete s.evidence.find((e) => e.id === id)!.body;
    const v = verifySnapshot(s);
    expect(v.snapshot.appliances![0]!.readings.hsmShow).toMatchObject({ error: { code: "Unverifiable" } });
  });
});
