// The snapshot's part about Luna appliances (the inside of a Dedicated HSM): what their read-only LunaSH commands
// showed, read from saved transcripts or over SSH. The snapshot (snapshot.ts) holds these and re-exports them.
import type { ApplianceMatch } from "../domain/appliance-match.js";
import type { Fact } from "./snapshot.js";

/** A remote log receiver as an appliance lists it (`audit remotehost list`, `syslog remotehost list`). */
export interface LunaRemoteHost {
  host: string;
  /** Absent when the listing does not print it (Luna SA 5.1 prints only the host). */
  port?: number;
  /** `tcp`, `udp` or `relp`, lower-cased; absent when the listing does not print it. */
  protocol?: string;
  /** Whether the appliance sends over TLS; absent when the listing does not say. */
  tls?: boolean;
}

/** One NTP peer line of `sysconf ntp status` (ntpq's table). */
export interface LunaNtpPeer {
  /** The tally character: `*` the source of synchronization, `+` a candidate, ` ` none, ... */
  tally: string;
  remote: string;
  refid: string;
  stratum: number;
  /** Offset in milliseconds. */
  offsetMs: number;
}

/** What the appliance's read-only LunaSH commands showed, each parsed from its transcript. */
export interface ApplianceReadings {
  /** `hsm show`. */
  hsmShow?: Fact<{
    auditRoleInitialized: boolean;
    /** `HSM Tamper State` as printed; absent on releases that do not print it. */
    tamperState?: string;
    serial?: string;
    firmware?: string;
    softwareVersion?: string;
  }>;
  /** `audit show` (its format is INFERRED: LUNA.md §3.3). */
  auditShow?: Fact<{
    /** The event classes of the mask, by their LunaSH names, in the order printed. */
    eventClasses: string[];
    /** The rotation interval as printed (`daily`, `never`, ...); absent when not printed. */
    rotation?: string;
    /** The audit area's use in percent, when the release prints it (no documented command does: INFERRED). */
    nvramUsedPercent?: number;
  }>;
  auditRemoteHosts?: Fact<LunaRemoteHost[]>;
  /** `audit log list` (its format is INFERRED: LUNA.md §3.4). */
  auditLogList?: Fact<{ files: { name: string; modified?: string; bytes?: number }[] }>;
  syslogRemoteHosts?: Fact<LunaRemoteHost[]>;
  /** `service status <name>` for `cbs`, `syslog` and `ntp`. */
  serviceCbs?: Fact<{ service: string; running: boolean }>;
  serviceSyslog?: Fact<{ service: string; running: boolean }>;
  serviceNtp?: Fact<{ service: string; running: boolean }>;
  ntpStatus?: Fact<{ running: boolean; enabled: boolean; peers: LunaNtpPeer[] }>;
  ntpList?: Fact<{ servers: string[] }>;
}

/** The evidence of one Luna appliance (the inside of a Dedicated HSM), read from transcripts or over SSH. */
export interface ApplianceFacts {
  /** The appliance's name in the evidence (its directory, or its entry in the configuration). */
  name: string;
  /** The ARM id of the Dedicated HSM the appliance is (absent when its entry matched none: `match` says why). */
  hsmId?: string;
  /** The appliance's address as the administrator gave it, when given. */
  host?: string;
  /** How the entry was matched to its Dedicated HSM (absent in snapshots written before entries could omit it). */
  match?: ApplianceMatch;
  readings: ApplianceReadings;
}

/** Where appliance evidence came from, when the scan was given any. */
export interface ApplianceEvidenceSource {
  /** `file`: transcripts saved by an administrator (`--appliance-evidence`); `ssh`: read by the tool. */
  transport: "file" | "ssh";
  /** The directory of transcripts (`file`). */
  directory?: string;
}
