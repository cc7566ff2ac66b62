// RFC 3161 timestamps of the pack's signature (`--timestamp-url`): a time-stamp authority the user names signs "this
// signature existed at genTime", so the pack can be shown to predate a later compromise of the signing key. The token
// is kept where a Sigstore bundle keeps it (verificationMaterial.timestampVerificationData.rfc3161Timestamps, the DER
// TimeStampResp), over the DSSE signature's bytes as Sigstore timestamps them. ASN.1 through pkijs/asn1js; signatures
// checked with node:crypto, synchronously. Nothing is contacted unless a URL is named.
import { createHash, randomBytes, verify as verifyWith, X509Certificate, type KeyObject } from "node:crypto";
import { readBounded } from "../util/bounded-read.js";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SigningKeyError, TimestampError } from "./errors.js";

export { TimestampError };

export const OID = {
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  timeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

const HASHES: Record<string, string> = { [OID.sha256]: "sha256", [OID.sha384]: "sha384", [OID.sha512]: "sha512" };

/** The signature algorithms a timestamp's signer may use: RSA PKCS#1 v1.5, ECDSA, Ed25519. */
const SIGNATURES: Record<string, { kind: "rsa" | "ecdsa" | "ed25519"; hash?: string }> = {
  "1.2.840.113549.1.1.1": { kind: "rsa" },
  "1.2.840.113549.1.1.11": { kind: "rsa", hash: "sha256" },
  "1.2.840.113549.1.1.12": { kind: "rsa", hash: "sha384" },
  "1.2.840.113549.1.1.13": { kind: "rsa", hash: "sha512" },
  "1.2.840.10045.2.1": { kind: "ecdsa" },
  "1.2.840.10045.4.3.2": { kind: "ecdsa", hash: "sha256" },
  "1.2.840.10045.4.3.3": { kind: "ecdsa", hash: "sha384" },
  "1.2.840.10045.4.3.4": { kind: "ecdsa", hash: "sha512" },
  "1.3.101.112": { kind: "ed25519" },
};

/** What the token says, once its imprint, its nonce (when asked) and its signature hold. */
export interface TimestampReading {
  genTime: Date;
  /** The TSA's policy OID. */
  policy: string;
  serialNumber: string;
  /** The certificate whose key signed the token (one the token carries, or the one given). */
  signer: X509Certificate;
}

const toHex = (view: ArrayBuffer | Uint8Array) =>
  Buffer.from(view instanceof Uint8Array ? view : new Uint8Array(view)).toString("hex");
const bytesOf = (view: ArrayBuffer | Uint8Array) =>
  Buffer.from(view instanceof Uint8Array ? view : new Uint8Array(view));

/** A random positive nonce of 8 bytes, minimal in DER. */
export function newNonce(): Buffer {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x3f) | 0x40;
  return nonce;
}

/** The DER TimeStampReq for the SHA-256 of `data`, asking for the TSA's certificate in the token. */
export function timestampRequest(data: Uint8Array, nonce: Buffer): Buffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash("sha256").update(data).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER(false));
}

/** Parses DER, refusing trailing bytes and anything but the whole input. */
function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) throw new Error(`${what} is not DER (${parsed.result.error})`);
  if (parsed.offset !== der.byteLength) throw new Error(`${what} has ${der.byteLength - parsed.offset} bytes after it`);
  return parsed.result;
}

/**
 * Reads a DER TimeStampResp over `data` and checks what a token must hold: status granted, a SignedData of a
 * TSTInfo, the SHA-256 imprint of `data`, the nonce when one was sent, the content-type and message-digest signed
 * attributes, and a signature by the key of a certificate it carries (or of one of `extra`). A string says what fails.
 * Whether that certificate is the verifier's TSA is `trustProblem`'s question.
 */
export function readTimestamp(
  response: Uint8Array,
  data: Uint8Array,
  options: { nonce?: Buffer; extra?: X509Certificate[] } = {},
): TimestampReading | string {
  try {
    const resp = new pkijs.TimeStampResp({ schema: parseDer(response, "the TimeStampResp") });
    const status = resp.status.status;
    if (status !== 0 && status !== 1) {
      const text = (resp.status.statusStrings ?? []).map((s) => s.valueBlock.value).join("; ");
      return `the time-stamp authority refused (status ${status}${text ? `: ${text}` : ""})`;
    }
    if (!resp.timeStampToken) return "the response holds no timeStampToken";
    if (resp.timeStampToken.contentType !== OID.signedData) return "the token is not a SignedData";
    const signed = new pkijs.SignedData({ schema: resp.timeStampToken.content });
    const encap = signed.encapContentInfo;
    if (encap.eContentType !== OID.tstInfo) return `the token's content is ${encap.eContentType}, not a TSTInfo`;
    if (!encap.eContent) return "the token holds no TSTInfo";
    const tstBytes = bytesOf(encap.eContent.getValue());
    const tst = new pkijs.TSTInfo({ schema: parseDer(tstBytes, "the TSTInfo") });

    const imprint = tst.messageImprint;
    if (imprint.hashAlgorithm.algorithmId !== OID.sha256) {
      return `the token's imprint uses ${imprint.hashAlgorithm.algorithmId}, not SHA-256`;
    }
    const expected = createHash("sha256").update(data).digest("hex");
    const got = toHex(imprint.hashedMessage.valueBlock.valueHexView);
    if (got !== expected) return `the token is over SHA-256 ${got}, not the signature's ${expected}`;
    if (options.nonce) {
      const nonce = tst.nonce ? toHex(tst.nonce.valueBlock.valueHexView) : undefined;
      if (nonce !== options.nonce.toString("hex")) return "the token's nonce is not the request's";
    }

    if (signed.signerInfos.length !== 1) return `the token has ${signed.signerInfos.length} signers, not one`;
    const signer = signed.signerInfos[0]!;
    const hash = HASHES[signer.digestAlgorithm.algorithmId];
    if (!hash) return `the token's digest algorithm ${signer.digestAlgorithm.algorithmId} is not SHA-2`;
    if (!signer.signedAttrs) return "the token has no signed attributes";
    const attribute = (type: string) => signer.signedAttrs!.attributes.filter((a) => a.type === type);
    const contentTypes = attribute(OID.contentType);
    const digests = attribute(OID.messageDigest);
    if (contentTypes.length !== 1 || digests.length !== 1)
      return "the token's signed attributes lack a content type or digest";
    const contentType = contentTypes[0]!.values[0];
    if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.tstInfo) {
      return "the token's signed content type is not a TSTInfo";
    }
    const digest = digests[0]!.values[0];
    if (!(digest instanceof asn1js.OctetString)) return "the token's signed message digest is not an octet string";
    if (toHex(digest.valueBlock.valueHexView) !== createHash(hash).update(tstBytes).digest("hex")) {
      return "the token's signed message digest is not the TSTInfo's";
    }
    // The signature is over the signed attributes as a SET (their [0] IMPLICIT tag replaced).
    const signedBytes = Buffer.from(new Uint8Array(signer.signedAttrs.encodedValue));
    signedBytes[0] = 0x31;
    const algorithm = SIGNATURES[signer.signatureAlgorithm.algorithmId];
    if (!algorithm) return `the token's signature algorithm ${signer.signatureAlgorithm.algorithmId} is not supported`;
    const signature = bytesOf(signer.signature.valueBlock.valueHexView);
    const carried = (signed.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => new X509Certificate(Buffer.from(c.toSchema().toBER(false))));
    const by = [...carried, ...(options.extra ?? [])].find((cert) =>
      signatureHolds(algorithm, algorithm.hash ?? hash, signedBytes, cert.publicKey, signature),
    );
    if (!by) return "the token's signature is not by the key of any certificate it carries or that was given";
    // ESS signing-certificate-v2, when present, names the signer's certificate by its hash: it must be this one.
    const ess = attribute(OID.signingCertificateV2)[0]?.values[0];
    if (ess) {
      const named = essCertHash(ess);
      if (named && named !== createHash("sha256").update(by.raw).digest("hex")) {
        return "the token's signing-certificate attribute names another certificate than the one whose key signed it";
      }
    }
    return {
      genTime: tst.genTime,
      policy: tst.policy,
      serialNumber: toHex(tst.serialNumber.valueBlock.valueHexView),
      signer: by,
    };
  } catch (error) {
    return `not a readable RFC 3161 response (${(error as Error).message})`;
  }
}

/** The first ESSCertIDv2's SHA-256 certHash (hex), when it uses the default algorithm; undefined otherwise. */
function essCertHash(value: unknown): string | undefined {
  const seq = (v: unknown) => (v instanceof asn1js.Sequence ? v.valueBlock.value : undefined);
  const first = seq(seq(value)?.[0])?.[0];
  const parts = seq(first);
  if (!parts || !(parts[0] instanceof asn1js.OctetString)) return undefined;
  return toHex(parts[0].valueBlock.valueHexView);
}

function signatureHolds(
  algorithm: { kind: "rsa" | "ecdsa" | "ed25519" },
  hash: string,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
): boolean {
  try {
    if (algorithm.kind === "ed25519")
      return key.asymmetricKeyType === "ed25519" && verifyWith(null, data, key, signature);
    if (algorithm.kind === "rsa") return key.asymmetricKeyType === "rsa" && verifyWith(hash, data, key, signature);
    return key.asymmetricKeyType === "ec" && verifyWith(hash, data, { key, dsaEncoding: "der" }, signature);
  } catch {
    return false;
  }
}

/**
 * Whether the token's signer is the verifier's TSA: its certificate is `anchor`, or one `anchor` issued and signed;
 * it is for time stamping; and genTime lies in its validity. A string says why not.
 */
export function trustProblem(reading: TimestampReading, anchor: X509Certificate): string | undefined {
  const signer = reading.signer;
  const same = signer.raw.equals(anchor.raw);
  if (!same && !(signer.checkIssued(anchor) && signer.verify(anchor.publicKey))) {
    return `signed by ${signer.subject.replace(/\n/g, ", ")}, which is not the TSA certificate given nor issued by it`;
  }
  if (!(signer.keyUsage ?? []).includes(OID.timeStamping)) {
    return "its signer's certificate is not for time stamping (no timeStamping extended key usage)";
  }
  const at = reading.genTime.getTime();
  if (at < Date.parse(signer.validFrom) || at > Date.parse(signer.validTo)) {
    return `its time ${reading.genTime.toISOString()} is outside its signer's certificate validity`;
  }
  return undefined;
}

/** The largest certificate file read (a certificate is a few kilobytes). */
const MAX_CERT_BYTES = 256 * 1024;

/** A TSA certificate (PEM or DER) for `verify --tsa-cert`; a file that is not one is exit 2, naming it. */
export function loadTsaCertificate(file: string): X509Certificate {
  const read = readBounded(file, MAX_CERT_BYTES);
  if (!read.ok) {
    const why = read.why === "unreadable" ? read.code : read.why === "too-large" ? `${read.size} bytes` : "not a file";
    throw new SigningKeyError(`--tsa-cert ${file}: cannot read a certificate from it (${why})`);
  }
  try {
    return new X509Certificate(read.bytes);
  } catch {
    throw new SigningKeyError(
      `--tsa-cert ${file}: not an X.509 certificate (PEM or DER); give the time-stamp authority's certificate`,
    );
  }
}

/** The largest response read from a time-stamp authority. */
const MAX_RESPONSE = 1024 * 1024;

/** Checks `--timestamp-url` before anything is read: http or https, nothing else. */
export function parseTimestampUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SigningKeyError(
      `--timestamp-url '${value}' is not a URL; name the time-stamp authority's http(s) address`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SigningKeyError(`--timestamp-url '${value}': only http and https time-stamp authorities are supported`);
  }
  if (url.username || url.password) {
    throw new SigningKeyError("--timestamp-url must not carry a user or password");
  }
  return url;
}

/**
 * Asks the TSA at `url` for a timestamp of `data` (the signature's bytes) and checks the answer (`readTimestamp`):
 * the DER TimeStampResp, or a TimestampError naming the URL and what went wrong.
 */
export async function requestTimestamp(
  url: URL,
  data: Uint8Array,
  options: { timeoutMs?: number } = {},
): Promise<Buffer> {
  const nonce = newNonce();
  const body = timestampRequest(data, nonce);
  const where = `the time-stamp authority ${url.origin}${url.pathname}`;
  const response = await new Promise<Buffer>((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/timestamp-query", "content-length": body.length },
        timeout: options.timeoutMs ?? 30_000,
        // One request: its own connection, closed after the answer (no keep-alive socket left in the process).
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE) {
            req.destroy(new Error(`answered more than ${MAX_RESPONSE} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`answered HTTP ${res.statusCode}`));
          else resolve(Buffer.concat(chunks));
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`did not answer within ${(options.timeoutMs ?? 30_000) / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  }).catch((error: Error) => {
    throw new TimestampError(
      `${where} ${error.message}: no pack was written; try again, or sign without --timestamp-url`,
    );
  });
  const reading = readTimestamp(response, data, { nonce });
  if (typeof reading === "string") {
    throw new TimestampError(`${where}: ${reading}: no pack was written`);
  }
  return response;
}
