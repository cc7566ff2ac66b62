// The signed manifest: the statement in a DSSE envelope, inside a Sigstore bundle (v0.3) whose verification material
// is a public-key hint (no certificate, no transparency log entry) and, with `--timestamp-url`, an RFC 3161 timestamp
// of the signature. Built with @sigstore/sign's DSSE bundle builder and a signer of ours, with no witness: nothing
// leaves the machine but, when a time-stamp authority is named, the SHA-256 of the signature. Read back and verified
// here with node:crypto and the key the verifier is given, never the key the bundle names.
import { verify as verifyWith, type KeyObject } from "node:crypto";
import { DSSEBundleBuilder, type Signer } from "@sigstore/sign";
import { bundleFromJSON, bundleToJSON } from "@sigstore/bundle";
import { IN_TOTO_PAYLOAD_TYPE, preAuthEncoding } from "./dsse.js";
import { algorithmOf, type PackSigner } from "./signer.js";

export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/**
 * Signs the statement and returns the bundle file's bytes (JSON, two-space indented, final newline). With `timestamp`
 * (`--timestamp-url`), the RFC 3161 response it gives for the signature's bytes joins the verification material.
 */
export async function signStatement(
  statement: unknown,
  signer: PackSigner,
  timestamp?: (signature: Uint8Array) => Promise<Buffer>,
): Promise<Buffer> {
  const publicKey = await signer.publicKeyPem();
  const adapter: Signer = {
    sign: async (data) => ({
      signature: Buffer.from(await signer.sign(data)),
      key: { $case: "publicKey", publicKey, hint: signer.hint },
    }),
  };
  const builder = new DSSEBundleBuilder({ signer: adapter, witnesses: [] });
  const bundle = await builder.create({
    data: Buffer.from(JSON.stringify(statement), "utf8"),
    type: IN_TOTO_PAYLOAD_TYPE,
  });
  if (timestamp && bundle.content.$case === "dsseEnvelope") {
    const signature = bundle.content.dsseEnvelope.signatures[0]!.sig;
    bundle.verificationMaterial.timestampVerificationData = {
      rfc3161Timestamps: [{ signedTimestamp: await timestamp(signature) }],
    };
  }
  return Buffer.from(`${JSON.stringify(bundleToJSON(bundle), null, 2)}\n`, "utf8");
}

export interface ReadBundle {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string; sig: Buffer }>;
  /** The public-key hint of the verification material (never trusted). */
  hint: string | undefined;
  /** The RFC 3161 responses (DER) over the signature, when the pack was timestamped. */
  timestamps: Buffer[];
}

/** Parses a bundle file; a string naming what is wrong when it is not a DSSE bundle of ours. */
export function readBundle(bytes: Buffer): ReadBundle | string {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return `not valid JSON (${(error as Error).message.split("\n")[0]})`;
  }
  if ((json as { mediaType?: unknown } | null)?.mediaType !== BUNDLE_MEDIA_TYPE) {
    return `mediaType is not ${BUNDLE_MEDIA_TYPE}`;
  }
  let bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return `not a Sigstore bundle (${(error as Error).message})`;
  }
  if (bundle.content.$case !== "dsseEnvelope") return "the bundle holds no DSSE envelope";
  const envelope = bundle.content.dsseEnvelope;
  const material = bundle.verificationMaterial?.content;
  return {
    payloadType: envelope.payloadType,
    payload: Buffer.from(envelope.payload),
    signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: Buffer.from(s.sig) })),
    hint: material?.$case === "publicKey" ? material.publicKey.hint : undefined,
    timestamps: (bundle.verificationMaterial?.timestampVerificationData?.rfc3161Timestamps ?? []).map((t) =>
      Buffer.from(t.signedTimestamp),
    ),
  };
}

/** Whether one of the envelope's signatures is by `publicKey` over PAE(payloadType, payload). */
export function envelopeSignedBy(envelope: ReadBundle, publicKey: KeyObject): boolean {
  const algorithm = algorithmOf(publicKey);
  if (!algorithm) return false;
  const signed = preAuthEncoding(envelope.payloadType, envelope.payload);
  return envelope.signatures.some((s) => {
    try {
      return algorithm === "ed25519"
        ? verifyWith(null, signed, publicKey, s.sig)
        : verifyWith("sha256", signed, { key: publicKey, dsaEncoding: "der" }, s.sig);
    } catch {
      return false;
    }
  });
}
