// The keys data plane of the simulated Managed HSMs, as @azure/keyvault-keys sees it: the challenge, the key and its
// versions, signing, the api-version, and the estate's declaration of keys.
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isRestError } from "@azure/core-rest-pipeline";
import { CryptographyClient, KeyClient, type KeyClientOptions } from "@azure/keyvault-keys";
import { EstateError, parseEstate } from "../../src/simulator/estate.js";
import { keyVaultChallenge } from "../../src/simulator/routes/keyvault.js";
import { StaticTokenCredential } from "../../src/azure/clients.js";
import { ROOT, startTestSimulator, type TestSimulator } from "../helpers/simulator.js";

const TENANT = "00000000-0000-4000-8000-0000000000aa";

const estate = (keys: string, faults = "") => `
tenantId: ${TENANT}
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Keys Lab
    managedHsms:
      - name: mhsm-a
        resourceGroup: rg
        location: eastus
        signingKeys:
${keys}
${faults ? `faults:\n${faults}\n` : ""}`;

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function clients(sim: TestSimulator, options: KeyClientOptions = {}) {
  const credential = new StaticTokenCredential(sim.sim.token);
  const common = { agent: sim.agent, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };
  return { credential, keys: new KeyClient(sim.sim.url, credential, { ...common, ...options }), common };
}

async function refusal(promise: Promise<unknown>): Promise<{ status?: number; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected the service to refuse");
}

describe("the keys data plane", () => {
  test("challenges an unauthenticated request the way Key Vault does", async () => {
    t = await startTestSimulator(estate("          - { name: k }"));
    const { keys } = clients(t);
    await keys.getKey("k");
    const challenged = t.sim.requests[0]!;
    expect(challenged).toMatchObject({ method: "GET", route: "auth", status: 401 });
    expect(t.sim.requests.slice(1).map((r) => `${r.route} ${r.status}`)).toEqual(["keyGet 200"]);
    // The header the SDK's challenge policy read (it then asked for a token of that resource, in that tenant).
    expect(keyVaultChallenge(t.estate, false)).toMatchObject({
      status: 401,
      body: { error: { code: "Unauthorized" } },
      headers: {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://managedhsm.azure.net"`,
      },
    });
  });

  test("without disabling resource verification, the SDK refuses the loopback challenge (why the signer disables it there alone)", async () => {
    t = await startTestSimulator(estate("          - { name: k }"));
    const keys = new KeyClient(t.sim.url, new StaticTokenCredential(t.sim.token), { agent: t.agent });
    await expect(keys.getKey("k")).rejects.toThrow(/The challenge resource 'managedhsm.azure.net' does not match/);
  });

  test("serves an EC P-256 key with its versions, and signs a digest as raw r||s", async () => {
    t = await startTestSimulator(estate("          - { name: pack, versions: 2 }"));
    const { keys, credential, common } = clients(t);
    const key = await keys.getKey("pack");
    expect(key.keyType).toBe("EC-HSM");
    expect(key.key?.crv).toBe("P-256");
    expect(key.keyOperations).toEqual(["sign", "verify"]);
    expect(key.properties.enabled).toBe(true);
    expect(key.properties.version).toMatch(/^[0-9a-f]{32}$/);
    const versions: string[] = [];
    for await (const p of keys.listPropertiesOfKeyVersions("pack")) versions.push(p.version!);
    expect(versions).toHaveLength(2);
    expect(versions).toContain(key.properties.version);

    const digest = createHash("sha256").update("evidence").digest();
    const signed = await new CryptographyClient(key, credential, common).sign("ES256", digest);
    expect(signed.result).toHaveLength(64);
    const publicKey = createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(key.key!.x!).toString("base64url"),
        y: Buffer.from(key.key!.y!).toString("base64url"),
      },
      format: "jwk",
    });
    expect(
      verify("sha256", Buffer.from("evidence"), { key: publicKey, dsaEncoding: "ieee-p1363" }, signed.result),
    ).toBe(true);
  });

  test.each([
    {
      name: "a key the HSM does not hold",
      call: (k: KeyClient) => k.getKey("missing"),
      status: 404,
      code: "KeyNotFound",
    },
    {
      name: "a version the key does not have",
      call: (k: KeyClient) => k.getKey("k", { version: "0".repeat(32) }),
      status: 404,
      code: "KeyNotFound",
    },
  ])("$name: $status $code", async ({ call, status, code }) => {
    t = await startTestSimulator(estate("          - { name: k }"));
    const answer = await refusal(call(clients(t).keys));
    expect(answer).toMatchObject({ status, code });
    expect(answer.message).toMatch(/^A key with \(name\/id\) .* was not found in this key vault/);
  });

  test("an api-version the service does not know is refused", async () => {
    t = await startTestSimulator(estate("          - { name: k }"));
    const answer = await refusal(
      clients(t, { serviceVersion: "7.0" as KeyClientOptions["serviceVersion"] }).keys.getKey("k"),
    );
    expect(answer).toMatchObject({ status: 400, code: "BadParameter" });
    expect(answer.message).toMatch(/The specified version \(7\.0\) is not recognized/);
  });

  test.each([
    { route: "keyGet", status: 403, code: "Forbidden", message: /keys\/read\/action/ },
    { route: "keyGet", status: 503, code: "ServiceUnavailable", message: /temporarily unavailable/ },
  ])("a fault on $route: $status $code in Key Vault's error shape", async ({ route, status, code, message }) => {
    t = await startTestSimulator(estate("          - { name: k }", `  - { route: ${route}, status: ${status} }`));
    const answer = await refusal(clients(t).keys.getKey("k"));
    expect(answer).toMatchObject({ status, code });
    expect(answer.message).toMatch(message);
  });

  test("a sign with another algorithm than the key's, or a digest of the wrong size, is a 400", async () => {
    t = await startTestSimulator(estate("          - { name: k }"));
    const { keys, credential, common } = clients(t);
    const crypto = new CryptographyClient(await keys.getKey("k"), credential, common);
    const wrongAlg = await refusal(crypto.sign("ES384", new Uint8Array(48)));
    expect(wrongAlg).toMatchObject({ status: 400, code: "BadParameter" });
    const wrongSize = await refusal(crypto.sign("ES256", new Uint8Array(20)));
    expect(wrongSize).toMatchObject({ status: 400, code: "BadParameter" });
    expect(wrongSize.message).toMatch(/digest length 20/);
  });
});

describe("signing keys in the estate", () => {
  const problems = (text: string) => {
    try {
      parseEstate(text, "keys.yaml");
    } catch (error) {
      if (error instanceof EstateError) return error.message;
      throw error;
    }
    throw new Error("expected the estate to be refused");
  };

  test("defaults: an enabled EC P-256 key with one version, for sign and verify", () => {
    const loaded = parseEstate(
      estate("          - { name: k }\n          - { name: r, kty: RSA, versions: 2 }"),
      "k.yaml",
    );
    expect(loaded.subscriptions[0]!.hsms[0]!.signingKeys).toEqual([
      { name: "k", kty: "EC", curve: "P-256", versions: 1, enabled: true, operations: ["sign", "verify"] },
      { name: "r", kty: "RSA", versions: 2, enabled: true, operations: ["sign", "verify"] },
    ]);
  });

  test("the signing keys example in docs/estate.md parses, under a subscription", () => {
    const doc = readFileSync(join(ROOT, "docs/estate.md"), "utf8");
    const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((y) => y.includes("signingKeys"));
    expect(example).toBeDefined();
    const text = `tenantId: ${TENANT}
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Docs
${example!.replace(/^(?=.)/gm, "    ")}`;
    const keys = parseEstate(text, "docs/estate.md").subscriptions[0]!.hsms[0]!.signingKeys!;
    expect(keys.map((k) => `${k.name} ${k.kty} ${k.versions}`)).toEqual(["evidence-pack EC 2", "legacy-rsa RSA 1"]);
  });

  test.each([
    {
      name: "a key name used twice in the estate",
      text: `${estate("          - { name: k }")}
      - name: mhsm-b
        resourceGroup: rg
        location: eastus
        signingKeys: [{ name: K }]`,
      expected:
        /subscriptions\[0\]\.managedHsms\[1\]\.signingKeys\[0\]\.name.*signing key name 'K' is already used at subscriptions\[0\]\.managedHsms\[0\]\.signingKeys\[0\]\.name/s,
    },
    {
      name: "an RSA key with a curve",
      text: estate("          - { name: k, kty: RSA, curve: P-256 }"),
      expected: /signingKeys\[0\]/,
    },
    {
      name: "a name with an underscore",
      text: estate("          - { name: k_1 }"),
      expected: /signingKeys\[0\]\.name/,
    },
    { name: "more than ten versions", text: estate("          - { name: k, versions: 11 }"), expected: /versions/ },
    {
      name: "keys on a Cloud HSM",
      text: estate("          - { name: k }").replace("managedHsms:", "cloudHsmClusters:"),
      expected: /unknown key 'signingKeys'/,
    },
  ])("refuses $name", ({ text, expected }) => {
    expect(problems(text)).toMatch(expected);
  });
});
