// Who signs an evidence pack. A signer only signs bytes and tells its public key: the pack knows nothing of where the
// private key lives, so a key held in Azure Key Vault or a Managed HSM plugs in beside the local PEM file.
import { createHash, createPrivateKey, createPublicKey, sign as signWith, type KeyObject } from "node:crypto";
import { readBounded } from "../util/bounded-read.js";
import { SigningKeyError } from "./errors.js";
import type { PackSigner, PackSigningAlgorithm } from "./signer-types.js";

export type { PackSigner } from "./signer-types.js";
export type SigningAlgorithm = PackSigningAlgorithm;

export { SigningKeyError };

export const ACCEPTED_KEYS = "a PEM ECDSA P-256 (prime256v1) or Ed25519 key";
/** A PEM key is a few hundred bytes; anything far larger is not one. */
const MAX_KEY_BYTES = 64 * 1024;

/** A Key Vault or Managed HSM key named by its URL: signs in the service (src/pack/keyvault-signer.ts). */
export type RemoteSigner = (url: string) => Promise<PackSigner>;

/** Whether `--sign-key` or `--key` names a key by URL rather than a PEM file. */
export function isKeyUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/**
 * The signer that `--sign-key VALUE` names: the one place where a key URL is told from a file. A URL goes to
 * `remote` (Key Vault or Managed HSM); where no remote signer may be used (the demo), a URL is refused.
 */
export async function signerFor(value: string, remote?: RemoteSigner): Promise<PackSigner> {
  if (isKeyUrl(value)) {
    if (!remote) {
      throw new SigningKeyError(
        `--sign-key ${value}: a Key Vault key is not used here; give a PEM private key file (${ACCEPTED_KEYS})`,
      );
    }
    return remote(value);
  }
  return localPemSigner(value);
}

/** The algorithm of a key, or undefined when it is neither of those accepted. */
export function algorithmOf(key: KeyObject): SigningAlgorithm | undefined {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return "ecdsa-p256-sha256";
  }
  return undefined;
}

/** The hint of a public key: SHA-256 (hex) of its DER SubjectPublicKeyInfo, as `openssl pkey -pubin -outform DER | sha256sum` gives it. */
export function keyHint(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

function readKeyFile(flag: string, file: string): Buffer {
  const read = readBounded(file, MAX_KEY_BYTES);
  if (read.ok) return read.bytes;
  switch (read.why) {
    case "not-a-file":
      throw new SigningKeyError(`${flag} ${file}: not a file; give ${ACCEPTED_KEYS} (PEM)`);
    case "too-large":
      throw new SigningKeyError(`${flag} ${file}: ${read.size} bytes is not a PEM key; give ${ACCEPTED_KEYS}`);
    case "unreadable":
      throw new SigningKeyError(`${flag} ${file}: cannot read it (${read.code})`);
  }
}

/** Reads a PEM private key for signing; anything else is a SigningKeyError naming the file. */
export function loadPrivateKey(file: string, flag = "--sign-key"): KeyObject {
  const pem = readKeyFile(flag, file);
  const text = pem.toString("utf8");
  if (/-----BEGIN (ENCRYPTED PRIVATE KEY|[A-Z ]*PRIVATE KEY)-----/.test(text) === false) {
    const what = /-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(text)
      ? "a public key or certificate"
      : "not a PEM key";
    throw new SigningKeyError(`${flag} ${file}: ${what}; give the private key: ${ACCEPTED_KEYS}`);
  }
  if (/ENCRYPTED/.test(text)) {
    throw new SigningKeyError(
      `${flag} ${file}: the key is encrypted; hsm-audit reads unencrypted PEM (${ACCEPTED_KEYS}), or sign with a Key Vault key`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new SigningKeyError(
      `${flag} ${file}: not a readable PEM private key (${(error as Error).message}); give ${ACCEPTED_KEYS}`,
    );
  }
  if (!algorithmOf(key)) {
    throw new SigningKeyError(`${flag} ${file}: ${describeKey(key)} is not accepted; give ${ACCEPTED_KEYS}`);
  }
  return key;
}

/** Reads a PEM public key for verifying (a private key is taken too: its public half is used). */
export function loadPublicKey(file: string, flag = "--key"): KeyObject {
  return publicKeyFromPem(readKeyFile(flag, file), file, flag);
}

/** A public key from PEM (a file's, or a Key Vault key's), checked to be one of the kinds accepted. */
export function publicKeyFromPem(pem: string | Buffer, file: string, flag = "--key"): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new SigningKeyError(
      `${flag} ${file}: not a readable PEM public key (${(error as Error).message}); give ${ACCEPTED_KEYS}`,
    );
  }
  if (!algorithmOf(key)) {
    throw new SigningKeyError(`${flag} ${file}: ${describeKey(key)} is not accepted; give ${ACCEPTED_KEYS}`);
  }
  return key;
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  const details = [key.asymmetricKeyType ?? "unknown type", curve, bits ? `${bits} bits` : undefined].filter(Boolean);
  return `the key (${details.join(", ")})`;
}

/** A signer over a PEM private key file on this machine. */
export function localPemSigner(file: string): PackSigner {
  const key = loadPrivateKey(file);
  return keySigner(key);
}

/** A signer over a private key already in memory (the demo's generated key, the tests'). */
export function keySigner(key: KeyObject): PackSigner {
  const algorithm = algorithmOf(key);
  if (!algorithm) throw new SigningKeyError(`${describeKey(key)} is not accepted; use ${ACCEPTED_KEYS}`);
  const publicKey = createPublicKey(key);
  return {
    hint: keyHint(publicKey),
    algorithm,
    publicKeyPem: async () => publicKey.export({ type: "spki", format: "pem" }).toString(),
    sign: async (data) =>
      algorithm === "ed25519" ? signWith(null, data, key) : signWith("sha256", data, { key, dsaEncoding: "der" }),
  };
}
