// The command line: declares commands and maps errors to exit codes. The only place that reads argv.
import yargs from "yargs";
import { simulate } from "./commands/simulate.js";
import { demo } from "./commands/demo.js";
import { UsageError } from "./errors.js";
import { guardStdout } from "./output.js";
import { EstateError } from "../simulator/estate.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  guardStdout();
  try {
    await yargs(argv)
      .scriptName("hsm-audit")
      .usage("$0 <command> [options]")
      .command(
        "demo",
        "Serve the built-in simulated estate and read it through the real Azure SDK clients",
        (y) => y.option("estate", { type: "string", describe: "Another estate file to tour", hidden: true }),
        async (args) => {
          exitCode = await demo(args.estate ? { estate: args.estate } : {});
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
            .check((args) => {
              if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)) {
                throw new UsageError(`--port must be a whole number from 0 to 65535, not ${args.port}`);
              }
              return true;
            }),
        async (args) => {
          exitCode = await simulate({
            estate: args.estate,
            ...(args.port !== undefined ? { port: args.port } : {}),
            ...(args["cert-out"] ? { certOut: args["cert-out"] } : {}),
            ...(args["request-log"] ? { requestLog: args["request-log"] } : {}),
          });
        },
      )
      .demandCommand(1, "Name a command: demo or simulate.")
      .strict()
      .help()
      .version()
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
  } catch (error) {
    if (error instanceof UsageError || error instanceof EstateError) {
      process.stderr.write(`hsm-audit: ${error.message}\nRun 'hsm-audit --help' for usage.\n`);
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
