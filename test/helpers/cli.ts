// Runs the real CLI (bin/hsm-audit.js, built) as a user would, against a simulator started in this process.
// The child trusts the simulator's CA through NODE_EXTRA_CA_CERTS and signs in through DefaultAzureCredential,
// restricted to AzureCliCredential, with a stub `az` that hands out the simulator's token: no real credential is used.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEstate, type Estate } from "../../src/simulator/estate.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import type { SimulatorCertificates } from "../../src/simulator/certs.js";
import type { LimitsClock, SimulatorLimits } from "../../src/simulator/limits.js";
import { ROOT, sharedCertificates } from "./simulator.js";
import type { Result } from "../../src/model/result.js";
import { CLOUDS } from "../../src/azure/clouds.js";
import { STORAGE_AUDIENCE } from "../../src/azure/clients.js";

export const BIN = join(ROOT, "bin/hsm-audit.js");

const dirs: string[] = [];
/** A fresh directory, removed by `cleanUp()`. */
export function tempDir(prefix = "hsm-audit-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
export function cleanUp(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI without blocking this process's event loop (the simulator answers from it). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hsm-audit ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ScanTarget {
  sim: RunningSimulator;
  env: NodeJS.ProcessEnv;
  /** `--arm-endpoint URL --logs-endpoint URL` for this simulator. */
  endpoints: string[];
  /** Where the stub `az` logs its calls, one line each. */
  azCalls: string;
  /** The estate as the simulator serves it (its records, with their resolved times). */
  estate: Estate;
  close(): Promise<void>;
}

/** Starts a simulator on an estate (YAML text) and prepares the environment a scan needs to reach it. */
export async function startScanTarget(
  estateYaml: string,
  options: {
    pageSize?: number;
    certificates?: SimulatorCertificates;
    limits?: SimulatorLimits | boolean;
    /** The clock the enforced limits refill by: a test's virtual one, shared with the scan's pacing. */
    limitsClock?: LimitsClock;
  } = {},
): Promise<ScanTarget> {
  const estate = parseEstate(estateYaml, "test-estate.yaml");
  const sim = await startSimulator({
    estate,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.limitsClock ? { limitsClock: options.limitsClock } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    certificates: options.certificates ?? sharedCertificates(),
  });
  const dir = tempDir("hsm-audit-sim-");
  const ca = join(dir, "ca.pem");
  writeFileSync(ca, sim.caCert);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const azCalls = join(dir, "az-calls.txt");
  writeFileSync(azCalls, "");
  const expires = Math.floor(Date.now() / 1000) + 3600;
  writeFileSync(join(bin, "az"), stubAz(azCalls, sim.token, expires));
  chmodSync(join(bin, "az"), 0o755);
  return {
    sim,
    env: {
      NODE_EXTRA_CA_CERTS: ca,
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
      PATH: `${bin}:${process.env.PATH ?? ""}`,
    },
    endpoints: ["--arm-endpoint", sim.url, "--logs-endpoint", sim.url],
    azCalls,
    estate,
    close: () => sim.close(),
  };
}

/**
 * The audiences Entra ID knows: every cloud's ARM and Log Analytics audience, and the blob data plane's. The stub
 * `az` refuses any other `--resource` as Entra ID does (AADSTS500011 on stderr, exit 1), so every e2e test checks
 * that each client asks for a token of its cloud's audience, never of an endpoint it was pointed at.
 */
export const KNOWN_AUDIENCES = [
  ...Object.values(CLOUDS).flatMap((c) => [c.armAudience, c.logsAudience]),
  STORAGE_AUDIENCE,
  // The Key Vault and Managed HSM data planes (a pack signed with a key there; the simulator's challenge names these).
  "https://vault.azure.net",
  "https://managedhsm.azure.net",
].map((a) => a.replace(/\/+$/, ""));

/** A stub `az` that logs its calls and hands out `token` for a known audience only. */
export function stubAz(callLog: string, token: string, expires: number): string {
  const cases = KNOWN_AUDIENCES.map((a) => `'${a}'|'${a}/'`).join("|");
  return [
    "#!/bin/sh",
    `echo "$@" >> '${callLog}'`,
    'resource=""',
    'while [ $# -gt 0 ]; do case "$1" in --resource) resource="$2"; shift 2;; *) shift;; esac; done',
    'case "$resource" in',
    `  ${cases}) ;;`,
    `  *) echo "ERROR: AADSTS500011: The resource principal named $resource was not found in the tenant named stub-tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant." >&2; exit 1;;`,
    "esac",
    `printf '%s' '{"accessToken":"${token}","expiresOn":"2099-01-01 00:00:00.000000","expires_on":${expires},"tokenType":"Bearer"}'`,
    "",
  ].join("\n");
}

export interface ScanRun extends Run {
  result: Result | undefined;
  out: string;
}

/** `hsm-audit scan` against the target, with fast retries; returns the parsed result.json when one was written. */
export async function scan(target: ScanTarget, args: string[] = []): Promise<ScanRun> {
  const given = args.indexOf("--out");
  const out = given >= 0 ? args[given + 1]! : join(tempDir("hsm-audit-out-"), "out");
  const own = given >= 0 ? [] : ["--out", out];
  const run = await runCli(["scan", ...target.endpoints, ...own, "--timeout", "10s", ...args], target.env);
  let result: Result | undefined;
  try {
    result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
  } catch {
    result = undefined;
  }
  return { ...run, result, out };
}

/** The status of one policy for the resource whose id ends with `/name` (or equals it). */
export function statusOf(result: Result | undefined, policyId: string, resource: string): string | undefined {
  const matches = result?.findings.filter(
    (f) =>
      f.policyId === policyId &&
      (f.resourceId === resource || f.resourceId.toLowerCase().endsWith(`/${resource.toLowerCase()}`)),
  );
  if (matches && matches.length > 1) throw new Error(`${matches.length} findings of ${policyId} for ${resource}`);
  return matches?.[0]?.status;
}

export function findingOf(result: Result | undefined, policyId: string, resource: string) {
  return result?.findings.find(
    (f) => f.policyId === policyId && f.resourceId.toLowerCase().endsWith(`/${resource.toLowerCase()}`),
  );
}
