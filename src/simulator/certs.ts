// The simulator's TLS identity: a throw-away CA (for NODE_EXTRA_CA_CERTS) and a server certificate for loopback.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface SimulatorCertificates {
  /** PEM of the CA clients must trust. */
  caCert: string;
  /** PEM of the server certificate and its key. */
  cert: string;
  key: string;
}

function keyPair(): { privatePem: string; publicPem: string } {
  // node's native RSA key generation is fast; forge only builds and signs the certificates.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
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

export function generateCertificates(hosts: string[] = ["127.0.0.1", "::1", "localhost"]): SimulatorCertificates {
  const now = Date.now();
  const ca = keyPair();
  const caKey = forge.pki.privateKeyFromPem(ca.privatePem);
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = forge.pki.publicKeyFromPem(ca.publicPem);
  caCert.serialNumber = certificateSerial();
  caCert.validity.notBefore = new Date(now - 3_600_000);
  caCert.validity.notAfter = new Date(now + 30 * 86_400_000);
  const caName = [
    { name: "commonName", value: "hsm-audit simulator CA" },
    { name: "organizationName", value: "hsm-audit (test only)" },
  ];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(caKey, forge.md.sha256.create());

  const leaf = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(leaf.publicPem);
  cert.serialNumber = certificateSerial();
  cert.validity.notBefore = new Date(now - 3_600_000);
  cert.validity.notAfter = new Date(now + 30 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: "hsm-audit simulator" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());

  return { caCert: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(cert), key: leaf.privatePem };
}
