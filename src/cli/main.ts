// The command line: declares commands and maps errors to exit codes. The only place that reads argv.
import yargs, { type Argv } from "yargs";
// Each command's module is loaded when it runs: `--help` or `render` never loads the Azure SDK, a scan never loads
// the simulator.
const commands = {
  scan: () => import("./commands/scan.js"),
  demo: () => import("./commands/demo.js"),
  render: () => import("./commands/render.js"),
  simulate: () => import("./commands/simulate.js"),
  policies: () => import("./commands/policies.js"),
  verify: () => import("./commands/verify.js"),
  diff: () => import("./commands/diff.js"),
};
import { SetupError, UsageError } from "./errors.js";
import { terminalProgress } from "./progress.js";
import { guardStdout } from "./output.js";
import { keepNegativeValues } from "./argv.js";
import { FAIL_ON_VALUES } from "../model/result.js";
import { formatIsoDuration } from "../util/duration.js";
import type { EffectiveConfig, Setting } from "./config.js";
import type { SearchWindow } from "./options.js";
import type { PackSigner } from "../pack/signer.js";
import type { SignRequest } from "../pack/pack.js";
import type { CloudName } from "../azure/clouds.js";

/**
 * What the commands that read or write results need: the configuration, the option checks, the formats and the
 * clouds. Loaded before parsing for every command but `policies` (and for none when no command is named: the
 * top-level --help), so that listing policies loads none of it.
 */
async function loadShared() {
  const [config, options, outputs, clouds, previous] = await Promise.all([
    import("./config.js"),
    import("./options.js"),
    import("../report/outputs.js"),
    import("../azure/clouds.js"),
    import("./previous.js"),
  ]);
  return {
    ...config,
    ...options,
    loadPreviousPack: previous.loadPreviousPack,
    checkOrder: previous.checkOrder,
    CLOUD_NAMES: clouds.CLOUD_NAMES,
    CLOUDS: clouds.CLOUDS,
    FORMATS: Object.keys(outputs.FORMAT_FILES).join(","),
  };
}
let shared: Awaited<ReturnType<typeof loadShared>>;

/**
 * Options of every command that evaluates policies and writes a result. Those the configuration file can also set
 * have no yargs default, so that a flag left out is told apart from one given with the default's value.
 */
function outputOptions<T>(y: Argv<T>, defaultOut: string) {
  return y
    .option("config", {
      type: "string",
      describe: `Configuration file (YAML); default ${shared.DEFAULT_CONFIG_FILE} in the working directory when present; --no-config reads none`,
    })
    .option("policies", {
      type: "string",
      array: true,
      describe: "Directory of user policies (YAML), added to the built-in ones; repeatable",
    })
    .option("out", {
      type: "string",
      describe: `Output directory; result.json is always written (default ${defaultOut})`,
    })
    .option("format", { type: "string", array: true, describe: `Extra formats, comma-separated (${shared.FORMATS})` })
    .option("fail-on", {
      type: "string",
      describe: `Lowest severity of a failing finding that makes the exit code 1 (${FAIL_ON_VALUES.join("|")}; default low)`,
    })
    .option("waivers", {
      type: "string",
      describe: "Waivers file (YAML): accepted failures with an owner and an expiry",
    })
    .option("fail-on-expired-waivers", {
      type: "boolean",
      describe: "Exit 1 when a waiver of the waivers file has expired",
    })
    .option("paper", { type: "string", describe: "Paper size of report.pdf (a4|letter; default a4)" })
    .option("pdf-detail", {
      type: "string",
      describe:
        "report.pdf's layout: summary (every HSM's verdict in one table, then the findings that need attention) or full (a section of every HSM; default summary)",
    })
    .option("clock-skew-tolerance", {
      type: "string",
      describe:
        "Largest disagreement between the services' clock (their Date headers) and this machine's before every finding that depends on the log window is an error (default 5m)",
    })
    .option("quiet", { type: "boolean", alias: "q", describe: "Print the verdict and the counts only" })
    .option("sarif-all", {
      type: "boolean",
      describe: "results.sarif: also the failures below --fail-on (for review), left out by default",
    })
    .option("sign-key", {
      type: "string",
      describe:
        "Sign the evidence pack with this PEM private key (ECDSA P-256 or Ed25519), or a Key Vault / Managed HSM key URL (scan, evaluate): adds snapshot.json, evaluation.json and manifest.sigstore.json (docs/evidence-pack.md)",
    })
    .option("timestamp-url", {
      type: "string",
      describe:
        "With --sign-key: ask this RFC 3161 time-stamp authority (http or https) to timestamp the pack's signature; only the signature's SHA-256 is sent (docs/evidence-pack.md)",
    })
    .option("previous", {
      type: "string",
      describe:
        "Last month's pack (the directory its run wrote with --out): the reports open with the changes since, result.json gets `changes`, results.sarif a baselineState; a signed pack's manifest names the previous manifest's SHA-256",
    });
}

/** The period searched for audit records, shared by scan and demo. */
function periodOptions<T>(y: Argv<T>) {
  return y
    .option("log-window", {
      type: "string",
      describe: "How far back to look for audit records (7d, 24h, P7D, PT24H; default 7d)",
    })
    .option("period", { type: "string", describe: "A calendar month in UTC to report on, as YYYY-MM (e.g. 2026-10)" })
    .option("from", { type: "string", describe: "Start of the period (YYYY-MM-DD in UTC, or an instant with offset)" })
    .option("to", {
      type: "string",
      describe: "End of the period (YYYY-MM-DD, that whole day included, or an instant)",
    });
}

/** Options only `scan` takes (and `config print`, to show what they would be). None is in the configuration file but
 * subscription and cloud, so none has a yargs default: a flag left out is told apart from one given. */
function scanOptions<T>(y: Argv<T>) {
  return y
    .option("subscription", {
      type: "string",
      array: true,
      describe: "Subscription id to scan; repeatable (default: every subscription the credential can list)",
    })
    .option("management-group", {
      type: "string",
      array: true,
      describe:
        "Management group id to scan: every subscription under it, nested groups included; repeatable, each subscription scanned once (not with --subscription)",
    })
    .option("cloud", {
      type: "string",
      describe: `Azure cloud (${shared.CLOUD_NAMES.join("|")}; default AzureCloud)`,
    })
    .option("arm-endpoint", { type: "string", describe: "ARM endpoint URL (overrides the cloud's)" })
    .option("logs-endpoint", {
      type: "string",
      describe: "Log Analytics endpoint URL, without /v1 (overrides the cloud's)",
    })
    .option("snapshot-out", {
      type: "string",
      describe: "Also save the collected snapshot (JSON) to this file",
    })
    .option("concurrency", {
      type: "number",
      describe: "Azure requests in flight at once, all services together (default 32)",
    })
    .option("inventory", {
      type: "string",
      describe:
        "How HSMs are listed: arm (each subscription's lists, the default) or resource-graph (one tenant-wide Azure Resource Graph query; falls back to arm when it cannot be used)",
    })
    .option("arm-batch", {
      type: "boolean",
      describe:
        "Read diagnostic settings and provider states 20 at a time through ARM's batch API (default; --no-arm-batch: one call each)",
    })
    .option("appliance-evidence", {
      type: "string",
      describe:
        "Directory of saved LunaSH transcripts of the Dedicated HSMs' Luna appliances (appliances.yaml and one folder each; docs/appliance-evidence.md)",
    })
    .option("max-retries", { type: "number", describe: "Retries of a throttled or failed request (default 4)" })
    .option("timeout", { type: "string", describe: "Time allowed for each request (e.g. 60s; default 60s)" });
}

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
function scanSettings(args: ScanArgs, effective: EffectiveConfig) {
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
function searchedInWords(window: SearchWindow): string {
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
function searchWindow(
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

/** Progress on stderr, on a terminal only: CI logs and pipes get the summary alone. */
const progress = process.stderr.isTTY ? terminalProgress(process.stderr) : undefined;

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
async function signRequest(
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
async function keyVault(url: string, cloud?: CloudName) {
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
function settings(args: OutputArgs, defaultOut: string): EffectiveConfig {
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
function outputs(effective: EffectiveConfig, args: OutputArgs, runTime: number) {
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

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  guardStdout();
  try {
    const args = keepNegativeValues(argv);
    const command = args.find((a) => !a.startsWith("-"));
    if (command !== undefined && command !== "policies") shared = await loadShared();
    await yargs(args)
      .scriptName("hsm-audit")
      .usage("$0 <command> [options]")
      .command(
        "scan",
        "Scan Azure: every HSM the credential can see, every built-in policy; writes result.json",
        (y) => scanOptions(periodOptions(outputOptions(y, "hsm-audit-results"))),
        async (args) => {
          const effective = settings(args, "hsm-audit-results");
          const common = outputs(effective, args, Date.now());
          const sign = await signRequest(args, effective.previous.value, {
            remote: true,
            cloud: effective.cloud.value,
          });
          const { scan } = await commands.scan();
          const { code } = await scan({
            ...common,
            ...optional("sign", sign),
            ...scanSettings(args, effective).options,
            ...searchWindow(args, effective),
            ...optional("progress", progress),
          });
          exitCode = code;
        },
      )
      .command(
        "evaluate",
        "Evaluate a saved snapshot offline (no network); writes result.json",
        (y) =>
          outputOptions(y, "hsm-audit-results").option("snapshot", {
            type: "string",
            demandOption: true,
            describe: "Snapshot file written by scan --snapshot-out",
          }),
        async (args) => {
          const effective = settings(args, "hsm-audit-results");
          const sign = await signRequest(args, effective.previous.value, { remote: true });
          const { snapshot, unverifiable, bytes } = shared.loadVerifiedSnapshot(args.snapshot);
          // The run's time is the snapshot's: a waiver's limit is counted from when the estate was read.
          const { report } = await commands.scan();
          const common = outputs(effective, args, Date.parse(snapshot.startedAt));
          // A signed pack keeps the snapshot file's bytes as read: the evidence the manifest vouches for.
          exitCode = (
            await report(
              snapshot,
              { ...common, snapshotFile: args.snapshot, ...optional("sign", sign) },
              sign ? bytes : undefined,
            )
          ).code;
          for (const u of unverifiable) process.stderr.write(`hsm-audit: ${u.reason}\n`);
        },
      )
      .command(
        "render",
        "Render a saved result.json in other formats",
        (y) =>
          y
            .option("result", {
              type: "string",
              demandOption: true,
              describe: "A result.json written by scan or evaluate",
            })
            .option("format", { type: "string", array: true, describe: `Formats, comma-separated (${shared.FORMATS})` })
            .option("out", { type: "string", demandOption: true, describe: "Output directory" })
            .option("paper", { type: "string", default: "a4", describe: "Paper size of report.pdf (a4|letter)" })
            .option("pdf-detail", {
              type: "string",
              default: "summary",
              describe: "report.pdf's layout: summary (verdicts first, findings that need attention) or full",
            })
            .option("sarif-all", {
              type: "boolean",
              describe: "results.sarif: also the failures below the result's fail-on (for review)",
            }),
        async (args) => {
          // Without a format, render would only copy result.json: say what to ask for instead.
          if (!args.format || args.format.every((f) => f.trim() === "")) {
            throw new UsageError(`render needs --format: one or more of ${shared.FORMATS} (result.json is the input)`);
          }
          const result = shared.loadResult(args.result);
          const { render } = await commands.render();
          exitCode = await render(result, {
            outDir: shared.checkOutDir(args.out),
            formats: shared.parseFormats(args.format),
            paper: shared.parsePaper(args.paper),
            pdfDetail: shared.parsePdfDetail(args["pdf-detail"]),
            ...(args["sarif-all"] ? { sarifAll: true } : {}),
          });
        },
      )
      .command(
        "demo",
        "Run the full scan against the built-in simulated estate (no Azure account needed)",
        (y) =>
          periodOptions(outputOptions(y, "hsm-audit-demo"))
            .option("estate", {
              type: "string",
              describe: "Another estate file to scan",
              hidden: true,
            })
            .option("sign", {
              type: "boolean",
              describe:
                "Sign the pack with an ECDSA P-256 key generated into the output (signing-key.pem: never ship it; signing-key.pub.pem)",
            }),
        async (args) => {
          if (args.sign && args["sign-key"] !== undefined) {
            throw new UsageError("demo takes --sign (a key it generates) or --sign-key FILE, not both");
          }
          const effective = settings(args, "hsm-audit-demo");
          const common = outputs(effective, args, Date.now());
          const { demo, demoSigningKey } = await commands.demo();
          const generated = args.sign ? await demoSigningKey() : undefined;
          // The demo never uses the user's credentials: a Key Vault key is refused here.
          const sign = await signRequest(args, effective.previous.value, generated ? { signer: generated.signer } : {});
          exitCode = await demo({
            ...common,
            ...optional("sign", sign && generated ? { ...sign, unlisted: generated.files } : sign),
            ...searchWindow(args, effective),
            ...optional("estate", args.estate),
            ...optional("progress", progress),
          });
        },
      )
      .command(
        "diff <old> <new>",
        "Month over month: what changed from the pack OLD to the pack NEW (directories or result.json files); exit 1 when a failure at or above NEW's fail-on is new, 3 when evidence is newly missing",
        (y) =>
          y
            .positional("old", { type: "string", demandOption: true, describe: "The earlier pack" })
            .positional("new", { type: "string", demandOption: true, describe: "The later pack" })
            .option("format", { type: "string", describe: "text (default), md or json (result.json's changes)" }),
        async (args) => {
          const { diff, DIFF_FORMATS } = await commands.diff();
          const format = (args.format ?? "text").toLowerCase();
          if (!(DIFF_FORMATS as readonly string[]).includes(format)) {
            throw new UsageError(`--format must be one of ${DIFF_FORMATS.join(", ")}, not '${args.format}'`);
          }
          exitCode = diff({
            old: args.old,
            new: args.new,
            format: format as (typeof DIFF_FORMATS)[number],
            color: shared.useColor(process.stdout),
          });
        },
      )
      .command(
        "simulate",
        "Serve an estate as a local HTTPS Azure simulator (ARM and Log Analytics)",
        (y) =>
          y
            .option("estate", {
              type: "string",
              demandOption: true,
              describe: "Estate file (YAML or JSON), see docs/estate.md",
            })
            .option("port", { type: "number", describe: "Port on 127.0.0.1 (default: a free one)" })
            .option("cert-out", { type: "string", describe: "Directory for ca.pem, token.txt and simulator.json" })
            .option("request-log", { type: "string", describe: "Append one JSON line per request to this file" })
            .option("limits", {
              type: "boolean",
              describe:
                "Enforce Azure's published limits (ARM reads per subscription, Log Analytics, Resource Graph): 429 when exceeded",
            })
            .option("latency-ms", { type: "number", describe: "Hold every answer this many milliseconds (default 0)" })
            .check((args) => {
              if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)) {
                throw new UsageError(`--port must be a whole number from 0 to 65535, not ${args.port}`);
              }
              return true;
            }),
        async (args) => {
          const { simulate } = await commands.simulate();
          exitCode = await simulate({
            estate: args.estate,
            ...(args.port !== undefined ? { port: args.port } : {}),
            ...(args["cert-out"] ? { certOut: args["cert-out"] } : {}),
            ...(args["request-log"] ? { requestLog: args["request-log"] } : {}),
            ...(args.limits ? { limits: true } : {}),
            ...optional(
              "latencyMs",
              shared.positiveInteger("--latency-ms", args["latency-ms"], 0, 60_000) || undefined,
            ),
          });
        },
      )
      .command(
        "verify <dir>",
        "Verify a signed evidence pack offline: every file, the signature, the evidence, the re-evaluation, the chain",
        (y) =>
          y
            .positional("dir", {
              type: "string",
              demandOption: true,
              describe: "The pack's directory (--out of the run)",
            })
            .option("key", {
              type: "string",
              describe:
                "The signer's public key (PEM); without it the signature is not verified and the exit code is 1",
            })
            .option("previous", {
              type: "string",
              describe: "The previous month's pack: verified too, and this manifest must name its manifest",
            })
            .option("tsa-cert", {
              type: "string",
              describe:
                "The time-stamp authority's certificate (PEM or DER): the pack's RFC 3161 timestamp must be signed by it (or by one it issued)",
            }),
        async (args) => {
          const [{ verify }, { isKeyUrl, loadPublicKey, publicKeyFromPem }] = await Promise.all([
            commands.verify(),
            import("../pack/signer.js"),
          ]);
          // A key named by URL is read from its service (the one network call verify makes); a file is read here.
          const key =
            args.key === undefined
              ? undefined
              : isKeyUrl(args.key)
                ? publicKeyFromPem((await (await keyVault(args.key)).publicKey()).publicKeyPem, args.key)
                : loadPublicKey(args.key);
          const tsaCert =
            args["tsa-cert"] === undefined
              ? undefined
              : (await import("../pack/timestamp.js")).loadTsaCertificate(args["tsa-cert"]);
          exitCode = verify({
            dir: args.dir,
            ...optional("key", key),
            ...optional("tsaCert", tsaCert),
            ...optional("previous", args.previous),
          });
        },
      )
      .command("config", "Show the effective configuration", (y) =>
        y
          .command(
            "print",
            "Print the effective configuration (YAML), with where each setting came from",
            (yy) => scanOptions(periodOptions(outputOptions(yy, "hsm-audit-results"))),
            (args) => {
              const effective = settings(args, "hsm-audit-results");
              // The same checks a scan makes, so that what is printed is what would run.
              policiesOf(effective);
              shared.parseFailOn(effective.failOn.value);
              shared.parseFormats(effective.formats.value);
              shared.parsePaper(args.paper);
              shared.parseLogWindow(effective.logWindow.value);
              clockSkewToleranceOf(effective);
              const { shown } = scanSettings(args, effective);
              const searched = searchedInWords(searchWindow(args, effective));
              process.stdout.write(shared.printableConfig(effective, { searched, scan: shown }));
              exitCode = 0;
            },
          )
          .demandCommand(1, "Name a subcommand: print."),
      )
      .command("policies", "List the policies, or show one", (y) =>
        y
          .option("policies", { type: "string", array: true, describe: "Directory of user policies; repeatable" })
          .command(
            "list",
            "List every policy (built-in and --policies)",
            (yy) => yy,
            async (args) => {
              const [{ listPolicies }, { policiesFrom }] = await Promise.all([
                commands.policies(),
                import("./pack.js"),
              ]);
              exitCode = listPolicies(policiesFrom(args.policies));
            },
          )
          .command(
            "show <id>",
            "Show one policy in full",
            (yy) => yy.positional("id", { type: "string", demandOption: true }),
            async (args) => {
              const [{ showPolicy }, { policiesFrom }] = await Promise.all([commands.policies(), import("./pack.js")]);
              exitCode = showPolicy(policiesFrom(args.policies), args.id);
            },
          )
          .demandCommand(1, "Name a subcommand: list or show ID."),
      )
      .demandCommand(1, "Name a command: scan, evaluate, render, demo, verify, diff, simulate, config or policies.")
      .strict()
      .help()
      .version()
      .wrap(Math.min(120, process.stdout.columns ?? 100))
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
  } catch (error) {
    // A time-stamp authority that failed is not a usage mistake: its message says what to do.
    if (error instanceof SetupError || (error as Error | undefined)?.name === "TimestampError") {
      process.stderr.write(`hsm-audit: ${(error as Error).message}\n`);
      return 2;
    }
    if (error instanceof UsageError || (await fromInput(error))) {
      process.stderr.write(`hsm-audit: ${(error as Error).message}\nRun 'hsm-audit --help' for usage.\n`);
      return 2;
    }
    if ((error as Error).name === "YError") {
      process.stderr.write(`hsm-audit: ${(error as Error).message}\nRun 'hsm-audit --help' for usage.\n`);
      return 2;
    }
    process.stderr.write(`hsm-audit: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
  return exitCode;
}

/** The built-in policies, the user's (flag or file) and the file's params; a bad folder the file names is its line. */
function policiesOf(effective: EffectiveConfig) {
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

/** An error of an estate file or of an output: the modules that throw them are loaded only when needed. */
async function fromInput(error: unknown): Promise<boolean> {
  const [{ EstateError }, { OutputError }, { SigningKeyError, PackUsageError }, { KeyVaultSignerError }] =
    await Promise.all([
      import("../simulator/estate.js"),
      import("../report/outputs.js"),
      import("../pack/errors.js"),
      import("../pack/keyvault-signer.js"),
    ]);
  return (
    error instanceof EstateError ||
    error instanceof OutputError ||
    error instanceof SigningKeyError ||
    error instanceof PackUsageError ||
    error instanceof KeyVaultSignerError
  );
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

/** The tolerance of the flag, the file or the default, in milliseconds; a bad flag is a usage error. */
function clockSkewToleranceOf(effective: EffectiveConfig): number {
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
