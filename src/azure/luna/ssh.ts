// Reading a Luna appliance over SSH (LunaSH): each allow-listed command run as the appliance user that may run it, one
// `exec` per command, the host key pinned by its SHA-256 fingerprint (no trust on first use), keys from a file or the
// SSH agent (never a password). Each answer becomes an evidence record (`transport: ssh`, with the host key that was
// verified) and a reading parsed by the same parsers as a saved transcript; whatever fails is an error of the reading.
// A host key that changes between the two logins (one shown the pinned key, the other another) voids every reading of
// the appliance. The configuration's `appliances:` entries (docs/appliance-evidence.md) name the appliances; collect.ts
// reads them while it reads Azure and then matches each to its Dedicated HSM (src/domain/appliance-match.ts).
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import type { Client, ConnectConfig } from "ssh2";
import { LUNA_COMMAND_KEYS, LUNA_COMMANDS, type LunaCommandKey } from "../../domain/luna.js";
import type { ApplianceFacts, ApplianceReadings, CollectionError, EvidenceRecord } from "../../model/snapshot.js";
import { commandResultCode, MAX_TRANSCRIPT_BYTES, parseTranscript } from "./lunash.js";

export interface SshAppliance {
  /** The appliance's name in the evidence. */
  name: string;
  /** The ARM id of the Dedicated HSM it is; without it, the HSM whose private IP is `host` (matched in collect.ts). */
  resourceId?: string;
  host: string;
  port?: number;
  /** The host key's SHA-256 fingerprint as `ssh-keygen -lf` prints it: `SHA256:<base64 without padding>`. */
  hostKeySha256: string;
  /** The login of each appliance role (default: `audit` and `admin`). */
  users?: { audit?: string; admin?: string };
  /** A private key (PEM or OpenSSH), or the SSH agent's socket; never a password. */
  auth: { privateKey: Buffer | string; passphrase?: string } | { agent: string };
}

export interface SshReadOptions {
  /** Time allowed for connecting and for each command (default 30 s). */
  timeoutMs?: number;
  clock?: () => Date;
  /** The first evidence id's number (ids are `lx-<n>`, shared with saved transcripts). */
  firstId?: number;
}

/** The fingerprint of a host key blob, in OpenSSH's form. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

class SshFailure extends Error {}

/** The appliance presented a host key other than the pinned one: the connection was refused. */
class HostKeyMismatch extends SshFailure {
  constructor(
    message: string,
    readonly presented: string,
  ) {
    super(message);
  }
}

/** One SSH session as one appliance user: commands run one after another on it. */
async function connect(appliance: SshAppliance, user: string, timeoutMs: number): Promise<Client> {
  const client = new ssh2.Client();
  let seen: string | undefined;
  const config: ConnectConfig = {
    host: appliance.host,
    port: appliance.port ?? 22,
    username: user,
    readyTimeout: timeoutMs,
    hostVerifier: (key: Buffer) => {
      seen = fingerprintOf(key);
      return seen === appliance.hostKeySha256;
    },
    ...("agent" in appliance.auth
      ? { agent: appliance.auth.agent }
      : {
          privateKey: appliance.auth.privateKey,
          ...(appliance.auth.passphrase ? { passphrase: appliance.auth.passphrase } : {}),
        }),
  };
  return new Promise((resolve, reject) => {
    client.once("ready", () => resolve(client));
    client.once("error", (error: Error & { level?: string }) => {
      client.end();
      if (seen !== undefined && seen !== appliance.hostKeySha256) {
        reject(
          new HostKeyMismatch(
            `the host key of ${appliance.host} is ${seen}, not the pinned ${appliance.hostKeySha256}: the connection was refused (a changed host key is never accepted)`,
            seen,
          ),
        );
      } else if (error.level === "client-authentication") {
        reject(new SshFailure(`the appliance refused the key of ${user}@${appliance.host} (${error.message})`));
      } else {
        reject(new SshFailure(`could not connect to ${user}@${appliance.host}: ${error.message}`));
      }
    });
    client.connect(config);
  });
}

/** Runs one command; its output as the shell printed it (stdout, then stderr). */
function exec(client: Client, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SshFailure(`\`${command}\` did not finish in ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.exec(command, (error, channel) => {
      if (error) {
        clearTimeout(timer);
        reject(new SshFailure(`\`${command}\` could not be run: ${error.message}`));
        return;
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_TRANSCRIPT_BYTES) {
          channel.close();
          return;
        }
        into.push(chunk);
      };
      channel.on("data", take(out));
      channel.stderr.on("data", take(err));
      channel.on("close", () => {
        clearTimeout(timer);
        if (size > MAX_TRANSCRIPT_BYTES) {
          reject(new SshFailure(`\`${command}\` printed more than ${MAX_TRANSCRIPT_BYTES} bytes`));
          return;
        }
        resolve(Buffer.concat([...out, ...err]).toString("utf8"));
      });
    });
  });
}

/** Reads every allow-listed command of one appliance over SSH. */
export async function readApplianceOverSsh(
  appliance: SshAppliance,
  options: SshReadOptions = {},
): Promise<{
  appliance: ApplianceFacts;
  evidence: EvidenceRecord[];
  errors: Array<CollectionError & { for: string; resourceId?: string }>;
}> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const clock = options.clock ?? (() => new Date());
  const evidence: EvidenceRecord[] = [];
  const errors: Array<CollectionError & { for: string; resourceId?: string }> = [];
  const readings: ApplianceReadings = {};
  let next = options.firstId ?? 1;
  const set = (key: LunaCommandKey, fact: unknown) => ((readings as Record<string, unknown>)[key] = fact);
  const failReading = (key: LunaCommandKey, message: string, ids: string[]) => {
    const purpose = `appliance ${appliance.name}: ${LUNA_COMMANDS[key].command}`;
    errors.push({
      message,
      for: purpose,
      ...(appliance.resourceId ? { resourceId: appliance.resourceId } : {}),
      code: "ApplianceEvidence",
    });
    set(key, { error: { message, code: "ApplianceEvidence" }, evidence: ids });
  };
  const logins = { audit: appliance.users?.audit ?? "audit", admin: appliance.users?.admin ?? "admin" };
  /** The connections that were shown a host key other than the pinned one. */
  const mismatches: Array<{ user: string; presented: string }> = [];
  /** The users whose connection was shown the pinned host key. */
  const pinned: string[] = [];

  for (const role of ["audit", "admin"] as const) {
    const keys = LUNA_COMMAND_KEYS.filter((k) => LUNA_COMMANDS[k].user === role);
    const user = logins[role];
    let client: Client | undefined;
    let refused: string | undefined;
    try {
      client = await connect(appliance, user, timeoutMs);
      pinned.push(user);
    } catch (error) {
      if (!(error instanceof SshFailure)) throw error;
      if (error instanceof HostKeyMismatch) mismatches.push({ user, presented: error.presented });
      refused = error.message;
    }
    try {
      for (const key of keys) {
        const { command } = LUNA_COMMANDS[key];
        const fail = (message: string, ids: string[]) => failReading(key, message, ids);
        if (!client) {
          fail(`Appliance ${appliance.name}: \`${command}\` was not read: ${refused}.`, []);
          continue;
        }
        const started = clock();
        let text: string;
        try {
          text = await exec(client, command, timeoutMs);
        } catch (error) {
          if (!(error instanceof SshFailure)) throw error;
          fail(`Appliance ${appliance.name}: ${error.message}.`, []);
          continue;
        }
        const id = `lx-${String(next++).padStart(5, "0")}`;
        const capturedAt = clock();
        const purpose = `appliance ${appliance.name}: ${command}`;
        evidence.push({
          id,
          method: "LUNASH",
          url: `ssh://${user}@${appliance.host}:${appliance.port ?? 22}/${encodeURIComponent(command)}`,
          status: commandResultCode(text) ?? 0,
          capturedAt: capturedAt.toISOString(),
          sha256: createHash("sha256").update(text, "utf8").digest("hex"),
          durationMs: capturedAt.getTime() - started.getTime(),
          purpose,
          body: text,
          transport: "ssh",
          command,
          user,
          host: appliance.host,
          hostKey: appliance.hostKeySha256,
        });
        const outcome = parseTranscript(key, command, text);
        if ("error" in outcome) fail(`Appliance ${appliance.name}: ${outcome.error}.`, [id]);
        else set(key, { value: outcome.value, evidence: [id] });
      }
    } finally {
      client?.end();
    }
  }
  // One connection shown the pinned host key and another shown a different one: the key changed during the run (the
  // appliance replaced, or someone in between since the first connection). Nothing read from this appliance is used,
  // whichever connection read it. (When every connection was refused, no reading was had in the first place.)
  if (mismatches.length > 0 && pinned.length > 0) {
    const shown = mismatches.map((m) => `${m.user}@${appliance.host} was shown ${m.presented}`).join(", ");
    const message = `Appliance ${appliance.name}: the host key changed during the run: ${pinned.join(" and ")}@${appliance.host} was shown the pinned ${appliance.hostKeySha256} but ${shown}; no reading of this appliance is used (a changed host key is never accepted).`;
    errors.length = 0;
    for (const key of LUNA_COMMAND_KEYS) {
      const fact = (readings as Record<string, { evidence?: string[] } | undefined>)[key];
      failReading(key, message, fact?.evidence ?? []);
    }
  }
  return {
    appliance: {
      name: appliance.name,
      ...(appliance.resourceId ? { hsmId: appliance.resourceId } : {}),
      host: appliance.host,
      readings,
    },
    evidence,
    errors,
  };
}
