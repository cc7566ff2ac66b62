// The evidence pack's parts (src/pack): the DSSE pre-authentication encoding, the manifest statement, the signers of
// both key types through a real Sigstore bundle and back, and the key files refused. End to end through the CLI:
// test/e2e/evidence-pack.test.ts.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IN_TOTO_PAYLOAD_TYPE, preAuthEncoding } from "../../src/pack/dsse.js";
import { buildStatement, PREDICATE_TYPE, STATEMENT_TYPE, statementProblem } from "../../src/pack/manifest.js";
import { BUNDLE_MEDIA_TYPE, envelopeSignedBy, readBundle, signStatement } from "../../src/pack/bundle.js";
import { keyHint, keySigner, loadPrivateKey, loadPublicKey, localPemSigner, signerFor } from "../../src/pack/signer.js";
import { SigningKeyError } from "../../src/pack/errors.js";
import type { Result } from "../../src/model/result.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hsm-audit-pack-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}
const pem = (key: KeyObject, type: "pkcs8" | "spki") => key.export({ type, format: "pem" }).toString();

describe("DSSE pre-authentication encoding", () => {
  test.each([
    // The DSSE specification's own example.
    ["http://example.com/HelloWorld", "hello world", "DSSEv1 29 http://example.com/HelloWorld 11 hello world"],
    ["", "", "DSSEv1 0  0 "],
    [IN_TOTO_PAYLOAD_TYPE, "{}", "DSSEv1 28 application/vnd.in-toto+json 2 {}"],
    // Lengths are in bytes, not characters: "é" is two bytes in UTF-8.
    ["t", "é", "DSSEv1 1 t 2 é"],
  ])("PAE(%j, %j)", (type, payload, expected) => {
    expect(preAuthEncoding(type, Buffer.from(payload, "utf8")).toString("utf8")).toBe(expected);
  });
});

const result = {
  tool: { name: "hsm-audit", version: "9.9.9" },
  runId: "run-1",
  startedAt: "2026-11-01T00:00:00.000Z",
  finishedAt: "2026-11-01T00:01:00.000Z",
  scope: {
    cloud: "AzureCloud",
    subscriptions: ["00000000-0000-0000-0000-000000000001"],
    tenantIds: ["tenant-1"],
    managementGroups: [{ id: "mg-1", subscriptions: 1 }],
  },
  logWindow: {
    duration: "P30D",
    start: "2026-10-01T00:00:00.000Z",
    end: "2026-11-01T00:00:00.000Z",
    period: "2026-10",
  },
  policyPack: { version: "9.9.9", sha256: "a".repeat(64) },
} as unknown as Result;

const files = [
  { name: "result.json", sha256: "1".repeat(64) },
  { name: "evaluation.json", sha256: "2".repeat(64) },
  { name: "snapshot.json", sha256: "3".repeat(64) },
];

describe("the manifest statement", () => {
  test("lists every file by name with its SHA-256, in name order, and says what the pack is", () => {
    const s = buildStatement(result, files, { resultName: "result.json", previous: "f".repeat(64) });
    expect(s._type).toBe(STATEMENT_TYPE);
    expect(s.predicateType).toBe(PREDICATE_TYPE);
    expect(s.subject.map((x) => x.name)).toEqual(["evaluation.json", "result.json", "snapshot.json"]);
    expect(s.subject[1]).toEqual({ name: "result.json", digest: { sha256: "1".repeat(64) } });
    expect(s.predicate).toEqual({
      tool: { name: "hsm-audit", version: "9.9.9" },
      period: result.logWindow,
      tenant: ["tenant-1"],
      scope: {
        cloud: "AzureCloud",
        subscriptions: ["00000000-0000-0000-0000-000000000001"],
        managementGroups: ["mg-1"],
      },
      policyPack: { version: "9.9.9", sha256: "a".repeat(64) },
      scan: {
        runId: "run-1",
        startedAt: "2026-11-01T00:00:00.000Z",
        finishedAt: "2026-11-01T00:01:00.000Z",
        result: { name: "result.json", digest: { sha256: "1".repeat(64) } },
      },
      reEvaluation: { snapshot: "snapshot.json", inputs: "evaluation.json" },
      previous: { sha256: "f".repeat(64) },
    });
    expect(statementProblem(s)).toBeUndefined();
  });

  test("has no previous when none was named", () => {
    expect(buildStatement(result, files, { resultName: "result.json" }).predicate).not.toHaveProperty("previous");
  });

  const good = () => buildStatement(result, files, { resultName: "result.json" }) as unknown as Record<string, unknown>;
  test.each([
    ["an array", () => [], "not a JSON object"],
    ["another _type", () => ({ ...good(), _type: "https://in-toto.io/Statement/v0.1" }), "_type"],
    ["another predicate type", () => ({ ...good(), predicateType: "x" }), "predicateType"],
    ["no subject", () => ({ ...good(), subject: [] }), "subject is not a list"],
    ["a subject without a digest", () => ({ ...good(), subject: [{ name: "a" }] }), "subject[0]"],
    [
      "a digest that is not hex",
      () => ({ ...good(), subject: [{ name: "a", digest: { sha256: "zz" } }] }),
      "subject[0]",
    ],
    ["no predicate", () => ({ ...good(), predicate: null }), "predicate"],
  ])("a statement with %s is refused", (_what, make, problem) => {
    expect(statementProblem(make())).toContain(problem);
  });
});

describe("signing and verifying the bundle", () => {
  const keys = {
    "ECDSA P-256": () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }),
    Ed25519: () => generateKeyPairSync("ed25519"),
  };
  test.each(Object.entries(keys))("%s: a PEM key signs a bundle that its public key verifies", async (name, make) => {
    const { privateKey, publicKey } = make();
    const keyFile = write(`${name}.pem`, pem(privateKey, "pkcs8"));
    const signer = localPemSigner(keyFile);
    expect(signer.algorithm).toBe(name === "Ed25519" ? "ed25519" : "ecdsa-p256-sha256");
    const statement = buildStatement(result, files, { resultName: "result.json" });
    const bytes = await signStatement(statement, signer);

    const json = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
    expect(json.mediaType).toBe(BUNDLE_MEDIA_TYPE);
    // A public-key hint only: no certificate, no transparency log entry.
    expect(json.verificationMaterial).toEqual({
      publicKey: { hint: keyHint(publicKey) },
      timestampVerificationData: {},
    });

    const envelope = readBundle(bytes);
    if (typeof envelope === "string") throw new Error(envelope);
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(JSON.parse(envelope.payload.toString("utf8"))).toEqual(statement);
    expect(envelopeSignedBy(envelope, loadPublicKey(write(`${name}.pub.pem`, pem(publicKey, "spki"))))).toBe(true);

    // Another key of the same kind does not verify it, nor does a payload changed by one byte.
    expect(envelopeSignedBy(envelope, make().publicKey)).toBe(false);
    const changed = Buffer.from(envelope.payload);
    changed[10] = changed[10]! ^ 0x01;
    expect(envelopeSignedBy({ ...envelope, payload: changed }, publicKey)).toBe(false);
    // Nor the same payload under another payload type (the PAE binds the type).
    expect(envelopeSignedBy({ ...envelope, payloadType: "application/json" }, publicKey)).toBe(false);
  });

  test("the signature is over the PAE, as the DSSE specification defines it", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const bytes = await signStatement({ hello: "world" }, keySigner(privateKey));
    const envelope = readBundle(bytes);
    if (typeof envelope === "string") throw new Error(envelope);
    const { verify } = await import("node:crypto");
    const pae = preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, envelope.payload);
    expect(verify(null, pae, publicKey, envelope.signatures[0]!.sig)).toBe(true);
    expect(verify(null, envelope.payload, publicKey, envelope.signatures[0]!.sig)).toBe(false);
  });

  test.each([
    ["not JSON", "{", "not valid JSON"],
    ["another media type", JSON.stringify({ mediaType: "application/json" }), "mediaType"],
    [
      "a bundle without an envelope",
      JSON.stringify({ mediaType: BUNDLE_MEDIA_TYPE, verificationMaterial: { publicKey: { hint: "x" } } }),
      "not a Sigstore bundle",
    ],
  ])("a bundle that is %s is refused", (_what, text, problem) => {
    expect(readBundle(Buffer.from(text))).toEqual(expect.stringContaining(problem));
  });
});

describe("key files", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
  const p256 = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const cases: Array<[string, () => string, RegExp]> = [
    ["an RSA key", () => write("rsa.pem", pem(rsa.privateKey, "pkcs8")), /the key \(rsa, 2048 bits\) is not accepted/],
    [
      "an EC P-384 key",
      () => write("p384.pem", pem(p384.privateKey, "pkcs8")),
      /the key \(ec, secp384r1\) is not accepted/,
    ],
    [
      "a public key",
      () => write("pub.pem", pem(p256.publicKey, "spki")),
      /a public key or certificate; give the private key/,
    ],
    [
      "an encrypted key",
      () =>
        write(
          "enc.pem",
          p256.privateKey
            .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" })
            .toString(),
        ),
      /the key is encrypted/,
    ],
    ["not PEM", () => write("junk.pem", "hello"), /not a PEM key/],
    [
      "a damaged PEM",
      () => write("damaged.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
      /not a readable PEM private key/,
    ],
    ["a missing file", () => join(dir, "missing.pem"), /cannot read it \(ENOENT\)/],
    [
      "a directory",
      () => {
        mkdirSync(join(dir, "a-dir"), { recursive: true });
        return join(dir, "a-dir");
      },
      /not a file/,
    ],
    ["a huge file", () => write("huge.pem", Buffer.alloc(100_000, 0x41)), /100000 bytes is not a PEM key/],
  ];
  test.each(cases)(
    "--sign-key with %s is refused, naming the file and what is accepted",
    async (_what, make, reason) => {
      const file = make();
      let error: unknown;
      try {
        await signerFor(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SigningKeyError);
      expect((error as Error).message).toContain(`--sign-key ${file}:`);
      expect((error as Error).message).toMatch(reason);
      if (!/cannot read|not a file/.test(reason.source)) {
        expect((error as Error).message).toContain("ECDSA P-256 (prime256v1) or Ed25519");
      }
    },
  );

  test("a key URL goes to the remote signer; where there is none it is refused, saying so", async () => {
    const url = "https://contoso.vault.azure.net/keys/pack";
    await expect(signerFor(url)).rejects.toThrow(/a Key Vault key is not used here; give a PEM private key file/);
    const remote = keySigner(generateKeyPairSync("ed25519").privateKey);
    const asked: string[] = [];
    const signer = await signerFor(url, async (u) => {
      asked.push(u);
      return remote;
    });
    expect(signer).toBe(remote);
    expect(asked).toEqual([url]);
  });

  test.each([
    ["an RSA public key", () => write("rsa.pub.pem", pem(rsa.publicKey, "spki")), /the key \(rsa, 2048 bits\)/],
    ["not PEM", () => write("junk.pub.pem", "hello"), /not a readable PEM public key/],
  ])("--key with %s is refused", (_what, make, reason) => {
    expect(() => loadPublicKey(make())).toThrow(reason);
  });

  test("a private key is read for signing, its public half for verifying", () => {
    const file = write("p256.pem", pem(p256.privateKey, "pkcs8"));
    expect(loadPrivateKey(file).asymmetricKeyType).toBe("ec");
    expect(keyHint(loadPublicKey(file))).toBe(keyHint(p256.publicKey));
  });
});
