// Parsing and checking of the options several commands share. Every mistake is a UsageError (exit 2) raised before
// any network call or file write.
import type { InventorySource } from "../azure/collect.js";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseDuration } from "../util/duration.js";
import { FAIL_ON_VALUES, type FailOn, type Result } from "../model/result.js";
import { available, FORMAT_FILES, PDF_DETAILS, type Format, type PdfDetail } from "../report/outputs.js";
import { CLOUD_NAMES, type CloudName } from "../azure/clouds.js";
import { loadWaiversFile, WaiverError, type Waiver, type WaiverRules } from "../engine/waivers.js";
import { UsageError } from "./errors.js";
import { firstError, snapshotRefusal, validateResult } from "../model/schemas.js";
import type { Snapshot } from "../model/snapshot.js";
import { resultInconsistency } from "../report/verify.js";
import { verifySnapshot, type Verification } from "../azure/verify.js";

import { GUID } from "../domain/guid.js";
import { isManagementGroupId, MANAGEMENT_GROUP_ID_RULE } from "../domain/management-groups.js";
import { ApplianceIndexError, loadApplianceIndex, type ApplianceIndex } from "../azure/luna/evidence-dir.js";
import type { SshAppliance } from "../azure/luna/ssh.js";
import type { EffectiveConfig } from "./config.js";

export function parseFormats(values: readonly string[] | undefined): Format[] {
  const formats = (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  for (const format of formats) {
    if (!(format in FORMAT_FILES)) {
      throw new UsageError(`--format: unknown format '${format}'; formats are ${Object.keys(FORMAT_FILES).join(", ")}`);
    }
    if (!available(format as Format)) {
      const formats = (Object.keys(FORMAT_FILES) as Format[]).filter(available);
      throw new UsageError(`--format: '${format}' is not available in this version; available: ${formats.join(", ")}`);
    }
  }
  return [...new Set(formats as Format[])];
}

export function parseFailOn(value: string | undefined): FailOn {
  const v = (value ?? "low").toLowerCase();
  if (!(FAIL_ON_VALUES as readonly string[]).includes(v)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON_VALUES.join(", ")}, not '${value}'`);
  }
  return v as FailOn;
}

export function parseLogWindow(value: string | undefined): number {
  const ms = parseDuration(value ?? "7d");
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`--log-window must be a duration such as 7d, 24h, P7D or PT24H, not '${value}'`);
  }
  if (ms > 730 * 86_400_000) throw new UsageError(`--log-window is at most 730 days, not '${value}'`);
  return ms;
}

export interface SearchWindow {
  logWindowMs: number;
  period?: { start: Date; end: Date; label: string };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The period to search for audit records: `--period YYYY-MM` (a calendar month in UTC; `previous-month` for the one
 * before the scan's), `--from`/`--to` (dates in
 * UTC, `--to` a whole day included; or instants with an offset), or else the last `--log-window`. A period that has
 * not begun is refused; one still running is cut at the scan's start by the collector.
 */
export function parseSearchWindow(
  args: {
    period?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    logWindow?: string | undefined;
  },
  now: Date,
): SearchWindow {
  const named = [args.period && "--period", (args.from || args.to) && "--from/--to", args.logWindow && "--log-window"];
  const given = named.filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} cannot be used together: choose one period`);
  let period: SearchWindow["period"];
  if (args.period !== undefined) {
    const m = MONTH.exec(monthOf(args.period, now));
    if (!m) {
      throw new UsageError(
        `--period must be a month as YYYY-MM (e.g. 2026-10) or ${PREVIOUS_MONTH}, not '${args.period}'`,
      );
    }
    const [year, month] = [Number(m[1]), Number(m[2])];
    period = {
      start: new Date(Date.UTC(year, month - 1, 1)),
      end: new Date(Date.UTC(year, month, 1)),
      label: `${m[1]}-${m[2]}`,
    };
  } else if (args.from !== undefined || args.to !== undefined) {
    if (args.from === undefined || args.to === undefined)
      throw new UsageError("--from and --to go together: give both");
    const start = instantOf("--from", args.from, false);
    const end = instantOf("--to", args.to, true);
    if (end <= start) throw new UsageError(`--to (${args.to}) must come after --from (${args.from})`);
    period = { start, end, label: `${args.from.trim()}/${args.to.trim()}` };
  }
  if (!period) return { logWindowMs: parseLogWindow(args.logWindow) };
  if (period.start >= now) {
    throw new UsageError(`the period ${period.label} has not begun yet (it starts ${period.start.toISOString()})`);
  }
  const spanMs = period.end.getTime() - period.start.getTime();
  if (spanMs > 730 * 86_400_000) throw new UsageError(`the period ${period.label} is longer than 730 days`);
  return { logWindowMs: spanMs, period };
}

/** The `--period` keyword for the calendar month before the scan's (UTC), as a monthly job asks for. */
export const PREVIOUS_MONTH = "previous-month";

/** Whether a period value is one `--period` takes: a month as YYYY-MM, or `previous-month`. */
export function isPeriodValue(value: string): boolean {
  const text = value.trim();
  return text === PREVIOUS_MONTH || MONTH.test(text);
}

/** `YYYY-MM` of a period value: the value itself, or the month before `now`'s for `previous-month`. */
export function monthOf(value: string, now: Date): string {
  const text = value.trim();
  if (text !== PREVIOUS_MONTH) return text;
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return previous.toISOString().slice(0, 7);
}

function instantOf(flag: string, value: string, endOfDay: boolean): Date {
  const text = value.trim();
  let date: Date | undefined;
  if (DATE_ONLY.test(text)) {
    date = new Date(`${text}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) !== text) date = undefined;
    else if (date && endOfDay) date = new Date(date.getTime() + 86_400_000);
  } else if (INSTANT.test(text)) {
    date = new Date(text);
  }
  if (!date || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `${flag} must be a date (YYYY-MM-DD, UTC${endOfDay ? ", the whole day included" : ""}) or an instant with its offset (2026-10-01T00:00:00Z), not '${value}'`,
    );
  }
  return date;
}

export const PAPER_SIZES = ["a4", "letter"] as const;
export type Paper = (typeof PAPER_SIZES)[number];

export function parsePaper(value: string | undefined): Paper {
  const v = (value ?? "a4").toLowerCase();
  if (!(PAPER_SIZES as readonly string[]).includes(v)) {
    throw new UsageError(`--paper must be one of ${PAPER_SIZES.join(", ")}, not '${value}'`);
  }
  return v as Paper;
}

export function parsePdfDetail(value: string | undefined): PdfDetail {
  const v = (value ?? "summary").toLowerCase();
  if (!(PDF_DETAILS as readonly string[]).includes(v)) {
    throw new UsageError(`--pdf-detail must be one of ${PDF_DETAILS.join(", ")}, not '${value}'`);
  }
  return v as PdfDetail;
}

export function parseSubscriptions(values: readonly string[] | undefined): string[] {
  const ids = (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!GUID.test(id)) throw new UsageError(`--subscription must be a subscription id (a GUID), not '${id}'`);
  }
  return ids;
}

/**
 * `--management-group`, repeatable (or the configuration's `managementGroups`): management group ids, each checked as
 * Azure checks it; a group given twice (Azure's ids ignore case) is scanned once.
 */
export function parseManagementGroups(values: string[] | undefined): string[] {
  const ids = new Map<string, string>();
  for (const value of values ?? []) {
    const id = value.trim();
    if (!isManagementGroupId(id)) {
      throw new UsageError(
        `--management-group must be a management group id (${MANAGEMENT_GROUP_ID_RULE}), not '${value}'`,
      );
    }
    if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
  }
  return [...ids.values()];
}

export function parseCloud(value: string | undefined): CloudName {
  const match = CLOUD_NAMES.find((c) => c.toLowerCase() === (value ?? "AzureCloud").toLowerCase());
  if (!match) throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(", ")}, not '${value}'`);
  return match;
}

export function parseEndpoint(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an https:// URL, not '${value}'`);
  }
  if (url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an https:// URL (Azure SDK clients never send a token over plain HTTP)`);
  }
  if (url.search || url.hash) throw new UsageError(`${flag} must not have a query or fragment`);
  if (flag === "--logs-endpoint" && /\/v1\/?$/.test(url.pathname)) {
    throw new UsageError(
      `--logs-endpoint is given without /v1 (the tool appends it): ${value.replace(/\/v1\/?$/, "")}`,
    );
  }
  return value.replace(/\/+$/, "");
}

/** `--inventory`: where the HSMs are listed from. */
export function parseInventory(value: string | undefined): InventorySource {
  if (value === undefined || value === "arm") return "arm";
  if (value === "resource-graph") return "resource-graph";
  throw new UsageError(`--inventory must be arm or resource-graph, not '${value}'`);
}

export function positiveInteger(
  flag: string,
  value: number | undefined,
  fallback: number,
  max: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

export { keepNegativeValues } from "./argv.js";

/**
 * The output directory must be one that can be written, checked before any network call: an existing directory, or
 * one that can be created (its nearest existing ancestor a writable directory in which a directory can be made:
 * checked by making and removing the first missing level, so that /proc or a read-only mount is refused now).
 */
export function checkOutDir(dir: string): string {
  const full = resolve(dir);
  let existing = full;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(`--out ${dir}: ${existing} exists and is not a directory`);
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${dir}: ${existing} is not writable`);
  }
  if (existing !== full) {
    const level = join(existing, relative(existing, full).split(sep)[0]!);
    try {
      mkdirSync(level);
      rmdirSync(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new UsageError(`--out ${dir}: cannot create a directory in ${existing} (${code}); choose another --out`);
    }
  }
  return full;
}

export function checkFileTarget(flag: string, file: string): string {
  const full = resolve(file);
  if (!existsSync(dirname(full)) || !statSync(dirname(full)).isDirectory()) {
    throw new UsageError(`${flag} ${file}: its directory ${dirname(full)} does not exist`);
  }
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`${flag} ${file} is a directory`);
  return full;
}

export function waiversFrom(file: string, rules: WaiverRules): Waiver[] {
  try {
    return loadWaiversFile(file, rules);
  } catch (error) {
    if (error instanceof WaiverError) throw new UsageError(`invalid waivers file: ${error.message}`);
    throw error;
  }
}

export { policiesFrom } from "./pack.js";

function readJson(flag: string, file: string): unknown {
  return readJsonFile(flag, file).value;
}

/** A JSON file's bytes as read and its value. */
function readJsonFile(flag: string, file: string): { bytes: Buffer; value: unknown } {
  let text: string;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
    text = bytes.toString("utf8");
  } catch (error) {
    throw new UsageError(
      `${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return { bytes, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? text.slice(0, Number(position[1])).split("\n").length : undefined;
    // Node quotes the text around the mistake, newlines and all: keep the reason only.
    const reason = message
      .split("\n")[0]!
      .replace(/, ".*$/, "")
      .slice(0, 200);
    throw new UsageError(`${file}${line ? `:${line}` : ""}: not valid JSON (${reason})`);
  }
}

export function loadSnapshot(file: string): Snapshot {
  return loadSnapshotFile(file).snapshot;
}

/** A saved snapshot with the bytes it was read from (a signed pack keeps those bytes). */
function loadSnapshotFile(file: string): { snapshot: Snapshot; bytes: Buffer } {
  const { value, bytes } = readJsonFile("--snapshot", file);
  const refusal = snapshotRefusal(value);
  if (refusal) throw new UsageError(`${file}: not an hsm-audit snapshot: ${refusal}`);
  return { snapshot: value as unknown as Snapshot, bytes };
}

/** Tamperings listed in the message of a refused snapshot; the rest are counted. */
const TAMPERINGS_SHOWN = 20;

/**
 * A saved snapshot, checked against its own evidence (src/azure/verify.ts) before anything is evaluated: a body that
 * does not hash to its record, or a fact that is not what its bodies say, refuses the snapshot (exit 2, naming the
 * record and the fact). A fact whose bodies were not kept comes back as an error of the snapshot, so that the findings
 * resting on it are errors, never passes.
 */
export function loadVerifiedSnapshot(file: string): Verification & { bytes: Buffer } {
  const { snapshot, bytes } = loadSnapshotFile(file);
  const verification = { ...verifySnapshot(snapshot), bytes };
  const { tampered } = verification;
  if (tampered.length > 0) {
    const lines = tampered
      .slice(0, TAMPERINGS_SHOWN)
      .map((t) => `  - evidence ${t.evidence}${t.fact === "evidence" ? "" : `, ${t.fact}`}: ${t.problem}`);
    if (tampered.length > TAMPERINGS_SHOWN) lines.push(`  - and ${tampered.length - TAMPERINGS_SHOWN} more`);
    throw new UsageError(
      `${file}: the snapshot does not match its own evidence (edited after the scan?); nothing was evaluated:\n${lines.join("\n")}\nEvaluate the snapshot as the scan saved it, or scan again.`,
    );
  }
  return verification;
}

export function loadResult(file: string): Result {
  const value = readJson("--result", file);
  if (!validateResult(value)) {
    throw new UsageError(`${file}: not an hsm-audit result.json: ${firstError(validateResult.errors)}`);
  }
  const problem = resultInconsistency(value as unknown as Result);
  if (problem) {
    throw new UsageError(`${file}: ${problem}: the file was edited or damaged, so it is not rendered`);
  }
  return value as unknown as Result;
}

/**
 * Colour on a terminal that can show it. `FORCE_COLOR` (as Node reads it: any value but `0` or `false`) turns it on
 * even in a pipe or CI log, and `FORCE_COLOR=0` off; otherwise `NO_COLOR` (any non-empty value) or `TERM=dumb` turn
 * it off.
 */
export function useColor(stream: Pick<NodeJS.WriteStream, "isTTY">, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

/**
 * The appliance evidence directory's index, checked before anything is read from Azure: a missing directory, a bad
 * `appliances.yaml` or a folder it names that is not there is a usage error with the file and the line.
 */
export function loadApplianceEvidence(effective: EffectiveConfig): ApplianceIndex | undefined {
  const { value, source } = effective.applianceEvidence;
  if (value === undefined) return undefined;
  try {
    return loadApplianceIndex(value);
  } catch (error) {
    if (!(error instanceof ApplianceIndexError)) throw error;
    if (error.file === resolve(value) && effective.config && source === effective.config.file) {
      const line = effective.config.lineOf(["applianceEvidence"]);
      throw new UsageError(
        `invalid configuration: ${effective.config.file}${line ? `:${line}` : ""}: applianceEvidence: ${value} ${error.reason}`,
      );
    }
    throw new UsageError(`--appliance-evidence: ${error.message}`);
  }
}

/**
 * The appliances to read over SSH (the configuration's `appliances`), their key files read now: a key that cannot be
 * read, an agent without `SSH_AUTH_SOCK`, or both ways of giving appliance evidence at once is a usage error.
 */
export function loadSshAppliances(effective: EffectiveConfig, env = process.env): SshAppliance[] | undefined {
  const entries = effective.appliances.value;
  const config = effective.config;
  if (entries.length === 0 || !config) return undefined;
  const at = (path: (string | number)[]) => `${config.file}${config.lineOf(path) ? `:${config.lineOf(path)}` : ""}`;
  if (effective.applianceEvidence.value !== undefined) {
    throw new UsageError(
      `invalid configuration: ${at(["appliances"])}: appliances (read over SSH) and applianceEvidence (saved transcripts) cannot both be given: choose one`,
    );
  }
  return entries.map((entry, i) => {
    let auth: SshAppliance["auth"];
    if (entry.agent) {
      const socket = env.SSH_AUTH_SOCK;
      if (!socket) {
        throw new UsageError(
          `invalid configuration: ${at(["appliances", i, "agent"])}: appliances.${i}.agent: SSH_AUTH_SOCK is not set`,
        );
      }
      auth = { agent: socket };
    } else {
      try {
        auth = { privateKey: readFileSync(entry.key!) };
      } catch (error) {
        throw new UsageError(
          `invalid configuration: ${at(["appliances", i, "key"])}: appliances.${i}.key: cannot read ${entry.key} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
      }
    }
    return {
      name: entry.name,
      ...(entry.resourceId !== undefined ? { resourceId: entry.resourceId } : {}),
      host: entry.host,
      ...(entry.port !== undefined ? { port: entry.port } : {}),
      hostKeySha256: entry.hostKey,
      ...(entry.users ? { users: entry.users } : {}),
      auth,
    };
  });
}
