// Azurite (Microsoft's storage emulator) for the tests: the real blob service on loopback, over HTTPS with a
// certificate of the simulator's CA, accepting bearer tokens (`--oauth basic` checks their issuer, audience and
// expiry, not their signature), in memory, without telemetry. Seeded with the estate's archived blobs in Azure's
// exact layout, through the SDK and the emulator's well-known development key.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import { AppendBlobClient, ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { SimulatorCertificates } from "../../src/simulator/certs.js";
import { archiveBlobs } from "../../src/simulator/storage.js";
import type { Estate } from "../../src/simulator/estate.js";
import { ROOT } from "./simulator.js";
import { tempDir } from "./cli.js";

/** Azurite's development account and its published key (documented; it opens nothing but the emulator). */
const ACCOUNT = "devstoreaccount1";
const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzurite {
  /** The blob endpoint, path-style: `https://127.0.0.1:PORT/devstoreaccount1/`. */
  blobEndpoint: string;
  /** Loads the archived blobs of the estate's accounts whose archive is at this endpoint. */
  seed(estate: Estate): Promise<number>;
  /** The request lines (method and URL) Azurite logged, after the seeding. */
  requests(): string[];
  close(): Promise<void>;
}

/** A token Azurite's basic OAuth accepts: a JWT for the storage audience from an Entra issuer, not yet expired. */
export function storageToken(tenantId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return [
    part({ alg: "RS256", typ: "JWT" }),
    part({
      aud: "https://storage.azure.com",
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      oid: "00000000-0000-4000-8000-00000000c11e",
      tid: tenantId,
    }),
    Buffer.from("not-signed").toString("base64url"),
  ].join(".");
}

export async function startAzurite(certificates: SimulatorCertificates): Promise<RunningAzurite> {
  const dir = tempDir("hsm-audit-azurite-");
  writeFileSync(join(dir, "cert.pem"), certificates.cert);
  writeFileSync(join(dir, "key.pem"), certificates.key);
  const debugLog = join(dir, "debug.log");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules/azurite/dist/src/blob/main.js"),
      ...["--blobHost", "127.0.0.1", "--blobPort", "0"],
      ...["--inMemoryPersistence", "--extentMemoryLimit", "64", "--disableTelemetry"],
      ...["--oauth", "basic", "--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem")],
      // The SDK may speak a newer x-ms-version than this Azurite knows; the routes used are unchanged.
      "--skipApiVersionCheck",
      ...["--debug", debugLog],
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Azurite did not start:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const m = /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}):\n${output}`));
    });
  });
  const blobEndpoint = `https://127.0.0.1:${port}/${ACCOUNT}/`;
  const agent = new Agent({ ca: certificates.caCert, keepAlive: true });
  let seededUpTo = 0;
  return {
    blobEndpoint,
    async seed(estate) {
      const archives = archiveBlobs(estate);
      const accounts = estate.subscriptions
        .flatMap((s) => s.storageAccounts)
        .filter((a) => a.archive.blobEndpoint === blobEndpoint);
      const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
      let count = 0;
      const created = new Set<string>();
      for (const account of accounts) {
        for (const blob of archives.get(account.name) ?? []) {
          if (!created.has(blob.container)) {
            await new ContainerClient(`${blobEndpoint}${blob.container}`, credential, {
              agent,
            } as object).createIfNotExists();
            created.add(blob.container);
          }
          const url = `${blobEndpoint}${blob.container}/${encodeBlobPath(blob.name)}`;
          const client = new AppendBlobClient(url, credential, { agent } as object);
          count++;
          await client.createIfNotExists();
          await client.appendBlock(blob.content, blob.content.length);
        }
      }
      seededUpTo = readLog(debugLog).length;
      return count;
    },
    requests: () => readLog(debugLog).slice(seededUpTo),
    close: async () => {
      agent.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

function encodeBlobPath(name: string): string {
  return name
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** The request lines of Azurite's debug log: `METHOD URL`. */
function readLog(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").flatMap((line) => {
    const m = /BlobStorageContextMiddleware: RequestMethod=(\S+) RequestURL=(\S+)/.exec(line);
    return m ? [`${m[1]} ${m[2]}`] : [];
  });
}
