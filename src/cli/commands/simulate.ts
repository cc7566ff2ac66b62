// `hsm-audit simulate`: serve an estate over HTTPS until interrupted.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EstateError, loadEstateFile } from "../../simulator/estate.js";
import { startSimulator, type RunningSimulator } from "../../simulator/server.js";
import { UsageError } from "../errors.js";
import { printLine } from "../output.js";
import { makeDirectory, Staging } from "../../util/safe-write.js";

export interface SimulateOptions {
  estate: string;
  port?: number;
  certOut?: string;
  requestLog?: string;
  /** Enforce Azure's published limits. */
  limits?: boolean;
  latencyMs?: number;
  /** Resolves when the simulator should stop (tests pass their own; the CLI waits for SIGINT/SIGTERM). */
  until?: Promise<unknown>;
  print?: (line: string) => void;
}

export async function simulate(options: SimulateOptions): Promise<number> {
  const print = options.print ?? printLine;
  let estate;
  try {
    estate = loadEstateFile(options.estate);
  } catch (error) {
    if (error instanceof EstateError) throw new UsageError(`invalid estate:\n${error.message}`);
    throw error;
  }
  let sim: RunningSimulator;
  try {
    sim = await startSimulator({
      estate,
      port: options.port ?? 0,
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
      ...(options.limits ? { limits: true } : {}),
      ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    });
  } catch (error) {
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (syscall === "open") {
      throw new UsageError(`cannot write the request log ${options.requestLog}: ${code} (does its directory exist?)`);
    }
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new UsageError(`cannot listen on port ${options.port}: ${code}`);
    }
    throw error;
  }
  // Written only once the simulator serves, so that a failed start leaves nothing behind.
  let certDir: string;
  try {
    certDir = resolve(options.certOut ?? mkdtempSync(join(tmpdir(), "hsm-audit-sim-")));
    makeDirectory(certDir, 0o700);
    // Through the shared writer: a file or symlink planted in the directory is replaced, never written through.
    const info = { url: sim.url, armEndpoint: sim.url, logsEndpoint: sim.url, caFile: join(certDir, "ca.pem") };
    const staging = new Staging();
    try {
      await staging.stage(join(certDir, "ca.pem"), sim.caCert);
      await staging.stage(join(certDir, "token.txt"), `${sim.token}\n`, 0o600);
      await staging.stage(
        join(certDir, "simulator.json"),
        `${JSON.stringify({ ...info, token: sim.token, pid: process.pid }, null, 2)}\n`,
        0o600,
      );
    } catch (error) {
      staging.discard();
      throw error;
    }
    staging.commit();
  } catch (error) {
    await sim.close();
    const { code, message } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot write the certificate directory ${options.certOut ?? ""}: ${code ?? message}`);
  }
  // Listening for Ctrl+C before saying it may be pressed: a signal that came between the two would end the process
  // the default way, without closing the simulator (a script that signals as soon as it reads the line met it).
  const stopped =
    options.until ??
    new Promise<void>((done) => {
      process.once("SIGINT", () => done());
      process.once("SIGTERM", () => done());
    });
  const caFile = join(certDir, "ca.pem");
  const subscriptions = estate.subscriptions.length;
  const hsms = estate.subscriptions.reduce((n, s) => n + s.hsms.length, 0);
  print(`hsm-audit simulator: serving ${options.estate} (${subscriptions} subscriptions, ${hsms} HSMs)`);
  print(`  ARM endpoint:   ${sim.url}`);
  print(`  Logs endpoint:  ${sim.url}   (the query API is under /v1)`);
  print(`  CA certificate: ${caFile}`);
  print(`  Bearer token:   ${join(certDir, "token.txt")}`);
  print(`  Trust it with:  export NODE_EXTRA_CA_CERTS=${caFile}`);
  if (options.requestLog) print(`  Request log:    ${resolve(options.requestLog)}`);
  print("Press Ctrl+C to stop.");

  await stopped;
  await sim.close();
  print(`hsm-audit simulator: stopped after ${sim.requests.length} requests.`);
  return 0;
}
