// A time-stamp authority double (RFC 3161 over HTTP, on 127.0.0.1) for the tests of `--timestamp-url`: it answers a
// TimeStampReq with a token signed by a throw-away RSA key whose certificate (extended key usage timeStamping) it
// publishes. Faults make it answer as a broken or hostile TSA would. It is a test double: no real TSA is contacted.
import { createHash, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import forge from "node-forge";
import { certificateSerial } from "./certs.js";
import { OID } from "../pack/timestamp.js";

/** How the double misbehaves: refuse, sign another imprint, drop the nonce, sign with another key, answer junk. */
export const TSA_FAULTS = ["rejection", "wrong-imprint", "wrong-nonce", "wrong-key", "garbage", "http-500"] as const;
export type TsaFault = (typeof TSA_FAULTS)[number];

export interface TimestampAuthority {
  /** `http://127.0.0.1:PORT/tsa`; add `?fault=<fault>` for a misbehaving answer. */
  url: string;
  /** The TSA's certificate (PEM), as a verifier would be given it. */
  certPem: string;
  /** Requests answered. */
  requests: number;
  close(): Promise<void>;
}

interface Identity {
  key: KeyObject;
  certDer: Buffer;
}

function identity(now: number, commonName: string): Identity {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = certificateSerial();
  cert.validity.notBefore = new Date(now - 3_600_000);
  cert.validity.notAfter = new Date(now + 30 * 86_400_000);
  const name = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "hsm-audit (test only)" },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, critical: true },
    { name: "extKeyUsage", timeStamping: true, critical: true },
  ]);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString()),
    forge.md.sha256.create(),
  );
  return {
    key: privateKey,
    certDer: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary"),
  };
}

const ab = (b: Buffer) => new Uint8Array(b).buffer;

/** The DER TimeStampResp the double gives for a request body. */
export function timestampResponse(
  requestDer: Buffer,
  signerId: Identity,
  signWith: KeyObject,
  options: { now: Date; serial: number; fault?: TsaFault },
): Buffer {
  const fault = options.fault;
  if (fault === "garbage") return Buffer.from("this is not DER");
  if (fault === "rejection") {
    return Buffer.from(
      new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({
          status: pkijs.PKIStatus.rejection,
          statusStrings: [new asn1js.Utf8String({ value: "request refused by the double" })],
        }),
      })
        .toSchema()
        .toBER(false),
    );
  }
  const parsed = asn1js.fromBER(new Uint8Array(requestDer));
  const request = new pkijs.TimeStampReq({ schema: parsed.result });
  const hashed = Buffer.from(request.messageImprint.hashedMessage.valueBlock.valueHexView);
  const imprint = fault === "wrong-imprint" ? createHash("sha256").update(hashed).digest() : hashed;
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: "1.3.6.1.4.1.99999.1",
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: ab(imprint) }),
    }),
    serialNumber: new asn1js.Integer({ value: options.serial }),
    genTime: options.now,
    ...(request.nonce && fault !== "wrong-nonce" ? { nonce: request.nonce } : {}),
  });
  const tstDer = Buffer.from(tst.toSchema().toBER(false));
  const cert = pkijs.Certificate.fromBER(new Uint8Array(signerId.certDer));
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: ab(createHash("sha256").update(tstDer).digest()) })],
    }),
    // ESS signing-certificate-v2 (RFC 5816), which RFC 3161 verifiers such as `openssl ts -verify` require: the
    // SHA-256 (the default algorithm, so left out) of the signer's certificate.
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [
        new asn1js.Sequence({
          value: [
            new asn1js.Sequence({
              value: [
                new asn1js.Sequence({
                  value: [
                    new asn1js.OctetString({ valueHex: ab(createHash("sha256").update(signerId.certDer).digest()) }),
                  ],
                }),
              ],
            }),
          ],
        }),
      ],
    }),
  ];
  const toSign = Buffer.from(new asn1js.Set({ value: attributes.map((a) => a.toSchema()) }).toBER(false));
  const signature = createSign("sha256").update(toSign).sign(signWith);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: "1.2.840.113549.1.1.11" }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  });
  const signed = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.tstInfo,
      eContent: new asn1js.OctetString({ valueHex: ab(tstDer) }),
    }),
    certificates: request.certReq ? [cert] : [],
    signerInfos: [signerInfo],
  });
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
    timeStampToken: new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) }),
  });
  return Buffer.from(response.toSchema().toBER(false));
}

/** Starts the double on 127.0.0.1; `now` is its clock (genTime). */
export async function startTimestampAuthority(options: { now?: () => Date } = {}): Promise<TimestampAuthority> {
  const clock = options.now ?? (() => new Date());
  const id = identity(clock().getTime(), "hsm-audit test time-stamp authority");
  const other = identity(clock().getTime(), "hsm-audit test time-stamp authority");
  let serial = 0;
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests++;
      const fault = new URL(req.url ?? "/", "http://127.0.0.1").searchParams.get("fault") as TsaFault | null;
      if (req.method !== "POST" || req.headers["content-type"] !== "application/timestamp-query") {
        res.writeHead(400, { "content-type": "text/plain" }).end("POST an application/timestamp-query");
        return;
      }
      if (fault === "http-500") {
        res.writeHead(500, { "content-type": "text/plain" }).end("unavailable");
        return;
      }
      try {
        const body = timestampResponse(Buffer.concat(chunks), id, fault === "wrong-key" ? other.key : id.key, {
          now: clock(),
          serial: ++serial,
          ...(fault ? { fault } : {}),
        });
        res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(body);
      } catch {
        res.writeHead(400, { "content-type": "text/plain" }).end("not a TimeStampReq");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    certPem: `-----BEGIN CERTIFICATE-----\n${id.certDer.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
