// The simulator's certificates: OpenSSL (through node's TLS) must accept every one of them, every time.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { createServer, get } from "node:https";
import type { AddressInfo } from "node:net";
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
  expect(leaf.checkIP("::1")).toBe("::1");
  expect(leaf.checkHost("localhost")).toBe("localhost");
  expect(leaf.checkIP("127.0.0.2")).toBeUndefined();
  expect(createPrivateKey(certs.key).asymmetricKeyType).toBe("ec");
  expect(ca.serialNumber).toMatch(/^[4-7]/);
  expect([ca.ca, leaf.ca]).toEqual([true, false]);
  expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  expect(leaf.issuer).toBe(ca.subject);
  const day = 86_400_000;
  expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(29 * day);
});

test("a TLS client that trusts the CA connects to a server with the certificate, at each loopback address", async () => {
  const certs = generateCertificates();
  const server = createServer({ cert: certs.cert, key: certs.key }, (_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const host of ["127.0.0.1", "::1", "localhost"]) {
      const body = await new Promise<string>((resolve, reject) => {
        get({ host, port, ca: certs.caCert, agent: false }, (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve(text));
        }).on("error", reject);
      });
      expect({ host, body }).toEqual({ host, body: "ok" });
    }
    // A client that does not trust the CA is refused.
    await expect(
      new Promise((resolve, reject) => get({ host: "127.0.0.1", port, agent: false }, resolve).on("error", reject)),
    ).rejects.toThrow(/self-signed|unable to (verify|get local issuer)/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
