// The command line: declares commands and maps errors to exit codes. The only place that reads argv.
// Each command's module is loaded when it runs: `--help` or `render` never loads the Azure SDK, a scan never loads
// the simulator.
const commands = {
  scan: () => import("./commands/scan.js"),
  report: () => import("./commands/report.js"),
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
// The options and settings below read `shared`, which imports nothing until loadShared() runs.
import { loadShared, shared } from "./shared.js";
import { outputOptions, periodOptions, scanOptions } from "./command-options.js";
import {
  clockSkewToleranceOf,
  keyVault,
  optional,
  outputs,
  policiesOf,
  scanSettings,
  searchedInWords,
  searchWindow,
  settings,
  signRequest,
} from "./run-settings.js";

/** Progress on stderr, on a terminal only: CI logs and pipes get the summary alone. */
const progress = process.stderr.isTTY ? terminalProgress(process.stderr) : undefined;

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  guardStdout();
  try {
    const args = keepNegativeValues(argv);
    // `policies list` and `policies show ID`, exactly so, run without the parser (what it would do with them).
    const fast = policiesCommand(args);
    if (fast) return await runPolicies(undefined, fast.id);
    const command = args.find((a) => !a.startsWith("-"));
    // Every command but `policies` reads or writes results: their modules are loaded before parsing (none when no
    // command is named: the top-level --help).
    if (command !== undefined && command !== "policies") await loadShared();
    const { default: yargs } = await import("yargs");
    await withoutHelpCache(yargs(args))
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
          const { report } = await commands.report();
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
              exitCode = await runPolicies(args.policies);
            },
          )
          .command(
            "show <id>",
            "Show one policy in full",
            (yy) => yy.positional("id", { type: "string", demandOption: true }),
            async (args) => {
              exitCode = await runPolicies(args.policies, args.id);
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
    const { code, text } = await exitOf(error);
    process.stderr.write(text);
    return code;
  }
  return exitCode;
}

/**
 * yargs lays out the whole help text of a command each time it runs one (cliui measuring every line: about 50 ms), in
 * case the command shows its help later. No command here does (the fail handler throws; help is shown only for --help,
 * before any command runs), so that is skipped. It is an internal of yargs (pinned in package.json): if a version lacks
 * it, the parser is used as it is.
 */
export function withoutHelpCache<T>(parser: T): T {
  const usage = (
    parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }
  )
    .getInternalMethods?.()
    ?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
  return parser;
}

/** How a policy id is spelt (the policy schema's `id` pattern). */
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * How a run that threw ends: exit 2 with the error's words for a mistake the user can mend (with the usage hint, but
 * for a setup error or a time-stamp authority that failed, whose message says what to do), else exit 70 with the
 * stack (an internal error).
 */
export async function exitOf(error: unknown): Promise<{ code: 2 | 70; text: string }> {
  if (error instanceof SetupError || (error as Error | undefined)?.name === "TimestampError") {
    return { code: 2, text: `hsm-audit: ${(error as Error).message}\n` };
  }
  if (error instanceof UsageError || (error as Error | undefined)?.name === "YError" || (await fromInput(error))) {
    return { code: 2, text: `hsm-audit: ${(error as Error).message}\nRun 'hsm-audit --help' for usage.\n` };
  }
  return { code: 70, text: `hsm-audit: internal error: ${(error as Error).stack ?? String(error)}\n` };
}

/**
 * `policies list` or `policies show ID` when `args` is exactly that (an id as policies spell theirs): what the parser
 * would make of it, without loading the parser. Anything else (an option, another id, a typo) is left to the parser.
 */
function policiesCommand(args: readonly string[]): { id?: string } | undefined {
  if (args[0] !== "policies") return undefined;
  if (args.length === 2 && args[1] === "list") return {};
  // yargs reads a last word `help` as --help.
  const id = args[2];
  if (args.length === 3 && args[1] === "show" && id !== undefined && id !== "help" && KEBAB.test(id)) return { id };
  return undefined;
}

/**
 * Lists the policies (no `id`) or shows one. With no --policies directory, the built-in policies come from the build's
 * record when it matches the files (src/engine/policy-cache.ts), else from the loader.
 */
async function runPolicies(dirs: readonly string[] | undefined, id?: string): Promise<number> {
  const policies = await readPolicies(dirs);
  if (id === undefined) return (await import("./commands/policy-list.js")).listPolicies(policies);
  return (await commands.policies()).showPolicy(policies, id);
}

async function readPolicies(dirs: readonly string[] | undefined) {
  if (dirs === undefined || dirs.length === 0) {
    const cached = (await import("../engine/policy-cache.js")).cachedBuiltInPolicies();
    if (cached) return cached;
  }
  return (await import("./pack.js")).policiesFrom(dirs);
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
