// Appliance evidence end to end: the CLI's scan (in this process) reads the simulator over HTTPS with
// --appliance-evidence pointing at saved LunaSH transcripts. A compliant Luna appliance passes, one without remote
// audit logging, with syslog over UDP and NTP on its own clock fails, one whose transcripts are missing or unreadable
// is an error, a Payment HSM and a Luna HSM the evidence does not name stay manual; result.json, the HTML and the PDF
// show the transcripts' evidence.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, findingOf, startScanTarget, statusOf, tempDir, type ScanRun } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { runMain } from "../helpers/main-in-process.js";
import type { Result } from "../../src/model/result.js";
import { ROOT } from "../helpers/simulator.js";
import { readPdf, type ParsedPdf } from "../helpers/pdf.js";
import { flowingCloudHsm, paymentsEstate } from "../helpers/estates.js";
import { APPLIANCE_IDS } from "../helpers/snapshots.js";
import { rebasedApplianceEvidence } from "../../src/simulator/appliance-evidence.js";

jest.setTimeout(180_000);
afterAll(() => {
  REBASED.remove();
  cleanUp();
});

/** The saved transcripts, their dates brought to the present (an hour old): older ones would prove nothing. */
const REBASED = rebasedApplianceEvidence(join(ROOT, "test/fixtures/luna/evidence/payments"), new Date());
const EVIDENCE = REBASED.directory;
const CAPTURED_AT = readFileSync(join(EVIDENCE, "appliances.yaml"), "utf8").match(/capturedAt: (\S+)/)![1]!;
const dedicated = (name: string, sku = "SafeNet Luna Network HSM A790", privateIp?: string) => `      - name: ${name}
        resourceGroup: rg-dedicated
        location: eastus
        sku: ${sku}
${privateIp ? `        privateIp: ${privateIp}\n` : ""}`;
const ESTATE = paymentsEstate({
  cloudHsmClusters: flowingCloudHsm("chsm-a"),
  dedicatedHsms: [
    // The addresses appliances.yaml gives their appliances: the evidence and the inventory agree.
    dedicated("dhsm-luna-ok", undefined, "10.20.1.4"),
    dedicated("dhsm-luna-bad", undefined, "10.20.1.5"),
    dedicated("dhsm-luna-broken"),
    dedicated("dhsm-luna-unlisted"),
    dedicated("phsm-pay-01", "payShield10K_LMK1_CPS60"),
  ].join(""),
});

describe("scan --appliance-evidence DIR", () => {
  let run: ScanRun;
  let pdf: ParsedPdf;
  let html: string;
  let snapshotFile: string;
  beforeAll(async () => {
    const target = await startScanTarget(ESTATE);
    try {
      snapshotFile = join(tempDir(), "snapshot.json");
      run = await scanInProcess(target, [
        "--appliance-evidence",
        EVIDENCE,
        "--format",
        "html,pdf",
        "--snapshot-out",
        snapshotFile,
      ]);
    } finally {
      await target.close();
    }
    pdf = await readPdf(join(run.out, "report.pdf"));
    html = readFileSync(join(run.out, "report.html"), "utf8");
  });

  test("a proven failure makes the exit code 1", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
  });

  test("the compliant appliance passes every aspect and the roll-up, on its transcripts", () => {
    for (const id of [...APPLIANCE_IDS, "appliance-audit-evidence"])
      expect([id, statusOf(run.result, id, "dhsm-luna-ok")]).toEqual([id, "pass"]);
    const rollUp = findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")!;
    expect(rollUp.message).toMatch(/Appliance luna-ok \(dhsm-luna-ok\) passes every appliance check/);
    const cited = run.result!.evidence.filter((e) => rollUp.evidence.includes(e.id));
    expect(cited.map((e) => e.command).sort()).toEqual([
      "audit log list",
      "audit remotehost list",
      "audit show",
      "hsm show",
      "service status cbs",
      "sysconf ntp status",
      "syslog remotehost list",
    ]);
    for (const e of cited) {
      expect(e).toMatchObject({
        method: "LUNASH",
        transport: "file",
        host: "10.20.1.4",
        capturedAt: CAPTURED_AT,
      });
      expect(e.url).toMatch(/^file:luna-ok\/[a-z-]+\.txt$/);
    }
    expect(cited.find((e) => e.command === "audit show")).toMatchObject({ user: "audit", status: 0 });
  });

  test("remote audit logging missing, syslog over UDP and NTP unsynchronized fail, each named", () => {
    expect(statusOf(run.result, "appliance-remote-audit", "dhsm-luna-bad")).toBe("fail");
    expect(statusOf(run.result, "appliance-remote-syslog", "dhsm-luna-bad")).toBe("fail");
    expect(statusOf(run.result, "appliance-time-sync", "dhsm-luna-bad")).toBe("fail");
    expect(statusOf(run.result, "appliance-audit-role", "dhsm-luna-bad")).toBe("pass");
    expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-bad")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(
        /remote audit logging is missing; syslog goes over 10.20.0.6:514\/udp \(allowed: tcp, relp\); NTP is synchronized only to the appliance's own clock/,
      ),
    });
  });

  test("a hidden command, a transcript not saved and a cut one are errors, never passes", () => {
    expect(findingOf(run.result, "appliance-audit-events", "dhsm-luna-broken")).toMatchObject({
      status: "error",
      message: expect.stringMatching(/not a valid command for this user/),
    });
    expect(findingOf(run.result, "appliance-time-sync", "dhsm-luna-broken")).toMatchObject({
      status: "error",
      message: expect.stringMatching(/sysconf ntp status.*was not saved/),
    });
    expect(statusOf(run.result, "appliance-remote-syslog", "dhsm-luna-broken")).toBe("error");
    expect(statusOf(run.result, "appliance-audit-role", "dhsm-luna-broken")).toBe("pass");
    expect(statusOf(run.result, "appliance-audit-evidence", "dhsm-luna-broken")).toBe("error");
    expect(run.result!.errors.filter((e) => e.resourceId?.endsWith("/dhsm-luna-broken"))).toHaveLength(3);
  });

  test("a Luna HSM the evidence does not name and a Payment HSM stay manual; their aspects do not apply", () => {
    expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-unlisted")).toMatchObject({
      status: "manual",
      message: expect.stringMatching(/names no appliance for it/),
    });
    const payment = findingOf(run.result, "appliance-audit-evidence", "phsm-pay-01")!;
    expect(payment.status).toBe("manual");
    expect(payment.message).toMatch(/payShield 10K.*payShield Manager/);
    expect(payment.message).not.toMatch(/Luna/);
    for (const id of APPLIANCE_IDS) expect(statusOf(run.result, id, "phsm-pay-01")).toBe("not_applicable");
  });

  test("the HTML and the PDF show the appliance findings and the transcripts' evidence", () => {
    const text = pdf.bodies.join("\n");
    for (const report of [html, text]) {
      expect(report).toContain("remote audit logging is missing");
      expect(report).toContain("file:luna-bad/audit-remotehost-list.txt");
      expect(report).toContain("LUNASH");
    }
    // The HTML indexes every evidence record with its purpose; the PDF's summary layout those its printed findings
    // cite (the passing appliance's transcripts are in result.json, attached).
    expect(html).toContain("appliance luna-ok: audit show");
    expect(html).toContain("appliance luna-bad: audit remotehost list");
    expect(text).not.toContain("file:luna-ok/");
    expect(html).toContain("appliance-time-sync");
    expect(text).toContain("appliance-time-sync");
  });

  test("evaluate reads the transcripts kept in the snapshot again and reaches the same verdicts", async () => {
    const out = join(tempDir(), "again");
    const again = await runMain(["evaluate", "--snapshot", snapshotFile, "--out", out], tempDir());
    expect(again.code).toBe(1);
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
    const verdicts = (r: Result) =>
      r.findings.filter((f) => f.policyId.startsWith("appliance-")).map((f) => [f.policyId, f.resourceId, f.status]);
    expect(verdicts(result)).toEqual(verdicts(run.result!));
  });

  test("a snapshot whose appliance reading was edited is refused", async () => {
    const edited = JSON.parse(readFileSync(snapshotFile, "utf8")) as {
      appliances: { name: string; readings: { auditRemoteHosts: { value: unknown } } }[];
    };
    edited.appliances.find((a) => a.name === "luna-bad")!.readings.auditRemoteHosts.value = [
      { host: "10.20.0.9", port: 1660, protocol: "tcp" },
    ];
    const file = join(tempDir(), "edited.json");
    writeFileSync(file, JSON.stringify(edited));
    const refused = await runMain(["evaluate", "--snapshot", file, "--out", join(tempDir(), "x")], tempDir());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/readings\.auditRemoteHosts.*not what its transcript says/);
  });
});

describe("appliances.yaml entries without resourceId, matched by the Dedicated HSMs' private IPs", () => {
  const inNetwork = (name: string, resourceGroup: string, ip: string) => `      - name: ${name}
        resourceGroup: ${resourceGroup}
        location: eastus
        sku: SafeNet Luna Network HSM A790
        privateIp: ${ip}
`;
  // Two HSMs in two VNets that reuse one range share 10.20.1.9; the Payment HSM has 10.20.1.7.
  const BY_ADDRESS = paymentsEstate({
    dedicatedHsms: [
      dedicated("dhsm-luna-ok", undefined, "10.20.1.4"),
      inNetwork("dhsm-twin-a", "rg-vnet-a", "10.20.1.9"),
      inNetwork("dhsm-twin-b", "rg-vnet-b", "10.20.1.9"),
      dedicated("phsm-pay-01", "payShield10K_LMK1_CPS60", "10.20.1.7"),
    ].join(""),
  });
  let run: ScanRun;
  beforeAll(async () => {
    const dir = join(tempDir(), "evidence");
    cpSync(EVIDENCE, dir, { recursive: true, preserveTimestamps: true });
    writeFileSync(
      join(dir, "appliances.yaml"),
      [
        "appliances:",
        ...[
          ["luna-ok", "10.20.1.4"],
          ["luna-bad", "10.20.1.9"],
          ["luna-broken", "10.20.1.7"],
        ].flatMap(([name, host]) => [`  - name: ${name}`, `    host: ${host}`, `    capturedAt: ${CAPTURED_AT}`]),
        "",
      ].join("\n"),
    );
    const target = await startScanTarget(BY_ADDRESS);
    try {
      run = await scanInProcess(target, ["--appliance-evidence", dir]);
    } finally {
      await target.close();
    }
  });

  test("the HSM whose private IP is an entry's host is judged on its transcripts, the finding saying so", () => {
    expect(findingOf(run.result, "appliance-audit-evidence", "dhsm-luna-ok")).toMatchObject({
      status: "pass",
      message: expect.stringMatching(
        /^Appliance luna-ok \(dhsm-luna-ok, matched by private IP 10\.20\.1\.4 of dhsm-luna-ok-nic\)/,
      ),
    });
  });

  test("an address two Dedicated HSMs share matches neither: both stay manual, each naming both", () => {
    for (const name of ["dhsm-twin-a", "dhsm-twin-b"]) {
      expect(findingOf(run.result, "appliance-audit-evidence", name)).toMatchObject({
        status: "manual",
        message: expect.stringMatching(/10\.20\.1\.9 is the private IP of 2 Dedicated HSMs \(dhsm-twin-a, dhsm-twin-b/),
      });
      expect(statusOf(run.result, "appliance-remote-audit", name)).toBe("not_applicable");
      expect(run.result!.resources.find((r) => r.name === name)).not.toHaveProperty("appliance");
    }
    expect(run.stderr).toContain(
      "hsm-audit: warning: appliance luna-bad: its host 10.20.1.9 is the private IP of 2 Dedicated HSMs (dhsm-twin-a, dhsm-twin-b, in different networks), so it matches none of them",
    );
  });

  test("a Payment HSM's address is never matched to a Luna entry: payShield, manual, and a warning", () => {
    expect(findingOf(run.result, "appliance-audit-evidence", "phsm-pay-01")).toMatchObject({
      status: "manual",
      message: expect.stringMatching(/payShield 10K.*payShield Manager/),
    });
    expect(run.stderr).toContain(
      "hsm-audit: warning: appliance luna-broken: its host 10.20.1.7 is the private IP of phsm-pay-01, an Azure Payment HSM",
    );
    expect(run.code).toBe(3);
  });
});
