// The configuration file (`--config FILE`, or `hsm-audit.config.yaml` in the working directory when present), merged
// with the flags: a flag that was given beats the file, the file beats the default. Every mistake is a UsageError
// naming the file and the line. Paths in the file are relative to the file's directory.
import { normaliseIp } from "../domain/appliance-match.js";
import { GUID_PATTERN } from "../domain/guid.js";
import { idKey } from "../domain/ids.js";
import { MANAGEMENT_GROUP_ID_PATTERN, MANAGEMENT_GROUP_ID_RULE } from "../domain/management-groups.js";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ErrorObject } from "ajv";
import { schemaValidator } from "../util/schema-validator.js";
import { stringify } from "yaml";
import { CLOUD_NAMES, type CloudName } from "../azure/clouds.js";
import { describe, parseYamlFile, pathOf, withParams, type Policy } from "../engine/policy.js";
import { DEFAULT_MAX_WAIVER_DAYS } from "../engine/waivers.js";
import { FAIL_ON_VALUES, type FailOn } from "../model/result.js";
import { FORMAT_FILES, RENDERERS, type Format } from "../report/outputs.js";
import { parseDuration } from "../util/duration.js";
import { UsageError } from "./errors.js";
import { isPeriodValue, PREVIOUS_MONTH } from "./options.js";
import { readYamlText } from "../util/yaml.js";

export const DEFAULT_CONFIG_FILE = "hsm-audit.config.yaml";

export interface ConfigFile {
  subscriptions?: string[];
  /** Management groups to scan (the union of their subscriptions at every depth), instead of `subscriptions`. */
  managementGroups?: string[];
  cloud?: string;
  exclude?: string[];
  /** Params per policy id, merged over the policy's own. */
  params?: Record<string, Record<string, unknown>>;
  logWindow?: string;
  failOn?: string;
  formats?: string[];
  out?: string;
  /** Last month's pack (a directory, relative to the file), as `--previous`. */
  previous?: string;
  waivers?: { file?: string; maxDays?: number; failOnExpired?: boolean };
  /** The largest disagreement between the services' clock and the scanner's that is tolerated (default 5m). */
  clockSkewTolerance?: string;
  /** The calendar month to report on (YYYY-MM, or `previous-month`), instead of the last `logWindow`. */
  period?: string;
  /** Directories of user policies, added to the built-in ones (relative to the file). */
  policies?: string[];
  /** A directory of saved LunaSH transcripts of the Dedicated HSMs' appliances (relative to the file). */
  applianceEvidence?: string;
  /** Luna appliances to read over SSH (LunaSH), each the inside of a Dedicated HSM. */
  appliances?: ApplianceConfig[];
}

/** A Luna appliance read over SSH: where it is, its pinned host key, its logins and how to authenticate (no password). */
export interface ApplianceConfig {
  name: string;
  /** The Dedicated HSM's ARM id; without it, the HSM whose private IP is `host` (then an IP address). */
  resourceId?: string;
  host: string;
  port?: number;
  /** `SHA256:<base64>`, as `ssh-keygen -lf <host key>.pub` prints it. */
  hostKey: string;
  users?: { audit?: string; admin?: string };
  /** A private key file (relative to the configuration file). */
  key?: string;
  /** Authenticate through the SSH agent (`SSH_AUTH_SOCK`). */
  agent?: boolean;
}

const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    subscriptions: {
      type: "array",
      items: { type: "string", pattern: GUID_PATTERN },
    },
    managementGroups: {
      type: "array",
      minItems: 1,
      items: { type: "string", pattern: MANAGEMENT_GROUP_ID_PATTERN },
    },
    cloud: { enum: [...CLOUD_NAMES] },
    exclude: { type: "array", items: { type: "string", pattern: "^/" } },
    params: { type: "object", additionalProperties: { type: "object" } },
    logWindow: { type: "string", minLength: 1 },
    clockSkewTolerance: { type: "string", minLength: 1 },
    period: { type: "string", minLength: 1 },
    policies: { type: "array", items: { type: "string", minLength: 1 } },
    applianceEvidence: { type: "string", minLength: 1 },
    appliances: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "host", "hostKey"],
        properties: {
          name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" },
          resourceId: {
            type: "string",
            pattern:
              "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.HardwareSecurityModules/dedicatedHSMs/[^/]+$",
          },
          host: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$" },
          port: { type: "integer", minimum: 1, maximum: 65535 },
          hostKey: { type: "string", pattern: "^SHA256:[A-Za-z0-9+/]{43}$" },
          users: {
            type: "object",
            additionalProperties: false,
            properties: { audit: { type: "string", minLength: 1 }, admin: { type: "string", minLength: 1 } },
          },
          key: { type: "string", minLength: 1 },
          agent: { type: "boolean" },
        },
      },
    },
    failOn: { enum: [...FAIL_ON_VALUES] },
    formats: { type: "array", items: { enum: Object.keys(FORMAT_FILES) } },
    out: { type: "string", minLength: 1 },
    previous: { type: "string", minLength: 1 },
    waivers: {
      type: "object",
      additionalProperties: false,
      properties: {
        file: { type: "string", minLength: 1 },
        maxDays: { type: "integer", minimum: 1, maximum: 3650 },
        failOnExpired: { type: "boolean" },
      },
    },
  },
} as const;
const validateConfig = schemaValidator("config", CONFIG_SCHEMA, { strict: false, allErrors: false });

export interface LoadedConfig {
  file: string;
  values: ConfigFile;
  lineOf: (path: (string | number)[]) => number | undefined;
}

/** The configuration file named by `--config`, or the default one in `cwd` when present; undefined when none. */
export function loadConfig(flag: string | undefined, cwd = process.cwd()): LoadedConfig | undefined {
  const file = flag !== undefined ? resolve(cwd, flag) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (flag === undefined && !existsSync(file)) return undefined;
  const fail = (line: number | undefined, reason: string) =>
    new UsageError(`invalid configuration: ${file}${line ? `:${line}` : ""}: ${reason}`);
  const text = readYamlText(file, (_f, line, reason) =>
    reason.startsWith("cannot read") ? new UsageError(`--config ${flag ?? file}: ${reason}`) : fail(line, reason),
  );
  const { value, lineOf } = parseYamlFile(text, file, (_f, line, reason) => fail(line, reason));
  const values = (value ?? {}) as unknown;
  if (typeof values !== "object" || Array.isArray(values)) {
    throw fail(lineOf([]), "must be a mapping of settings (subscriptions, failOn, formats, ...)");
  }
  if (!validateConfig(values)) {
    const error = validateConfig.errors![0]!;
    const path = pathOf(error);
    let reason = describe(error, "");
    if (error.keyword === "pattern" && path[0] === "subscriptions")
      reason = `${path.join(".")}: must be a subscription id (a GUID)`;
    if (error.keyword === "pattern" && path[0] === "managementGroups")
      reason = `${path.join(".")}: must be a management group id (${MANAGEMENT_GROUP_ID_RULE})`;
    if (error.keyword === "pattern" && path[0] === "exclude")
      reason = `${path.join(".")}: must be an ARM id or a pattern of one, starting with '/'`;
    if (path[0] === "appliances") reason = applianceReason(error, path, reason);
    throw fail(lineOf(path), reason);
  }
  const config = values as ConfigFile;
  if (config.managementGroups !== undefined && (config.subscriptions ?? []).length > 0) {
    throw fail(lineOf(["managementGroups"]), SCOPE_CONFLICT("subscriptions and managementGroups cannot both be set"));
  }
  const namedBy = new Map<string, number>();
  for (const [i, appliance] of (config.appliances ?? []).entries()) {
    if (appliance.resourceId !== undefined) {
      const earlier = namedBy.get(idKey(appliance.resourceId));
      if (earlier !== undefined) {
        throw fail(
          lineOf(["appliances", i, "resourceId"]),
          `appliances.${i}.resourceId: the same Dedicated HSM as appliances.${earlier}; one HSM has one appliance`,
        );
      }
      namedBy.set(idKey(appliance.resourceId), i);
    }
    if (appliance.resourceId === undefined && normaliseIp(appliance.host) === undefined) {
      throw fail(
        lineOf(["appliances", i, "host"]),
        `appliances.${i}.host: without resourceId, the appliance is matched to the Dedicated HSM whose private IP it is, so host must be an IP address (not '${appliance.host}'); or give resourceId`,
      );
    }
    if ((appliance.key === undefined) === (appliance.agent !== true)) {
      throw fail(
        lineOf(["appliances", i]),
        `appliances.${i}: give either key (a private key file) or agent: true (the SSH agent); a password is never read from a file`,
      );
    }
  }
  if (config.logWindow !== undefined && !validWindow(config.logWindow)) {
    throw fail(
      lineOf(["logWindow"]),
      `logWindow: must be a duration such as 7d, 24h, P7D or PT24H (at most 730 days), not '${config.logWindow}'`,
    );
  }
  if (config.clockSkewTolerance !== undefined && parseClockSkewTolerance(config.clockSkewTolerance) === undefined) {
    throw fail(
      lineOf(["clockSkewTolerance"]),
      `clockSkewTolerance: ${CLOCK_SKEW_TOLERANCE_RULE}, not '${config.clockSkewTolerance}'`,
    );
  }
  if (config.period !== undefined && !isPeriodValue(config.period)) {
    throw fail(
      lineOf(["period"]),
      `period: must be a month as YYYY-MM (e.g. 2026-10) or ${PREVIOUS_MONTH}, not '${config.period}'`,
    );
  }
  if (config.period !== undefined && config.logWindow !== undefined) {
    throw fail(
      lineOf(["period"]),
      "period and logWindow cannot both be set: keep period for a monthly report, logWindow for the last days",
    );
  }
  for (const [i, format] of (config.formats ?? []).entries()) {
    if (!RENDERERS[format as Format]) {
      throw fail(
        lineOf(["formats", i]),
        `formats.${i}: '${format}' is not available in this version; available: ${Object.keys(RENDERERS).join(", ")}`,
      );
    }
  }
  return { file, values: config, lineOf };
}

/** Why a scan takes subscriptions or a management group, never both (a usage error, exit 2). */
export const SCOPE_CONFLICT = (what: string): string =>
  `${what}: a scan covers the subscriptions named, or every subscription under the management groups named; choose one`;

/** The words for a mistake in an `appliances` entry. */
function applianceReason(error: ErrorObject, path: (string | number)[], reason: string): string {
  const at = path.join(".");
  const field = path[path.length - 1];
  if (error.keyword === "additionalProperties" && /pass(word|phrase)/i.test(String(error.params.additionalProperty))) {
    return `${at}: a password is never read from the configuration; use key (a private key file) or agent: true`;
  }
  if (error.keyword !== "pattern") return reason;
  if (field === "resourceId")
    return `${at}: must be the ARM id of a Dedicated HSM (.../providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/<name>)`;
  if (field === "hostKey")
    return `${at}: must be the host key's SHA-256 fingerprint as ssh-keygen -lf prints it (SHA256:<43 base64 characters>)`;
  if (field === "host") return `${at}: must be a host name or an address`;
  if (field === "name") return `${at}: must be letters, digits, '.', '_' or '-'`;
  return reason;
}

/** What a clock skew tolerance may be. */
export const CLOCK_SKEW_TOLERANCE_RULE = "must be a duration such as 5m, 90s or PT5M (at most 1d)";

/** The tolerance in milliseconds, or undefined when the text is not one (0 tolerates no disagreement at all). */
export function parseClockSkewTolerance(value: string): number | undefined {
  const ms = parseDuration(value);
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 && ms <= 86_400_000 ? ms : undefined;
}

function validWindow(value: string): boolean {
  const ms = parseDuration(value);
  return ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= 730 * 86_400_000;
}

/** The policies with the configuration's params merged in; an unknown policy id or a bad param names its line. */
export function applyConfigParams(policies: Policy[], config: LoadedConfig | undefined): Policy[] {
  const params = config?.values.params;
  if (!config || !params) return policies;
  const byId = new Map(policies.map((p) => [p.id, p]));
  for (const [id, overrides] of Object.entries(params)) {
    const policy = byId.get(id);
    if (!policy) {
      throw new UsageError(
        `invalid configuration: ${config.file}:${config.lineOf(["params", id]) ?? 1}: params: no policy '${id}' (hsm-audit policies list)`,
      );
    }
    const merged = withParams(policy, overrides);
    if ("path" in merged) {
      const line = config.lineOf(["params", id, ...merged.path]);
      const at = ["params", id, ...merged.path].join(".");
      throw new UsageError(
        `invalid configuration: ${config.file}:${line ?? 1}: ${at}: ${merged.reason.replace(/^[^:]*: /, "")}`,
      );
    }
    byId.set(id, merged.policy);
  }
  return policies.map((p) => byId.get(p.id)!);
}

/** A setting's value and where it came from: `flag`, the configuration file's path, or `default`. */
export interface Setting<T> {
  value: T;
  source: string;
}

/** Flag if given, else the file's value if set, else the default. */
export function pick<T>(flag: T | undefined, file: T | undefined, fallback: T, config?: LoadedConfig): Setting<T> {
  if (flag !== undefined) return { value: flag, source: "flag" };
  if (file !== undefined && config) return { value: file, source: config.file };
  return { value: fallback, source: "default" };
}

export interface EffectiveConfig {
  config: LoadedConfig | undefined;
  subscriptions: Setting<string[]>;
  /** The management groups to scan; null when a --subscription flag replaced the file's. */
  managementGroups: Setting<string[] | null | undefined>;
  cloud: Setting<CloudName>;
  exclude: Setting<string[]>;
  params: Setting<Record<string, Record<string, unknown>>>;
  logWindow: Setting<string>;
  failOn: Setting<FailOn>;
  formats: Setting<string[]>;
  out: Setting<string>;
  /** Last month's pack (`--previous`; absolute when it came from the file). */
  previous: Setting<string | undefined>;
  waiversFile: Setting<string | undefined>;
  maxWaiverDays: Setting<number>;
  failOnExpiredWaivers: Setting<boolean>;
  clockSkewTolerance: Setting<string>;
  /** The file's period (a flag's period, --from/--to or --log-window beats it). */
  period: Setting<string | null | undefined>;
  /** Directories of user policies, absolute. */
  policies: Setting<string[]>;
  /** The directory of appliance transcripts (absolute when it came from the file). */
  applianceEvidence: Setting<string | undefined>;
  /** Appliances read over SSH (key paths absolute). */
  appliances: Setting<ApplianceConfig[]>;
}

export interface ConfigFlags {
  subscriptions?: string[];
  managementGroups?: string[];
  cloud?: string;
  logWindow?: string;
  failOn?: string;
  formats?: string[];
  out?: string;
  previous?: string;
  waivers?: string;
  failOnExpiredWaivers?: boolean;
  clockSkewTolerance?: string;
  /** A --period, --from/--to or --log-window flag was given: the file's period and log window give way. */
  searchWindow?: boolean;
  period?: string;
  policies?: string[];
  applianceEvidence?: string;
}

/** Merges flags, file and defaults; file paths become absolute (relative to the configuration file). */
export function effectiveConfig(
  config: LoadedConfig | undefined,
  flags: ConfigFlags,
  defaultOut: string,
): EffectiveConfig {
  const file = config?.values ?? {};
  const fromFile = (path: string | undefined) =>
    path === undefined || !config ? undefined : resolve(dirname(config.file), path);
  const cloud = pick(flags.cloud, file.cloud, "AzureCloud", config);
  return {
    config,
    // The scope is one setting in two keys: a --subscription or --management-group flag replaces the file's scope,
    // whichever key the file used (as a window flag replaces the file's period).
    subscriptions: pick(
      flags.subscriptions ?? (flags.managementGroups !== undefined ? [] : undefined),
      file.subscriptions,
      [],
      config,
    ),
    managementGroups: pick(
      flags.managementGroups ?? (flags.subscriptions !== undefined ? null : undefined),
      file.managementGroups,
      undefined,
      config,
    ),
    cloud: { ...cloud, value: cloud.value as CloudName },
    exclude: pick(undefined, file.exclude, [], config),
    params: pick(undefined, file.params, {}, config),
    logWindow: pick(flags.logWindow, file.logWindow, "7d", config),
    failOn: pick(flags.failOn as FailOn | undefined, file.failOn as FailOn | undefined, "low", config),
    formats: pick(flags.formats, file.formats, [], config),
    out: pick(flags.out, fromFile(file.out), defaultOut, config),
    previous: pick(flags.previous, fromFile(file.previous), undefined, config),
    waiversFile: pick(flags.waivers, fromFile(file.waivers?.file), undefined, config),
    maxWaiverDays: pick(undefined, file.waivers?.maxDays, DEFAULT_MAX_WAIVER_DAYS, config),
    failOnExpiredWaivers: pick(flags.failOnExpiredWaivers, file.waivers?.failOnExpired, false, config),
    clockSkewTolerance: pick(flags.clockSkewTolerance, file.clockSkewTolerance, "5m", config),
    // A window flag (--period, --from/--to, --log-window) replaces the file's period.
    period: pick(flags.period ?? (flags.searchWindow ? null : undefined), file.period, undefined, config),
    policies: pick(
      flags.policies,
      file.policies?.map((dir) => fromFile(dir)!),
      [],
      config,
    ),
    applianceEvidence: pick(flags.applianceEvidence, fromFile(file.applianceEvidence), undefined, config),
    appliances: pick(
      undefined,
      file.appliances?.map((a) => ({ ...a, ...(a.key !== undefined ? { key: fromFile(a.key)! } : {}) })),
      [],
      config,
    ),
  };
}

/** What `config print` adds beside the file's settings: the period searched and the scan's own flags. */
export interface PrintExtras {
  /** The period searched, in words (e.g. "2026-10: 2026-10-01T00:00:00.000Z to 2026-11-01T00:00:00.000Z"). */
  searched?: string;
  /** Settings only flags can give (inventory, concurrency, ...), each with its source. */
  scan?: Array<[string, Setting<unknown>]>;
  /** The working directory a relative path given by a flag or the default resolves against. */
  cwd?: string;
}

/** `hsm-audit config print`: the effective configuration as YAML, each setting preceded by where it came from. */
export function printableConfig(effective: EffectiveConfig, extras: PrintExtras = {}): string {
  const cwd = extras.cwd ?? process.cwd();
  const lines = [
    "# hsm-audit: effective configuration (a flag beats the configuration file, the file beats the default)",
    `# configuration file: ${effective.config?.file ?? `none (no --config, no ${DEFAULT_CONFIG_FILE} here)`}`,
  ];
  const outFrom =
    effective.out.source === "flag" || effective.out.source === "default"
      ? `a relative path is resolved against the working directory, ${cwd}`
      : "resolved against the configuration file's folder";
  const scopeGivenBy = (flag: string) => `${flag} given: the configuration file's scope gives way`;
  const settings: Array<[string, Setting<unknown>, string?]> = [
    [
      "subscriptions",
      effective.subscriptions,
      effective.subscriptions.source === "flag" && effective.managementGroups.value
        ? scopeGivenBy("--management-group")
        : undefined,
    ],
    [
      "managementGroups",
      { ...effective.managementGroups, value: effective.managementGroups.value ?? null },
      effective.managementGroups.source === "flag" && effective.managementGroups.value === null
        ? scopeGivenBy("--subscription")
        : undefined,
    ],
    ["cloud", effective.cloud],
    ["exclude", effective.exclude],
    ["params", effective.params],
    ["policies", effective.policies],
    ["applianceEvidence", { ...effective.applianceEvidence, value: effective.applianceEvidence.value ?? null }],
    ["appliances", effective.appliances],
    ["logWindow", effective.logWindow],
    ["period", { ...effective.period, value: effective.period.value ?? null }],
    ["clockSkewTolerance", effective.clockSkewTolerance],
    ["failOn", effective.failOn],
    ["formats", effective.formats],
    ["out", effective.out, outFrom],
    ["previous", { ...effective.previous, value: effective.previous.value ?? null }],
  ];
  for (const [key, setting, note] of settings) {
    lines.push(`# ${key}: ${setting.source}${note ? ` (${note})` : ""}`, stringify({ [key]: setting.value }).trimEnd());
  }
  if (extras.searched) lines.push(`# searched for audit records: ${extras.searched}`);
  const waivers = {
    file: effective.waiversFile.value ?? null,
    maxDays: effective.maxWaiverDays.value,
    failOnExpired: effective.failOnExpiredWaivers.value,
  };
  lines.push(
    `# waivers.file: ${effective.waiversFile.source}; waivers.maxDays: ${effective.maxWaiverDays.source}; waivers.failOnExpired: ${effective.failOnExpiredWaivers.source}`,
    stringify({ waivers }).trimEnd(),
  );
  if (extras.scan?.length) {
    const scan = Object.fromEntries(extras.scan.map(([key, setting]) => [key, setting.value ?? null]));
    lines.push(
      `# scan (flags only): ${extras.scan.map(([key, setting]) => `${key}: ${setting.source}`).join("; ")}`,
      stringify({ scan }).trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}
