// The cases of the Luna appliance check kinds (LUNA.md §7): a Dedicated HSM with appliance readings, each reading
// backed by a transcript's evidence record; a change to one reading makes one aspect pass, fail or not proven.
import type {
  ApplianceFacts,
  ApplianceReadings,
  EvidenceRecord,
  HsmFacts,
  Snapshot,
} from "../../src/model/snapshot.js";
import { LUNA_COMMANDS, LUNA_COMMAND_KEYS, type LunaCommandKey } from "../../src/domain/luna.js";
import { matchAppliances } from "../../src/domain/appliance-match.js";
import { dedicatedHsm, hsmTarget, snapshot } from "../helpers/snapshots.js";
import type { CheckCase } from "./cases.js";

/** When the transcripts were saved: three hours before the helpers' snapshot started (2025-06-08T12:00:00Z). */
const CAPTURED = "2025-06-08T09:00:00.000Z";
export const LUNA = dedicatedHsm({ name: "dhsm-luna-01" });
const PAYSHIELD = dedicatedHsm({ name: "phsm-01", sku: "payShield10K_LMK1_CPS60" });

/** The compliant appliance's readings (software 7.8.4, so syslog must use TLS). */
const COMPLIANT: Required<{ [K in LunaCommandKey]: unknown }> = {
  hsmShow: {
    auditRoleInitialized: true,
    tamperState: "No tamper(s)",
    serial: "1288734",
    firmware: "7.8.2",
    softwareVersion: "7.8.4-12",
  },
  auditShow: { eventClasses: ["failure", "success", "access", "manage", "keymanage", "first"], rotation: "daily" },
  auditRemoteHosts: [{ host: "10.20.0.5", port: 1660, protocol: "tcp" }],
  auditLogList: {
    files: [
      { name: "hsm_1288734_0000002a.log", modified: "2025-06-07T23:00:01.000Z" },
      { name: "hsm_1288734_0000002b.log", modified: "2025-06-08T08:00:00.000Z" },
    ],
  },
  syslogRemoteHosts: [{ host: "10.20.0.6", port: 6514, protocol: "tcp", tls: true }],
  serviceCbs: { service: "cbs", running: true },
  serviceSyslog: { service: "syslog", running: true },
  serviceNtp: { service: "ntp", running: true },
  ntpStatus: {
    running: true,
    enabled: true,
    peers: [{ tally: "*", remote: "10.20.0.1", refid: ".GPS.", stratum: 1, offsetMs: -0.215 }],
  },
  ntpList: { servers: ["10.20.0.1", "10.20.0.2"] },
};

type Change = Partial<{ [K in LunaCommandKey]: unknown | { error: string } | undefined }>;
const ERROR = (message: string) => ({ error: message });

/** A snapshot of one Dedicated HSM whose appliance shows the compliant readings, with `change` applied. */
function withAppliance(
  change: Change = {},
  hsm: HsmFacts = LUNA,
  captured = CAPTURED,
): Pick<CheckCase, "target" | "snapshot"> {
  const readings: ApplianceReadings = {};
  const evidence: EvidenceRecord[] = [];
  for (const key of LUNA_COMMAND_KEYS) {
    const value = key in change ? change[key] : COMPLIANT[key];
    if (value === undefined) continue;
    const id = `lx-${key}`;
    evidence.push({
      id,
      method: "LUNASH",
      url: `file:luna-01/${LUNA_COMMANDS[key].file}`,
      status: 0,
      capturedAt: captured,
      sha256: "0".repeat(64),
      durationMs: 0,
      purpose: `appliance luna-01: ${LUNA_COMMANDS[key].command}`,
      transport: "file",
      command: LUNA_COMMANDS[key].command,
      user: LUNA_COMMANDS[key].user,
    });
    const fact =
      value && typeof value === "object" && "error" in value
        ? { error: { message: (value as { error: string }).error, code: "ApplianceEvidence" }, evidence: [id] }
        : { value, evidence: [id] };
    (readings as Record<string, unknown>)[key] = fact;
  }
  const base = snapshot({ hsms: [hsm] });
  const s: Snapshot = {
    ...base,
    applianceEvidence: { transport: "file", directory: "/evidence" },
    appliances: [{ name: "luna-01", hsmId: LUNA.id, readings }],
    evidence: [...base.evidence, ...evidence],
  };
  return { target: hsmTarget(hsm), snapshot: s };
}

/** A Dedicated HSM whose network interface has `ip` (in its own VNet). */
const atAddress = (hsm: HsmFacts, ip: string): HsmFacts => ({
  ...hsm,
  networkInterfaces: [
    {
      id: `${hsm.id.replace(/\/providers\/.*$/, "")}/providers/Microsoft.Network/networkInterfaces/${hsm.name}-nic`,
      privateIpAddress: ip,
    },
  ],
});
const LUNA_AT_IP = atAddress(LUNA, "10.2.0.4");
const TWIN_AT_IP = atAddress(dedicatedHsm({ name: "dhsm-luna-02" }), "10.2.0.4");

/**
 * The compliant appliance given as an entry with `host` (and `resourceId` when given), placed among `hsms` as a scan
 * places it (matchAppliances); the target is `target`.
 */
function byAddress(
  hsms: HsmFacts[],
  host: string,
  target: HsmFacts = hsms[0]!,
  resourceId?: string,
): Pick<CheckCase, "target" | "snapshot"> {
  const one = withAppliance({}, target);
  const [placed] = matchAppliances(hsms, [{ name: "luna-01", host, ...(resourceId ? { resourceId } : {}) }]);
  const { hsmId: _named, ...appliance } = one.snapshot.appliances![0]!;
  const [subscription] = one.snapshot.subscriptions;
  return {
    target: hsmTarget(target),
    snapshot: {
      ...one.snapshot,
      // The inventory's answer that listed the HSMs with their addresses.
      subscriptions: [
        {
          ...subscription!,
          inventory: {
            ...subscription!.inventory,
            dedicatedHsm: { value: { count: hsms.length }, evidence: ["ev-dedicated-list"] },
          },
        },
      ],
      hsms,
      evidence: [
        ...one.snapshot.evidence,
        {
          id: "ev-dedicated-list",
          method: "GET",
          url: `https://management.azure.com/subscriptions/${subscription!.subscriptionId}/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs?api-version=2021-11-30`,
          status: 200,
          capturedAt: CAPTURED,
          sha256: "1".repeat(64),
          durationMs: 0,
          purpose: `the Dedicated HSM list of subscription ${subscription!.subscriptionId}`,
        },
      ],
      appliances: [{ ...appliance, host, ...(placed!.hsmId ? { hsmId: placed!.hsmId } : {}), match: placed!.match }],
    },
  };
}

/** A case whose scan also covered a subscription whose Dedicated HSM list could not be read (403). */
function withUnlisted(c: Pick<CheckCase, "target" | "snapshot">): Pick<CheckCase, "target" | "snapshot"> {
  const [own] = c.snapshot.subscriptions;
  const other = "99999999-0000-4000-8000-000000000009";
  return {
    ...c,
    snapshot: {
      ...c.snapshot,
      subscriptions: [
        ...c.snapshot.subscriptions,
        {
          ...own!,
          subscriptionId: other,
          displayName: "Elsewhere",
          inventory: {
            ...own!.inventory,
            dedicatedHsm: {
              error: { message: "HTTP 403 AuthorizationFailed", code: "AuthorizationFailed", status: 403 },
              evidence: ["ev-unlisted"],
            },
          },
        },
      ],
      evidence: [
        ...c.snapshot.evidence,
        {
          id: "ev-unlisted",
          method: "GET",
          url: `https://management.azure.com/subscriptions/${other}/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs?api-version=2021-11-30`,
          status: 403,
          capturedAt: CAPTURED,
          sha256: "2".repeat(64),
          durationMs: 0,
          purpose: `the Dedicated HSM list of subscription ${other}`,
        },
      ],
    },
  };
}

/** A case whose scan was scoped to a management group whose descendants could not be read. */
function withUnreadGroup(c: Pick<CheckCase, "target" | "snapshot">): Pick<CheckCase, "target" | "snapshot"> {
  return {
    ...c,
    snapshot: {
      ...c.snapshot,
      scope: {
        ...c.snapshot.scope,
        managementGroups: [
          {
            id: "mg-hidden",
            descendants: { error: { message: "HTTP 403", code: "AuthorizationFailed" }, evidence: ["ev-mg"] },
          },
        ],
      },
    },
  };
}

const noEvidence = (): Pick<CheckCase, "target" | "snapshot"> => ({
  target: hsmTarget(LUNA),
  snapshot: snapshot({ hsms: [LUNA] }),
});
const HIDDEN =
  "Appliance luna-01: `audit show` failed on the appliance (Command Result : 65535 (Luna Shell execution)): 'audit' is not a valid command for this user.";

const TWIN = dedicatedHsm({ name: "dhsm-luna-02" });
/**
 * Two Dedicated HSMs whose appliance evidence reports the same `hsm show` serial (spelt `twinSerial`): one folder of
 * transcripts copied for both.
 */
function twinned(twinSerial: string): Pick<CheckCase, "target" | "snapshot"> {
  const one = withAppliance();
  const twin = one.snapshot.appliances![0]!;
  const show = twin.readings.hsmShow as Extract<NonNullable<ApplianceFacts["readings"]["hsmShow"]>, { value: unknown }>;
  const copy: ApplianceFacts = {
    name: "luna-02",
    hsmId: TWIN.id,
    readings: { ...twin.readings, hsmShow: { ...show, value: { ...show.value, serial: twinSerial } } },
  };
  return {
    target: one.target,
    snapshot: {
      ...one.snapshot,
      hsms: [...one.snapshot.hsms, TWIN],
      appliances: [...one.snapshot.appliances!, copy],
    },
  };
}

/**
 * What every aspect shares: no evidence given, a Payment HSM, an HSM the evidence does not name (not applicable), and
 * evidence that names the same appliance for two HSMs (error).
 */
function notApplicableCases(): CheckCase[] {
  const unnamed = withAppliance();
  return [
    {
      name: "transcripts saved more than maxEvidenceAgeHours (168) before the scan started: error, saying how old",
      ...withAppliance({}, LUNA, "2025-06-01T11:59:00.000Z"),
      expect: {
        status: "error",
        message:
          /was read at 2025-06-01T11:59:00.000Z, 168 hours before the scan started \(at most 168\): save the appliance's transcripts again/,
      },
    },
    {
      name: "transcripts saved exactly maxEvidenceAgeHours before the scan started: judged as usual",
      ...withAppliance({}, LUNA, "2025-06-01T12:00:00.000Z"),
      expect: { status: "pass" },
    },
    {
      name: "transcripts dated after the scan finished (beyond five minutes): error, never believed",
      ...withAppliance({}, LUNA, "2025-06-08T12:06:00.000Z"),
      expect: { status: "error", message: /is dated 2025-06-08T12:06:00.000Z, after the scan finished/ },
    },
    {
      name: "another HSM's appliance evidence reports the same serial: error, naming both",
      ...twinned("1288734"),
      expect: {
        status: "error",
        message: /\(appliance luna-01\) and that of appliance luna-02 report the same HSM serial number, 1288734/,
      },
    },
    {
      name: "the same serial with spaces around it: still the same appliance",
      ...twinned(" 1288734 "),
      expect: { status: "error", message: /same HSM serial number/ },
    },
    {
      name: "another appliance with its own serial: judged as usual",
      ...twinned("1288735"),
      expect: { status: "pass" },
    },
    {
      name: "no appliance evidence given: not applicable",
      ...noEvidence(),
      expect: { status: "not_applicable", message: /no appliance evidence was given/ },
    },
    {
      name: "a Payment HSM (payShield): not applicable, naming payShield Manager",
      ...withAppliance({}, PAYSHIELD),
      expect: { status: "not_applicable", message: /payShield 10K.*payShield Manager/ },
    },
    {
      name: "evidence given, but not for this HSM: not applicable",
      target: hsmTarget(dedicatedHsm({ name: "dhsm-other" })),
      snapshot: { ...unnamed.snapshot, hsms: [...unnamed.snapshot.hsms, dedicatedHsm({ name: "dhsm-other" })] },
      expect: { status: "not_applicable", message: /names no appliance for it/ },
    },
  ];
}

export const applianceAuditRole: CheckCase[] = [
  {
    name: "audit role initialized",
    ...withAppliance(),
    expect: { status: "pass", message: /Audit Role Initialized: Yes/, evidence: ["lx-hsmShow"] },
  },
  {
    name: "audit role not initialized",
    ...withAppliance({ hsmShow: { auditRoleInitialized: false, softwareVersion: "5.3.1" } }),
    expect: { status: "fail", message: /Audit Role Initialized: No/ },
  },
  {
    name: "hsm show unreadable",
    ...withAppliance({
      hsmShow: ERROR("Appliance luna-01: the transcript has no `Command Result` line: the output is incomplete."),
    }),
    expect: {
      status: "error",
      message: /audit role of appliance luna-01 is not proven: .*no `Command Result` line/,
      evidence: ["lx-hsmShow"],
    },
  },
  {
    name: "hsm show not read at all",
    ...withAppliance({ hsmShow: undefined }),
    expect: { status: "error", message: /`hsm show` was not read/ },
  },
  ...notApplicableCases(),
];

export const applianceAuditEvents: CheckCase[] = [
  { name: "the recommended mask", ...withAppliance(), expect: { status: "pass", evidence: ["lx-auditShow"] } },
  {
    name: "all includes every class",
    ...withAppliance({ auditShow: { eventClasses: ["all"], rotation: "daily" } }),
    expect: { status: "pass" },
  },
  {
    name: "none switches logging off",
    ...withAppliance({ auditShow: { eventClasses: ["none"], rotation: "daily" } }),
    expect: { status: "fail", message: /logs no audit events/ },
  },
  {
    name: "failures only: access, manage, keymanage and key use missing",
    ...withAppliance({ auditShow: { eventClasses: ["failure"], rotation: "daily" } }),
    expect: { status: "fail", message: /without access, manage, keymanage, a key-use class/ },
  },
  {
    name: "a stricter policy requires success too",
    params: { requiredEventClasses: ["failure", "success", "access"] },
    ...withAppliance({ auditShow: { eventClasses: ["failure", "access", "first"], rotation: "daily" } }),
    expect: { status: "fail", message: /without success/ },
  },
  {
    name: "audit show hidden from admin",
    ...withAppliance({ auditShow: ERROR(HIDDEN) }),
    expect: { status: "error", message: /not a valid command/ },
  },
  ...notApplicableCases(),
];

export const applianceAuditOffload: CheckCase[] = [
  {
    name: "daily rotation, cbs running, a recent log",
    ...withAppliance(),
    expect: { status: "pass", message: /does not report how full/ },
  },
  {
    name: "rotation never",
    ...withAppliance({ auditShow: { eventClasses: ["all"], rotation: "never" } }),
    expect: { status: "fail", message: /rotated never/ },
  },
  {
    name: "the audit area near full",
    ...withAppliance({ auditShow: { eventClasses: ["all"], rotation: "daily", nvramUsedPercent: 93 } }),
    expect: { status: "fail", message: /93% full/ },
  },
  {
    name: "cbs stopped",
    ...withAppliance({ serviceCbs: { service: "cbs", running: false } }),
    expect: { status: "fail", message: /cbs service.*not running/ },
  },
  {
    name: "the newest log two days old when listed",
    ...withAppliance({
      auditLogList: { files: [{ name: "hsm_1_00000001.log", modified: "2025-06-06T08:00:00.000Z" }] },
    }),
    expect: { status: "fail", message: /49 hours old when listed \(at most 26\)/ },
  },
  {
    name: "no audit log file",
    ...withAppliance({ auditLogList: { files: [] } }),
    expect: { status: "fail", message: /no audit log file/ },
  },
  {
    name: "files without dates",
    ...withAppliance({ auditLogList: { files: [{ name: "hsm_1_00000001.log" }] } }),
    expect: { status: "error", message: /shows no file's date/ },
  },
  {
    name: "rotation not shown",
    ...withAppliance({ auditShow: { eventClasses: ["all"] } }),
    expect: { status: "error", message: /does not show the rotation/ },
  },
  {
    name: "cbs transcript missing",
    ...withAppliance({ serviceCbs: ERROR("The transcript of `service status cbs` was not saved.") }),
    expect: { status: "error" },
  },
  ...notApplicableCases(),
];

export const applianceRemoteAudit: CheckCase[] = [
  {
    name: "TCP to its own port",
    ...withAppliance(),
    expect: { status: "pass", evidence: ["lx-auditRemoteHosts", "lx-syslogRemoteHosts"] },
  },
  {
    name: "no remote audit host",
    ...withAppliance({ auditRemoteHosts: [] }),
    expect: { status: "fail", message: /to no remote host/ },
  },
  {
    name: "UDP",
    ...withAppliance({ auditRemoteHosts: [{ host: "10.20.0.5", port: 1660, protocol: "udp" }] }),
    expect: { status: "fail", message: /10.20.0.5:1660\/udp \(allowed: tcp\)/ },
  },
  {
    name: "the same host and port as syslog (514 when not shown)",
    ...withAppliance({
      auditRemoteHosts: [{ host: "LOGS.example.net", protocol: "tcp" }],
      syslogRemoteHosts: [{ host: "logs.example.net", port: 514, protocol: "tcp", tls: true }],
    }),
    expect: { status: "fail", message: /also receives the appliance's syslog/ },
  },
  {
    name: "a transport not shown",
    ...withAppliance({ auditRemoteHosts: [{ host: "10.20.0.5" }] }),
    expect: { status: "error", message: /does not show the transport of 10.20.0.5:514/ },
  },
  {
    name: "the syslog list unreadable: sharing not proven",
    ...withAppliance({ syslogRemoteHosts: ERROR("Appliance luna-01: the transcript holds control characters.") }),
    expect: { status: "error", message: /control characters/ },
  },
  ...notApplicableCases(),
];

export const applianceRemoteSyslog: CheckCase[] = [
  { name: "TCP with TLS on 7.8.4", ...withAppliance(), expect: { status: "pass", message: /over TLS/ } },
  {
    name: "TCP without TLS on 7.2 (TLS not supported)",
    ...withAppliance({
      hsmShow: { auditRoleInitialized: true, tamperState: "No tamper(s)", softwareVersion: "7.2.0-220" },
      syslogRemoteHosts: [{ host: "10.20.0.6", port: 514, protocol: "tcp" }],
    }),
    expect: { status: "pass" },
  },
  {
    name: "UDP",
    ...withAppliance({ syslogRemoteHosts: [{ host: "10.20.0.6", port: 514, protocol: "udp", tls: false }] }),
    expect: { status: "fail", message: /udp \(allowed: tcp, relp\)\.$/ },
  },
  {
    name: "no remote syslog",
    ...withAppliance({ syslogRemoteHosts: [] }),
    expect: { status: "fail", message: /to no remote host/ },
  },
  {
    name: "TLS required always, listing silent",
    params: { syslogTls: "always" },
    ...withAppliance({ syslogRemoteHosts: [{ host: "10.20.0.6", port: 514, protocol: "tcp" }] }),
    expect: { status: "error", message: /does not show whether 10.20.0.6:514\/tcp uses TLS/ },
  },
  {
    name: "software version unknown",
    ...withAppliance({ hsmShow: { auditRoleInitialized: true } }),
    expect: { status: "error", message: /software version/ },
  },
  ...notApplicableCases(),
];

export const applianceTimeSync: CheckCase[] = [
  {
    name: "synchronized to a GPS peer",
    ...withAppliance(),
    expect: { status: "pass", message: /synchronized to 10.20.0.1/ },
  },
  {
    name: "only LOCAL(0)",
    ...withAppliance({
      ntpStatus: {
        running: true,
        enabled: true,
        peers: [
          { tally: "*", remote: "LOCAL(0)", refid: ".LOCL.", stratum: 10, offsetMs: 0 },
          { tally: " ", remote: "10.20.0.1", refid: ".INIT.", stratum: 16, offsetMs: 0 },
        ],
      },
    }),
    expect: { status: "fail", message: /only to the appliance's own clock/ },
  },
  {
    name: "no source of synchronization",
    ...withAppliance({
      ntpStatus: {
        running: true,
        enabled: true,
        peers: [{ tally: "+", remote: "10.20.0.1", refid: ".GPS.", stratum: 1, offsetMs: 2 }],
      },
    }),
    expect: { status: "fail", message: /no source of synchronization/ },
  },
  {
    name: "offset beyond the bound",
    params: { maxNtpOffsetMs: 100 },
    ...withAppliance({
      ntpStatus: {
        running: true,
        enabled: true,
        peers: [{ tally: "*", remote: "10.20.0.1", refid: ".GPS.", stratum: 1, offsetMs: -250.5 }],
      },
    }),
    expect: { status: "fail", message: /250.5 ms from 10.20.0.1 \(at most 100 ms\)/ },
  },
  {
    name: "NTP disabled",
    ...withAppliance({ ntpStatus: { running: false, enabled: false, peers: [] } }),
    expect: { status: "fail", message: /NTP is disabled; NTP is not running/ },
  },
  {
    name: "status not saved",
    ...withAppliance({ ntpStatus: ERROR("The transcript of `sysconf ntp status` was not saved.") }),
    expect: { status: "error", message: /was not saved/ },
  },
  ...notApplicableCases(),
];

export const applianceNoTamper: CheckCase[] = [
  { name: "no tamper", ...withAppliance(), expect: { status: "pass", message: /No tamper\(s\)/ } },
  {
    name: "a tamper event",
    ...withAppliance({ hsmShow: { auditRoleInitialized: true, tamperState: "Tamper(s) detected: 1 (decommission)" } }),
    expect: { status: "fail", message: /Tamper\(s\) detected/ },
  },
  {
    name: "a release that does not print the tamper state",
    ...withAppliance({ hsmShow: { auditRoleInitialized: true } }),
    expect: { status: "error", message: /does not show the HSM Tamper State/ },
  },
  ...notApplicableCases(),
];

export const applianceEvidence: CheckCase[] = [
  {
    name: "the same transcripts given for two HSMs (one serial): error, never a pass",
    ...twinned("1288734"),
    expect: {
      status: "error",
      message: /report the same HSM serial number, 1288734: one appliance's transcripts cannot prove two/,
    },
  },
  {
    name: "every aspect passes",
    ...withAppliance(),
    expect: {
      status: "pass",
      message: /passes every appliance check/,
      evidence: ["lx-hsmShow", "lx-auditShow", "lx-ntpStatus"],
    },
  },
  {
    name: "remote audit missing, syslog over UDP, NTP on its own clock: fail with each reason",
    ...withAppliance({
      auditRemoteHosts: [],
      syslogRemoteHosts: [{ host: "10.20.0.6", port: 514, protocol: "udp" }],
      ntpStatus: {
        running: true,
        enabled: true,
        peers: [{ tally: "*", remote: "LOCAL(0)", refid: ".LOCL.", stratum: 10, offsetMs: 0 }],
      },
    }),
    expect: {
      status: "fail",
      message:
        /remote audit logging is missing; syslog goes over 10.20.0.6:514\/udp.*; NTP is synchronized only to the appliance's own clock/,
    },
  },
  {
    name: "one aspect not proven, none failed: error with the reason",
    ...withAppliance({ auditShow: ERROR(HIDDEN) }),
    expect: { status: "error", message: /audit event mask: not proven \(.*not a valid command/ },
  },
  {
    name: "a failure and an unproven aspect: fail, naming both",
    ...withAppliance({ auditShow: ERROR(HIDDEN), auditRemoteHosts: [] }),
    expect: { status: "fail", message: /remote audit logging is missing.*audit event mask: not proven/ },
  },
  {
    name: "no appliance evidence given: manual, saying how to provide it",
    target: hsmTarget(LUNA),
    snapshot: snapshot({ hsms: [LUNA] }),
    expect: { status: "manual", message: /Luna appliance.*--appliance-evidence DIR/ },
  },
  {
    name: "a Payment HSM stays manual, naming payShield Manager and not Luna",
    ...withAppliance({}, PAYSHIELD),
    expect: {
      status: "manual",
      message:
        /^phsm-01 is an Azure Payment HSM \(payShield10K_LMK1_CPS60\): a Thales payShield 10K[^]*payShield Manager[^L]*$/,
    },
  },
  {
    name: "evidence given without this HSM: manual, saying to add it",
    target: hsmTarget(dedicatedHsm({ name: "dhsm-other" })),
    snapshot: (() => {
      const s = withAppliance().snapshot;
      return { ...s, hsms: [...s.hsms, dedicatedHsm({ name: "dhsm-other" })] };
    })(),
    expect: { status: "manual", message: /appliances.yaml/ },
  },
  {
    name: "an appliance matched by its private IP: judged, the message saying how it was matched",
    ...byAddress([LUNA_AT_IP], "10.2.0.4"),
    expect: {
      status: "pass",
      message: /^Appliance luna-01 \(dhsm-luna-01, matched by private IP 10\.2\.0\.4 of dhsm-luna-01-nic\) passes/,
      // The transcripts, and the inventory's answer that showed the address.
      evidence: ["lx-hsmShow", "ev-dedicated-list"],
    },
  },
  {
    name: "matched by private IP while another subscription's Dedicated HSMs could not be listed: error, not a pass",
    ...withUnlisted(byAddress([LUNA_AT_IP], "10.2.0.4")),
    expect: {
      status: "error",
      message:
        /^Appliance luna-01 was matched to dhsm-luna-01 by its private IP 10\.2\.0\.4 alone, and the Dedicated HSMs of subscription Elsewhere \(99999999-0000-4000-8000-000000000009\) could not be listed: another Dedicated HSM there may have that address.*Give the entry the HSM's resourceId/,
      evidence: ["ev-unlisted"],
    },
  },
  {
    name: "matched by private IP while a management group's subscriptions could not be listed: error",
    ...withUnreadGroup(byAddress([LUNA_AT_IP], "10.2.0.4")),
    expect: { status: "error", message: /the subscriptions of management group mg-hidden could not be listed/ },
  },
  {
    name: "named by resourceId while another subscription's list failed: judged (the entry names its HSM)",
    ...withUnlisted(byAddress([LUNA_AT_IP], "10.2.0.4", LUNA_AT_IP, LUNA_AT_IP.id)),
    expect: { status: "pass", message: /^Appliance luna-01 \(dhsm-luna-01\) passes/ },
  },
  {
    name: "two appliance entries for one HSM (a copied resourceId): error, neither's readings judged",
    ...(() => {
      const one = withAppliance();
      const [own] = one.snapshot.appliances!;
      return { ...one, snapshot: { ...one.snapshot, appliances: [own!, { ...own!, name: "luna-copy" }] } };
    })(),
    expect: {
      status: "error",
      message: /^2 appliance entries are for dhsm-luna-01 \(luna-01, luna-copy\): .*Keep one entry per HSM/,
    },
  },
  {
    name: "an address two Dedicated HSMs share (two VNets): manual for each, naming both",
    ...byAddress([LUNA_AT_IP, TWIN_AT_IP], "10.2.0.4"),
    expect: {
      status: "manual",
      message:
        /no appliance evidence could be matched to it by its private IP: appliance luna-01: its host 10\.2\.0\.4 is the private IP of 2 Dedicated HSMs \(dhsm-luna-01, dhsm-luna-02, in different networks\)/,
    },
  },
  {
    name: "the twin of a shared address is manual too, with the same reason",
    ...byAddress([LUNA_AT_IP, TWIN_AT_IP], "10.2.0.4", TWIN_AT_IP),
    expect: { status: "manual", message: /dhsm-luna-01, dhsm-luna-02, in different networks/ },
  },
  {
    name: "an address no HSM has: the HSM stays manual, naming its own private IP",
    ...byAddress([LUNA_AT_IP], "10.2.0.99"),
    expect: {
      status: "manual",
      message: /names no appliance for it, nor is any appliance's host its private IP \(10\.2\.0\.4\)/,
    },
  },
  {
    name: "an entry whose resourceId names this HSM while its address is another's: judged for the named one",
    ...byAddress([LUNA_AT_IP, TWIN_AT_IP], "10.2.0.4", TWIN_AT_IP, TWIN_AT_IP.id),
    expect: { status: "pass", message: /^Appliance luna-01 \(dhsm-luna-02\) passes/ },
  },
];
