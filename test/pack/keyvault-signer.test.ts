// Signing an evidence pack with a key held in a Managed HSM: the real @azure/keyvault-keys clients against the
// simulator's keys data plane, over HTTPS, with an injected credential.
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { createDefaultHttpClient, createHttpHeaders, type HttpClient } from "@azure/core-rest-pipeline";
import {
  isKeyVaultKeyUrl,
  KeyVaultSignerError,
  keyVaultPublicKey,
  keyVaultSigner,
  parseKeyVaultKeyUrl,
  rawEcdsaToDer,
  type KeyVaultKeyAddress,
} from "../../src/pack/keyvault-signer.js";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator.js";

const TENANT = "00000000-0000-4000-8000-0000000000aa";
const SUB = "aaaaaaaa-0000-4000-8000-000000000001";

/** A one-HSM estate whose Managed HSM holds the given keys (YAML list items), with the given faults. */
function estate(keys: string, faults = ""): string {
  return `
tenantId: ${TENANT}
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Signing Lab
    managedHsms:
      - name: mhsm-pack
        resourceGroup: rg
        location: eastus
        signingKeys:
${keys}
${faults ? `faults:\n${faults}\n` : ""}`;
}

const ONE_KEY = "          - { name: pack-signing }";

/** The credential a test injects: hands out the simulator's token (or another) and remembers what it was asked. */
class RecordingCredential implements TokenCredential {
  readonly asked: { scopes: string[]; tenantId?: string }[] = [];
  constructor(private readonly token: () => string) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.asked.push({
      scopes: [scopes].flat(),
      ...(options?.tenantId ? { tenantId: options.tenantId } : {}),
    });
    return { token: this.token(), expiresOnTimestamp: Date.parse("2100-01-01T00:00:00Z") };
  }
}

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(keys = ONE_KEY, faults = "") {
  t = await startTestSimulator(estate(keys, faults));
  const sim = t;
  const credential = new RecordingCredential(() => sim.sim.token);
  const options = { credential, agent: sim.agent, retryOptions: { maxRetries: 0 } };
  return { t: sim, credential, options, url: (path: string) => `${sim.sim.url}${path}` };
}

async function failure(promise: Promise<unknown>): Promise<KeyVaultSignerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyVaultSignerError) return error;
    throw error;
  }
  throw new Error("expected a KeyVaultSignerError");
}

const DATA = new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1","subject":[]}');

describe("raw r||s to DER", () => {
  const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
  const r32 = (first: string, fill = "11") => first + fill.repeat(32 - first.length / 2);
  test.each([
    {
      name: "neither high bit set: two 32-byte INTEGERs",
      raw: r32("11") + r32("22", "22"),
      der: `3044 0220 ${r32("11")} 0220 ${r32("22", "22")}`,
    },
    {
      name: "r's high bit set: a 0x00 before r",
      raw: r32("80") + r32("22", "22"),
      der: `3045 0221 00${r32("80")} 0220 ${r32("22", "22")}`,
    },
    {
      name: "s's high bit set: a 0x00 before s",
      raw: r32("11") + r32("ff", "22"),
      der: `3045 0220 ${r32("11")} 0221 00${r32("ff", "22")}`,
    },
    {
      name: "both high bits set: 70 bytes",
      raw: r32("c0") + r32("ff", "22"),
      der: `3046 0221 00${r32("c0")} 0221 00${r32("ff", "22")}`,
    },
    {
      name: "r's leading zero bytes trimmed",
      raw: "0000" + "7f" + "11".repeat(29) + r32("22", "22"),
      der: `3042 021e 7f${"11".repeat(29)} 0220 ${r32("22", "22")}`,
    },
    {
      name: "a leading zero before a high bit: trimmed, then padded again",
      raw: "00" + "80" + "11".repeat(30) + r32("22", "22"),
      der: `3044 0220 0080${"11".repeat(30)} 0220 ${r32("22", "22")}`,
    },
    {
      name: "s of value one",
      raw: r32("11") + "00".repeat(31) + "01",
      der: `3025 0220 ${r32("11")} 0201 01`,
    },
    {
      name: "zero stays one zero byte",
      raw: "00".repeat(32) + "00".repeat(32),
      der: "3006 020100 020100",
    },
  ])("$name", ({ raw, der }) => {
    expect(Buffer.from(rawEcdsaToDer(hex(raw))).toString("hex")).toBe(der.replace(/\s+/g, ""));
  });

  test("matches node:crypto's own DER for real P-256 signatures", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = nodeSign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
      const der = rawEcdsaToDer(raw);
      expect(verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, der)).toBe(true);
      expect(verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)).toBe(true);
    }
  });

  test.each([0, 1, 63, 65])("refuses a raw signature of %i bytes", (length) => {
    expect(() => rawEcdsaToDer(new Uint8Array(length))).toThrow(RangeError);
  });
});

describe("the key URL", () => {
  const V = "0123456789abcdef0123456789abcdef";
  test.each<{
    url: string;
    cloud?: "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";
    expected: KeyVaultKeyAddress;
  }>([
    {
      url: "https://kv-audit.vault.azure.net/keys/pack",
      expected: {
        vaultUrl: "https://kv-audit.vault.azure.net",
        name: "pack",
        service: "keyVault",
        cloud: "AzureCloud",
      },
    },
    {
      url: `https://mhsm-audit.managedhsm.azure.net/keys/pack/${V.toUpperCase()}/`,
      expected: {
        vaultUrl: "https://mhsm-audit.managedhsm.azure.net",
        name: "pack",
        version: V,
        service: "managedHsm",
        cloud: "AzureCloud",
      },
    },
    {
      url: "https://kv-gov.vault.usgovcloudapi.net/keys/pack",
      expected: {
        vaultUrl: "https://kv-gov.vault.usgovcloudapi.net",
        name: "pack",
        service: "keyVault",
        cloud: "AzureUSGovernment",
      },
    },
    {
      url: "https://HSM-CN.managedhsm.azure.cn:443/keys/pack",
      cloud: "AzureChinaCloud",
      expected: {
        vaultUrl: "https://hsm-cn.managedhsm.azure.cn",
        name: "pack",
        service: "managedHsm",
        cloud: "AzureChinaCloud",
      },
    },
    {
      url: `https://127.0.0.1:8443/keys/pack/${V}`,
      expected: { vaultUrl: "https://127.0.0.1:8443", name: "pack", version: V, service: "loopback" },
    },
    {
      url: "https://[::1]:9000/keys/pack",
      expected: { vaultUrl: "https://[::1]:9000", name: "pack", service: "loopback" },
    },
  ])("$url", ({ url, cloud, expected }) => {
    expect(isKeyVaultKeyUrl(url)).toBe(true);
    expect(parseKeyVaultKeyUrl(url, cloud)).toEqual(expected);
  });

  test.each([
    { url: "http://kv.vault.azure.net/keys/pack", why: "must use https" },
    { url: "https://kv.vault.azure.net/secrets/pack", why: "/keys/<name>" },
    { url: "https://kv.vault.azure.net/keys", why: "/keys/<name>" },
    { url: "https://kv.vault.azure.net/keys/pack/v1", why: "'v1' is not a key version" },
    { url: "https://kv.vault.azure.net/keys/pack/a/b", why: "/keys/<name>" },
    { url: "https://kv.vault.azure.net/keys/pa_ck", why: "'pa_ck' is not a key name" },
    { url: "https://kv.vault.azure.net/keys/pack?api-version=7.5", why: "query" },
    { url: "https://user:pw@kv.vault.azure.net/keys/pack", why: "user name" },
    { url: "https://kv.vault.azure.net:8443/keys/pack", why: "standard port" },
    { url: "https://kv.vault.azure.net.example.com/keys/pack", why: "must end in .vault.azure.net" },
    { url: "https://x.vault.azure.net/keys/pack", why: "'x' is not a vault" },
    {
      url: "https://kv.vault.azure.net/keys/pack",
      cloud: "AzureUSGovernment" as const,
      why: ".vault.usgovcloudapi.net",
    },
    { url: "https://kv.vault.azure.net/keys/pack\u001b[2J", why: "is not a key name" },
  ])("refuses $url ($why)", ({ url, cloud, why }) => {
    let error: unknown;
    try {
      parseKeyVaultKeyUrl(url, cloud);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyVaultSignerError);
    expect((error as KeyVaultSignerError).problem).toBe("usage");
    expect((error as Error).message).toContain(why);
    // eslint-disable-next-line no-control-regex
    expect((error as Error).message).not.toMatch(/[\u0000-\u001f]/);
  });

  test.each(["key.pem", "./keys/pack.pem", "C:\\keys\\pack.pem"])("%s is a file, not a URL", (text) => {
    expect(isKeyVaultKeyUrl(text)).toBe(false);
  });
});

describe("signing with a Managed HSM key (simulator)", () => {
  test("signs a digest remotely; the DER signature verifies with node:crypto against the public key", async () => {
    const { t, credential, options, url } = await start();
    const signer = await keyVaultSigner(url("/keys/pack-signing"), options);
    expect(signer.algorithm).toBe("ecdsa-p256-sha256");
    expect(signer.hint).toMatch(new RegExp(`^${t.sim.url.replace(/[.]/g, "\\.")}/keys/pack-signing/[0-9a-f]{32}$`));
    const pem = await signer.publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const publicKey = createPublicKey(pem);
    expect(publicKey.asymmetricKeyType).toBe("ec");
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");

    const signature = await signer.sign(DATA);
    expect(signature[0]).toBe(0x30);
    expect(verify("sha256", DATA, { key: publicKey, dsaEncoding: "der" }, signature)).toBe(true);
    const changed = Uint8Array.from(DATA);
    changed[10]! ^= 0x01;
    expect(verify("sha256", changed, { key: publicKey, dsaEncoding: "der" }, signature)).toBe(false);

    // The SDK met the challenge, and asked for a token of the Managed HSM audience in the estate's tenant.
    expect(credential.asked).toContainEqual({ scopes: ["https://managedhsm.azure.net/.default"], tenantId: TENANT });
    expect(credential.asked.every((a) => a.scopes.join() === "https://managedhsm.azure.net/.default")).toBe(true);
    expect(t.sim.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "GET auth 401",
      "GET keyGet 200",
      "POST auth 401",
      "POST keySign 200",
    ]);
  });

  test("signs many times with one key, each signature checked", async () => {
    const { options, url } = await start();
    const signer = await keyVaultSigner(url("/keys/pack-signing"), options);
    const key = createPublicKey(await signer.publicKeyPem());
    for (let i = 0; i < 8; i++) {
      const data = new TextEncoder().encode(`manifest ${i}`);
      expect(verify("sha256", data, { key, dsaEncoding: "der" }, await signer.sign(data))).toBe(true);
    }
  });

  test("pins the version: the current one when the URL names none, the named one otherwise", async () => {
    const { options, url } = await start("          - { name: pack-signing, versions: 3 }");
    const current = await keyVaultSigner(url("/keys/pack-signing"), options);
    const currentVersion = current.hint.split("/").at(-1)!;

    // The same key named by the pinned hint is the same public key: rotation later does not change what verifies.
    const again = await keyVaultSigner(current.hint, options);
    expect(again.hint).toBe(current.hint);
    expect(await again.publicKeyPem()).toBe(await current.publicKeyPem());

    // Find an older version through the SDK (the key's versions), and sign with it.
    const { KeyClient } = await import("@azure/keyvault-keys");
    const client = new KeyClient(url(""), options.credential, {
      agent: options.agent,
      disableChallengeResourceVerification: true,
    });
    const versions: string[] = [];
    for await (const p of client.listPropertiesOfKeyVersions("pack-signing")) versions.push(p.version!);
    expect(versions).toHaveLength(3);
    const older = versions.find((v) => v !== currentVersion)!;
    const pinned = await keyVaultSigner(url(`/keys/pack-signing/${older}`), options);
    expect(pinned.hint).toBe(url(`/keys/pack-signing/${older}`));
    expect(await pinned.publicKeyPem()).not.toBe(await current.publicKeyPem());
    const signature = await pinned.sign(DATA);
    const verifies = async (s: { publicKeyPem(): Promise<string> }) =>
      verify("sha256", DATA, { key: createPublicKey(await s.publicKeyPem()), dsaEncoding: "der" }, signature);
    expect(await verifies(pinned)).toBe(true);
    expect(await verifies(current)).toBe(false);
  });

  test("the verifier's public key: read by the pinned hint, it checks what the signer signed", async () => {
    const { t, options, url } = await start("          - { name: pack-signing, versions: 2 }");
    const signer = await keyVaultSigner(url("/keys/pack-signing"), options);
    const signature = await signer.sign(DATA);
    const before = t.sim.requests.length;
    const { hint, publicKeyPem } = await keyVaultPublicKey(signer.hint, options);
    expect(hint).toBe(signer.hint);
    expect(publicKeyPem).toBe(await signer.publicKeyPem());
    expect(verify("sha256", DATA, { key: createPublicKey(publicKeyPem), dsaEncoding: "der" }, signature)).toBe(true);
    // Reading a public key signs nothing.
    expect(t.sim.requests.slice(before).map((r) => r.route)).toEqual(["auth", "keyGet"]);
  });

  test.each([
    { keys: "          - { name: off, enabled: false }", path: "/keys/off" },
    { keys: "          - { name: verify-only, operations: [verify] }", path: "/keys/verify-only" },
  ])("the verifier reads the public key of $path, which may no longer sign", async ({ keys, path }) => {
    const { options, url } = await start(keys);
    const { hint, publicKeyPem } = await keyVaultPublicKey(url(path), options);
    expect(hint).toMatch(new RegExp(`${path}/[0-9a-f]{32}$`));
    expect(createPublicKey(publicKeyPem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });

  test("the verifier refuses an RSA key as the signer does", async () => {
    const { options, url } = await start("          - { name: rsa-key, kty: RSA }");
    const error = await failure(keyVaultPublicKey(url("/keys/rsa-key"), options));
    expect(error.problem).toBe("usage");
    expect(error.message).toMatch(/is of key type RSA-HSM/);
  });

  test.each([
    {
      name: "a key that does not exist",
      keys: ONE_KEY,
      path: "/keys/no-such-key",
      problem: "usage",
      message:
        /the key https:\/\/127\.0\.0\.1:\d+\/keys\/no-such-key does not exist \(the service answered 404 KeyNotFound: A key with \(name\/id\) no-such-key was not found/,
    },
    {
      name: "a version that does not exist",
      keys: ONE_KEY,
      path: "/keys/pack-signing/ffffffffffffffffffffffffffffffff",
      problem: "usage",
      message:
        /keys\/pack-signing\/ffffffffffffffffffffffffffffffff does not exist \(the service answered 404 KeyNotFound/,
    },
    {
      name: "an RSA key",
      keys: "          - { name: rsa-key, kty: RSA }",
      path: "/keys/rsa-key",
      problem: "usage",
      message:
        /the key https:\/\/127\.0\.0\.1:\d+\/keys\/rsa-key\/[0-9a-f]{32} is of key type RSA-HSM: the evidence pack is signed with an EC key on curve P-256 \(kty EC or EC-HSM, signed with ES256\)\. Create one, e\.g\. az keyvault key create --hsm-name/,
    },
    {
      name: "an EC key on another curve",
      keys: "          - { name: p384, kty: EC, curve: P-384 }",
      path: "/keys/p384",
      problem: "usage",
      message:
        /keys\/p384\/[0-9a-f]{32} is an EC key on curve P-384: the evidence pack is signed with an EC key on curve P-256/,
    },
    {
      name: "a key that does not allow sign",
      keys: "          - { name: verify-only, operations: [verify] }",
      path: "/keys/verify-only",
      problem: "usage",
      message: /keys\/verify-only\/[0-9a-f]{32} does not allow the operation 'sign' \(it allows verify\)/,
    },
    {
      name: "a disabled key",
      keys: "          - { name: off, enabled: false }",
      path: "/keys/off",
      problem: "usage",
      message: /keys\/off\/[0-9a-f]{32} is disabled/,
    },
  ])("refuses $name before signing anything", async ({ keys, path, problem, message }) => {
    const { t, options, url } = await start(keys);
    const error = await failure(keyVaultSigner(url(path), options));
    expect(error.problem).toBe(problem);
    expect(error.message).toMatch(message);
    expect(t.sim.requests.some((r) => r.route === "keySign")).toBe(false);
  });

  test("a caller without the sign permission: 403 from the service, with the role to grant", async () => {
    const { t, options, url } = await start(ONE_KEY, "  - { route: keySign, status: 403 }");
    const signer = await keyVaultSigner(url("/keys/pack-signing"), options);
    const error = await failure(signer.sign(DATA));
    expect(error.problem).toBe("denied");
    expect(error.message).toMatch(
      /^the signing identity may not sign with the key https:\/\/127\.0\.0\.1:\d+\/keys\/pack-signing\/[0-9a-f]{32} \(the service answered 403 Forbidden: Caller is not authorized to perform action on resource\. .*Action: 'Microsoft\.KeyVault\/managedHsm\/keys\/sign\/action'.*\)\. Grant it the Managed HSM local RBAC role "Managed HSM Crypto User"/,
    );
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(t.sim.requests.filter((r) => r.route === "keySign").map((r) => r.status)).toEqual([403]);
  });

  test("a caller that may not read the key: 403 before anything is signed", async () => {
    const { options, url } = await start(ONE_KEY, "  - { route: keyGet, status: 403 }");
    const error = await failure(keyVaultSigner(url("/keys/pack-signing"), options));
    expect(error.problem).toBe("denied");
    expect(error.message).toMatch(/may not read the key .* 403 Forbidden: .*keys\/read\/action/);
  });

  test("a token the service does not accept: 401, named as the credential's", async () => {
    const { t } = await start();
    const credential = new RecordingCredential(() => "not-the-token");
    const error = await failure(
      keyVaultSigner(`${t.sim.url}/keys/pack-signing`, { credential, agent: t.agent, retryOptions: { maxRetries: 0 } }),
    );
    expect(error.problem).toBe("denied");
    expect(error.message).toMatch(
      /did not accept the credential's token for https:\/\/127\.0\.0\.1:\d+ \(the service answered 401 Unauthorized/,
    );
  });

  /** An HTTP client that passes everything to the real one and rewrites the answers of one route. */
  function tampering(route: RegExp, rewrite: (body: Record<string, unknown>) => unknown): HttpClient {
    const inner = createDefaultHttpClient();
    return {
      async sendRequest(request) {
        const response = await inner.sendRequest(request);
        if (!route.test(new URL(request.url).pathname) || response.status !== 200 || !response.bodyAsText)
          return response;
        const bodyAsText = JSON.stringify(rewrite(JSON.parse(response.bodyAsText) as Record<string, unknown>));
        const headers = createHttpHeaders(response.headers.toJSON());
        headers.set("content-length", String(Buffer.byteLength(bodyAsText)));
        return { ...response, headers, bodyAsText };
      },
    };
  }
  const flip = (value: string, at: number) => {
    const bytes = Buffer.from(value, "base64url");
    bytes[at]! ^= 0x01;
    return bytes.toString("base64url");
  };

  const CLOCK = new Date("2026-12-01T09:00:00Z");
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  test.each([
    {
      name: "expired",
      attributes: { exp: seconds(CLOCK) - 1 },
      message:
        /^the key .*\/keys\/pack-signing\/[0-9a-f]{32} expired at 2026-12-01T08:59:59\.000Z: extend its expiry or name another version\.$/,
    },
    {
      name: "not yet valid",
      attributes: { nbf: seconds(CLOCK) + 3600 },
      message: /may not be used before 2026-12-01T10:00:00\.000Z: name another version\.$/,
    },
  ])(
    "a key $name on the injected clock is refused for signing, and still gives the verifier its public key",
    async ({ attributes, message }) => {
      const { options, url } = await start();
      const httpClient = tampering(/^\/keys\/[^/]+\/?$/, (b) => ({
        ...b,
        attributes: { ...(b.attributes as Record<string, unknown>), ...attributes },
      }));
      const error = await failure(
        keyVaultSigner(url("/keys/pack-signing"), { ...options, httpClient, clock: () => CLOCK }),
      );
      expect(error.problem).toBe("usage");
      expect(error.message).toMatch(message);
      const { publicKeyPem } = await keyVaultPublicKey(url("/keys/pack-signing"), {
        ...options,
        httpClient,
        clock: () => CLOCK,
      });
      expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    },
  );

  test("the hint spells the key's name as the service does, whatever the URL's case", async () => {
    const { options, url } = await start();
    const signer = await keyVaultSigner(url("/keys/PACK-Signing"), options);
    expect(signer.hint).toMatch(/\/keys\/pack-signing\/[0-9a-f]{32}$/);
  });

  test.each([
    {
      name: "a signature with one bit changed",
      route: /\/sign$/,
      rewrite: (b: Record<string, unknown>) => ({ ...b, value: flip(String(b.value), 40) }),
      at: "sign",
      message: /answered a signature that does not verify against the key's public half: nothing was signed/,
    },
    {
      name: "a signature of 63 bytes",
      route: /\/sign$/,
      rewrite: (b: Record<string, unknown>) => ({
        ...b,
        value: Buffer.from(String(b.value), "base64url").subarray(1).toString("base64url"),
      }),
      at: "sign",
      message: /answered a signature of 63 bytes where ES256 gives 64/,
    },
    {
      name: "a signature in DER where raw r||s is due",
      route: /\/sign$/,
      rewrite: (b: Record<string, unknown>) => ({
        ...b,
        value: Buffer.from(rawEcdsaToDer(Buffer.from(String(b.value), "base64url"))).toString("base64url"),
      }),
      at: "sign",
      message: /answered a signature of (6[5-9]|7[0-2]) bytes where ES256 gives 64/,
    },
    {
      name: "another key's id",
      route: /^\/keys\/[^/]+\/?$/,
      rewrite: (b: Record<string, unknown>) => {
        const key = b.key as Record<string, string>;
        return { ...b, key: { ...key, kid: key.kid!.replace("/pack-signing/", "/other-key/") } };
      },
      at: "key",
      message:
        /answered a key whose id 'https:\/\/127\.0\.0\.1:\d+\/keys\/other-key\/[0-9a-f]{32}' is not that key with a version/,
    },
    {
      name: "a point that is not on P-256",
      route: /^\/keys\/[^/]+\/?$/,
      rewrite: (b: Record<string, unknown>) => {
        const key = b.key as Record<string, string>;
        return { ...b, key: { ...key, y: flip(key.y!, 31) } };
      },
      at: "key",
      message: /answered a public key that is not a point of P-256/,
    },
  ])("a wrong answer from the service is caught, never handed out: $name", async ({ route, rewrite, at, message }) => {
    const { options, url } = await start();
    const httpClient = tampering(route, rewrite);
    const made = keyVaultSigner(url("/keys/pack-signing"), { ...options, httpClient });
    const error = await failure(at === "key" ? made : made.then((s) => s.sign(DATA)));
    expect(error.problem).toBe("service");
    expect(error.message).toMatch(message);
  });
});
