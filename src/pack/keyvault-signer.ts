// Signs an evidence pack with a key that never leaves the customer's Key Vault or Managed HSM: the SHA-256 digest is
// sent to the service (CryptographyClient.sign, ES256), its raw r||s answer is turned into DER and checked here against
// the key's public half before anyone may write it (docs/evidence-pack-keyvault.md).
import type { Agent } from "node:https";
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import { isRestError, type HttpClient } from "@azure/core-rest-pipeline";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import { CLOUD_NAMES, CLOUDS, type CloudName } from "../azure/clouds.js";
import type { PackSigner } from "./signer-types.js";

/** Why a Key Vault key cannot sign: a key or URL the user must change, a permission to grant, or the service's fault. */
export type KeyVaultSignerProblem = "usage" | "denied" | "service";

/**
 * A Key Vault key that cannot sign the pack, with what to do. `usage` and `denied` are the user's to fix (the CLI
 * exits 2); `service` is an answer of the service that cannot be trusted (nothing is written either way).
 */
export class KeyVaultSignerError extends Error {
  constructor(
    message: string,
    readonly problem: KeyVaultSignerProblem,
  ) {
    super(message);
    this.name = "KeyVaultSignerError";
  }
}

/** Where a key lives: its data plane's address, its name, and the version when the URL names one. */
export interface KeyVaultKeyAddress {
  /** `https://<vault>.vault.azure.net`, `https://<hsm>.managedhsm.azure.net` (or a sovereign cloud's), or a loopback origin. */
  vaultUrl: string;
  name: string;
  version?: string;
  /** A key vault, a Managed HSM, or a loopback address (the simulator, a test double). */
  service: "keyVault" | "managedHsm" | "loopback";
  /** The cloud whose DNS suffix the host carries (none for loopback). */
  cloud?: CloudName;
}

export interface KeyVaultSignerOptions {
  credential: TokenCredential;
  /** Accept only this cloud's Key Vault and Managed HSM hosts; any known cloud's when absent. */
  cloud?: CloudName;
  /** An HTTPS agent, e.g. one that trusts the simulator's CA. */
  agent?: Agent;
  /** The SDK's HTTP client, replaced (tests). */
  httpClient?: HttpClient;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** The clock a key's validity period (`nbf`, `exp`) is judged by; the machine's unless a test injects one. */
  clock?: () => Date;
}

const ACCEPTED = "an EC key on curve P-256 (kty EC or EC-HSM, signed with ES256)";
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
/** Key Vault and Managed HSM names: 3-24 letters, digits and hyphens, starting with a letter. */
const VAULT_NAME = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
/** A key's name: 1-127 letters, digits and hyphens. */
const KEY_NAME = /^[A-Za-z0-9-]{1,127}$/;
/** A key's version: 32 hexadecimal digits, as both services make them. */
const KEY_VERSION = /^[0-9a-f]{32}$/i;

/** True when `text` is meant as a Key Vault key URL rather than a file name (the CLI's `--sign-key` and `--key`). */
export function isKeyVaultKeyUrl(text: string): boolean {
  return /^https:\/\//i.test(text.trim());
}

/**
 * Reads `https://<vault>.vault.azure.net/keys/<name>[/<version>]` or `https://<hsm>.managedhsm.azure.net/keys/...`
 * (or a sovereign cloud's suffix). A loopback host (127.0.0.1, [::1], localhost) on any port is accepted as well: that
 * is the simulator (`hsm-audit simulate`) or a test double, never a customer's key.
 */
export function parseKeyVaultKeyUrl(text: string, cloud?: CloudName): KeyVaultKeyAddress {
  const shown = printable(text);
  const refuse = (why: string) =>
    new KeyVaultSignerError(
      `'${shown}' is not a Key Vault key URL: ${why}. Give https://<vault>.vault.azure.net/keys/<name>[/<version>] or https://<hsm>.managedhsm.azure.net/keys/<name>[/<version>].`,
      "usage",
    );
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw refuse("it is not a URL");
  }
  if (url.protocol !== "https:") throw refuse("it must use https");
  if (url.username || url.password) throw refuse("it must not carry a user name or password");
  if (url.search || url.hash) throw refuse("it must not carry a query or a fragment");
  const segments = url.pathname.replace(/\/+$/, "").split("/").slice(1);
  if (segments.length < 2 || segments.length > 3 || segments[0] !== "keys")
    throw refuse("its path must be /keys/<name> or /keys/<name>/<version>");
  const [, name, version] = segments as [string, string, string | undefined];
  if (!KEY_NAME.test(name)) throw refuse(`'${printable(name)}' is not a key name (1-127 letters, digits and hyphens)`);
  if (version !== undefined && !KEY_VERSION.test(version))
    throw refuse(`'${printable(version)}' is not a key version (32 hexadecimal digits)`);
  const host = url.hostname.toLowerCase();
  const pinned = version !== undefined ? { version: version.toLowerCase() } : {};
  if (LOOPBACK_HOSTS.has(host)) {
    return { vaultUrl: `https://${url.host.toLowerCase()}`, name, ...pinned, service: "loopback" };
  }
  if (url.port && url.port !== "443") throw refuse("Key Vault and Managed HSM answer on the standard port only");
  const clouds = cloud ? [cloud] : CLOUD_NAMES;
  for (const c of clouds) {
    for (const [service, suffix] of [
      ["keyVault", CLOUDS[c].keyVaultDnsSuffix],
      ["managedHsm", CLOUDS[c].managedHsmDnsSuffix],
    ] as const) {
      if (!host.endsWith(`.${suffix}`)) continue;
      const vault = host.slice(0, -suffix.length - 1);
      if (!VAULT_NAME.test(vault)) throw refuse(`'${printable(vault)}' is not a vault or Managed HSM name`);
      return { vaultUrl: `https://${host}`, name, ...pinned, service, cloud: c };
    }
  }
  const suffixes = clouds.flatMap((c) => [CLOUDS[c].keyVaultDnsSuffix, CLOUDS[c].managedHsmDnsSuffix]);
  throw refuse(`its host must end in ${suffixes.map((s) => `.${s}`).join(", ")}`);
}

/**
 * A signer whose private key stays in Key Vault or Managed HSM. The key is read once (`KeyClient.getKey`): it must be
 * an enabled EC P-256 key that allows `sign`, and its version is pinned, so that the pack names the very version that
 * signed it even after the key is rotated. Each signature is checked against the key's public half before it is
 * handed out.
 */
export async function keyVaultSigner(url: string, options: KeyVaultSignerOptions): Promise<PackSigner> {
  const { key, hint, publicKey, clientOptions, address } = await readKey(url, options, "sign");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const { CryptographyClient } = await import("@azure/keyvault-keys");
  const crypto = new CryptographyClient(key, options.credential, clientOptions);
  return {
    hint,
    algorithm: "ecdsa-p256-sha256",
    publicKeyPem: async () => publicKeyPem,
    sign: async (data: Uint8Array): Promise<Uint8Array> => {
      const digest = createHash("sha256").update(data).digest();
      let raw: Uint8Array;
      try {
        raw = (await crypto.sign("ES256", digest)).result;
      } catch (error) {
        throw serviceError(error, "sign with", hint, address);
      }
      if (!(raw instanceof Uint8Array) || raw.length !== 64) {
        throw new KeyVaultSignerError(
          `${hint} answered a signature of ${raw instanceof Uint8Array ? raw.length : 0} bytes where ES256 gives 64 (r||s): nothing was signed.`,
          "service",
        );
      }
      const der = rawEcdsaToDer(raw);
      if (!verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, der)) {
        throw new KeyVaultSignerError(
          `${hint} answered a signature that does not verify against the key's public half: nothing was signed.`,
          "service",
        );
      }
      return der;
    },
  };
}

/**
 * The public half of a Key Vault or Managed HSM key, for checking a pack's signature (`verify --key <URL>`): the same
 * reading and checks as the signer's, except that a disabled key, or one that no longer allows `sign`, still gives its
 * public key (a rotated key's old version verifies the packs it signed). Needs the permission `get` alone.
 */
export async function keyVaultPublicKey(
  url: string,
  options: KeyVaultSignerOptions,
): Promise<{ hint: string; publicKeyPem: string }> {
  const { hint, publicKey } = await readKey(url, options, "verify");
  return { hint, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Reads the key the URL names (its current version when the URL names none) with KeyClient.getKey, and checks it. */
async function readKey(url: string, options: KeyVaultSignerOptions, purpose: "sign" | "verify") {
  const address = parseKeyVaultKeyUrl(url, options.cloud);
  const { KeyClient } = await import("@azure/keyvault-keys");
  const clientOptions = {
    // The challenge's resource (https://vault.azure.net, https://managedhsm.azure.net) is checked against the host,
    // except on loopback, whose address has no vault domain to check it against.
    disableChallengeResourceVerification: address.service === "loopback",
    userAgentOptions: { userAgentPrefix: "hsm-audit" },
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  };
  const where = `${address.vaultUrl}/keys/${address.name}${address.version ? `/${address.version}` : ""}`;
  const keyClient = new KeyClient(address.vaultUrl, options.credential, clientOptions);
  let key: KeyVaultKey;
  try {
    key = await keyClient.getKey(address.name, address.version ? { version: address.version } : {});
  } catch (error) {
    throw serviceError(error, "read", where, address);
  }
  return {
    key,
    clientOptions,
    address,
    ...checkKey(key, address, where, purpose, options.clock ?? (() => new Date())),
  };
}

/** The key as the service described it, checked: an enabled EC P-256 key allowing `sign`, of this very vault and name. */
function checkKey(
  key: KeyVaultKey,
  address: KeyVaultKeyAddress,
  where: string,
  purpose: "sign" | "verify",
  clock: () => Date,
): { hint: string; publicKey: KeyObject } {
  const jwk = key.key;
  const kid = typeof key.id === "string" ? key.id : "";
  let version: string | undefined;
  // The name as the service spells it (names are case-insensitive): the hint is the same whoever typed the URL.
  let name = address.name;
  try {
    const id = new URL(kid);
    const segments = id.pathname.split("/").slice(1);
    if (
      `https://${id.host.toLowerCase()}` === address.vaultUrl &&
      segments.length === 3 &&
      segments[0] === "keys" &&
      segments[1]!.toLowerCase() === address.name.toLowerCase() &&
      KEY_VERSION.test(segments[2]!)
    ) {
      version = segments[2]!.toLowerCase();
      name = segments[1]!;
    }
  } catch {
    version = undefined;
  }
  if (!version || (address.version && version !== address.version)) {
    throw new KeyVaultSignerError(
      `${where} answered a key whose id '${printable(kid)}' is not that key with a version: nothing was signed.`,
      "service",
    );
  }
  const hint = `${address.vaultUrl}/keys/${name}/${version}`;
  const kty = String(jwk?.kty ?? key.keyType ?? "unknown");
  const crv = jwk?.crv;
  if ((kty !== "EC" && kty !== "EC-HSM") || crv !== "P-256") {
    const what =
      kty === "EC" || kty === "EC-HSM"
        ? `an EC key on curve ${printable(String(crv))}`
        : `of key type ${printable(kty)}`;
    throw new KeyVaultSignerError(
      `the key ${hint} is ${what}: the evidence pack is signed with ${ACCEPTED}. Create one, e.g. ` +
        (address.service === "keyVault"
          ? `az keyvault key create --vault-name <vault> --name <name> --kty EC-HSM --curve P-256 --ops sign verify`
          : `az keyvault key create --hsm-name <hsm> --name <name> --kty EC-HSM --curve P-256 --ops sign verify`) +
        `, and name it instead (Managed HSM and Key Vault do not offer Ed25519).`,
      "usage",
    );
  }
  const now = clock();
  const { notBefore, expiresOn } = key.properties;
  if (purpose === "sign" && expiresOn instanceof Date && expiresOn.getTime() <= now.getTime()) {
    throw new KeyVaultSignerError(
      `the key ${hint} expired at ${expiresOn.toISOString()}: extend its expiry or name another version.`,
      "usage",
    );
  }
  if (purpose === "sign" && notBefore instanceof Date && notBefore.getTime() > now.getTime()) {
    throw new KeyVaultSignerError(
      `the key ${hint} may not be used before ${notBefore.toISOString()}: name another version.`,
      "usage",
    );
  }
  if (purpose === "sign" && key.properties.enabled === false) {
    throw new KeyVaultSignerError(`the key ${hint} is disabled: enable it or name another version.`, "usage");
  }
  if (purpose === "sign" && key.keyOperations && !key.keyOperations.includes("sign")) {
    throw new KeyVaultSignerError(
      `the key ${hint} does not allow the operation 'sign' (it allows ${key.keyOperations.map((o) => printable(String(o))).join(", ") || "none"}): add it to the key's operations or name another key.`,
      "usage",
    );
  }
  const x = jwk?.x;
  const y = jwk?.y;
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) {
    throw new KeyVaultSignerError(
      `${hint} answered a P-256 key without a 32-byte x and y: nothing was signed.`,
      "service",
    );
  }
  try {
    const publicKey = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: base64url(x), y: base64url(y) },
      format: "jwk",
    });
    return { hint, publicKey };
  } catch {
    throw new KeyVaultSignerError(
      `${hint} answered a public key that is not a point of P-256: nothing was signed.`,
      "service",
    );
  }
}

/** The SDK's error turned into what the user can act on. */
function serviceError(error: unknown, doing: string, where: string, address: KeyVaultKeyAddress): Error {
  if (!isRestError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new KeyVaultSignerError(`could not ${doing} the key ${where}: ${printable(message)}`, "service");
  }
  const status = error.statusCode ?? 0;
  const answered = `the service answered ${status}${error.code ? ` ${printable(error.code)}` : ""}: ${printable(error.message)}`;
  const role =
    address.service === "keyVault"
      ? `the Key Vault RBAC role "Key Vault Crypto User" on the key or vault (or, on a vault using access policies, the key permissions get and sign)`
      : address.service === "managedHsm"
        ? `the Managed HSM local RBAC role "Managed HSM Crypto User" on the key or the HSM`
        : `the Managed HSM local RBAC role "Managed HSM Crypto User", or on a key vault the role "Key Vault Crypto User" (or the key permissions get and sign)`;
  if (status === 404) {
    return new KeyVaultSignerError(
      `the key ${where} does not exist (${answered}). Check the name and version in the key URL.`,
      "usage",
    );
  }
  if (status === 403) {
    return new KeyVaultSignerError(
      `the signing identity may not ${doing} the key ${where} (${answered}). Grant it ${role}.`,
      "denied",
    );
  }
  if (status === 401) {
    return new KeyVaultSignerError(
      `the service did not accept the credential's token for ${address.vaultUrl} (${answered}). Sign in again (az login) or check the identity's tenant.`,
      "denied",
    );
  }
  return new KeyVaultSignerError(`could not ${doing} the key ${where}: ${answered}`, "service");
}

/**
 * An ECDSA signature as Key Vault gives it (r||s, each the curve's size, big-endian) in DER: an ASN.1 SEQUENCE of two
 * INTEGERs, each without its leading zero bytes and with a 0x00 before a first byte whose high bit is set (an INTEGER
 * is signed).
 */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new RangeError(`a raw ECDSA signature holds r and s of equal size; got ${raw.length} bytes`);
  }
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const value = [...bytes.subarray(start)];
    if (value[0]! & 0x80) value.unshift(0);
    return [0x02, ...derLength(value.length), ...value];
  };
  const body = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** A string read from the service or the user, made safe to print: no control characters, at most 300 characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}
