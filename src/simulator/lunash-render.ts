// A Luna appliance's state, as an estate file gives it (a Dedicated HSM's `appliance:`), and the LunaSH text of each
// allow-listed command it answers with. The formats are LUNA.md's, and the ones src/azure/luna/lunash.ts reads: where
// that file marks a format INFERRED (never seen in a Thales document or a real appliance's output), so does this one.
// Every answer ends with `Command Result : 0 (Success)`; faults are the double's business, not the renderer's.
import {
  compareVersions,
  LUNA_COMMANDS,
  LUNA_EVENT_CLASSES,
  LUNA_SYSLOG_TLS_SINCE,
  type LunaCommandKey,
  type LunaEventClass,
} from "../domain/luna.js";
import type { EstateProblem } from "./estate-model.js";

/** A remote host of `audit remotehost list` or `syslog remotehost list`. */
export interface RemoteHostState {
  host: string;
  port: number;
  protocol: "tcp" | "udp" | "relp";
  /** Syslog only, and only on software that offers it (7.8.3 and later). */
  tls?: boolean;
}

/** What the appliance's ten read-only commands show, every field resolved (the defaults make a compliant one). */
export interface ApplianceState {
  label: string;
  serial: string;
  firmware: string;
  softwareVersion: string;
  auditRoleInitialized: boolean;
  /** `HSM Tamper State`: `No tamper(s)` when none. */
  tamper: string;
  audit: {
    eventClasses: LunaEventClass[];
    rotation: string;
    /** Printed only when given (not every release prints it). */
    nvramUsedPercent?: number;
    /** The audit log files, each written `ageHours` before the command is answered. */
    logFiles: { ageHours: number; bytes: number }[];
    remoteHosts: RemoteHostState[];
  };
  syslog: { remoteHosts: RemoteHostState[] };
  services: { cbs: boolean; syslog: boolean; ntp: boolean };
  ntp: {
    enabled: boolean;
    servers: string[];
    /** The peer marked `*` (a server, or `LOCAL(0)` for the appliance's own clock); absent: none is. */
    synchronizedTo?: string;
    offsetMs: number;
  };
}

/** The estate's `appliance:` of a Dedicated HSM, as written (every field optional). */
export interface ApplianceStateInput {
  label?: string;
  serial?: string;
  firmware?: string;
  softwareVersion?: string;
  auditRoleInitialized?: boolean;
  tamper?: string;
  audit?: {
    eventClasses?: LunaEventClass[];
    rotation?: string;
    nvramUsedPercent?: number;
    logFiles?: { ageHours: number; bytes?: number }[];
    remoteHosts?: { host: string; port?: number; protocol?: "tcp" | "udp" }[];
  };
  syslog?: { remoteHosts?: { host: string; port?: number; protocol?: "tcp" | "udp" | "relp"; tls?: boolean }[] };
  services?: { cbs?: boolean; syslog?: boolean; ntp?: boolean };
  ntp?: { enabled?: boolean; servers?: string[]; synchronizedTo?: string | null; offsetMs?: number };
}

const host = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$" } as const;
const port = { type: "integer", minimum: 1, maximum: 65535 } as const;
/** A list of remote log hosts (audit or syslog): each a host, a port and what else the list carries. */
const remoteHosts = (more: Record<string, object>) =>
  ({
    type: "array",
    maxItems: 10,
    items: { type: "object", additionalProperties: false, required: ["host"], properties: { host, port, ...more } },
  }) as const;

/** The JSON schema of `appliance:` (estate-schema.ts places it under a Dedicated HSM). */
export const applianceStateSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    label: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$" },
    // Digits only: the audit log files are named after it (`hsm_<serial>_<n>.log`).
    serial: { type: "string", pattern: "^[0-9]{1,12}$" },
    firmware: { type: "string", pattern: "^[0-9]+(\\.[0-9]+){1,3}$" },
    softwareVersion: { type: "string", pattern: "^[0-9]+(\\.[0-9]+){1,3}(-[0-9]+)?$" },
    auditRoleInitialized: { type: "boolean" },
    tamper: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9 ():,._-]{0,79}$" },
    audit: {
      type: "object",
      additionalProperties: false,
      properties: {
        eventClasses: {
          type: "array",
          minItems: 1,
          items: { enum: LUNA_EVENT_CLASSES },
        },
        rotation: { enum: ["hourly", "daily", "weekly", "monthly", "never"] },
        nvramUsedPercent: { type: "number", minimum: 0, maximum: 100 },
        logFiles: {
          type: "array",
          maxItems: 100,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["ageHours"],
            properties: {
              ageHours: { type: "number", minimum: 0, maximum: 100000 },
              bytes: { type: "integer", minimum: 0 },
            },
          },
        },
        remoteHosts: remoteHosts({ protocol: { enum: ["tcp", "udp"] } }),
      },
    },
    syslog: {
      type: "object",
      additionalProperties: false,
      properties: {
        remoteHosts: remoteHosts({ protocol: { enum: ["tcp", "udp", "relp"] }, tls: { type: "boolean" } }),
      },
    },
    services: {
      type: "object",
      additionalProperties: false,
      properties: { cbs: { type: "boolean" }, syslog: { type: "boolean" }, ntp: { type: "boolean" } },
    },
    ntp: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean" },
        servers: { type: "array", maxItems: 10, items: host },
        synchronizedTo: { anyOf: [{ type: "null" }, { type: "string", minLength: 1, maxLength: 253 }] },
        offsetMs: { type: "number", minimum: -1e9, maximum: 1e9 },
      },
    },
  },
} as const;

/** A serial number that differs from one HSM name to another, so two appliances given no serial are not twins. */
function serialOf(name: string): string {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return String(1_000_000 + (h % 9_000_000));
}

const LOCAL_CLOCK = "LOCAL(0)";

/**
 * The state of the appliance of Dedicated HSM `hsmName`: `input` over the defaults of a compliant appliance (software
 * 7.8.4, the recommended event mask, daily rotation, a log file an hour old, remote audit logging over TCP, syslog
 * over TCP with TLS, NTP synchronized to its first server). What the schema cannot see goes to `problem`, at `at`.
 */
export function resolveApplianceState(
  input: ApplianceStateInput,
  hsmName: string,
  at: (string | number)[],
  problem: (at: (string | number)[], message: string) => void,
): ApplianceState {
  const softwareVersion = input.softwareVersion ?? "7.8.4-12";
  const tlsOffered = compareVersions(softwareVersion, LUNA_SYSLOG_TLS_SINCE) >= 0;
  const syslogHosts = (input.syslog?.remoteHosts ?? [{ host: "10.20.0.6", port: 6514, protocol: "tcp" }]).map(
    (h, i): RemoteHostState => {
      if (h.tls !== undefined && !tlsOffered) {
        problem(
          [...at, "syslog", "remoteHosts", i, "tls"],
          `appliance software ${softwareVersion} has no syslog TLS (it came with ${LUNA_SYSLOG_TLS_SINCE}): remove tls`,
        );
      }
      return {
        host: h.host,
        port: h.port ?? 514,
        protocol: h.protocol ?? "tcp",
        ...(tlsOffered ? { tls: h.tls ?? true } : {}),
      };
    },
  );
  const servers = input.ntp?.servers ?? ["10.20.0.1", "10.20.0.2"];
  const synchronizedTo =
    input.ntp?.synchronizedTo === null ? undefined : (input.ntp?.synchronizedTo ?? servers[0] ?? LOCAL_CLOCK);
  if (
    synchronizedTo !== undefined &&
    synchronizedTo !== LOCAL_CLOCK &&
    !servers.some((s) => s.toLowerCase() === synchronizedTo.toLowerCase())
  ) {
    problem(
      [...at, "ntp", "synchronizedTo"],
      `'${synchronizedTo}' is not one of ntp.servers (give one of them, ${LOCAL_CLOCK}, or null for none)`,
    );
  }
  return {
    label: input.label ?? hsmName.slice(0, 32).replace(/[^A-Za-z0-9_.-]/g, "-"),
    serial: input.serial ?? serialOf(hsmName),
    firmware: input.firmware ?? "7.8.2",
    softwareVersion,
    auditRoleInitialized: input.auditRoleInitialized ?? true,
    tamper: input.tamper ?? "No tamper(s)",
    audit: {
      eventClasses: input.audit?.eventClasses ?? ["failure", "success", "access", "manage", "keymanage", "first"],
      rotation: input.audit?.rotation ?? "daily",
      ...(input.audit?.nvramUsedPercent !== undefined ? { nvramUsedPercent: input.audit.nvramUsedPercent } : {}),
      logFiles: (input.audit?.logFiles ?? [{ ageHours: 9 }, { ageHours: 1 }]).map((f) => ({
        ageHours: f.ageHours,
        bytes: f.bytes ?? 20480,
      })),
      remoteHosts: (input.audit?.remoteHosts ?? [{ host: "10.20.0.5", port: 1660, protocol: "tcp" }]).map((h) => ({
        host: h.host,
        port: h.port ?? 1660,
        protocol: h.protocol ?? "tcp",
      })),
    },
    syslog: { remoteHosts: syslogHosts },
    services: { cbs: true, syslog: true, ntp: true, ...input.services },
    ntp: {
      enabled: input.ntp?.enabled ?? true,
      servers,
      ...(synchronizedTo !== undefined ? { synchronizedTo } : {}),
      offsetMs: input.ntp?.offsetMs ?? -0.215,
    },
  };
}

/** A state given to the double directly (a test's), over the defaults: throws on what the estate would refuse. */
export function applianceState(input: ApplianceStateInput = {}, hsmName = "luna"): ApplianceState {
  const problems: EstateProblem[] = [];
  const state = resolveApplianceState(input, hsmName, ["appliance"], (at, message) =>
    problems.push({ path: at.join("."), message }),
  );
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
  return state;
}

const pad = (s: string, n: number) => s.padEnd(n);
const two = (n: number) => String(n).padStart(2, "0");
/** `2026-12-04 08:00:00`, UTC, as `audit log list` prints dates (INFERRED). */
const stamp = (d: Date) =>
  `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
const ms = (n: number) => n.toFixed(3);

/** The lines of one command's own output (between its prompt and its `Command Result`). */
function body(state: ApplianceState, key: LunaCommandKey, now: Date): string[] {
  switch (key) {
    // CODE: the layout of Luna 7.2's `hsm show` (Azure Dedicated HSM README).
    case "hsmShow":
      return [
        "   Appliance Details:",
        "   ==================",
        `   Software Version:                ${state.softwareVersion}`,
        "",
        "   HSM Details:",
        "   ============",
        `   HSM Label:                          ${state.label}`,
        `   Serial #:                           ${state.serial}`,
        `   Firmware:                           ${state.firmware}`,
        "   HSM Model:                          Luna K7",
        "   Authentication Method:              Password",
        "   HSM Admin login status:             Not Logged In",
        `   Audit Role Initialized:             ${state.auditRoleInitialized ? "Yes" : "No"}`,
        "   Remote Login Initialized:           No",
        "   Manually Zeroized:                  No",
        "   Secure Transport Mode:              No",
        `   HSM Tamper State:                   ${state.tamper}`,
      ];
    // INFERRED: no sample of `audit show` was reachable (LUNA.md §3.3); labels as lunash.ts reads them.
    case "auditShow":
      return [
        "   HSM Audit Configuration:",
        "   ========================",
        `   Audit Role Initialized:        ${state.auditRoleInitialized ? "Yes" : "No"}`,
        `   Event Log Mask:                ${state.audit.eventClasses.join(",")}`,
        `   Log Rotation Interval:         ${state.audit.rotation}`,
        ...(state.audit.nvramUsedPercent !== undefined
          ? [`   Audit Log NVRAM Used:          ${state.audit.nvramUsedPercent}%`]
          : []),
      ];
    // INFERRED: the whole of `audit remotehost list`, here in the 5.3 `syslog remotehost list` shape.
    case "auditRemoteHosts":
      return state.audit.remoteHosts.length === 0
        ? ["There are no remote audit hosts configured."]
        : [
            "Remote audit logging server(s):",
            "===============================",
            "",
            ...state.audit.remoteHosts.map((h) => `  ${h.host}:${h.port}, ${h.protocol}`),
          ];
    // INFERRED: a date, a size and a file name per line (LUNA.md §3.4; the file names are DOC).
    case "auditLogList": {
      if (state.audit.logFiles.length === 0) return ["There are no audit log files."];
      const files = [...state.audit.logFiles].sort((a, b) => b.ageHours - a.ageHours);
      return files.map((f, i) => {
        const written = new Date(now.getTime() - Math.round(f.ageHours * 3_600_000));
        const name = `hsm_${state.serial}_${(i + 1).toString(16).padStart(8, "0")}.log`;
        return `   ${stamp(written)}  ${String(f.bytes).padStart(9)} bytes    ${name}`;
      });
    }
    // CODE: Luna SA 5.3's `host:port, protocol` lines; the table with a TLS column of 7.8.3+ is INFERRED.
    case "syslogRemoteHosts": {
      const hosts = state.syslog.remoteHosts;
      const tls = compareVersions(state.softwareVersion, LUNA_SYSLOG_TLS_SINCE) >= 0;
      const header = ["Remote logging server(s):", "========================="];
      if (hosts.length === 0) return header;
      if (!tls) return [...header, "", ...hosts.map((h) => `  ${h.host}:${h.port}, ${h.protocol}`)];
      // The host column as wide as its widest cell, so a long host name never runs into its port.
      const hostWidth = Math.max(18, ...hosts.map((h) => h.host.length + 2));
      return [
        ...header,
        `  ${pad("Host", hostWidth)}${pad("Port", 8)}${pad("Protocol", 11)}TLS`,
        ...hosts.map(
          (h) =>
            `  ${pad(h.host, hostWidth)}${pad(String(h.port), 8)}${pad(h.protocol, 11)}${h.tls ? "enabled" : "disabled"}`,
        ),
      ];
    }
    // CODE: 5.x `<service> is running` (cbs INFERRED, the same shape).
    case "serviceCbs":
    case "serviceSyslog":
    case "serviceNtp": {
      const service = ({ serviceCbs: "cbs", serviceSyslog: "syslog", serviceNtp: "ntp" } as const)[key];
      return [`   ${service} is ${state.services[service] ? "running" : "not running"}`, ""];
    }
    // CODE: Luna SA 5.x output; the peer table is ntpq's (DOC).
    case "ntpStatus": {
      const { ntp } = state;
      const running = state.services.ntp;
      const lines = [
        `NTP is ${running ? "running" : "not running"}`,
        "",
        `NTP is ${ntp.enabled ? "enabled" : "disabled"}`,
      ];
      if (!running) return lines;
      const rule = "=".repeat(78);
      const peer = (
        tally: string,
        remote: string,
        refid: string,
        st: number,
        t: string,
        reach: string,
        offset: number,
      ) =>
        `${tally}${pad(remote, 15)} ${pad(refid, 15)} ${String(st).padStart(2)} ${t}   33   64  ${reach}    0.412 ${ms(offset).padStart(8)}   0.044`;
      const peers = ntp.servers.map((s) => {
        if (ntp.synchronizedTo?.toLowerCase() === s.toLowerCase())
          return peer("*", s, ".GPS.", 1, "u", "377", ntp.offsetMs);
        // A server the appliance does not follow: reachable beside the source, unreachable without one.
        return ntp.synchronizedTo !== undefined
          ? peer("+", s, ntp.synchronizedTo, 2, "u", "377", ntp.offsetMs + 1)
          : peer(" ", s, ".INIT.", 16, "u", "  0", 0);
      });
      if (ntp.synchronizedTo === LOCAL_CLOCK) peers.unshift(peer("*", LOCAL_CLOCK, ".LOCL.", 10, "l", "377", 0));
      return [
        ...lines,
        "",
        "Peers:",
        rule,
        "     remote           refid      st t when poll reach   delay   offset  jitter",
        rule,
        ...peers,
        rule,
      ];
    }
    // CODE: 5.x `server <address>` lines.
    case "ntpList": {
      const rule = "=".repeat(65);
      return [rule, "NTP Servers:", ...state.ntp.servers.map((s) => `server ${s}`), rule];
    }
  }
}

/**
 * The transcript of `key` on the appliance in `state`, as LunaSH prints it to an `exec`: the echoed prompt, the
 * output, `Command Result : 0 (Success)` and the next prompt. `now` dates the audit log files.
 */
export function renderLunash(state: ApplianceState, key: LunaCommandKey, now: Date, hostname = state.label): string {
  const prompt = `[${hostname}] lunash:>`;
  return [
    `${prompt}${LUNA_COMMANDS[key].command}`,
    "",
    ...body(state, key, now),
    "",
    "Command Result : 0 (Success)",
    prompt,
    "",
  ].join("\n");
}
