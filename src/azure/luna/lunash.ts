// Reading LunaSH transcripts: the envelope every command shares (an echoed prompt, the output, and
// `Command Result : <n> (<text>)`), and one parser per allow-listed command. Pure: a transcript in, a fact's value or
// an error out. Anything unreadable (a non-zero result, a missing label, garbled text, a command the user cannot see)
// is an error, never a value that could pass.
//
// Thales warns that messages change between releases (LUNA.md §1.2), so parsers key on labels, match them loosely
// (case, spacing, a few known spellings) and ignore lines they do not need. Formats marked INFERRED below were not
// seen in any Thales document or real output (LUNA.md §10): they are guesses to check against a real appliance.
import type { LunaCommandKey } from "../../domain/luna.js";
import { LUNA_EVENT_CLASSES, LUNA_EVENT_LETTERS, type LunaEventClass } from "../../domain/luna.js";
import type { ApplianceReadings, LunaNtpPeer, LunaRemoteHost } from "../../model/snapshot.js";

/** Why a transcript could not be read: one sentence. */
export class UnreadableTranscript extends Error {}

/** The largest transcript read; a longer one is refused rather than parsed. */
export const MAX_TRANSCRIPT_BYTES = 1024 * 1024;

/** The value a parser returns: the reading's type in the snapshot. */
type ValueOf<K extends LunaCommandKey> =
  NonNullable<ApplianceReadings[K]> extends infer F ? (F extends { value: infer V } ? V : never) : never;

export type ParseOutcome<K extends LunaCommandKey> = { value: ValueOf<K> } | { error: string };

/** A transcript's envelope: the lines of the command's own output, and its `Command Result`. */
export interface Envelope {
  lines: string[];
  result: { code: number; text: string };
}

const RESULT_LINE = /^\s*Command Result\s*:\s*(\d+)\s*\((.*)\)\s*$/i;
const PROMPT = /^\s*(?:\[[^\]]*\]\s*)?lunash\s*:>\s*(.*)$/i;

/**
 * Splits a transcript into its output and its `Command Result`. `command` is what was asked: an echoed prompt that
 * names another command means the file holds another command's output.
 */
export function envelope(text: string, command: string): Envelope {
  if (Buffer.byteLength(text, "utf8") > MAX_TRANSCRIPT_BYTES) {
    throw new UnreadableTranscript(`the transcript is longer than ${MAX_TRANSCRIPT_BYTES} bytes`);
  }
  // Control characters (other than tab and line ends) do not occur in LunaSH output: their presence means the file
  // is garbled, binary, or holds terminal escapes that could hide what it says.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new UnreadableTranscript("the transcript holds control characters (garbled, binary or terminal escapes)");
  }
  const all = text.replace(/\r\n?/g, "\n").split("\n");
  const results = all.map((line, i) => [i, RESULT_LINE.exec(line)] as const).filter(([, m]) => m !== null);
  if (results.length === 0) {
    throw new UnreadableTranscript("the transcript has no `Command Result` line: the output is incomplete");
  }
  if (results.length > 1) {
    throw new UnreadableTranscript(
      "the transcript holds more than one `Command Result`: more than one command's output",
    );
  }
  const [at, match] = results[0]!;
  const wanted = normalise(command);
  const lines: string[] = [];
  for (const line of all.slice(0, at)) {
    const prompt = PROMPT.exec(line);
    if (prompt) {
      const echoed = normalise(prompt[1] ?? "");
      if (echoed && !sameCommand(echoed, wanted)) {
        throw new UnreadableTranscript(`the transcript is the output of \`${echoed}\`, not of \`${command}\``);
      }
      lines.length = 0; // a banner or an earlier prompt line: the command's output starts after its prompt
      continue;
    }
    lines.push(line);
  }
  const code = Number.parseInt(match![1]!, 10);
  const resultText = match![2]!.trim();
  if (code !== 0) {
    const said = lines
      .map((l) => l.trim())
      .filter((l) => /^error\s*:/i.test(l))
      .map((l) => l.replace(/^error\s*:\s*/i, ""));
    throw new UnreadableTranscript(
      `\`${command}\` failed on the appliance (Command Result : ${code} (${resultText}))${said.length ? `: ${said.join(" ")}` : ""}`,
    );
  }
  // A command the user may not see (an `audit` command run as `admin`) is refused by the shell; releases differ on
  // the result code they print, so the refusal's words are recognised too.
  if (
    lines.some((l) =>
      /(not a valid command|command not found|unknown command|not recognized|is not available|permission denied)/i.test(
        l,
      ),
    )
  ) {
    throw new UnreadableTranscript(
      `the appliance refused \`${command}\` (a hidden command for this user, or not a LunaSH command)`,
    );
  }
  return { lines, result: { code, text: resultText } };
}

const normalise = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();
/** LunaSH accepts shortcuts (`sysconf ntp li`): an echoed command matches when each word is a prefix of the asked one. */
function sameCommand(echoed: string, wanted: string): boolean {
  const [e, w] = [echoed.split(" "), wanted.split(" ")];
  return e.length === w.length && e.every((word, i) => w[i]!.startsWith(word));
}

/** `Label:   value` lines, keyed by the label lower-cased with its spacing collapsed. */
function labels(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^\s*([A-Za-z][A-Za-z0-9 #()/.'-]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (m && !out.has(normalise(m[1]!))) out.set(normalise(m[1]!), m[2]!);
  }
  return out;
}

/** The first label of `names` the output carries. */
function label(map: Map<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = map.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function yesNo(value: string, what: string): boolean {
  if (/^(yes|true|on|enabled)$/i.test(value.trim())) return true;
  if (/^(no|false|off|disabled)$/i.test(value.trim())) return false;
  throw new UnreadableTranscript(`${what} reads "${clip(value)}", neither yes nor no`);
}

/** A value quoted back in a message: cut, so a hostile line cannot flood the report. */
function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

// ---- hsm show (CODE: Luna 7.2 output, Azure Dedicated HSM README; 5.3 fixture) ----

export function parseHsmShow(lines: string[]): ValueOf<"hsmShow"> {
  const map = labels(lines);
  const role = label(map, ["audit role initialized"]);
  if (role === undefined) throw new UnreadableTranscript("`hsm show` does not print `Audit Role Initialized`");
  const tamper = label(map, ["hsm tamper state", "tamper state"]);
  const serial = label(map, ["serial #", "serial number", "serial"]);
  const firmware = label(map, ["firmware", "firmware version"]);
  const software = label(map, ["software version", "appliance software version"]);
  return {
    auditRoleInitialized: yesNo(role, "`Audit Role Initialized`"),
    ...(tamper ? { tamperState: tamper } : {}),
    ...(serial ? { serial } : {}),
    ...(firmware ? { firmware } : {}),
    ...(software ? { softwareVersion: software } : {}),
  };
}

// ---- audit show (INFERRED: no sample output was reachable, LUNA.md §3.3) ----

/** Reads an event mask printed as names or LunaCM letters, separated by commas, `|`, `+` or spaces. */
export function eventClasses(mask: string): LunaEventClass[] {
  const words = mask
    .split(/[\s,|+;]+/)
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) throw new UnreadableTranscript("the event mask is empty");
  return words.map((word) => {
    const cls = (LUNA_EVENT_CLASSES as readonly string[]).includes(word)
      ? (word as LunaEventClass)
      : LUNA_EVENT_LETTERS[word];
    if (!cls) throw new UnreadableTranscript(`the event mask names "${clip(word)}", not an audit event class`);
    return cls;
  });
}

export function parseAuditShow(lines: string[]): ValueOf<"auditShow"> {
  const map = labels(lines);
  const mask = label(map, ["event log mask", "event mask", "audit event mask", "events", "evmask", "log events"]);
  if (mask === undefined) throw new UnreadableTranscript("`audit show` does not print the event mask");
  const rotation = label(map, ["log rotation interval", "rotation interval", "rotation", "log rotation"]);
  const nvram = label(map, ["audit log nvram used", "audit area used", "nvram used", "audit log storage used"]);
  let nvramUsedPercent: number | undefined;
  if (nvram !== undefined) {
    const m = /^(\d{1,3}(?:\.\d+)?)\s*%$/.exec(nvram.trim());
    if (!m || Number(m[1]) > 100)
      throw new UnreadableTranscript(`the audit area's use reads "${clip(nvram)}", not a percentage`);
    nvramUsedPercent = Number(m[1]);
  }
  return {
    eventClasses: eventClasses(mask),
    ...(rotation ? { rotation: rotation.trim().toLowerCase() } : {}),
    ...(nvramUsedPercent !== undefined ? { nvramUsedPercent } : {}),
  };
}

// ---- remote host lists ----
// `syslog remotehost list`: CODE (Luna SA 5.3 `host:port, proto`; 5.1 host only). The TLS column of 7.8.3+ and the
// whole of `audit remotehost list` are INFERRED: the same one-host-a-line shape, or a table with a header row.

const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$|^\[[0-9A-Fa-f:.]+\]$/;
const EMPTY_LIST = /\b(no|none)\b.*\b(hosts?|servers?|configured|defined)\b|^\s*none\s*$/i;
const DECORATION = /^\s*(=+|-+)\s*$/;
const LIST_HEADER =
  /^\s*(remote (logging|audit logging|syslog) server\(s\)|list of .*remote hosts?|remote hosts?|audit remote hosts?)\s*:?\s*$/i;

function remoteHost(hostPort: string, rest: string[]): LunaRemoteHost {
  let host = hostPort;
  let port: number | undefined;
  const m = /^(.*?):(\d{1,5})$/.exec(hostPort);
  if (m && !/^\[.*[^\]]$/.test(m[1]!)) {
    host = m[1]!;
    port = Number(m[2]);
  }
  if (!HOST.test(host)) throw new UnreadableTranscript(`"${clip(hostPort)}" is not a host name or address`);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UnreadableTranscript(`port ${port} is out of range`);
  const out: LunaRemoteHost = { host, ...(port !== undefined ? { port } : {}) };
  for (const token of rest) {
    const t = token.toLowerCase();
    if (t === "tcp" || t === "udp" || t === "relp") out.protocol = t;
    else if (/^(tls|tls=(yes|on|true|enabled)|tls:(yes|on|true|enabled))$/.test(t)) out.tls = true;
    else if (/^(notls|tls=(no|off|false|disabled)|tls:(no|off|false|disabled))$/.test(t)) out.tls = false;
    else if (/^\d{1,5}$/.test(t) && out.port === undefined) out.port = Number(t);
    else
      throw new UnreadableTranscript(
        `"${clip(token)}" after ${clip(host)} is neither a protocol, a port nor a TLS flag`,
      );
  }
  return out;
}

/** A table with a header row (`Host  Port  Protocol  TLS`): columns by their header's words. */
function tableHosts(header: string, rows: string[]): LunaRemoteHost[] {
  const names = header.trim().toLowerCase().split(/\s+/);
  const at = (n: string[]) => names.findIndex((h) => n.includes(h));
  const [h, p, proto, tls] = [at(["host", "address", "server"]), at(["port"]), at(["protocol", "proto"]), at(["tls"])];
  if (h < 0) throw new UnreadableTranscript("the remote host table has no host column");
  return rows.map((row) => {
    const cells = row.trim().split(/\s+/);
    if (cells.length !== names.length)
      throw new UnreadableTranscript(`the row "${clip(row.trim())}" does not fit the table`);
    const rest: string[] = [];
    if (p >= 0) rest.push(cells[p]!);
    if (proto >= 0) rest.push(cells[proto]!);
    if (tls >= 0) rest.push(`tls=${cells[tls]!}`);
    return remoteHost(cells[h]!, rest);
  });
}

export function parseRemoteHosts(lines: string[], what: string): LunaRemoteHost[] {
  const body = lines.filter((l) => l.trim() && !DECORATION.test(l));
  let sawHeader = false;
  const rows: string[] = [];
  for (const line of body) {
    if (LIST_HEADER.test(line)) sawHeader = true;
    else rows.push(line);
  }
  if (rows.length === 1 && EMPTY_LIST.test(rows[0]!)) return [];
  if (rows.length === 0) {
    if (sawHeader) return [];
    throw new UnreadableTranscript(`\`${what}\` printed nothing this tool can read as a list of hosts`);
  }
  if (/\bhost\b|\baddress\b/i.test(rows[0]!) && /\bport\b|\bprotocol\b/i.test(rows[0]!)) {
    return tableHosts(rows[0]!, rows.slice(1));
  }
  return rows.map((row) => {
    const [first, ...rest] = row
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    return remoteHost(first!, rest);
  });
}

// ---- audit log list (INFERRED: output not found, LUNA.md §3.4; file names are DOC) ----

const LOG_FILE = /(?:^|[\s/])((?:hsm_\d+_[0-9a-f]{8}\.log)|(?:audit-[A-Za-z0-9_.-]+\.tgz))(?=\s|$)/i;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** A date in the line, as an ISO instant (UTC, as the appliance writes its logs): ISO, or `YYYY Mon DD hh:mm[:ss]`. */
function lineDate(line: string): string | undefined {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?\b/.exec(line);
  const luna = /\b(\d{4})\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2})(?::(\d{2}))?\b/.exec(line);
  let parts: number[] | undefined;
  if (iso) parts = [+iso[1]!, +iso[2]! - 1, +iso[3]!, +iso[4]!, +iso[5]!, +(iso[6] ?? 0)];
  else if (luna && MONTHS.includes(luna[2]!.toLowerCase())) {
    parts = [+luna[1]!, MONTHS.indexOf(luna[2]!.toLowerCase()), +luna[3]!, +luna[4]!, +luna[5]!, +(luna[6] ?? 0)];
  }
  if (!parts) return undefined;
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo, d, h, mi, s));
  if (date.getUTCMonth() !== mo || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new UnreadableTranscript(`the date in "${clip(line.trim())}" is not a date`);
  }
  return date.toISOString();
}

export function parseAuditLogList(lines: string[]): ValueOf<"auditLogList"> {
  const files: { name: string; modified?: string; bytes?: number }[] = [];
  for (const line of lines) {
    const m = LOG_FILE.exec(line);
    if (!m) continue;
    const modified = lineDate(line);
    const size = /\b(\d+)\s*bytes?\b/i.exec(line);
    files.push({ name: m[1]!, ...(modified ? { modified } : {}), ...(size ? { bytes: Number(size[1]) } : {}) });
  }
  if (files.length === 0 && !lines.some((l) => /\b(no|0)\b.*\b(log files?|logs?)\b/i.test(l))) {
    throw new UnreadableTranscript("`audit log list` names no audit log file and does not say there is none");
  }
  return { files };
}

// ---- service status <name> (CODE: 5.x `syslog is running`, `ntp is running`; cbs INFERRED, same shape) ----

export function parseServiceStatus(lines: string[], service: string): { service: string; running: boolean } {
  const wanted = service.toLowerCase();
  for (const line of lines) {
    const m = /^\s*(\S+)\s+is\s+(not\s+running|running|stopped|dead)\b/i.exec(line);
    if (m && m[1]!.toLowerCase() === wanted) return { service, running: m[2]!.toLowerCase() === "running" };
  }
  throw new UnreadableTranscript(`\`service status ${service}\` does not say whether ${service} is running`);
}

// ---- sysconf ntp status (CODE: 5.x output; the peer table is ntpq's, DOC) ----

export function parseNtpStatus(lines: string[]): ValueOf<"ntpStatus"> {
  const text = lines.join("\n");
  const running = /\bNTP is not running\b/i.test(text) ? false : /\bNTP is running\b/i.test(text) ? true : undefined;
  const enabled = /\bNTP is (disabled|not enabled)\b/i.test(text)
    ? false
    : /\bNTP is enabled\b/i.test(text)
      ? true
      : undefined;
  if (running === undefined) throw new UnreadableTranscript("`sysconf ntp status` does not say whether NTP is running");
  if (enabled === undefined) throw new UnreadableTranscript("`sysconf ntp status` does not say whether NTP is enabled");
  const peers: LunaNtpPeer[] = [];
  const header = lines.findIndex((l) =>
    /^\s*remote\s+refid\s+st\s+t\s+when\s+poll\s+reach\s+delay\s+offset\s+jitter\s*$/i.test(l),
  );
  if (header >= 0) {
    for (const line of lines.slice(header + 1)) {
      if (DECORATION.test(line)) {
        if (peers.length > 0) break;
        continue;
      }
      if (!line.trim()) break;
      const m =
        /^([ *+#ox.-]?)(\S+)\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$/.exec(
          line,
        );
      if (!m || Number.isNaN(Number(m[6])))
        throw new UnreadableTranscript(`the peer line "${clip(line.trim())}" is not ntpq's`);
      peers.push({ tally: m[1] || " ", remote: m[2]!, refid: m[3]!, stratum: Number(m[4]), offsetMs: Number(m[6]) });
    }
  } else if (running) {
    throw new UnreadableTranscript("`sysconf ntp status` prints no peer table");
  }
  return { running, enabled, peers };
}

// ---- sysconf ntp list (CODE: 5.x `server <address>` lines) ----

export function parseNtpList(lines: string[]): ValueOf<"ntpList"> {
  const servers: string[] = [];
  let said = false;
  for (const line of lines) {
    const m = /^\s*server\s+(\S+)/i.exec(line);
    if (m) servers.push(m[1]!);
    if (/NTP Servers\s*:/i.test(line) || /\bno (ntp )?servers?\b/i.test(line)) said = true;
  }
  if (!said && servers.length === 0)
    throw new UnreadableTranscript("`sysconf ntp list` lists no server and does not say there is none");
  return { servers };
}

/** Which parser reads each command's output. */
const PARSERS: { [K in LunaCommandKey]: (lines: string[]) => ValueOf<K> } = {
  hsmShow: parseHsmShow,
  auditShow: parseAuditShow,
  auditRemoteHosts: (lines) => parseRemoteHosts(lines, "audit remotehost list"),
  auditLogList: parseAuditLogList,
  syslogRemoteHosts: (lines) => parseRemoteHosts(lines, "syslog remotehost list"),
  serviceCbs: (lines) => parseServiceStatus(lines, "cbs"),
  serviceSyslog: (lines) => parseServiceStatus(lines, "syslog"),
  serviceNtp: (lines) => parseServiceStatus(lines, "ntp"),
  ntpStatus: parseNtpStatus,
  ntpList: parseNtpList,
};

/** Reads one command's transcript: its value, or why it cannot be read. */
export function parseTranscript<K extends LunaCommandKey>(key: K, command: string, text: string): ParseOutcome<K> {
  try {
    const { lines } = envelope(text, command);
    return { value: PARSERS[key](lines) };
  } catch (e) {
    if (e instanceof UnreadableTranscript) return { error: e.message };
    throw e;
  }
}

/** The `Command Result` code of a transcript, when it has exactly one (for the evidence record). */
export function commandResultCode(text: string): number | undefined {
  const codes = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => RESULT_LINE.exec(l))
    .filter((m) => m !== null);
  return codes.length === 1 ? Number.parseInt(codes[0]![1]!, 10) : undefined;
}
