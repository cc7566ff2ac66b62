// An appliance's state, rendered as LunaSH prints it, read back by the real parsers and judged by the real check
// kinds: each variation of the state fails exactly the aspects it should (and every transcript stays readable). And
// the estate's `appliance:` of a Dedicated HSM: resolved over the defaults, a bad field an EstateError naming it.
import { createHash } from "node:crypto";
import { APPLIANCE_IDS } from "../helpers/snapshots.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { paramsWithDefaults } from "../helpers/policies.js";
import { parseTranscript } from "../../src/azure/luna/lunash.js";
import { LUNA_COMMANDS, LUNA_COMMAND_KEYS } from "../../src/domain/luna.js";
import { applianceState, renderLunash, type ApplianceStateInput } from "../../src/simulator/lunash-render.js";
import { parseEstate } from "../../src/simulator/estate.js";
import type { ApplianceReadings, EvidenceRecord, Snapshot } from "../../src/model/snapshot.js";
import { dedicatedHsm, hsmTarget, snapshot } from "../helpers/snapshots.js";
import { ROOT } from "../helpers/simulator.js";
import { estateProblems } from "../helpers/estates.js";

/** When the commands are answered: three hours before the helpers' snapshot started (2025-06-08T12:00:00Z). */
const NOW = new Date("2025-06-08T09:00:00.000Z");
const LUNA = dedicatedHsm({ name: "dhsm-luna-01" });

const ASPECTS = APPLIANCE_IDS;
type Aspect = (typeof ASPECTS)[number];

/** Renders every command of `input`'s appliance, parses each transcript, and builds the snapshot a scan would. */
function scanned(input: ApplianceStateInput): { snapshot: Snapshot; unreadable: string[] } {
  const state = applianceState(input, LUNA.name);
  const readings: ApplianceReadings = {};
  const evidence: EvidenceRecord[] = [];
  const unreadable: string[] = [];
  for (const key of LUNA_COMMAND_KEYS) {
    const { command, user, file } = LUNA_COMMANDS[key];
    const text = renderLunash(state, key, NOW);
    const id = `lx-${key}`;
    evidence.push({
      id,
      method: "LUNASH",
      url: `file:luna-01/${file}`,
      status: 0,
      capturedAt: NOW.toISOString(),
      sha256: createHash("sha256").update(text).digest("hex"),
      durationMs: 0,
      purpose: `appliance luna-01: ${command}`,
      transport: "file",
      command,
      user,
    });
    const outcome = parseTranscript(key, command, text);
    if ("error" in outcome) unreadable.push(`${command}: ${outcome.error}`);
    (readings as Record<string, unknown>)[key] =
      "error" in outcome
        ? { error: { message: outcome.error, code: "ApplianceEvidence" }, evidence: [id] }
        : { value: outcome.value, evidence: [id] };
  }
  const base = snapshot({ hsms: [LUNA] });
  return {
    snapshot: {
      ...base,
      applianceEvidence: { transport: "file", directory: "/evidence" },
      appliances: [{ name: "luna-01", hsmId: LUNA.id, readings }],
      evidence: [...base.evidence, ...evidence],
    },
    unreadable,
  };
}

function verdictOf(kind: string, s: Snapshot) {
  const check = CHECK_KINDS.get(kind);
  if (!check) throw new Error(`no check kind ${kind}`);
  return check.evaluate(hsmTarget(LUNA), paramsWithDefaults(check), s);
}

/** Each variation of the compliant state: the aspects it fails (every other one passes), and what the message says. */
const CASES: { name: string; state: ApplianceStateInput; fails: Partial<Record<Aspect, RegExp>> }[] = [
  { name: "the defaults: a compliant appliance", state: {}, fails: {} },
  {
    name: "audit role not initialized",
    state: { auditRoleInitialized: false },
    fails: { "appliance-audit-role": /Audit Role Initialized: No/ },
  },
  {
    name: "audit off (event mask none)",
    state: { audit: { eventClasses: ["none"] } },
    fails: { "appliance-audit-events": /logs no audit events/ },
  },
  {
    name: "classes missing (failures only)",
    state: { audit: { eventClasses: ["failure"] } },
    fails: { "appliance-audit-events": /without access, manage, keymanage, a key-use class/ },
  },
  { name: "every class (all)", state: { audit: { eventClasses: ["all"] } }, fails: {} },
  {
    name: "rotation never",
    state: { audit: { rotation: "never" } },
    fails: { "appliance-audit-offload": /rotated never/ },
  },
  {
    name: "NVRAM near full",
    state: { audit: { nvramUsedPercent: 93 } },
    fails: { "appliance-audit-offload": /93% full/ },
  },
  { name: "NVRAM in use, within bounds", state: { audit: { nvramUsedPercent: 40 } }, fails: {} },
  {
    name: "the newest audit log 30 hours old",
    state: { audit: { logFiles: [{ ageHours: 50 }, { ageHours: 30 }] } },
    fails: { "appliance-audit-offload": /30 hours old when listed \(at most 26\)/ },
  },
  {
    name: "no audit log file",
    state: { audit: { logFiles: [] } },
    fails: { "appliance-audit-offload": /no audit log file/ },
  },
  {
    name: "cbs stopped",
    state: { services: { cbs: false } },
    fails: { "appliance-audit-offload": /cbs service.*not running/ },
  },
  {
    name: "no remote audit host",
    state: { audit: { remoteHosts: [] } },
    fails: { "appliance-remote-audit": /to no remote host/ },
  },
  {
    name: "remote audit over UDP",
    state: { audit: { remoteHosts: [{ host: "10.20.0.5", port: 1660, protocol: "udp" }] } },
    fails: { "appliance-remote-audit": /10\.20\.0\.5:1660\/udp \(allowed: tcp\)/ },
  },
  {
    name: "the audit host is the syslog host and port",
    state: { audit: { remoteHosts: [{ host: "10.20.0.6", port: 6514 }] } },
    fails: { "appliance-remote-audit": /also receives the appliance's syslog/ },
  },
  {
    name: "syslog over UDP",
    state: { syslog: { remoteHosts: [{ host: "10.20.0.6", port: 514, protocol: "udp", tls: false }] } },
    fails: { "appliance-remote-syslog": /syslog goes over 10\.20\.0\.6:514\/udp/ },
  },
  {
    name: "syslog without TLS on 7.8.4",
    state: { syslog: { remoteHosts: [{ host: "10.20.0.6", port: 514, tls: false }] } },
    fails: { "appliance-remote-syslog": /not encrypted \(TLS\)/ },
  },
  {
    name: "syslog without TLS on 7.2 (the release has none): the 5.3 list format",
    state: { softwareVersion: "7.2.0-220", syslog: { remoteHosts: [{ host: "logs.example.net", port: 514 }] } },
    fails: {},
  },
  {
    name: "host names longer than the columns",
    state: {
      audit: { remoteHosts: [{ host: "audit-collector-01.payments.example.net", port: 1660 }] },
      syslog: { remoteHosts: [{ host: "syslog-collector-01.payments.example.net", port: 6514 }] },
    },
    fails: {},
  },
  {
    name: "no remote syslog host",
    state: { syslog: { remoteHosts: [] } },
    fails: { "appliance-remote-syslog": /to no remote host/ },
  },
  {
    name: "NTP not synchronized",
    state: { ntp: { synchronizedTo: null } },
    fails: { "appliance-time-sync": /no source of synchronization/ },
  },
  {
    name: "NTP synchronized to the appliance's own clock",
    state: { ntp: { synchronizedTo: "LOCAL(0)" } },
    fails: { "appliance-time-sync": /only to the appliance's own clock/ },
  },
  {
    name: "the clock offset too large",
    state: { ntp: { offsetMs: 1500.25 } },
    fails: { "appliance-time-sync": /1500\.25 ms from 10\.20\.0\.1 \(at most 1000 ms\)/ },
  },
  { name: "NTP disabled", state: { ntp: { enabled: false } }, fails: { "appliance-time-sync": /NTP is disabled/ } },
  {
    name: "the ntp service stopped",
    state: { services: { ntp: false } },
    fails: { "appliance-time-sync": /NTP is not running/ },
  },
  {
    name: "tamper",
    state: { tamper: "Tamper(s) detected" },
    fails: { "appliance-no-tamper": /HSM Tamper State: Tamper\(s\) detected/ },
  },
];

describe("render → parse → judge", () => {
  test.each(CASES)("$name", ({ state, fails }) => {
    const { snapshot: s, unreadable } = scanned(state);
    expect(unreadable).toEqual([]);
    for (const aspect of ASPECTS) {
      const verdict = verdictOf(aspect, s);
      const failing = fails[aspect];
      expect([aspect, verdict.status]).toEqual([aspect, failing ? "fail" : "pass"]);
      if (failing) expect(verdict.message).toMatch(failing);
    }
    // The roll-up (appliance-audit-evidence) follows: a pass only when every aspect passes.
    const rollUp = verdictOf("appliance-evidence", s);
    expect(rollUp.status).toBe(Object.keys(fails).length === 0 ? "pass" : "fail");
  });

  test("the table covers every aspect's pass and fail", () => {
    const failed = new Set(CASES.flatMap((c) => Object.keys(c.fails)));
    expect([...failed].sort()).toEqual([...ASPECTS].sort());
  });

  test("each answer echoes its command and ends with Command Result : 0 (Success)", () => {
    const state = applianceState({}, "dhsm-luna-01");
    for (const key of LUNA_COMMAND_KEYS) {
      const text = renderLunash(state, key, NOW, "dhsm-luna-01");
      expect(text.startsWith(`[dhsm-luna-01] lunash:>${LUNA_COMMANDS[key].command}\n`)).toBe(true);
      expect(text).toMatch(/\nCommand Result : 0 \(Success\)\n\[dhsm-luna-01\] lunash:>\n$/);
    }
  });

  test("two appliances given no serial report different ones (not twins)", () => {
    expect(applianceState({}, "dhsm-a").serial).not.toBe(applianceState({}, "dhsm-b").serial);
    expect(applianceState({}, "dhsm-a").serial).toMatch(/^\d{7}$/);
  });
});

const estate = (appliance: string) => `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Lab
    dedicatedHsms:
      - name: dhsm-a
        resourceGroup: rg
        location: eastus
        appliance:
${appliance}`;

const problemsOf = (text: string) => estateProblems(text, "lab.yaml", NOW);

describe("the estate's appliance state", () => {
  test("resolved over the compliant defaults", () => {
    const e = parseEstate(estate("          serial: '4242'\n          ntp: { synchronizedTo: null }\n"), "lab.yaml", {
      now: NOW,
    });
    const hsm = e.subscriptions[0]!.hsms[0]!;
    expect(hsm.appliance).toMatchObject({
      serial: "4242",
      softwareVersion: "7.8.4-12",
      auditRoleInitialized: true,
      audit: { rotation: "daily", remoteHosts: [{ host: "10.20.0.5", port: 1660, protocol: "tcp" }] },
      syslog: { remoteHosts: [{ host: "10.20.0.6", port: 6514, protocol: "tcp", tls: true }] },
      ntp: { enabled: true, servers: ["10.20.0.1", "10.20.0.2"] },
    });
    expect(hsm.appliance!.ntp.synchronizedTo).toBeUndefined();
    // The state is the simulator's, not ARM's: the resource's properties do not carry it.
    expect(JSON.stringify(hsm.properties)).not.toContain("appliance");
  });

  test.each([
    {
      name: "TLS on a release without syslog TLS",
      yaml: "          softwareVersion: 7.2.0\n          syslog: { remoteHosts: [{ host: logs, tls: true }] }\n",
      expected:
        /lab\.yaml:\d+: subscriptions\[0\]\.dedicatedHsms\[0\]\.appliance\.syslog\.remoteHosts\[0\]\.tls: appliance software 7\.2\.0 has no syslog TLS/,
    },
    {
      name: "a synchronized peer that is not a server",
      yaml: "          ntp: { servers: [10.0.0.1], synchronizedTo: 10.0.0.9 }\n",
      expected: /appliance\.ntp\.synchronizedTo: '10\.0\.0\.9' is not one of ntp\.servers/,
    },
    {
      name: "an unknown field",
      yaml: "          tampered: true\n",
      expected: /dedicatedHsms\[0\]\.appliance.*tampered/,
    },
    {
      name: "a protocol remote audit does not offer",
      yaml: "          audit: { remoteHosts: [{ host: a, protocol: relp }] }\n",
      expected: /appliance\.audit\.remoteHosts\[0\]\.protocol/,
    },
    { name: "a serial with letters", yaml: "          serial: AB12\n", expected: /appliance\.serial/ },
    {
      name: "NVRAM over 100%",
      yaml: "          audit: { nvramUsedPercent: 120 }\n",
      expected: /appliance\.audit\.nvramUsedPercent/,
    },
    {
      name: "an event class LunaSH has not",
      yaml: "          audit: { eventClasses: [everything] }\n",
      expected: /appliance\.audit\.eventClasses\[0\]/,
    },
  ])("$name: an EstateError naming the field", ({ yaml, expected }) => {
    expect(problemsOf(estate(yaml))).toMatch(expected);
  });
});

test("the appliance example in docs/estate.md parses, and its appliance fails what its comment says", () => {
  const doc = readFileSync(join(ROOT, "docs/estate.md"), "utf8");
  const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((y) => y.includes("appliance:"));
  expect(example).toBeDefined();
  const text = `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Docs
${example!.replace(/^(?=.)/gm, "    ")}`;
  const hsm = parseEstate(text, "docs/estate.md", { now: NOW }).subscriptions[0]!.hsms[0]!;
  expect(hsm.appliance).toMatchObject({
    audit: { remoteHosts: [] },
    syslog: { remoteHosts: [{ protocol: "udp", tls: false }] },
    ntp: { synchronizedTo: "LOCAL(0)" },
  });
});
