// The vocabulary of a Thales Luna Network HSM 7 appliance (an Azure Dedicated HSM) as hsm-audit reads it: the
// read-only LunaSH commands it may run, which appliance user runs each, the file each transcript is saved as, and the
// audit event classes. Sources and how sure each fact is: LUNA.md (DOC, SEED, CODE, INFERRED).

/** The appliance commands the tool reads, keyed by a short name used in the snapshot and in file names. */
export const LUNA_COMMANDS = {
  hsmShow: { command: "hsm show", user: "audit", file: "hsm-show.txt" },
  // `audit` commands are hidden from every appliance user but `audit` (LUNA.md §1.1, DOC).
  auditShow: { command: "audit show", user: "audit", file: "audit-show.txt" },
  auditRemoteHosts: { command: "audit remotehost list", user: "audit", file: "audit-remotehost-list.txt" },
  auditLogList: { command: "audit log list", user: "audit", file: "audit-log-list.txt" },
  // `syslog`, `sysconf` and `service` are admin/operator commands; whether `monitor` may run them is not confirmed
  // (LUNA.md §1.1), so the tool asks `admin`, which only reads with them.
  syslogRemoteHosts: { command: "syslog remotehost list", user: "admin", file: "syslog-remotehost-list.txt" },
  serviceCbs: { command: "service status cbs", user: "admin", file: "service-status-cbs.txt" },
  serviceSyslog: { command: "service status syslog", user: "admin", file: "service-status-syslog.txt" },
  serviceNtp: { command: "service status ntp", user: "admin", file: "service-status-ntp.txt" },
  ntpStatus: { command: "sysconf ntp status", user: "admin", file: "sysconf-ntp-status.txt" },
  ntpList: { command: "sysconf ntp list", user: "admin", file: "sysconf-ntp-list.txt" },
} as const;

export type LunaCommandKey = keyof typeof LUNA_COMMANDS;
export const LUNA_COMMAND_KEYS = Object.keys(LUNA_COMMANDS) as LunaCommandKey[];

/**
 * The HSM audit event classes of `audit config -parameter event` (LunaSH names; the letters are LunaCM's, DOC §3.13;
 * `asymmetric`, `symmetric` and `symfirst` are LunaSH's, DOC tip of `audit config`). The full LunaSH table was not
 * reachable: the set is INFERRED.
 */
export const LUNA_EVENT_CLASSES = [
  "failure",
  "success",
  "access",
  "manage",
  "keymanage",
  "usage",
  "asymmetric",
  "symmetric",
  "first",
  "symfirst",
  "external",
  "logmanage",
  "all",
  "none",
] as const;
export type LunaEventClass = (typeof LUNA_EVENT_CLASSES)[number];

/** LunaCM's one-letter shortcuts (DOC §3.13), accepted where a mask is printed with them. */
export const LUNA_EVENT_LETTERS: Readonly<Record<string, LunaEventClass>> = {
  f: "failure",
  s: "success",
  a: "access",
  m: "manage",
  k: "keymanage",
  u: "usage",
  r: "first",
  x: "external",
  g: "logmanage",
  l: "all",
  n: "none",
};

/** The classes that log key use, any of which satisfies "key use is logged" (LUNA.md §7 L4). */
export const LUNA_KEY_USE_CLASSES: readonly LunaEventClass[] = [
  "first",
  "usage",
  "asymmetric",
  "symmetric",
  "symfirst",
];

/** Appliance software from which remote syslog can use TLS (DOC, "Syslog Encryption"). */
export const LUNA_SYSLOG_TLS_SINCE = "7.8.3";

/** Compares dotted versions (`7.2.0-220` reads as 7.2.0); negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (v.split("-")[0] ?? "").split(".").map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * An Azure Payment HSM: the Dedicated HSM resource type with a payShield SKU (`payShield10K_*`). It is a Thales
 * payShield 10K, managed through payShield Manager, not a Luna appliance: nothing of LunaSH applies to it.
 */
export function isPayShield(sku: string | undefined): boolean {
  return sku !== undefined && /payshield/i.test(sku);
}
