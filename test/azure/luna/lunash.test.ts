// The LunaSH parsers, one table per command: real and INFERRED transcripts in, a reading or an error out. Whatever
// cannot be read (a failed or hidden command, a missing label, garbled text) is an error, never a value.
import { readFileSync } from "node:fs";
import { LUNA_COMMANDS, type LunaCommandKey } from "../../../src/domain/luna.js";
import { commandResultCode, parseTranscript } from "../../../src/azure/luna/lunash.js";

const transcript = (name: string) =>
  readFileSync(new URL(`../../fixtures/luna/transcripts/${name}`, import.meta.url), "utf8");

type Case = [file: string, key: LunaCommandKey, expected: unknown];

const read = (key: LunaCommandKey, file: string) => parseTranscript(key, LUNA_COMMANDS[key].command, transcript(file));

describe("transcripts that read", () => {
  const cases: Case[] = [
    [
      "hsm-show-7.2.txt",
      "hsmShow",
      {
        auditRoleInitialized: true,
        tamperState: "No tamper(s)",
        serial: "572413",
        firmware: "7.0.3",
        softwareVersion: "7.2.0-220",
      },
    ],
    [
      "hsm-show-5.3-not-initialized.txt",
      "hsmShow",
      { auditRoleInitialized: false, serial: "150073", firmware: "6.10.9", softwareVersion: "5.3.1-2" },
    ],
    [
      "hsm-show-tampered.txt",
      "hsmShow",
      expect.objectContaining({ tamperState: "Tamper(s) detected: 1 (decommission)" }),
    ],
    [
      "audit-show-inferred.txt",
      "auditShow",
      {
        eventClasses: ["failure", "success", "access", "manage", "keymanage", "first"],
        rotation: "daily",
        nvramUsedPercent: 12,
      },
    ],
    [
      "audit-show-letters.txt",
      "auditShow",
      { eventClasses: ["failure", "success", "access", "manage", "keymanage", "first"], rotation: "hourly" },
    ],
    ["audit-show-none.txt", "auditShow", { eventClasses: ["none"], rotation: "never" }],
    ["audit-remotehost-list-tcp.txt", "auditRemoteHosts", [{ host: "10.20.0.5", port: 1660, protocol: "tcp" }]],
    ["audit-remotehost-list-empty.txt", "auditRemoteHosts", []],
    [
      "syslog-remotehost-list-5.3.txt",
      "syslogRemoteHosts",
      [
        { host: "54.208.217.148", port: 514, protocol: "udp" },
        { host: "10.0.106.107", port: 514, protocol: "udp" },
      ],
    ],
    ["syslog-remotehost-list-5.1.txt", "syslogRemoteHosts", [{ host: "54.208.217.148" }, { host: "10.0.106.107" }]],
    [
      "syslog-remotehost-list-table.txt",
      "syslogRemoteHosts",
      [{ host: "logs.example.net", port: 6514, protocol: "tcp", tls: true }],
    ],
    [
      "audit-log-list-inferred.txt",
      "auditLogList",
      {
        files: [
          { name: "hsm_572413_0000002a.log", modified: "2026-12-03T23:00:01.000Z", bytes: 1048576 },
          { name: "hsm_572413_0000002b.log", modified: "2026-12-04T11:00:00.000Z", bytes: 20480 },
          { name: "audit-572413-20261202.tgz", modified: "2026-12-02T00:10:00.000Z", bytes: 524288 },
        ],
      },
    ],
    ["service-status-cbs-running.txt", "serviceCbs", { service: "cbs", running: true }],
    ["service-status-cbs-stopped.txt", "serviceCbs", { service: "cbs", running: false }],
    ["service-status-ntp-running.txt", "serviceNtp", { service: "ntp", running: true }],
    [
      "sysconf-ntp-status-5.x-local.txt",
      "ntpStatus",
      {
        running: true,
        enabled: true,
        peers: [
          { tally: "*", remote: "LOCAL(0)", refid: ".LOCL.", stratum: 10, offsetMs: 0 },
          { tally: " ", remote: "54.208.217.148", refid: ".INIT.", stratum: 16, offsetMs: 0 },
        ],
      },
    ],
    [
      "sysconf-ntp-status-synced.txt",
      "ntpStatus",
      {
        running: true,
        enabled: true,
        peers: [
          { tally: "*", remote: "time1.example.n", refid: ".GPS.", stratum: 1, offsetMs: -0.215 },
          { tally: "+", remote: "time2.example.n", refid: "10.1.1.1", stratum: 2, offsetMs: 1.02 },
        ],
      },
    ],
    ["sysconf-ntp-status-disabled.txt", "ntpStatus", { running: false, enabled: false, peers: [] }],
    ["sysconf-ntp-list-5.x.txt", "ntpList", { servers: ["127.127.1.0", "54.208.217.148"] }],
  ];
  test.each(cases)("%s as %s", (file, key, expected) => {
    expect(read(key, file)).toEqual({ value: expected });
  });
});

describe("transcripts that do not read are errors", () => {
  const cases: [file: string, key: LunaCommandKey, why: RegExp][] = [
    ["audit-show-as-admin.txt", "auditShow", /failed on the appliance \(Command Result : 65535.*not a valid command/],
    ["failed-client-show.txt", "hsmShow", /65535.*Specified client does not exist/],
    ["audit-show-no-mask.txt", "auditShow", /does not print the event mask/],
    ["audit-show-bogus-class.txt", "auditShow", /"everything", not an audit event class/],
    ["hsm-show-7.2.txt", "auditShow", /the output of `hsm show`, not of `audit show`/],
    ["wrong-command.txt", "hsmShow", /the output of `network show`/],
    ["truncated.txt", "hsmShow", /no `Command Result` line/],
    ["two-commands.txt", "hsmShow", /more than one `Command Result`/],
    ["syslog-remotehost-list-hostile.txt", "syslogRemoteHosts", /is not a host name or address/],
    ["sysconf-ntp-status-garbled.txt", "ntpStatus", /is not ntpq's/],
    ["sysconf-ntp-status-escapes.txt", "ntpStatus", /control characters/],
    ["audit-log-list-luna-dates.txt", "auditLogList", /is not a date/],
    ["service-status-ntp-running.txt", "serviceCbs", /the output of `service status ntp`/],
    ["hsm-show-7.2.txt", "ntpList", /the output of `hsm show`/],
  ];
  test.each(cases)("%s as %s", (file, key, why) => {
    const outcome = read(key, file);
    expect(outcome).not.toHaveProperty("value");
    expect((outcome as { error: string }).error).toMatch(why);
  });

  const inline: [what: string, key: LunaCommandKey, text: string, why: RegExp][] = [
    ["an empty file", "hsmShow", "", /no `Command Result`/],
    [
      "a role neither yes nor no",
      "hsmShow",
      "Audit Role Initialized: maybe\nCommand Result : 0 (Success)\n",
      /neither yes nor no/,
    ],
    [
      "no audit role line",
      "hsmShow",
      "HSM Tamper State: No tamper(s)\nCommand Result : 0 (Success)\n",
      /does not print `Audit Role Initialized`/,
    ],
    [
      "a refusal with result 0",
      "auditShow",
      "audit: command not found\nCommand Result : 0 (Success)\n",
      /refused `audit show`/,
    ],
    [
      "an NVRAM use over 100%",
      "auditShow",
      "Event Log Mask: failure\nAudit Log NVRAM Used: 140%\nCommand Result : 0 (Success)\n",
      /not a percentage/,
    ],
    ["an empty mask", "auditShow", "Event Log Mask:\nCommand Result : 0 (Success)\n", /event mask is empty/],
    ["a port out of range", "auditRemoteHosts", "10.0.0.1:99999, tcp\nCommand Result : 0 (Success)\n", /out of range/],
    [
      "a host with a shell's words",
      "auditRemoteHosts",
      "10.0.0.1:514, tcp; rm -rf /\nCommand Result : 0 (Success)\n",
      /neither a protocol/,
    ],
    ["a list saying nothing", "syslogRemoteHosts", "\n\nCommand Result : 0 (Success)\n", /nothing this tool can read/],
    [
      "a service not named",
      "serviceSyslog",
      "   cbs is running\nCommand Result : 0 (Success)\n",
      /does not say whether syslog is running/,
    ],
    [
      "NTP status without running",
      "ntpStatus",
      "NTP is enabled\nCommand Result : 0 (Success)\n",
      /whether NTP is running/,
    ],
    [
      "NTP running without peers",
      "ntpStatus",
      "NTP is running\nNTP is enabled\nCommand Result : 0 (Success)\n",
      /no peer table/,
    ],
    [
      "a log list of nothing",
      "auditLogList",
      "   something else\nCommand Result : 0 (Success)\n",
      /names no audit log file/,
    ],
    ["a huge transcript", "hsmShow", `${"x".repeat(1024 * 1024 + 1)}\nCommand Result : 0 (Success)\n`, /longer than/],
    [
      "a NUL byte",
      "hsmShow",
      "Audit Role Initialized: Yes\u0000\nCommand Result : 0 (Success)\n",
      /control characters/,
    ],
  ];
  test.each(inline)("%s (%s)", (_what, key, text, why) => {
    const outcome = parseTranscript(key, LUNA_COMMANDS[key].command, text);
    expect(outcome).not.toHaveProperty("value");
    expect((outcome as { error: string }).error).toMatch(why);
  });
});

describe("tolerance", () => {
  test("CRLF line ends, shortcuts in the echoed command and labels in another case read the same", () => {
    const text = "[h] lunash:>hsm sh\r\n   AUDIT ROLE INITIALIZED :  yes\r\nCommand Result : 0 (Success)\r\n";
    expect(parseTranscript("hsmShow", "hsm show", text)).toEqual({ value: { auditRoleInitialized: true } });
  });
  test('a transcript saved without the prompt (ssh audit@hsm "audit show" > file) reads', () => {
    expect(read("auditShow", "audit-show-letters.txt")).toHaveProperty("value");
  });
  test("the Command Result code is read for the evidence record", () => {
    expect(commandResultCode(transcript("audit-show-as-admin.txt"))).toBe(65535);
    expect(commandResultCode(transcript("hsm-show-7.2.txt"))).toBe(0);
    expect(commandResultCode(transcript("two-commands.txt"))).toBeUndefined();
  });
});
