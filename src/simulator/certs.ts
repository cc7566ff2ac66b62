// The simulator's TLS identity: a throw-away CA (for NODE_EXTRA_CA_CERTS) and a server certificate for loopback. Keys
// are ECDSA P-256 (made in a fraction of a millisecond, where an RSA key takes a tenth of a second or more); the
// certificates are put together with pkijs and signed by node's crypto.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

export interface SimulatorCertificates {
  /** PEM of the CA clients must trust. */
  caCert: string;
  /** PEM of the server certificate and its key. */
  cert: string;
  key: string;
}

/**
 * A positive serial number in minimal DER: the first byte has its top bit clear (else the INTEGER would be negative)
 * and is not zero (else its encoding would carry a redundant leading zero, which OpenSSL refuses as illegal padding,
 * about once in 256 certificates).
 */
export function certificateSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString("hex");
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

const der = (value: { toSchema(): { toBER(): ArrayBuffer } }): ArrayBuffer => value.toSchema().toBER();

/** A name of one attribute (pkijs puts the attributes it is given in one relative distinguished name). */
function name(parts: [oid: string, value: string][]): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: parts.map(
      ([type, value]) => new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }),
    ),
  });
}

function extension(extnID: string, critical: boolean, value: ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value });
}

/** KeyUsage bits (RFC 5280 §4.2.1.3), most significant first: digitalSignature is 0, keyCertSign 5, cRLSign 6. */
function keyUsage(bits: number[]): ArrayBuffer {
  const byte = bits.reduce((b, bit) => b | (0x80 >> bit), 0);
  const unused = 7 - Math.max(...bits);
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits: unused }).toBER();
}

/** The SHA-1 of the key's subjectPublicKey bits: its key identifier, as RFC 5280 §4.2.1.2 suggests. */
function keyIdentifier(spki: pkijs.PublicKeyInfo): ArrayBuffer {
  const digest = createHash("sha1").update(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView)).digest();
  return new Uint8Array(digest).buffer;
}

interface Issuer {
  name: pkijs.RelativeDistinguishedNames;
  key: KeyObject;
  keyId: ArrayBuffer;
}

function certificate(
  subject: pkijs.RelativeDistinguishedNames,
  publicKey: KeyObject,
  issuer: Issuer | "self",
  extensions: (keyId: ArrayBuffer) => pkijs.Extension[],
  privateKey: KeyObject,
  now: number,
): { pem: string; keyId: ArrayBuffer } {
  const spki = pkijs.PublicKeyInfo.fromBER(new Uint8Array(publicKey.export({ type: "spki", format: "der" })).buffer);
  const keyId = keyIdentifier(spki);
  const algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(certificateSerial(), "hex")).buffer }),
    signature: algorithm(),
    issuer: issuer === "self" ? subject : issuer.name,
    subject,
    notBefore: new pkijs.Time({ type: 0, value: new Date(now - 3_600_000) }),
    notAfter: new pkijs.Time({ type: 0, value: new Date(now + 30 * 86_400_000) }),
    subjectPublicKeyInfo: spki,
    extensions: extensions(keyId),
  });
  cert.signatureAlgorithm = algorithm();
  // ECDSA-Sig-Value in DER, as X.509 holds it: what node's sign() gives for an EC key by default.
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  const signature = sign("sha256", tbs, issuer === "self" ? privateKey : issuer.key);
  cert.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array(signature).buffer });
  // The certificate holds the very bytes signed.
  cert.tbsView = tbs;
  const base64 = Buffer.from(der(cert)).toString("base64");
  const pem = `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
  return { pem, keyId };
}

/** A throw-away CA and a server certificate it signed for `hosts` (IP addresses or DNS names), valid for 30 days. */
export function generateCertificates(hosts: string[] = ["127.0.0.1", "::1", "localhost"]): SimulatorCertificates {
  const now = Date.now();
  const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caName = name([[OID.commonName, "hsm-audit simulator CA (test only)"]]);
  const caCert = certificate(
    caName,
    ca.publicKey,
    "self",
    (keyId) => [
      extension(OID.basicConstraints, true, der(new pkijs.BasicConstraints({ cA: true }))),
      extension(OID.keyUsage, true, keyUsage([5, 6])),
      extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId }).toBER()),
    ],
    ca.privateKey,
    now,
  );

  const leaf = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const altNames = hosts.map((host) =>
    isIP(host)
      ? new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(host) }) })
      : new pkijs.GeneralName({ type: 2, value: host }),
  );
  const serverCert = certificate(
    name([[OID.commonName, "hsm-audit simulator"]]),
    leaf.publicKey,
    { name: caName, key: ca.privateKey, keyId: caCert.keyId },
    () => [
      extension(OID.basicConstraints, false, der(new pkijs.BasicConstraints({ cA: false }))),
      extension(OID.keyUsage, true, keyUsage([0])),
      extension(OID.extKeyUsage, false, der(new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }))),
      extension(OID.subjectAltName, false, der(new pkijs.GeneralNames({ names: altNames }))),
      extension(
        OID.authorityKeyIdentifier,
        false,
        der(new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: caCert.keyId }) })),
      ),
    ],
    leaf.privateKey,
    now,
  );
  return {
    caCert: caCert.pem,
    cert: serverCert.pem,
    key: leaf.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** The bytes of an IPv4 or IPv6 address, as a subjectAltName's iPAddress holds them. */
function ipBytes(ip: string): ArrayBuffer {
  if (isIP(ip) === 4) return new Uint8Array(ip.split(".").map(Number)).buffer;
  const [head = "", tail = ""] = ip.split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const h = groups(head);
  const t = ip.includes("::") ? groups(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes.buffer;
}
