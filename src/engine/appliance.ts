// Judging a Luna appliance (the inside of a Dedicated HSM) from its readings: one judge per aspect of LUNA.md §7, each
// pure, shared by its own check kind and by the roll-up (`appliance-evidence`), which runs them all. A reading that
// could not be had makes its judge `error`; no judge passes without the reading it rests on.
import { sameId } from "../domain/ids.js";
import {
  compareVersions,
  isPayShield,
  LUNA_COMMANDS,
  LUNA_KEY_USE_CLASSES,
  LUNA_SYSLOG_TLS_SINCE,
  type LunaCommandKey,
} from "../domain/luna.js";
import type { ApplianceFacts, ApplianceReadings, HsmFacts, LunaRemoteHost, Snapshot } from "../model/snapshot.js";
import { defineCheck, type CheckKind, type Verdict } from "./check.js";
import { sameSerialAs, unlistedDedicatedHsms } from "./appliance-identity.js";

/** The thresholds of the appliance judges: one schema, so each check kind and the roll-up take the same params. */
export const APPLIANCE_PARAMS = {
  requiredEventClasses: {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: ["failure", "access", "manage", "keymanage"],
    description: "Audit event classes the mask must include (`all` includes every one).",
  },
  keyUseEventClasses: {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [...LUNA_KEY_USE_CLASSES],
    description: "Key use must be logged by at least one of these classes (empty: not required).",
  },
  forbiddenRotations: {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: ["never"],
    description: "Rotation intervals that fail (compared case-insensitively); a rotation not shown is an error.",
  },
  maxNvramPercent: {
    type: "number",
    minimum: 1,
    maximum: 100,
    default: 80,
    description: "The most of the HSM's audit area (NVRAM) in use, when the appliance reports it.",
  },
  maxLogAgeHours: {
    type: "number",
    minimum: 1,
    default: 26,
    description: "The newest audit log file must be at most this old when `audit log list` was read.",
  },
  auditProtocols: {
    type: "array",
    items: { enum: ["tcp", "udp"] },
    default: ["tcp"],
    description: "Transports allowed for remote audit logging (UDP can drop records).",
  },
  syslogProtocols: {
    type: "array",
    items: { enum: ["tcp", "udp", "relp"] },
    default: ["tcp", "relp"],
    description: "Transports allowed for remote syslog.",
  },
  syslogTls: {
    enum: ["always", "whenSupported", "never"],
    default: "whenSupported",
    description: `Whether remote syslog must use TLS: \`whenSupported\` from appliance software ${LUNA_SYSLOG_TLS_SINCE}.`,
  },
  maxNtpOffsetMs: {
    type: "number",
    minimum: 0,
    default: 1000,
    description: "The largest clock offset from the NTP source of synchronization, in milliseconds.",
  },
  maxEvidenceAgeHours: {
    type: "number",
    minimum: 1,
    default: 168,
    description:
      "The oldest an appliance reading may be when the scan starts: older transcripts prove nothing about the appliance now.",
  },
} as const;

/** The params every judge receives (the schema's defaults applied). */
export interface ApplianceParams {
  requiredEventClasses: string[];
  keyUseEventClasses: string[];
  forbiddenRotations: string[];
  maxNvramPercent: number;
  maxLogAgeHours: number;
  auditProtocols: string[];
  syslogProtocols: string[];
  syslogTls: "always" | "whenSupported" | "never";
  maxNtpOffsetMs: number;
  maxEvidenceAgeHours: number;
}

/** The appliance of a Dedicated HSM, or the verdict that stands in for any judgement of it. */
export function applianceFor(
  hsm: HsmFacts,
  snapshot: Snapshot,
  absent: "manual" | "not_applicable",
): { appliance: ApplianceFacts } | { verdict: Verdict } {
  if (isPayShield(hsm.sku)) {
    return {
      verdict: {
        status: absent,
        message: `${hsm.name} is an Azure Payment HSM (${hsm.sku}): a Thales payShield 10K, whose audit log is kept by the payShield and reviewed in payShield Manager; hsm-audit does not read it. Review the payShield audit log and its settings in payShield Manager.`,
        evidence: [],
      },
    };
  }
  if (!snapshot.applianceEvidence) {
    return {
      verdict: {
        status: absent,
        message: `${hsm.name} is a Dedicated HSM${hsm.sku ? ` (${hsm.sku})` : ""}: its audit trail lives in the Luna appliance, not in Azure Monitor, and no appliance evidence was given. Save the appliance's LunaSH transcripts and pass --appliance-evidence DIR (docs/appliance-evidence.md).`,
        evidence: [],
      },
    };
  }
  const appliances = snapshot.appliances ?? [];
  const forThis = appliances.filter((a) => a.hsmId !== undefined && sameId(a.hsmId, hsm.id));
  const appliance = forThis[0];
  if (forThis.length > 1) {
    // Two entries for one HSM: which appliance is its own is not shown, so neither's readings prove anything.
    return {
      verdict: {
        status: "error",
        message: `${forThis.length} appliance entries are for ${hsm.name} (${forThis.map((a) => a.name).join(", ")}): one Dedicated HSM has one appliance, and which of them is its own is not shown. Keep one entry per HSM (docs/appliance-evidence.md).`,
        evidence: [],
      },
    };
  }
  if (!appliance) {
    // An entry whose address is this HSM's private IP, but also another's (or another entry's): matched to neither.
    const unmatched = appliances.filter(
      (a) => a.hsmId === undefined && (a.match?.candidates ?? []).some((c) => sameId(c, hsm.id)),
    );
    if (unmatched.length > 0) {
      return {
        verdict: {
          status: absent,
          message: `${hsm.name} is a Dedicated HSM: its audit trail lives in the Luna appliance, and no appliance evidence could be matched to it by its private IP: ${unmatched.map((a) => a.match?.warning ?? `appliance ${a.name} matches no HSM`).join("; ")}. Give the entry the HSM's resourceId (docs/appliance-evidence.md).`,
          evidence: [],
        },
      };
    }
    const ips = (hsm.networkInterfaces ?? []).map((n) => n.privateIpAddress);
    return {
      verdict: {
        status: absent,
        message: `${hsm.name} is a Dedicated HSM: its audit trail lives in the Luna appliance, and the appliance evidence given names no appliance for it${ips.length > 0 ? `, nor is any appliance's host its private IP (${ips.join(", ")})` : ""}. Add it to the appliances of the evidence (appliances.yaml, or the configuration's appliances:), with its resourceId or its private IP as host (docs/appliance-evidence.md).`,
        evidence: [],
      },
    };
  }
  const unseen = appliance.match?.by === "privateIp" ? unlistedDedicatedHsms(snapshot) : undefined;
  if (unseen) {
    return {
      verdict: {
        status: "error",
        message: `Appliance ${appliance.name} was matched to ${hsm.name} by its private IP ${appliance.match?.privateIp ?? appliance.host ?? ""} alone, and ${unseen.where} could not be listed: another Dedicated HSM there may have that address, so its evidence is not shown to be ${hsm.name}'s. Give the entry the HSM's resourceId (docs/appliance-evidence.md).`,
        evidence: unseen.evidence,
      },
    };
  }
  const twin = sameSerialAs(appliance, snapshot);
  if (twin) {
    return {
      verdict: {
        status: "error",
        message: `The appliance evidence of ${hsm.name} (appliance ${appliance.name}) and that of appliance ${twin.other.name} report the same HSM serial number, ${twin.serial}: one appliance's transcripts cannot prove two Dedicated HSMs. Save each appliance's own transcripts (docs/appliance-evidence.md).`,
        evidence: [...new Set([...twin.evidence, ...twin.otherEvidence])],
      },
    };
  }
  return { appliance };
}

type Reading<K extends LunaCommandKey> =
  NonNullable<ApplianceReadings[K]> extends infer F
    ? F extends { value: infer V }
      ? { value: V; evidence: string[] }
      : never
    : never;

/** A reading that could not be had, as the reason a judge cannot decide. */
class Missing {
  constructor(
    readonly reason: string,
    readonly evidence: string[],
  ) {}
}

function reading<K extends LunaCommandKey>(appliance: ApplianceFacts, key: K): Reading<K> {
  const fact = appliance.readings[key];
  const { command } = LUNA_COMMANDS[key];
  if (!fact) throw new Missing(`\`${command}\` was not read`, []);
  if ("error" in fact) throw new Missing(fact.error.message.replace(/\.$/, ""), fact.evidence);
  return fact as unknown as Reading<K>;
}

/** One aspect of the appliance: the verdict and a short phrase for the roll-up. */
export interface Judgement extends Verdict {
  /** A few words for the roll-up's message (`remote audit logging is missing`). */
  summary: string;
}

type Judge = (appliance: ApplianceFacts, params: ApplianceParams, snapshot: Snapshot) => Judgement;

/** Runs a judge; a reading that could not be had makes it `error` with the reason and its evidence. */
function judged(aspect: string, judge: Judge): Judge {
  return (appliance, params, snapshot) => {
    try {
      untimely(appliance, params, snapshot);
      return judge(appliance, params, snapshot);
    } catch (e) {
      if (!(e instanceof Missing)) throw e;
      return {
        status: "error",
        message: `The ${aspect} of appliance ${appliance.name} is not proven: ${e.reason}.`,
        evidence: e.evidence,
        summary: `${aspect}: not proven (${e.reason})`,
      };
    }
  };
}

/** How far after the scan's end a reading may be dated before its time is not believed (clocks drift a little). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Every judge rests on readings of a moment: transcripts saved long before the scan, or dated after it, prove nothing
 * about the appliance the scan reports on. Throws Missing for the first reading (in command order) whose evidence is
 * older than `maxEvidenceAgeHours` at the scan's start, or dated after the scan finished.
 */
function untimely(appliance: ApplianceFacts, params: ApplianceParams, snapshot: Snapshot): void {
  const started = Date.parse(snapshot.startedAt);
  const finished = Date.parse(snapshot.finishedAt);
  const records = new Map(snapshot.evidence.map((e) => [e.id, e]));
  for (const key of Object.keys(LUNA_COMMANDS) as LunaCommandKey[]) {
    const fact = appliance.readings[key];
    if (!fact) continue;
    for (const id of fact.evidence) {
      const record = records.get(id);
      const at = record ? Date.parse(record.capturedAt) : NaN;
      const { command } = LUNA_COMMANDS[key];
      if (Number.isNaN(at)) throw new Missing(`the time \`${command}\` was read is not recorded`, [id]);
      const ageHours = (started - at) / 3_600_000;
      if (ageHours > params.maxEvidenceAgeHours) {
        throw new Missing(
          `\`${command}\` was read at ${record!.capturedAt}, ${Math.floor(ageHours)} hours before the scan started (at most ${params.maxEvidenceAgeHours}): save the appliance's transcripts again`,
          [id],
        );
      }
      if (at > finished + FUTURE_TOLERANCE_MS) {
        throw new Missing(
          `\`${command}\` is dated ${record!.capturedAt}, after the scan finished (${snapshot.finishedAt}): the appliance's or this machine's clock is wrong, or the date was edited`,
          [id],
        );
      }
    }
  }
}

const verdict = (pass: boolean, message: string, evidence: string[], summary: string): Judgement => ({
  status: pass ? "pass" : "fail",
  message,
  evidence: [...new Set(evidence)],
  summary,
});

/** L1: the HSM Audit role is initialized. */
export const judgeAuditRole = judged("audit role", (appliance) => {
  const show = reading(appliance, "hsmShow");
  const ok = show.value.auditRoleInitialized;
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} reports Audit Role Initialized: Yes (hsm show).`
      : `Appliance ${appliance.name} reports Audit Role Initialized: No: the HSM has no Auditor, so no one can configure or verify its audit log.`,
    show.evidence,
    ok ? "audit role initialized" : "the audit role is not initialized",
  );
});

/** L3, L4: audit logging is on, with the required event classes and a key-use class. */
export const judgeAuditEvents = judged("audit event mask", (appliance, params) => {
  const show = reading(appliance, "auditShow");
  const classes = new Set(show.value.eventClasses);
  const mask = show.value.eventClasses.join(",");
  if (classes.has("none") || classes.size === 0) {
    return verdict(
      false,
      `Appliance ${appliance.name} logs no audit events (event mask: ${mask}): HSM audit logging is switched off.`,
      show.evidence,
      "audit logging is off",
    );
  }
  const all = classes.has("all");
  const missing = all ? [] : params.requiredEventClasses.filter((c) => !classes.has(c));
  const keyUse = all || params.keyUseEventClasses.length === 0 || params.keyUseEventClasses.some((c) => classes.has(c));
  const ok = missing.length === 0 && keyUse;
  const lacks = [...missing, ...(keyUse ? [] : [`a key-use class (${params.keyUseEventClasses.join(" or ")})`])];
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} logs ${mask}, which includes ${[...params.requiredEventClasses, ...(params.keyUseEventClasses.length ? ["key use"] : [])].join(", ")}.`
      : `Appliance ${appliance.name} logs ${mask}, without ${lacks.join(", ")}.`,
    show.evidence,
    ok ? "event mask complete" : `the event mask lacks ${lacks.join(", ")}`,
  );
});

/** L6, L7: the audit log rotates, leaves the HSM (cbs running, recent files), and the NVRAM area is not near full. */
export const judgeAuditOffload = judged("audit log rotation and export", (appliance, params, snapshot) => {
  const show = reading(appliance, "auditShow");
  const cbs = reading(appliance, "serviceCbs");
  const list = reading(appliance, "auditLogList");
  const evidence = [...show.evidence, ...cbs.evidence, ...list.evidence];
  const problems: string[] = [];
  const rotation = show.value.rotation;
  if (rotation === undefined) throw new Missing("`audit show` does not show the rotation", show.evidence);
  if (params.forbiddenRotations.some((r) => r.toLowerCase() === rotation)) {
    problems.push(`the audit log is rotated ${rotation}`);
  }
  const nvram = show.value.nvramUsedPercent;
  if (nvram !== undefined && nvram > params.maxNvramPercent) {
    problems.push(
      `the HSM's audit area is ${nvram}% full (more than ${params.maxNvramPercent}%; when full, the HSM stops cryptographic work)`,
    );
  }
  if (!cbs.value.running) problems.push("the cbs service, which moves audit records out of the HSM, is not running");
  const capturedAt = snapshot.evidence.find((e) => e.id === list.evidence[0])?.capturedAt;
  const dated = list.value.files.filter((f) => f.modified !== undefined);
  if (list.value.files.length === 0) problems.push("the appliance holds no audit log file");
  else if (dated.length === 0) throw new Missing("`audit log list` shows no file's date", list.evidence);
  else if (!capturedAt) throw new Missing("the time `audit log list` was read is not recorded", list.evidence);
  else {
    const newest = dated.reduce((a, b) => (Date.parse(a.modified!) >= Date.parse(b.modified!) ? a : b));
    const ageHours = (Date.parse(capturedAt) - Date.parse(newest.modified!)) / 3_600_000;
    if (ageHours > params.maxLogAgeHours) {
      problems.push(
        `its newest audit log file (${newest.name}, ${newest.modified}) was ${Math.floor(ageHours)} hours old when listed (at most ${params.maxLogAgeHours})`,
      );
    }
  }
  const ok = problems.length === 0;
  const nvramWords =
    nvram === undefined
      ? " (the appliance does not report how full its audit area is: the cbs service running and a recent log file show that records leave it)"
      : `, its audit area ${nvram}% full`;
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} rotates its audit log ${rotation}, cbs is running and its audit log files are recent${nvramWords}.`
      : `Appliance ${appliance.name}: ${problems.join("; ")}.`,
    evidence,
    ok ? "audit log rotated and exported" : problems.join("; "),
  );
});

const DEFAULT_REMOTE_PORT = 514;
const hostPort = (h: LunaRemoteHost) => `${h.host.toLowerCase()}:${h.port ?? DEFAULT_REMOTE_PORT}`;
const shown = (h: LunaRemoteHost) => `${h.host}:${h.port ?? DEFAULT_REMOTE_PORT}${h.protocol ? `/${h.protocol}` : ""}`;

/** L8, L9: remote audit logging is configured, over an allowed transport, to a host:port syslog does not use. */
export const judgeRemoteAudit = judged("remote audit logging", (appliance, params) => {
  const audit = reading(appliance, "auditRemoteHosts");
  if (audit.value.length === 0) {
    return verdict(
      false,
      `Appliance ${appliance.name} sends its audit log to no remote host: the records stay on the appliance.`,
      audit.evidence,
      "remote audit logging is missing",
    );
  }
  const syslog = reading(appliance, "syslogRemoteHosts");
  const evidence = [...audit.evidence, ...syslog.evidence];
  const unknown = audit.value.filter((h) => h.protocol === undefined);
  if (unknown.length > 0) {
    throw new Missing(
      `\`audit remotehost list\` does not show the transport of ${unknown.map(shown).join(", ")}`,
      evidence,
    );
  }
  const problems: string[] = [];
  const wrong = audit.value.filter((h) => !params.auditProtocols.includes(h.protocol!));
  if (wrong.length > 0) {
    problems.push(
      `audit records go over ${wrong.map(shown).join(", ")} (allowed: ${params.auditProtocols.join(", ")})`,
    );
  }
  const syslogTargets = new Set(syslog.value.map(hostPort));
  const shared = audit.value.filter((h) => syslogTargets.has(hostPort(h)));
  if (shared.length > 0) {
    problems.push(
      `${shared.map(shown).join(", ")} also receives the appliance's syslog (the streams must not share host and port)`,
    );
  }
  const ok = problems.length === 0;
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} sends its audit log to ${audit.value.map(shown).join(", ")}, apart from its syslog.`
      : `Appliance ${appliance.name}: ${problems.join("; ")}.`,
    evidence,
    ok ? "remote audit logging configured" : problems.join("; "),
  );
});

/** L10, L11: remote syslog is configured over an allowed transport, with TLS where required. */
export const judgeRemoteSyslog = judged("remote syslog", (appliance, params) => {
  const syslog = reading(appliance, "syslogRemoteHosts");
  if (syslog.value.length === 0) {
    return verdict(
      false,
      `Appliance ${appliance.name} sends its syslog (appliance events, LunaSH command log) to no remote host.`,
      syslog.evidence,
      "remote syslog is missing",
    );
  }
  const evidence = [...syslog.evidence];
  const unknown = syslog.value.filter((h) => h.protocol === undefined);
  if (unknown.length > 0) {
    throw new Missing(
      `\`syslog remotehost list\` does not show the transport of ${unknown.map(shown).join(", ")}`,
      evidence,
    );
  }
  const problems: string[] = [];
  const wrong = syslog.value.filter((h) => !params.syslogProtocols.includes(h.protocol!));
  if (wrong.length > 0) {
    problems.push(`syslog goes over ${wrong.map(shown).join(", ")} (allowed: ${params.syslogProtocols.join(", ")})`);
  }
  let tlsRequired = params.syslogTls === "always";
  if (params.syslogTls === "whenSupported") {
    const show = reading(appliance, "hsmShow");
    evidence.push(...show.evidence);
    const version = show.value.softwareVersion;
    if (version === undefined) throw new Missing("`hsm show` does not show the appliance software version", evidence);
    tlsRequired = compareVersions(version, LUNA_SYSLOG_TLS_SINCE) >= 0;
  }
  // TLS is judged on the hosts reached over an allowed transport: one that is not has failed already.
  const allowed = syslog.value.filter((h) => params.syslogProtocols.includes(h.protocol!));
  if (tlsRequired) {
    const notShown = allowed.filter((h) => h.tls === undefined);
    if (notShown.length > 0) {
      throw new Missing(
        `\`syslog remotehost list\` does not show whether ${notShown.map(shown).join(", ")} uses TLS`,
        evidence,
      );
    }
    const plain = allowed.filter((h) => h.tls === false);
    if (plain.length > 0) problems.push(`syslog to ${plain.map(shown).join(", ")} is not encrypted (TLS)`);
  }
  const ok = problems.length === 0;
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} sends its syslog to ${syslog.value.map(shown).join(", ")}${tlsRequired ? " over TLS" : ""}.`
      : `Appliance ${appliance.name}: ${problems.join("; ")}.`,
    evidence,
    ok ? "remote syslog configured" : problems.join("; "),
  );
});

/** L13, L14: NTP is enabled, running, and synchronized to a real peer within the offset bound. */
export const judgeTimeSync = judged("time synchronization", (appliance, params) => {
  const ntp = reading(appliance, "ntpStatus");
  const { running, enabled, peers } = ntp.value;
  const problems: string[] = [];
  if (!enabled) problems.push("NTP is disabled");
  if (!running) problems.push("NTP is not running");
  const source = peers.find((p) => p.tally === "*");
  if (running && enabled) {
    if (!source) problems.push("NTP has no source of synchronization (no peer marked *)");
    else if (/^LOCAL\(/i.test(source.remote) || /^\.LOCL\.$/i.test(source.refid)) {
      problems.push("NTP is synchronized only to the appliance's own clock (LOCAL(0))");
    } else if (Math.abs(source.offsetMs) > params.maxNtpOffsetMs) {
      problems.push(
        `the clock is ${Math.abs(source.offsetMs)} ms from ${source.remote} (at most ${params.maxNtpOffsetMs} ms)`,
      );
    }
  }
  const ok = problems.length === 0 && source !== undefined;
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} is synchronized to ${source!.remote} (stratum ${source!.stratum}), ${source!.offsetMs} ms apart.`
      : `Appliance ${appliance.name}: ${problems.join("; ")}: audit records' times cannot be trusted.`,
    ntp.evidence,
    ok ? "clock synchronized" : problems.join("; "),
  );
});

/** L19: the HSM reports no tamper. */
export const judgeNoTamper = judged("tamper state", (appliance) => {
  const show = reading(appliance, "hsmShow");
  const state = show.value.tamperState;
  if (state === undefined) throw new Missing("`hsm show` does not show the HSM Tamper State", show.evidence);
  const ok = /^no tamper/i.test(state.trim());
  return verdict(
    ok,
    ok
      ? `Appliance ${appliance.name} reports HSM Tamper State: ${state}.`
      : `Appliance ${appliance.name} reports HSM Tamper State: ${state}.`,
    show.evidence,
    ok ? "no tamper" : `tamper reported (${state})`,
  );
});

/** Every judge, in the order the roll-up reports them. */
export const APPLIANCE_JUDGES: ReadonlyArray<[aspect: string, judge: Judge]> = [
  ["audit role", judgeAuditRole],
  ["audit event mask", judgeAuditEvents],
  ["audit log rotation and export", judgeAuditOffload],
  ["remote audit logging", judgeRemoteAudit],
  ["remote syslog", judgeRemoteSyslog],
  ["time synchronization", judgeTimeSync],
  ["tamper state", judgeNoTamper],
];

type ParamName = keyof typeof APPLIANCE_PARAMS;

const DEFAULTS = Object.fromEntries(
  Object.entries(APPLIANCE_PARAMS).map(([name, schema]) => [name, schema.default]),
) as unknown as ApplianceParams;

/**
 * A check kind of one aspect of the appliance: its params are the judge's thresholds named in `params`; an HSM
 * without appliance evidence (or a Payment HSM) is `not_applicable` to it, the roll-up being `manual` for it.
 */
export function applianceCheck(spec: {
  name: string;
  description: string;
  params: readonly ParamName[];
  judge: Judge;
}): CheckKind {
  // Every aspect rests on readings of a moment: each takes the age limit beside its own thresholds.
  const names = [...new Set<ParamName>([...spec.params, "maxEvidenceAgeHours"])];
  const properties = Object.fromEntries(names.map((p) => [p, APPLIANCE_PARAMS[p]]));
  return defineCheck({
    name: spec.name,
    description: spec.description,
    scope: "hsm",
    kinds: ["dedicatedHsm"],
    paramsSchema: { type: "object", properties, additionalProperties: false },
    evaluate(target, params, snapshot) {
      const found = applianceFor(target.hsm, snapshot, "not_applicable");
      if ("verdict" in found) return found.verdict;
      const { summary: _summary, ...judgement } = spec.judge(
        found.appliance,
        { ...DEFAULTS, ...(params as Partial<ApplianceParams>) },
        snapshot,
      );
      return judgement;
    },
  });
}

/** The roll-up's params: every judge's. */
export const ALL_APPLIANCE_PARAMS = Object.keys(APPLIANCE_PARAMS) as ParamName[];
export { DEFAULTS as APPLIANCE_DEFAULTS };
