// What a run is given, from the configuration file and the flags, checked before any network call: the effective
// configuration, the scan's own settings, the period searched, the outputs, the policies and the signing request.
import { UsageError } from "./errors.js";
import { formatIsoDuration } from "../util/duration.js";
import { shared } from "./shared.js";
import type { EffectiveConfig, Setting } from "./config.js";
import type { SearchWindow } from "./options.js";
import type { PackSigner } from "../pack/signer.js";
import type { SignRequest } from "../pack/pack.js";
import type { CloudName } from "../azure/clouds.js";

interface ScanArgs {
  "arm-endpoint"?: string;
  "logs-endpoint"?: string;
  "snapshot-out"?: string;
  concurrency?: number;
  inventory?: string;
  "arm-batch"?: boolean;
  "max-retries"?: number;
  timeout?: string;
  "appliance-evidence"?: string;
}

/** The scan's own flags, checked as a scan checks them; with each one's value and source for `config print`. */
export function scanSettings(args: ScanArgs, effective: EffectiveConfig) {
  const source = (value: unknown) => (value === undefined ? "default" : "flag");
  const timeout = args.timeout ?? "60s";
  const armEndpoint = shared.parseEndpoint("--arm-endpoint", args["arm-endpoint"]);
  const logsEndpoint = shared.parseEndpoint("--logs-endpoint", args["logs-endpoint"]);
  const snapshotOut = args["snapshot-out"] ? shared.checkFileTarget("--snapshot-out", args["snapshot-out"]) : undefined;
  if (effective.subscriptions.value.length > 0 && (effective.managementGroups.value ?? []).length > 0) {
    throw new UsageError(shared.SCOPE_CONFLICT("subscriptions and a management group cannot both be scanned"));
  }
  const options = {
    cloud: shared.parseCloud(effective.cloud.value),
    ...optional("armEndpoint", armEndpoint),
    ...optional("logsEndpoint", logsEndpoint),
    subscriptions: shared.parseSubscriptions(effective.subscriptions.value),
    managementGroups: shared.parseManagementGroups(effective.managementGroups.value ?? undefined),
    ...optional("snapshotOut", snapshotOut),
    concurrency: shared.positiveInteger("--concurrency", args.concurrency, 32, 256, 1),
    inventory: shared.parseInventory(args.inventory),
    armBatch: args["arm-batch"] !== false,
    maxRetries: shared.positiveInteger("--max-retries", args["max-retries"], 4, 10),
    timeoutMs: parseLogWindowLike("--timeout", timeout),
    ...optional("applianceEvidence", shared.loadApplianceEvidence(effective)),
    ...optional("applianceSsh", shared.loadSshAppliances(effective)),
  };
  const shown: Array<[string, Setting<unknown>]> = [
    ["inventory", { value: options.inventory, source: source(args.inventory) }],
    ["armBatch", { value: options.armBatch, source: source(args["arm-batch"]) }],
    ["concurrency", { value: options.concurrency, source: source(args.concurrency) }],
    ["maxRetries", { value: options.maxRetries, source: source(args["max-retries"]) }],
    ["timeout", { value: timeout, source: source(args.timeout) }],
    ["armEndpoint", { value: armEndpoint ?? shared.CLOUDS[options.cloud].armEndpoint, source: source(armEndpoint) }],
    [
      "logsEndpoint",
      { value: logsEndpoint ?? shared.CLOUDS[options.cloud].logsEndpoint, source: source(logsEndpoint) },
    ],
    ["snapshotOut", { value: snapshotOut, source: source(snapshotOut) }],
  ];
  return { options, shown };
}

/** The period searched, in words, for `config print`. */
export function searchedInWords(window: SearchWindow): string {
  if (!window.period) {
    const days = window.logWindowMs / 86_400_000;
    const span = Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : formatIsoDuration(window.logWindowMs);
    return `the last ${span} before the scan`;
  }
  const { label, start, end } = window.period;
  return `${label}: ${start.toISOString()} to ${end.toISOString()} (a period still running is cut at the scan's start)`;
}

/**
 * The period to search: --period or --from/--to when given (a --log-window flag beside them is a conflict; the
 * configuration file's log window gives way to them), else the log window of the flags, the file or the default.
 */
export function searchWindow(
  args: { "log-window"?: string; period?: string; from?: string; to?: string },
  effective: EffectiveConfig,
) {
  const named = args.period !== undefined || args.from !== undefined || args.to !== undefined;
  if (named) {
    return shared.parseSearchWindow(
      { logWindow: args["log-window"], period: args.period, from: args.from, to: args.to },
      new Date(),
    );
  }
  // The file's period applies unless a flag named the window (settings() then leaves it out).
  const period = effective.period.value;
  return shared.parseSearchWindow(
    typeof period === "string" ? { period } : { logWindow: effective.logWindow.value },
    new Date(),
  );
}

/** A --period, --from/--to or --log-window flag was given: the window is the flags', whatever the file says. */
function windowFlagged(args: { "log-window"?: string; period?: string; from?: string; to?: string }): boolean {
  return [args["log-window"], args.period, args.from, args.to].some((v) => v !== undefined);
}

interface OutputArgs {
  config?: string;
  policies?: string[];
  out?: string;
  format?: string[];
  "fail-on"?: string;
  waivers?: string;
  "fail-on-expired-waivers"?: boolean;
  subscription?: string[];
  "management-group"?: string[];
  cloud?: string;
  "log-window"?: string;
  period?: string;
  from?: string;
  to?: string;
  paper?: string;
  "pdf-detail"?: string;
  "clock-skew-tolerance"?: string;
  quiet?: boolean;
  "sarif-all"?: boolean;
  "sign-key"?: string;
  "timestamp-url"?: string;
  previous?: string;
}

/**
 * What `--sign-key` and `--previous` ask for, checked before any network call but the key's own: a PEM key is read
 * (a bad one is exit 2), a Key Vault or Managed HSM key is read from its service and checked (`remote`, where one may
 * be used: not in the demo), and the previous pack's manifest is hashed.
 */
export async function signRequest(
  args: OutputArgs,
  previousDir: string | undefined,
  options: { signer?: PackSigner; remote?: boolean; cloud?: string } = {},
): Promise<SignRequest | undefined> {
  const keyFile = args["sign-key"];
  const timestampUrl = args["timestamp-url"];
  if (keyFile === undefined && !options.signer) {
    if (timestampUrl !== undefined) {
      throw new UsageError("--timestamp-url timestamps the pack's signature: give --sign-key (or demo --sign) with it");
    }
    return undefined;
  }
  const tsa =
    timestampUrl !== undefined ? (await import("../pack/timestamp.js")).parseTimestampUrl(timestampUrl) : undefined;
  const [{ signerFor }, { previousManifestDigest }] = await Promise.all([
    import("../pack/signer.js"),
    import("../pack/previous.js"),
  ]);
  const previous = previousDir !== undefined ? previousManifestDigest(previousDir) : undefined;
  if (previousDir !== undefined && previous === undefined) {
    process.stderr.write(
      `hsm-audit: --previous ${previousDir} holds no signed manifest: this pack's manifest names no previous one\n`,
    );
  }
  const cloud = options.cloud !== undefined ? shared.parseCloud(options.cloud) : undefined;
  const signer =
    options.signer ??
    (await signerFor(keyFile!, options.remote ? async (url) => (await keyVault(url, cloud)).signer() : undefined));
  return { signer, ...(previous ? { previousManifestSha256: previous } : {}), ...(tsa ? { timestampUrl: tsa } : {}) };
}

/**
 * A Key Vault or Managed HSM key named by URL (src/pack/keyvault-signer.ts), through DefaultAzureCredential signed in
 * to the cloud the URL's host belongs to (or `--cloud`'s, which then must be the host's).
 */
export async function keyVault(url: string, cloud?: CloudName) {
  const [{ DefaultAzureCredential }, kv] = await Promise.all([
    import("@azure/identity"),
    import("../pack/keyvault-signer.js"),
  ]);
  const address = kv.parseKeyVaultKeyUrl(url, cloud);
  const authority = shared.CLOUDS[cloud ?? address.cloud ?? "AzureCloud"].authorityHost;
  const options = { credential: new DefaultAzureCredential({ authorityHost: authority }), ...(cloud ? { cloud } : {}) };
  return {
    signer: () => kv.keyVaultSigner(url, options),
    publicKey: () => kv.keyVaultPublicKey(url, options),
  };
}

/** The configuration file merged with the flags; nothing is read from Azure or written yet. */
export function settings(args: OutputArgs, defaultOut: string): EffectiveConfig {
  // `--no-config` (yargs' negation of --config) reads no file, not even the default one.
  if (args.subscription !== undefined && args["management-group"] !== undefined) {
    throw new UsageError(shared.SCOPE_CONFLICT("--subscription and --management-group cannot be used together"));
  }
  const config = (args.config as unknown) === false ? undefined : shared.loadConfig(args.config);
  return shared.effectiveConfig(
    config,
    {
      ...optional("subscriptions", args.subscription),
      ...optional("managementGroups", args["management-group"]),
      ...optional("cloud", args.cloud),
      ...optional("logWindow", args["log-window"]),
      ...optional("failOn", args["fail-on"]),
      ...optional("formats", args.format),
      ...optional("out", args.out),
      ...optional("previous", args.previous),
      ...optional("waivers", args.waivers),
      ...optional("failOnExpiredWaivers", args["fail-on-expired-waivers"]),
      ...optional("clockSkewTolerance", args["clock-skew-tolerance"]),
      ...optional("policies", args.policies),
      ...optional("period", args.period),
      ...optional("applianceEvidence", (args as { "appliance-evidence"?: string })["appliance-evidence"]),
      ...(windowFlagged(args) ? { searchWindow: true } : {}),
    },
    defaultOut,
  );
}

/**
 * Everything a command that writes a result needs, checked before any network call: the policies with the
 * configuration's params, the waivers (their expiry limit counted from `runTime`), the formats and the output dir.
 */
export function outputs(effective: EffectiveConfig, args: OutputArgs, runTime: number) {
  const policies = policiesOf(effective);
  const waiversFile = effective.waiversFile.value;
  return {
    policies,
    failOn: shared.parseFailOn(effective.failOn.value),
    formats: shared.parseFormats(effective.formats.value),
    outDir: shared.checkOutDir(effective.out.value),
    paper: shared.parsePaper(args.paper),
    pdfDetail: shared.parsePdfDetail(args["pdf-detail"]),
    color: shared.useColor(process.stdout),
    ...(args.quiet ? { quiet: true } : {}),
    ...(args["sarif-all"] ? { sarifAll: true } : {}),
    ...(waiversFile
      ? {
          waivers: shared.waiversFrom(waiversFile, {
            policyIds: new Set(policies.map((p) => p.id)),
            runTime,
            maxDays: effective.maxWaiverDays.value,
          }),
        }
      : {}),
    failOnExpiredWaivers: effective.failOnExpiredWaivers.value,
    exclude: effective.exclude.value,
    clockSkewToleranceMs: clockSkewToleranceOf(effective),
    ...(effective.previous.value !== undefined ? { previous: previousPack(effective.previous.value, runTime) } : {}),
  };
}

/**
 * `--previous DIR`, read and checked before anything is collected: a pack that is not valid, or that was run after
 * this run's time (the scan's start, or the evaluated snapshot's), is a usage error naming it.
 */
function previousPack(dir: string, runTime: number) {
  const pack = shared.loadPreviousPack(dir);
  shared.checkOrder(
    { label: `--previous ${pack.file}`, startedAt: pack.result.startedAt },
    { label: "this run", startedAt: new Date(runTime).toISOString() },
  );
  return pack;
}

/** The built-in policies, the user's (flag or file) and the file's params; a bad folder the file names is its line. */
export function policiesOf(effective: EffectiveConfig) {
  const { value: dirs, source } = effective.policies;
  const config = effective.config;
  let policies;
  try {
    policies = shared.policiesFrom(dirs);
  } catch (error) {
    if (!(error instanceof UsageError) || !config || source !== config.file) throw error;
    throw new UsageError(
      `invalid configuration: ${config.file}:${config.lineOf(["policies"]) ?? 1}: policies: ${error.message.replace(/^invalid policy: /, "")}`,
    );
  }
  return shared.applyConfigParams(policies, config);
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

/** The tolerance of the flag, the file or the default, in milliseconds; a bad flag is a usage error. */
export function clockSkewToleranceOf(effective: EffectiveConfig): number {
  const setting = effective.clockSkewTolerance;
  const ms = shared.parseClockSkewTolerance(setting.value);
  if (ms === undefined)
    throw new UsageError(`--clock-skew-tolerance ${shared.CLOCK_SKEW_TOLERANCE_RULE}, not '${setting.value}'`);
  return ms;
}

function parseLogWindowLike(flag: string, value: string): number {
  try {
    return shared.parseLogWindow(value);
  } catch {
    throw new UsageError(`${flag} must be a duration such as 60s or 2m, not '${value}'`);
  }
}
