// RFC 3161 timestamps of the pack's signature (src/pack/timestamp.ts) against the time-stamp authority double
// (src/simulator/tsa.ts, HTTP on 127.0.0.1): a good token is read and trusted only with the TSA's certificate; every
// way a TSA or a tamperer can make a token lie is refused. End to end (sign, verify --tsa-cert): the e2e pack test.
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTimestampAuthority, TSA_FAULTS, type TimestampAuthority } from "../../src/simulator/tsa.js";
import {
  loadTsaCertificate,
  parseTimestampUrl,
  readTimestamp,
  requestTimestamp,
  trustProblem,
} from "../../src/pack/timestamp.js";
import { SigningKeyError, TimestampError } from "../../src/pack/errors.js";
import { generateCertificates } from "../../src/simulator/certs.js";
import { readBundle, signStatement } from "../../src/pack/bundle.js";
import { keySigner } from "../../src/pack/signer.js";

const NOW = new Date("2026-11-30T12:00:00.000Z");
let tsa: TimestampAuthority;
let dir: string;
beforeAll(async () => {
  tsa = await startTimestampAuthority({ now: () => NOW });
  dir = mkdtempSync(join(tmpdir(), "hsm-audit-tsa-"));
});
afterAll(async () => {
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

const signature = Buffer.from("the DSSE signature's bytes");

test("a granted token is over the signature, at the TSA's time, and trusted with the TSA's certificate", async () => {
  const response = await requestTimestamp(new URL(tsa.url), signature);
  const reading = readTimestamp(response, signature);
  if (typeof reading === "string") throw new Error(reading);
  expect(reading.genTime.toISOString()).toBe(NOW.toISOString());
  expect(reading.policy).toBe("1.3.6.1.4.1.99999.1");
  expect(reading.signer.subject).toContain("hsm-audit test time-stamp authority");
  expect(trustProblem(reading, new X509Certificate(tsa.certPem))).toBeUndefined();
  // Another certificate (the simulator's CA, same kind of key) is not the TSA.
  const other = new X509Certificate(generateCertificates().caCert);
  expect(trustProblem(reading, other)).toMatch(/not the TSA certificate given nor issued by it/);
  // The same token does not hold for other bytes (a re-signed manifest).
  expect(readTimestamp(response, Buffer.from("another signature"))).toMatch(
    /the token is over SHA-256 [0-9a-f]{64}, not/,
  );
});

test.each([
  ["rejection", /refused \(status 2: request refused by the double\)/],
  ["wrong-imprint", /the token is over SHA-256 .* not the signature's/],
  ["wrong-nonce", /the token's nonce is not the request's/],
  ["wrong-key", /not by the key of any certificate it carries/],
  ["garbage", /not a readable RFC 3161 response/],
  ["http-500", /answered HTTP 500/],
] as const)("a TSA that answers %s gives no timestamp, and says why", async (fault, message) => {
  const url = new URL(`${tsa.url}?fault=${fault}`);
  const error = await requestTimestamp(url, signature).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TimestampError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).toContain(`127.0.0.1:${url.port}/tsa`);
  expect((error as Error).message).toMatch(/no pack was written/);
});

test("every fault of the double is in the table above", () => {
  expect([...TSA_FAULTS].sort()).toEqual(
    ["garbage", "http-500", "rejection", "wrong-imprint", "wrong-key", "wrong-nonce"].sort(),
  );
});

test("a TSA that does not answer in time, or is not there, gives no timestamp", async () => {
  const closed = await startTimestampAuthority({ now: () => NOW });
  const url = new URL(closed.url);
  await closed.close();
  await expect(requestTimestamp(url, signature)).rejects.toThrow(/ECONNREFUSED.*no pack was written/);
});

test("one changed byte anywhere in the token is refused", async () => {
  const response = await requestTimestamp(new URL(tsa.url), signature);
  const anchor = new X509Certificate(tsa.certPem);
  let refused = 0;
  // Every 7th byte, each flipped: the token must then fail to read, or not be the TSA's.
  for (let i = 0; i < response.length; i += 7) {
    const copy = Buffer.from(response);
    copy[i] = copy[i]! ^ 0x01;
    const reading = readTimestamp(copy, signature);
    if (typeof reading === "string" || trustProblem(reading, anchor) !== undefined) refused++;
    else if (reading.genTime.getTime() !== NOW.getTime()) refused++;
    else {
      // A flip that changes nothing that is signed (an unsigned length form, a certificate's outer encoding) must
      // leave the token exactly as good: same time, same serial, same signer.
      const original = readTimestamp(response, signature) as Exclude<ReturnType<typeof readTimestamp>, string>;
      expect(reading.serialNumber).toBe(original.serialNumber);
      expect(reading.signer.raw.equals(original.signer.raw)).toBe(true);
    }
  }
  expect(refused).toBeGreaterThan(response.length / 7 / 2);
});

test("the bundle carries the token in its verification material, and reads it back", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const bytes = await signStatement({ _type: "x" }, keySigner(privateKey), (sig) =>
    requestTimestamp(new URL(tsa.url), sig),
  );
  const json = JSON.parse(bytes.toString("utf8"));
  expect(json.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
  const bundle = readBundle(bytes);
  if (typeof bundle === "string") throw new Error(bundle);
  expect(bundle.timestamps).toHaveLength(1);
  const reading = readTimestamp(bundle.timestamps[0]!, bundle.signatures[0]!.sig);
  expect(typeof reading).not.toBe("string");
  // Without a TSA, no timestamp.
  const plain = readBundle(await signStatement({ _type: "x" }, keySigner(privateKey)));
  expect(typeof plain !== "string" && plain.timestamps).toEqual([]);
});

test.each([
  ["ftp://tsa.example/", /only http and https/],
  ["not a url", /is not a URL/],
  ["https://user:secret@tsa.example/", /must not carry a user or password/],
])("--timestamp-url %s is refused before anything is read", (value, message) => {
  expect(() => parseTimestampUrl(value)).toThrow(SigningKeyError);
  expect(() => parseTimestampUrl(value)).toThrow(message);
});

test("--tsa-cert must be a readable certificate", () => {
  const notCert = join(dir, "not-a-cert.pem");
  writeFileSync(notCert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  expect(() => loadTsaCertificate(notCert)).toThrow(/not-a-cert.pem: not an X.509 certificate/);
  expect(() => loadTsaCertificate(join(dir, "missing.pem"))).toThrow(
    /missing.pem: cannot read a certificate from it \(ENOENT\)/,
  );
  const good = join(dir, "tsa.pem");
  writeFileSync(good, tsa.certPem);
  expect(loadTsaCertificate(good).subject).toContain("time-stamp authority");
});
