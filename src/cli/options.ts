// Parsing and checking of the options several commands share. Every mistake is a UsageError (exit 2) raised before
// any network call or file write.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDuration } from "../util/duration.js";
import { FAIL_ON_VALUES, type FailOn, type Result } from "../model/result.js";
import { FORMAT_FILES, RENDERERS, type Format } from "../report/outputs.js";
import { CLOUD_NAMES, type CloudName } from "../azure/clouds.js";
import { loadPolicies, PolicyError, type Policy } from "../engine/policy.js";
import { loadWaiversFile, WaiverError, type Waiver, type WaiverRules } from "../engine/waivers.js";
import { UsageError } from "./errors.js";
import { firstError, validateResult, validateSnapshot } from "../model/schemas.js";
import type { Snapshot } from "../model/snapshot.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseFormats(values: readonly string[] | undefined): Format[] {
  const formats = (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  for (const format of formats) {
    if (!(format in FORMAT_FILES)) {
      throw new UsageError(`--format: unknown format '${format}'; formats are ${Object.keys(FORMAT_FILES).join(", ")}`);
    }
    if (!RENDERERS[format as Format]) {
      throw new UsageError(
        `--format: '${format}' is not available in this version; available: ${Object.keys(RENDERERS).join(", ")}`,
      );
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

export function positiveInteger(flag: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new UsageError(`${flag} must be a whole number from 0 to ${max}, not ${value}`);
  }
  return value;
}

/**
 * The output directory must be one that can be written, checked before any network call: an existing directory, or
 * one that can be created (its nearest existing ancestor a writable directory).
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

export function policiesFrom(dirs: readonly string[] | undefined): Policy[] {
  try {
    return loadPolicies([...(dirs ?? [])]);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(`invalid policy: ${error.message}`);
    throw error;
  }
}

function readJson(flag: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
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
  const value = readJson("--snapshot", file);
  if (!validateSnapshot(value)) {
    throw new UsageError(`${file}: not an hsm-audit snapshot: ${firstError(validateSnapshot.errors)}`);
  }
  return value as unknown as Snapshot;
}

export function loadResult(file: string): Result {
  const value = readJson("--result", file);
  if (!validateResult(value)) {
    throw new UsageError(`${file}: not an hsm-audit result.json: ${firstError(validateResult.errors)}`);
  }
  return value as unknown as Result;
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}
