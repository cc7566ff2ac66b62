// The simulator's certificates: OpenSSL (through node's TLS) must accept every one of them, every time.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { certificateSerial, generateCertificates } from "../../src/simulator/certs.js";

test("serial numbers are positive and minimally encoded, so no certificate is refused for illegal padding", () => {
  for (let i = 0; i < 2000; i++) {
    const first = parseInt(certificateSerial().slice(0, 2), 16);
    // Neither a sign bit (a negative INTEGER) nor a leading zero byte (a redundant one).
    expect(first).toBeGreaterThanOrEqual(0x01);
    expect(first).toBeLessThan(0x80);
  }
});

test("the CA and the server certificate parse, chain, and name loopback", () => {
  const certs = generateCertificates();
  const ca = new X509Certificate(certs.caCert);
  const leaf = new X509Certificate(certs.cert);
  expect(leaf.verify(ca.publicKey)).toBe(true);
  expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
  expect(createPrivateKey(certs.key).asymmetricKeyType).toBe("rsa");
  expect(ca.serialNumber).toMatch(/^[4-7]/);
});
