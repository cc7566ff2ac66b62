// The keys data plane of the estate's Managed HSMs (the Key Vault keys REST API): reading a key, in its current or a
// named version, and signing a digest with it. The key pairs are made by the simulator when a key is first asked for;
// their private halves never leave it, as in an HSM.
import { createECDH, createHash, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { constants } from "node:crypto";
import { keyVaultError, type Route, type SimRequest, type SimResponse } from "../http.js";
import type { Estate, Hsm, SigningKeySpec } from "../estate.js";
import type { RouteEntry } from "./route.js";

/** The api-versions of the keys data plane the simulator answers (`@azure/keyvault-keys` 4.10 sends `2025-07-01`). */
export const KEY_VAULT_API_VERSIONS = ["7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"];

/** The token audience a Managed HSM's challenge names, as `WWW-Authenticate: Bearer ... resource="..."`. */
export const MANAGED_HSM_RESOURCE = "https://managedhsm.azure.net";

/** What a keys route reads beside its path: the estate and its keys. */
export interface KeyVaultRequest {
  estate: Estate;
  keys: SimulatedKeys;
}

/** One version of a key: its pair, made on first use. */
interface KeyVersion {
  version: string;
  created: number;
  privateKey: KeyObject;
  publicJwk: Record<string, string>;
}

interface Curve {
  jwk: "P-256" | "P-384";
  ecdh: string;
  alg: string;
  digestBytes: number;
  order: bigint;
}

const CURVES: Record<"P-256" | "P-384", Curve> = {
  "P-256": {
    jwk: "P-256",
    ecdh: "prime256v1",
    alg: "ES256",
    digestBytes: 32,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  "P-384": {
    jwk: "P-384",
    ecdh: "secp384r1",
    alg: "ES384",
    digestBytes: 48,
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
};

/** The DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/** The keys of an estate's Managed HSMs by lower-cased name (the estate makes names unique), with their versions. */
export class SimulatedKeys {
  private readonly byName = new Map<string, { spec: SigningKeySpec; hsm: Hsm }>();
  private readonly made = new Map<string, KeyVersion[]>();

  constructor(private readonly estate: Estate) {
    for (const sub of estate.subscriptions)
      for (const hsm of sub.hsms)
        for (const spec of hsm.signingKeys ?? []) this.byName.set(spec.name.toLowerCase(), { spec, hsm });
  }

  find(name: string): { spec: SigningKeySpec; hsm: Hsm } | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The key's versions, oldest first (the last is the current one), made on first use. */
  versions(spec: SigningKeySpec): KeyVersion[] {
    const key = spec.name.toLowerCase();
    let versions = this.made.get(key);
    if (!versions) {
      versions = Array.from({ length: spec.versions }, (_, i) => this.make(spec, i));
      this.made.set(key, versions);
    }
    return versions;
  }

  private make(spec: SigningKeySpec, index: number): KeyVersion {
    // A version id looks like the service's (32 hexadecimal digits) and is the same each run of the same estate.
    const version = createHash("sha256")
      .update(`${this.estate.tenantId}/keys/${spec.name.toLowerCase()}/${index}`)
      .digest("hex")
      .slice(0, 32);
    const created = Math.floor(this.estate.now.getTime() / 1000) - (spec.versions - index) * 30 * 86_400;
    const { privateKey, publicKey } =
      spec.kty === "RSA"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ec", { namedCurve: CURVES[spec.curve ?? "P-256"].ecdh });
    const jwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
    return { version, created, privateKey, publicJwk: jwk };
  }
}

const KEY_PATH = String.raw`^\/keys\/([^/]+)`;

/** The keys routes, on the simulator's one address (`/keys/...`, as on `https://<hsm>.managedhsm.azure.net`). */
export const KEY_VAULT_ROUTES: RouteEntry<KeyVaultRequest>[] = [
  {
    methods: ["GET"],
    pattern: new RegExp(`${KEY_PATH}\\/versions$`, "i"),
    handler: (m, { keys }) => keyRoute("keyVersions", (req) => listVersions(req, keys, m[1]!)),
  },
  {
    methods: ["GET"],
    pattern: new RegExp(`${KEY_PATH}(?:\\/([^/]+))?$`, "i"),
    handler: (m, { keys }) => keyRoute("keyGet", (req) => getKey(req, keys, m[1]!, m[2])),
  },
  {
    methods: ["POST"],
    pattern: new RegExp(`${KEY_PATH}\\/([^/]+)\\/sign$`, "i"),
    handler: (m, { keys }) => keyRoute("keySign", (req) => sign(req, keys, m[1]!, m[2]!)),
  },
];

function keyRoute(name: "keyGet" | "keyVersions" | "keySign", handle: (req: SimRequest) => SimResponse): Route {
  return { name, family: "keyvault", handle: (req) => checkApiVersion(req) ?? handle(req) };
}

function checkApiVersion(req: SimRequest): SimResponse | undefined {
  const version = req.query.get("api-version");
  if (!version) return keyVaultError(400, "BadParameter", "The api-version query parameter is required.");
  if (KEY_VAULT_API_VERSIONS.includes(version)) return undefined;
  return keyVaultError(
    400,
    "BadParameter",
    `The specified version (${version}) is not recognized. Consider using the latest supported version (${KEY_VAULT_API_VERSIONS.at(-1)!}).`,
  );
}

/** The 401 of an unauthenticated request: the challenge the SDK answers with a token for the HSM's audience. */
export function keyVaultChallenge(estate: Estate, hadToken: boolean): SimResponse {
  return {
    ...keyVaultError(
      401,
      "Unauthorized",
      hadToken ? "AKV10022: Invalid audience or token." : "AKV10000: Request is missing a Bearer or PoP token.",
    ),
    headers: {
      "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${estate.tenantId}", resource="${MANAGED_HSM_RESOURCE}"`,
    },
  };
}

function keyNotFound(nameOrId: string): SimResponse {
  return keyVaultError(
    404,
    "KeyNotFound",
    `A key with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function lookup(
  keys: SimulatedKeys,
  name: string,
  version: string | undefined,
): { spec: SigningKeySpec; key: KeyVersion } | SimResponse {
  const found = keys.find(name);
  if (!found) return keyNotFound(name);
  const versions = keys.versions(found.spec);
  const key = version === undefined ? versions.at(-1)! : versions.find((v) => v.version === version.toLowerCase());
  if (!key) return keyNotFound(`${name}/${version}`);
  return { spec: found.spec, key };
}

function getKey(req: SimRequest, keys: SimulatedKeys, name: string, version: string | undefined): SimResponse {
  const found = lookup(keys, name, version);
  if ("status" in found) return found;
  const { spec, key } = found;
  const { kty: _kty, ...material } = key.publicJwk;
  return {
    status: 200,
    body: {
      key: {
        kid: `${req.origin}/keys/${spec.name}/${key.version}`,
        kty: spec.kty === "RSA" ? "RSA-HSM" : "EC-HSM",
        key_ops: spec.operations,
        ...material,
      },
      attributes: {
        enabled: spec.enabled,
        created: key.created,
        updated: key.created,
        recoveryLevel: "CustomizedRecoverable+Purgeable",
        recoverableDays: 90,
        exportable: false,
      },
      tags: {},
    },
  };
}

function listVersions(req: SimRequest, keys: SimulatedKeys, name: string): SimResponse {
  const found = keys.find(name);
  if (!found) return keyNotFound(name);
  const { spec } = found;
  const items = keys.versions(spec).map((key) => ({
    kid: `${req.origin}/keys/${spec.name}/${key.version}`,
    attributes: { enabled: spec.enabled, created: key.created, updated: key.created },
    tags: {},
  }));
  return { status: 200, page: { items } };
}

function sign(req: SimRequest, keys: SimulatedKeys, name: string, version: string): SimResponse {
  const found = lookup(keys, name, version);
  if ("status" in found) return found;
  const { spec, key } = found;
  const body = req.body as { alg?: unknown; value?: unknown } | undefined;
  if (!body || typeof body !== "object" || typeof body.alg !== "string" || typeof body.value !== "string") {
    return keyVaultError(400, "BadParameter", "The request body must carry 'alg' and 'value'.");
  }
  if (!spec.enabled) return keyVaultError(403, "Forbidden", "Operation sign is not allowed on a disabled key.");
  if (!spec.operations.includes("sign")) {
    return keyVaultError(403, "Forbidden", "Operation sign is not permitted on this key.", "KeyOperationForbidden");
  }
  const digest = Buffer.from(body.value, "base64url");
  const expected = spec.kty === "RSA" ? "RS256" : CURVES[spec.curve ?? "P-256"].alg;
  if (body.alg !== expected) {
    return keyVaultError(400, "BadParameter", `Invalid algorithm '${body.alg}' for a key of type ${spec.kty}.`);
  }
  const digestBytes = spec.kty === "RSA" ? 32 : CURVES[spec.curve ?? "P-256"].digestBytes;
  if (digest.length !== digestBytes) {
    return keyVaultError(400, "BadParameter", `Invalid digest length ${digest.length} for algorithm ${body.alg}.`);
  }
  const signature =
    spec.kty === "RSA"
      ? privateEncrypt(
          { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING },
          Buffer.concat([SHA256_DIGEST_INFO, digest]),
        )
      : ecdsaOverDigest(CURVES[spec.curve ?? "P-256"], key.privateKey, digest);
  return {
    status: 200,
    body: { kid: `${req.origin}/keys/${spec.name}/${key.version}`, value: signature.toString("base64url") },
  };
}

/**
 * ECDSA over a digest the caller made, as an HSM signs (node:crypto signs only data it hashes itself). k·G comes from
 * node's ECDH; r = x(k·G) mod n and s = k⁻¹ (z + r·d) mod n. The answer is r||s, each the curve's size, as Key Vault
 * answers.
 */
function ecdsaOverDigest(curve: Curve, privateKey: KeyObject, digest: Buffer): Buffer {
  const n = curve.order;
  const size = curve.digestBytes;
  const d = toBigInt(Buffer.from((privateKey.export({ format: "jwk" }) as { d: string }).d, "base64url"));
  const z = toBigInt(digest);
  for (;;) {
    const k = (toBigInt(randomBytes(size + 8)) % (n - 1n)) + 1n;
    const ecdh = createECDH(curve.ecdh);
    ecdh.setPrivateKey(toBytes(k, size));
    const point = ecdh.getPublicKey();
    const r = toBigInt(point.subarray(1, 1 + size)) % n;
    if (r === 0n) continue;
    const s = (modPow(k, n - 2n, n) * ((z + r * d) % n)) % n;
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, size), toBytes(s, size)]);
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function toBytes(value: bigint, size: number): Buffer {
  return Buffer.from(value.toString(16).padStart(size * 2, "0"), "hex");
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}
