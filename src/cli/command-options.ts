// The options the commands declare to yargs, shared by several of them (src/cli/main.ts holds the command table).
// Their descriptions name the formats and clouds of `shared`, which main.ts loads before parsing any such command.
import type { Argv } from "yargs";
import { FAIL_ON_VALUES } from "../model/result.js";
import { shared } from "./shared.js";

/**
 * Options of every command that evaluates policies and writes a result. Those the configuration file can also set
 * have no yargs default, so that a flag left out is told apart from one given with the default's value.
 */
export function outputOptions<T>(y: Argv<T>, defaultOut: string) {
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
export function periodOptions<T>(y: Argv<T>) {
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
export function scanOptions<T>(y: Argv<T>) {
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
