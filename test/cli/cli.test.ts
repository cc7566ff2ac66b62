// The real CLI, as a user runs it: `simulate` serving an estate, and usage errors.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CONTOSO, ROOT } from "../helpers/simulator.js";
import { BIN, cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

/** Starts `hsm-audit simulate` and resolves once it has printed that it is serving. */
function startSimulate(
  args: string[],
): Promise<{ child: ChildProcess; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, "simulate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exit = exited(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulate did not start:\n${out}`)), 20_000);
    child.stdout!.on("data", () => {
      if (out.includes("Press Ctrl+C")) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exit });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`simulate exited ${code}:\n${out}`));
    });
  });
}

/** The exit code; call it right after spawn, so that an early exit is not missed. */
function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("hsm-audit simulate", () => {
  test("serves the Contoso estate to SDK clients that trust it through NODE_EXTRA_CA_CERTS and sign in with az", async () => {
    const dir = tempDir();
    const certs = join(dir, "certs");
    const log = join(dir, "requests.jsonl");
    const { child, output, exit } = await startSimulate([
      "--estate",
      CONTOSO,
      "--cert-out",
      certs,
      "--request-log",
      log,
    ]);
    try {
      const info = JSON.parse(readFileSync(join(certs, "simulator.json"), "utf8")) as {
        url: string;
        caFile: string;
        token: string;
      };
      expect(output()).toContain(`ARM endpoint:   ${info.url}`);
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(readFileSync(info.caFile, "utf8")).toContain("BEGIN CERTIFICATE");

      // A stub `az` on PATH hands out the simulator's token, as `az account get-access-token` would.
      const bin = join(dir, "bin");
      const calls = join(dir, "az-calls.txt");
      writeFileSync(join(dir, "placeholder"), "");
      const expires = Math.floor(Date.now() / 1000) + 3600;
      const stub = `#!/bin/sh\necho "$@" >> '${calls}'\nprintf '%s' '{"accessToken":"${info.token}","expiresOn":"2099-01-01 00:00:00.000000","expires_on":${expires},"subscription":"11111111-1111-4111-8111-111111111111","tenant":"c0c0c0c0-0000-4000-8000-000000000001","tokenType":"Bearer"}'\n`;
      spawnSync("mkdir", ["-p", bin]);
      writeFileSync(join(bin, "az"), stub);
      chmodSync(join(bin, "az"), 0o755);

      const probe = spawnSync(
        process.execPath,
        [join(ROOT, "test/fixtures/sdk-probe.mjs"), info.url, "a1b2c3d4-0001-4000-8000-000000000001"],
        {
          encoding: "utf8",
          timeout: 60_000,
          env: {
            ...process.env,
            NODE_EXTRA_CA_CERTS: info.caFile,
            AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
            PATH: `${bin}:${process.env.PATH}`,
          },
        },
      );
      expect(probe.stderr).toBe("");
      const seen = JSON.parse(probe.stdout) as { subscriptions: string[]; status: string; count: number };
      expect(seen.subscriptions).toEqual([
        "Contoso Payments Production",
        "Contoso Identity Platform",
        "Contoso Research Sandbox",
        "Contoso Corporate IT",
      ]);
      expect(seen.status).toBe("Success");
      expect(seen.count).toBeGreaterThan(100);
      // The credential asked az for ARM and for Log Analytics tokens.
      const azCalls = readFileSync(calls, "utf8");
      expect(azCalls).toContain("account get-access-token --output json --resource https://management.azure.com");
      expect(azCalls).toContain("--resource https://api.loganalytics.io");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exit).toBe(0);
    const routes = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { route: string }).route);
    expect(routes).toEqual(["subscriptions", "logsQuery"]);
  });

  test("an invalid estate: exit 2, the file and line named, nothing written", () => {
    const dir = tempDir();
    const estate = join(dir, "broken.yaml");
    writeFileSync(
      estate,
      "tenantId: 00000000-0000-4000-8000-0000000000aa\nsubscriptions:\n  - subscriptionId: nope\n    displayName: x\n",
    );
    const certs = join(dir, "certs");
    const result = run(["simulate", "--estate", estate, "--cert-out", certs]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${estate}:3: subscriptions[0].subscriptionId: must match pattern`);
    expect(existsSync(certs)).toBe(false);
    expect(readdirSync(dir)).toEqual(["broken.yaml"]);
  });

  test("a request log that cannot be written: exit 2, nothing left behind", () => {
    const dir = tempDir();
    const log = join(dir, "no-such-dir", "requests.jsonl");
    const result = run(["simulate", "--estate", CONTOSO, "--request-log", log, "--cert-out", join(dir, "certs")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`cannot write the request log ${log}: ENOENT`);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a missing estate file: exit 2", () => {
    const result = run(["simulate", "--estate", "/nonexistent/estate.yaml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("/nonexistent/estate.yaml: cannot read the file");
  });

  test("a port already in use: exit 2 with the reason", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const certs = join(tempDir(), "certs");
    try {
      const result = run(["simulate", "--estate", CONTOSO, "--port", String(port), "--cert-out", certs]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`cannot listen on port ${port}: EADDRINUSE`);
      expect(existsSync(certs)).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe("usage", () => {
  test.each([
    [[], /Name a command/],
    [["frobnicate"], /Unknown argument: frobnicate/],
    [["simulate"], /Missing required argument: estate/],
    [["simulate", "--estate", CONTOSO, "--port", "70000"], /--port must be a whole number from 0 to 65535/],
  ])("hsm-audit %j exits 2", (args, message) => {
    const result = run(args as string[]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
