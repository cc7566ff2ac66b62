// A LunaSH double over SSH (ssh2's server on a loopback address, with a host key generated at start): it answers the
// allow-listed read-only commands from an appliance's state (a Dedicated HSM's `appliance:` in the estate file,
// rendered by lunash-render.ts in the formats of LUNA.md), or with the transcripts of a folder in the appliance
// evidence layout (docs/appliance-evidence.md), whose formats are those of the test and demo transcripts (INFERRED
// ones included, marked in src/azure/luna/lunash.ts and lunash-render.ts). It hides the `audit` commands from every
// user but `audit`, as LunaSH does, accepts public keys only, and injects faults: refused authentication, a dropped
// session, a non-zero `Command Result`, garbled output, a host key that changes between connections.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { Connection, ServerChannel } from "ssh2";
import { LUNA_COMMAND_KEYS, LUNA_COMMANDS } from "../domain/luna.js";
import { fingerprintOf } from "../azure/luna/ssh.js";
import { renderLunash, type ApplianceState } from "./lunash-render.js";
import type { Estate } from "./estate-model.js";

const { Server, utils } = ssh2;

/**
 * An Ed25519 key pair in OpenSSH format, as the double's host key and the tests' client keys. ssh2's generator strips
 * the leading zero bytes of the public key as if they were padding, so about one key in 256 comes out 31 bytes long
 * and its own parser refuses it ("Malformed OpenSSH private key"): such a pair is made again.
 */
export function sshKeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 64; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
  throw new Error("could not generate an Ed25519 key pair that ssh2 reads");
}

export interface LunashFaults {
  /** Refuse every authentication attempt of these users. */
  refuseUsers?: string[];
  /** Close the channel of these commands halfway through their output. */
  drop?: string[];
  /** Answer these commands with a failure (`Command Result : 65535`). */
  fail?: string[];
  /** Answer these commands with bytes that are not LunaSH output. */
  garble?: string[];
  /**
   * Present another host key (generated at start) from this connection on (1-based): `2` changes the key after the
   * first connection, as a replaced appliance or someone in between would between the tool's two logins.
   */
  changeHostKeyAt?: number;
}

export interface LunashDouble {
  host: string;
  port: number;
  /** The host key's fingerprint, as a client pins it. */
  hostKeySha256: string;
  /** The fingerprint of the key presented from `faults.changeHostKeyAt` on (absent without that fault). */
  changedHostKeySha256?: string;
  /** Commands run, as `user: command`. */
  log: string[];
  close(): Promise<void>;
}

/**
 * Serves an appliance to the holders of `authorizedKeys` (OpenSSH public keys, any user name): the transcripts of
 * `folder`, or the answers rendered from `state` (exactly one of the two). `now` (default: the system clock) dates
 * what the state renders relative to the moment of the command (its audit log files).
 */
export async function startLunashDouble(
  options: {
    authorizedKeys: string[];
    hostname?: string;
    faults?: LunashFaults;
    now?: () => Date;
    /** The loopback address to listen on (default 127.0.0.1): two doubles on two addresses are two appliances. */
    address?: string;
  } & ({ folder: string; state?: undefined } | { state: ApplianceState; folder?: undefined }),
): Promise<LunashDouble> {
  const address = options.address ?? "127.0.0.1";
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new Error(`${address} is not a loopback address`);
  const hostKey = sshKeyPair();
  const parsedHost = utils.parseKey(hostKey.private);
  if (parsedHost instanceof Error) throw parsedHost;
  const allowed = options.authorizedKeys.map((k) => {
    const parsed = utils.parseKey(k);
    if (parsed instanceof Error) throw parsed;
    return parsed;
  });
  const faults = options.faults ?? {};
  const hostname = options.hostname ?? options.state?.label ?? "luna-double";
  const prompt = `[${hostname}] lunash:>`;
  const now = options.now ?? (() => new Date());
  const log: string[] = [];
  const answer = (user: string, command: string): { text: string; drop?: boolean } => {
    const key = LUNA_COMMAND_KEYS.find((k) => LUNA_COMMANDS[k].command === command);
    if (command.startsWith("audit") && user !== "audit") {
      return {
        text: `${prompt}${command}\n\nError:  'audit' is not a valid command for this user.\n\nCommand Result : 65535 (Luna Shell execution)\n`,
      };
    }
    if (!key) {
      return {
        text: `${prompt}${command}\n\nError:  '${command}' is not a valid command.\n\nCommand Result : 65535 (Luna Shell execution)\n`,
      };
    }
    if (faults.fail?.includes(command)) {
      return {
        text: `${prompt}${command}\n\nError:  '${command}' failed. (C0000001 : RC_GENERAL_ERROR)\n\nCommand Result : 65535 (Luna Shell execution)\n`,
      };
    }
    if (faults.garble?.includes(command)) return { text: "\u0000\u001b[2J\u00ff garbled \u0007\n" };
    let text: string;
    if (options.state) text = renderLunash(options.state, key, now(), hostname);
    else {
      try {
        text = readFileSync(join(options.folder, LUNA_COMMANDS[key].file), "utf8");
      } catch {
        text = `${prompt}${command}\n\nError:  internal error.\n\nCommand Result : 65535 (Luna Shell execution)\n`;
      }
    }
    return faults.drop?.includes(command) ? { text: text.slice(0, Math.floor(text.length / 2)), drop: true } : { text };
  };

  const serve = (client: Connection) => {
    let user = "";
    client.on("authentication", (ctx) => {
      user = ctx.username;
      if (faults.refuseUsers?.includes(ctx.username) || ctx.method !== "publickey") return ctx.reject(["publickey"]);
      const match = allowed.find(
        (k) => k.type === ctx.key.algo && Buffer.compare(k.getPublicSSH() as Buffer, ctx.key.data) === 0,
      );
      if (!match) return ctx.reject(["publickey"]);
      if (ctx.signature && ctx.blob && !match.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject();
      return ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("exec", (acceptExec, _reject, info) => {
          const channel: ServerChannel = acceptExec();
          const command = info.command.trim().replace(/\s+/g, " ");
          log.push(`${user}: ${command}`);
          const { text, drop } = answer(user, command);
          channel.write(text);
          if (drop) {
            channel.destroy();
            return;
          }
          channel.exit(0);
          channel.end();
        });
      });
    });
    client.on("error", () => undefined);
  };
  // One SSH server per host key; the listening socket hands each connection to the one of its turn.
  const server = new Server({ hostKeys: [hostKey.private] }, serve);
  const changedKey = faults.changeHostKeyAt !== undefined ? sshKeyPair() : undefined;
  const changed = changedKey ? new Server({ hostKeys: [changedKey.private] }, serve) : undefined;
  let connections = 0;
  const front = createServer((socket) => {
    connections++;
    const turn = changed && connections >= faults.changeHostKeyAt! ? changed : server;
    turn.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(0, address, () => resolve());
  });
  const { port } = front.address() as AddressInfo;
  const parsedChanged = changedKey ? utils.parseKey(changedKey.private) : undefined;
  if (parsedChanged instanceof Error) throw parsedChanged;
  return {
    host: address,
    port,
    hostKeySha256: fingerprintOf(parsedHost.getPublicSSH() as Buffer),
    ...(parsedChanged ? { changedHostKeySha256: fingerprintOf(parsedChanged.getPublicSSH() as Buffer) } : {}),
    log,
    close: () => new Promise<void>((resolve) => front.close(() => resolve())),
  };
}

/**
 * One double per Dedicated HSM of `estate` that gives its appliance's state (`appliance:`), keyed by the HSM's ARM
 * id. Each listens on the HSM's private IP when that is a loopback address (so an appliance entry matched by private
 * IP finds it), on 127.0.0.1 otherwise. If one cannot start, those started are closed.
 */
export async function startEstateLunashDoubles(
  estate: Estate,
  options: { authorizedKeys: string[]; faults?: LunashFaults; now?: () => Date },
): Promise<Map<string, LunashDouble>> {
  const doubles = new Map<string, LunashDouble>();
  try {
    for (const hsm of estate.subscriptions.flatMap((s) => s.hsms)) {
      if (hsm.kind !== "dedicatedHsm" || !hsm.appliance) continue;
      const profile = hsm.properties.networkProfile as
        { networkInterfaces?: { privateIpAddress?: unknown }[] } | undefined;
      const ip = profile?.networkInterfaces?.[0]?.privateIpAddress;
      const address = typeof ip === "string" && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) ? ip : "127.0.0.1";
      doubles.set(hsm.id, await startLunashDouble({ ...options, state: hsm.appliance, address }));
    }
  } catch (e) {
    for (const d of doubles.values()) await d.close();
    throw e;
  }
  return doubles;
}
