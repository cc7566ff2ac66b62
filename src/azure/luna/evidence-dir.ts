// Offline appliance evidence (`--appliance-evidence DIR`): LunaSH transcripts an administrator saved, for sites the
// tool cannot reach over SSH. The layout (docs/appliance-evidence.md):
//
//   DIR/appliances.yaml            the index: which folder is which Dedicated HSM
//   DIR/<name>/hsm-show.txt        `ssh audit@<host> "hsm show" > hsm-show.txt`, and one file per command of
//   DIR/<name>/audit-show.txt      LUNA_COMMANDS (src/domain/luna.ts)
//
// Each transcript becomes an evidence record like an HTTP exchange (command, user, host, time, SHA-256 of the text,
// the text kept) and a reading parsed from it; a transcript not saved, or not readable, is an error of the reading,
// never a value. A bad index is an ApplianceIndexError (a usage error, with the file and the line).
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { LUNA_COMMAND_KEYS, LUNA_COMMANDS, type LunaCommandKey } from "../../domain/luna.js";

import type { ApplianceFacts, ApplianceReadings, CollectionError, EvidenceRecord } from "../../model/snapshot.js";
import { normaliseIp } from "../../domain/appliance-match.js";
import { idKey } from "../../domain/ids.js";
import { parseYaml, readYamlText } from "../../util/yaml.js";
import { commandResultCode, MAX_TRANSCRIPT_BYTES, parseTranscript } from "./lunash.js";
import { readBounded } from "../../util/bounded-read.js";

export const APPLIANCE_INDEX_FILE = "appliances.yaml";

/** The index or the directory is wrong: nothing can be read from it. `line` is the index's, when known. */
export class ApplianceIndexError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ""}: ${reason}`);
  }
}

export interface ApplianceEntry {
  name: string;
  /** The Dedicated HSM's ARM id; without it, the HSM whose private IP is `host` (then an IP address). */
  resourceId?: string;
  host?: string;
  /** When the transcripts were saved (ISO 8601); each file's modification time when absent. */
  capturedAt?: string;
}

export interface ApplianceIndex {
  directory: string;
  appliances: ApplianceEntry[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST = /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/;
const KEYS = ["name", "resourceId", "host", "capturedAt"];

/** Reads and checks `DIR/appliances.yaml` and that each appliance's folder exists. */
export function loadApplianceIndex(dir: string): ApplianceIndex {
  const directory = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(directory).isDirectory();
  } catch (error) {
    throw new ApplianceIndexError(
      directory,
      undefined,
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (!isDir) throw new ApplianceIndexError(directory, undefined, "is not a directory");
  const file = join(directory, APPLIANCE_INDEX_FILE);
  const fail = (_f: string, line: number | undefined, reason: string) => new ApplianceIndexError(file, line, reason);
  const text = readYamlText(file, fail, 1024 * 1024);
  const { value, lineOf: at } = parseYaml(text, file, fail);
  const root = value as { appliances?: unknown } | null;
  if (!root || typeof root !== "object" || Array.isArray(root) || !Array.isArray(root.appliances)) {
    throw new ApplianceIndexError(
      file,
      at([]),
      "must be a mapping with `appliances:`, a list of { name, resourceId or host }",
    );
  }
  const extra = Object.keys(root).find((k) => k !== "appliances");
  if (extra) throw new ApplianceIndexError(file, at([extra]), `unknown key '${extra}' (only appliances)`);
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  const appliances = root.appliances.map((raw: unknown, i: number): ApplianceEntry => {
    const where = (key?: string) => at(key ? ["appliances", i, key] : ["appliances", i]);
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      throw new ApplianceIndexError(file, where(), `appliances.${i}: must be a mapping with name and resourceId`);
    }
    const entry = raw as Record<string, unknown>;
    const unknown = Object.keys(entry).find((k) => !KEYS.includes(k));
    if (unknown) {
      throw new ApplianceIndexError(
        file,
        where(unknown),
        `appliances.${i}.${unknown}: unknown key (${KEYS.join(", ")})`,
      );
    }
    const name = entry.name;
    if (typeof name !== "string" || !NAME.test(name) || name === "." || name === "..") {
      throw new ApplianceIndexError(
        file,
        where("name"),
        `appliances.${i}.name: must be the name of a folder of ${directory} (letters, digits, '.', '_', '-')`,
      );
    }
    const resourceId = entry.resourceId;
    if (resourceId === undefined) {
      if (typeof entry.host !== "string" || normaliseIp(entry.host) === undefined) {
        throw new ApplianceIndexError(
          file,
          where(entry.host === undefined ? undefined : "host"),
          `appliances.${i}: give resourceId, or host as the Dedicated HSM's private IP address (an entry without resourceId is matched by it)`,
        );
      }
    } else if (
      typeof resourceId !== "string" ||
      !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.HardwareSecurityModules\/dedicatedHSMs\/[^/]+$/i.test(
        resourceId,
      )
    ) {
      throw new ApplianceIndexError(
        file,
        where("resourceId"),
        `appliances.${i}.resourceId: must be the ARM id of a Dedicated HSM (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/<name>)`,
      );
    }
    if (entry.host !== undefined && (typeof entry.host !== "string" || !HOST.test(entry.host))) {
      throw new ApplianceIndexError(file, where("host"), `appliances.${i}.host: must be a host name or an address`);
    }
    let capturedAt: string | undefined;
    if (entry.capturedAt !== undefined) {
      const raw = entry.capturedAt instanceof Date ? entry.capturedAt.toISOString() : entry.capturedAt;
      const time = typeof raw === "string" && /^\d{4}-\d{2}-\d{2}T/.test(raw) ? Date.parse(raw) : NaN;
      if (Number.isNaN(time)) {
        throw new ApplianceIndexError(
          file,
          where("capturedAt"),
          `appliances.${i}.capturedAt: must be an ISO 8601 instant (e.g. 2026-12-04T09:00:00Z)`,
        );
      }
      capturedAt = new Date(time).toISOString();
    }
    const dupName = seenNames.get(name.toLowerCase());
    if (dupName !== undefined) {
      throw new ApplianceIndexError(
        file,
        where("name"),
        `appliances.${i}.name: '${name}' is also appliances.${dupName}`,
      );
    }
    const dupId = resourceId !== undefined ? seenIds.get(idKey(resourceId)) : undefined;
    if (dupId !== undefined) {
      throw new ApplianceIndexError(
        file,
        where("resourceId"),
        `appliances.${i}.resourceId: the same Dedicated HSM as appliances.${dupId}`,
      );
    }
    seenNames.set(name.toLowerCase(), i);
    if (resourceId !== undefined) seenIds.set(idKey(resourceId), i);
    let folder: boolean;
    try {
      folder = statSync(join(directory, name)).isDirectory();
    } catch {
      folder = false;
    }
    if (!folder) {
      throw new ApplianceIndexError(file, where("name"), `appliances.${i}.name: no folder ${join(directory, name)}`);
    }
    return {
      name,
      ...(resourceId !== undefined ? { resourceId } : {}),
      ...(typeof entry.host === "string" ? { host: entry.host } : {}),
      ...(capturedAt ? { capturedAt } : {}),
    };
  });
  return { directory, appliances };
}

export interface ApplianceRead {
  appliances: ApplianceFacts[];
  evidence: EvidenceRecord[];
  errors: Array<CollectionError & { for: string; resourceId?: string }>;
}

/** Reads every appliance's transcripts: one evidence record and one reading (or error) per command. */
export function readApplianceTranscripts(index: ApplianceIndex): ApplianceRead {
  const evidence: EvidenceRecord[] = [];
  const errors: ApplianceRead["errors"] = [];
  let next = 1;
  const appliances = index.appliances.map((entry): ApplianceFacts => {
    const readings: ApplianceReadings = {};
    for (const key of LUNA_COMMAND_KEYS) {
      const { command, user, file } = LUNA_COMMANDS[key];
      const path = join(index.directory, entry.name, file);
      const purpose = `appliance ${entry.name}: ${command}`;
      const fail = (message: string, ids: string[]) => {
        errors.push({
          message,
          for: purpose,
          ...(entry.resourceId ? { resourceId: entry.resourceId } : {}),
          code: "ApplianceEvidence",
        });
        setReading(readings, key, { error: { message, code: "ApplianceEvidence" }, evidence: ids });
      };
      const read = readTranscript(path);
      if ("missing" in read) {
        fail(
          `The transcript of \`${command}\` for appliance ${entry.name} ${read.missing} (${path}); save it with: ssh ${user}@${entry.host ?? "<appliance>"} "${command}" > ${file}`,
          [],
        );
        continue;
      }
      const id = `lx-${String(next++).padStart(5, "0")}`;
      const sha256 = createHash("sha256").update(read.bytes).digest("hex");
      if (read.text === undefined) {
        // Not UTF-8: garbled or binary. Its hash is recorded; the bytes are not kept as text.
        evidence.push({
          id,
          method: "LUNASH",
          url: `file:${entry.name}/${file}`,
          status: 0,
          capturedAt: entry.capturedAt ?? read.modified,
          sha256,
          durationMs: 0,
          purpose,
          transport: "file",
          command,
          user,
          ...(entry.host ? { host: entry.host } : {}),
        });
        fail(`Appliance ${entry.name}: the transcript of \`${command}\` is not UTF-8 text (garbled or binary).`, [id]);
        continue;
      }
      evidence.push({
        id,
        method: "LUNASH",
        url: `file:${entry.name}/${file}`,
        status: commandResultCode(read.text) ?? 0,
        capturedAt: entry.capturedAt ?? read.modified,
        sha256,
        durationMs: 0,
        purpose,
        body: read.text,
        transport: "file",
        command,
        user,
        ...(entry.host ? { host: entry.host } : {}),
      });
      const outcome = parseTranscript(key, command, read.text);
      if ("error" in outcome) fail(`Appliance ${entry.name}: ${outcome.error}.`, [id]);
      else setReading(readings, key, { value: outcome.value, evidence: [id] } as never);
    }
    return {
      name: entry.name,
      ...(entry.resourceId ? { hsmId: entry.resourceId } : {}),
      ...(entry.host ? { host: entry.host } : {}),
      readings,
    };
  });
  return { appliances, evidence, errors };
}

function setReading(readings: ApplianceReadings, key: LunaCommandKey, fact: unknown): void {
  (readings as Record<string, unknown>)[key] = fact;
}

/** A transcript's text and time, or why it cannot be had. Only a regular file, at most MAX_TRANSCRIPT_BYTES. */
function readTranscript(
  path: string,
): { text: string | undefined; bytes: Buffer; modified: string } | { missing: string } {
  const read = readBounded(path, MAX_TRANSCRIPT_BYTES);
  if (!read.ok) {
    if (read.why === "not-a-file") return { missing: "is not a file" };
    if (read.why === "too-large") return { missing: `is larger than ${MAX_TRANSCRIPT_BYTES} bytes` };
    return { missing: read.code === "ENOENT" ? "was not saved" : `cannot be read (${read.code})` };
  }
  let text: string | undefined;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(read.bytes);
  } catch {
    text = undefined;
  }
  return { text, bytes: read.bytes, modified: read.stat.mtime.toISOString() };
}
