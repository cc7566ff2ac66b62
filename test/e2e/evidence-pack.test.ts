// A signed evidence pack, end to end: the real CLI writes one (`demo --sign`), `hsm-audit verify` accepts it with the
// demo's public key, and refuses it when one byte of any file changes, when a body inside the snapshot changes (the
// manifest signed again over the edited snapshot, so that only the body check can catch it), with another key or
// without one. Then a second pack chains to the first (`evaluate --sign-key --previous`).
import { generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { spawn } from "node:child_process";
import { BIN, cleanUp, runCli, scan, startScanTarget, tempDir, type Run } from "../helpers/cli.js";
import { flowingCloudHsm, paymentsEstate } from "../helpers/estates.js";
import { ROOT } from "../helpers/simulator.js";
import { readPdf } from "../helpers/pdf.js";
import { verify } from "../../src/cli/commands/verify.js";
import { keyHint, loadPublicKey, localPemSigner } from "../../src/pack/signer.js";
import { readBundle, signStatement } from "../../src/pack/bundle.js";
import type { Statement } from "../../src/pack/manifest.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { startTimestampAuthority, type TimestampAuthority } from "../../src/simulator/tsa.js";
import { generateCertificates } from "../../src/simulator/certs.js";
import { loadTsaCertificate } from "../../src/pack/timestamp.js";
import { runMain } from "../helpers/main-in-process.js";

jest.setTimeout(300_000);
afterAll(cleanUp);

/** The README's commands of the signed pack, as written: `npx hsm-audit` and its arguments. */
const README_COMMANDS = readFileSync(join(ROOT, "README.md"), "utf8")
  .split("\n")
  .filter((l) => /^npx hsm-audit (demo --sign|verify) /.test(l))
  .map((l) => l.replace(/^npx hsm-audit /, "").split(/\s+/));

/** Runs the CLI in `cwd` (the README's commands name paths relative to where they are run). */
function runIn(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let cwd: string;
let pack: string;
let publicKey: string;
let demoOut: string;
beforeAll(async () => {
  expect(README_COMMANDS.map((c) => c[0])).toEqual(["demo", "verify"]);
  cwd = tempDir();
  const run = await runIn(cwd, README_COMMANDS[0]!);
  demoOut = run.stdout;
  // The demo estate breaks policies on purpose: exit 1, as its gate would.
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: "" });
  pack = join(cwd, "signed-pack");
  publicKey = join(pack, "signing-key.pub.pem");
});

/**
 * The CLI's own main() in this process, in a directory of its own: these runs are about what a command says and
 * writes, not about the process (the README's commands above and the Key Vault key below run the real binary).
 */
const runHere = (args: string[]): Promise<Run> => runMain(args, tempDir());

/** Runs verify in this process on `dir`, returning the exit code and the lines it printed. */
function verifyHere(dir: string, key: string | undefined = publicKey): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = verify({ dir, ...(key ? { key: loadPublicKey(key) } : {}), print: (l) => lines.push(l) });
  return { code, lines };
}
const keyHintOf = () => keyHint(loadPublicKey(publicKey));
const failures = (lines: string[]) => lines.filter((l) => l.startsWith("FAILED"));

/** A copy of the pack to damage. */
function copy(): string {
  const dir = join(tempDir(), "copy");
  cpSync(pack, dir, { recursive: true });
  return dir;
}

describe("demo --sign", () => {
  test("writes the pack, the manifest and the demo's key pair, and prints the verify command", () => {
    for (const f of [
      "result.json",
      "report.pdf",
      "report.html",
      "results.sarif",
      "junit.xml",
      "findings.csv",
      "summary.md",
      "findings.ocsf.jsonl",
      "snapshot.json",
      "evaluation.json",
      "manifest.sigstore.json",
    ]) {
      expect(existsSync(join(pack, f))).toBe(true);
    }
    expect(statSync(join(pack, "signing-key.pem")).mode & 0o777).toBe(0o600);
    // The output directory as the demo resolved it.
    expect(demoOut).toContain(`hsm-audit verify ${pack} --key ${publicKey}`);
    expect(demoOut).toMatch(/signing-key\.pem is the demo's private key: never ship it/);
  });

  test("the manifest lists every file of the pack and not the keys", () => {
    const envelope = readBundle(readFileSync(join(pack, "manifest.sigstore.json")));
    if (typeof envelope === "string") throw new Error(envelope);
    const statement = JSON.parse(envelope.payload.toString("utf8")) as Statement;
    expect(statement.subject.map((s) => s.name)).toEqual([
      "evaluation.json",
      "findings.csv",
      "findings.ocsf.jsonl",
      "junit.xml",
      "report.html",
      "report.pdf",
      "result.json",
      "results.sarif",
      "snapshot.json",
      "summary.md",
    ]);
    expect(statement.predicate.tool.name).toBe("hsm-audit");
    expect(statement.predicate.scan.result.name).toBe("result.json");
    expect(statement.predicate).not.toHaveProperty("previous");
  });

  test("report.pdf carries the pack's result.json and snapshot.json attached, byte for byte", async () => {
    const pdf = await readPdf(join(pack, "report.pdf"));
    expect([...pdf.attachments.keys()].sort()).toEqual(["result.json", "snapshot.json"]);
    for (const name of ["result.json", "snapshot.json"]) {
      expect(Buffer.from(pdf.attachments.get(name)!).equals(readFileSync(join(pack, name)))).toBe(true);
    }
  });
});

describe("hsm-audit verify (the real CLI)", () => {
  test("accepts the pack with the signer's public key (the README's command): exit 0, one ok line per check", async () => {
    const run = await runIn(cwd, README_COMMANDS[1]!);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^ok +signature: manifest\.sigstore\.json is signed by the key given/m);
    expect(run.stdout).toMatch(/^ok +report\.pdf: SHA-256 [0-9a-f]{64} as in the manifest$/m);
    expect(run.stdout).toMatch(/^ok +snapshot\.json evidence: \d+ bodies hash to their records' SHA-256/m);
    expect(run.stdout).toMatch(/^ok +snapshot\.json facts: \d+ facts are what their bodies say/m);
    expect(run.stdout).toMatch(/^ok +re-evaluation: .* gives result\.json byte for byte$/m);
    expect(run.stdout).not.toMatch(/^FAILED/m);
    expect(run.stdout).toContain("VERIFIED");
  });

  test("another key: exit 1, the signature named", async () => {
    const other = join(tempDir(), "other.pub.pem");
    writeFileSync(other, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString());
    const run = await runHere(["verify", pack, "--key", other]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED +signature: manifest\.sigstore\.json is not signed by the key given/m);
    expect(run.stdout).toContain("NOT VERIFIED: 1 check failed.");
  });

  test("no key: the key the bundle names is not trusted, exit 1", async () => {
    const run = await runHere(["verify", pack]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED +signature: not verified: no --key given/m);
  });

  test("one byte of result.json changed: exit 1, result.json named", async () => {
    const dir = copy();
    const file = join(dir, "result.json");
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(file, bytes);
    const run = await runHere(["verify", dir, "--key", publicKey]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED +result\.json: SHA-256 [0-9a-f]{64} is not the manifest's/m);
  });

  test.each([
    ["no such directory", () => [join(tempDir(), "none")], /no such directory/],
    ["a directory without a manifest", () => [tempDir()], /no manifest\.sigstore\.json: not a signed evidence pack/],
    [
      "a key file that is not a key",
      () => {
        const bad = join(tempDir(), "bad.pem");
        writeFileSync(bad, "not a key");
        return [pack, "--key", bad];
      },
      /--key .*bad\.pem: not a readable PEM public key/,
    ],
  ])("%s: exit 2", async (_what, args, message) => {
    const run = await runHere(["verify", ...args()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });
});

describe("signing keys refused before any work: exit 2, nothing written", () => {
  test.each([
    [
      "an RSA key",
      () => {
        const file = join(tempDir(), "rsa.pem");
        writeFileSync(
          file,
          generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
        );
        return ["--sign-key", file];
      },
      /--sign-key .*rsa\.pem: the key \(rsa, 2048 bits\) is not accepted; give a PEM ECDSA P-256 \(prime256v1\) or Ed25519 key/,
    ],
    [
      "a public key",
      () => ["--sign-key", join(pack, "signing-key.pub.pem")],
      /a public key or certificate; give the private key/,
    ],
    [
      "a Key Vault key URL that is not one",
      () => ["--sign-key", "https://contoso.vault.azure.net.example.com/keys/pack"],
      /must end in \.vault\.azure\.net|is not a Key Vault|vault/i,
    ],
  ])("evaluate --sign-key with %s", async (_what, flags, message) => {
    const out = join(tempDir(), "out");
    const run = await runHere(["evaluate", "--snapshot", join(pack, "snapshot.json"), "--out", out, ...flags()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  test("demo --sign-key with a Key Vault key URL: the demo never uses the user's credentials", async () => {
    const out = join(tempDir(), "out");
    const run = await runHere(["demo", "--sign-key", "https://contoso.vault.azure.net/keys/pack", "--out", out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("a Key Vault key is not used here; give a PEM private key file");
    expect(existsSync(out)).toBe(false);
  });

  test("demo --sign with --sign-key", async () => {
    const out = join(tempDir(), "out");
    const run = await runHere(["demo", "--sign", "--sign-key", join(pack, "signing-key.pem"), "--out", out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("demo takes --sign (a key it generates) or --sign-key FILE, not both");
    expect(existsSync(out)).toBe(false);
  });
});

describe("one byte changed anywhere fails, naming the file", () => {
  /** Flips the lowest bit of the byte in the middle of the file. */
  const flipMiddle = (file: string) => {
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(file, bytes);
  };
  test.each([
    ["result.json", /^FAILED +result\.json: SHA-256/],
    ["snapshot.json", /^FAILED +snapshot\.json: SHA-256/],
    ["evaluation.json", /^FAILED +evaluation\.json: SHA-256/],
    ["report.pdf", /^FAILED +report\.pdf: SHA-256/],
    ["report.html", /^FAILED +report\.html: SHA-256/],
    ["results.sarif", /^FAILED +results\.sarif: SHA-256/],
    ["junit.xml", /^FAILED +junit\.xml: SHA-256/],
    ["findings.csv", /^FAILED +findings\.csv: SHA-256/],
    ["summary.md", /^FAILED +summary\.md: SHA-256/],
    ["findings.ocsf.jsonl", /^FAILED +findings\.ocsf\.jsonl: SHA-256/],
  ])("%s", (name, expected) => {
    const dir = copy();
    flipMiddle(join(dir, name));
    const { code, lines } = verifyHere(dir);
    expect(code).toBe(1);
    expect(failures(lines).some((l) => expected.test(l))).toBe(true);
    // No other file is blamed.
    const blamed = failures(lines).filter((l) => /^FAILED +[\w.]+: SHA-256/.test(l));
    expect(blamed).toHaveLength(1);
  });

  test("the manifest: one character of its signed payload changed", () => {
    const dir = copy();
    const file = join(dir, "manifest.sigstore.json");
    const text = readFileSync(file, "utf8");
    // A letter of the base64 payload with its case flipped: still base64, one byte of the statement changed.
    const at = text.indexOf('"payload": "') + 40;
    const c = text[at]!;
    const flipped = /[a-z]/.test(c) ? c.toUpperCase() : c.toLowerCase();
    expect(flipped).not.toBe(c);
    writeFileSync(file, text.slice(0, at) + flipped + text.slice(at + 1));
    const { code, lines } = verifyHere(dir);
    expect(code).toBe(1);
    expect(failures(lines)).toContain(
      "FAILED  signature: manifest.sigstore.json is not signed by the key given (" + keyHintOf() + ")",
    );
  });

  test("the manifest: one byte of the file changed", () => {
    const dir = copy();
    flipMiddle(join(dir, "manifest.sigstore.json"));
    const { code, lines } = verifyHere(dir);
    expect(code).toBe(1);
    expect(failures(lines).join("\n")).toMatch(/manifest\.sigstore\.json/);
  });

  test("an evidence body inside the snapshot, the manifest signed again: the body check names the record", async () => {
    const dir = copy();
    const file = join(dir, "snapshot.json");
    const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
    const record = snapshot.evidence.find((r) => r.body !== undefined && r.redacted !== true && /"[a-z]/.test(r.body))!;
    // One letter of a name inside the body, changed: the body no longer hashes to its record.
    const at = record.body!.search(/"[a-z]/) + 1;
    record.body = record.body!.slice(0, at) + record.body![at]!.toUpperCase() + record.body!.slice(at + 1);
    const edited = Buffer.from(`${JSON.stringify(snapshot, null, 2)}\n`);
    writeFileSync(file, edited);
    // The signer signs the edited snapshot: every file then matches the manifest and the signature holds.
    const manifest = join(dir, "manifest.sigstore.json");
    const envelope = readBundle(readFileSync(manifest));
    if (typeof envelope === "string") throw new Error(envelope);
    const statement = JSON.parse(envelope.payload.toString("utf8")) as Statement;
    const { createHash } = await import("node:crypto");
    statement.subject.find((s) => s.name === "snapshot.json")!.digest.sha256 = createHash("sha256")
      .update(edited)
      .digest("hex");
    writeFileSync(manifest, await signStatement(statement, localPemSigner(join(dir, "signing-key.pem"))));

    const { code, lines } = verifyHere(dir);
    expect(code).toBe(1);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^ok +signature: /)]));
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ok +snapshot\.json: SHA-256 .* as in the manifest$/)]),
    );
    expect(failures(lines)).toEqual(
      expect.arrayContaining([`FAILED  snapshot.json evidence ${record.id}: its body does not hash to its sha256`]),
    );
  });
});

describe("the chain to the previous pack", () => {
  let next: string;
  beforeAll(async () => {
    next = join(tempDir(), "next");
    const run = await runHere([
      "evaluate",
      "--snapshot",
      join(pack, "snapshot.json"),
      "--sign-key",
      join(pack, "signing-key.pem"),
      "--previous",
      pack,
      "--out",
      next,
      "--quiet",
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: "" });
  });

  test("evaluate --sign-key writes a pack that verifies, chained to the previous one: exit 0", async () => {
    const run = await runHere(["verify", next, "--key", publicKey, "--previous", pack]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok +previous: signature: /m);
    expect(run.stdout).toMatch(/^ok +chain: this manifest names .*'s manifest \(SHA-256 [0-9a-f]{64}\)$/m);
    // The evaluated pack keeps the snapshot file's bytes as read.
    expect(readFileSync(join(next, "snapshot.json")).equals(readFileSync(join(pack, "snapshot.json")))).toBe(true);
  });

  test("the pack holds the changes since the previous one, made again by verify from that pack", () => {
    const result = JSON.parse(readFileSync(join(next, "result.json"), "utf8")) as { changes?: unknown };
    expect(result.changes).toBeDefined();
  });

  test("without --previous the chain is said, not checked, and the changes cannot be checked: exit 1", () => {
    const { code, lines } = verifyHere(next);
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^note +chain: this manifest names a previous manifest/)]),
    );
    expect(failures(lines)).toEqual([
      expect.stringMatching(
        /^FAILED +re-evaluation: .*result\.json holds the changes since a previous pack: name that pack with --previous DIR to check them/,
      ),
    ]);
  });

  test("a file of the tool's names in the directory that the manifest does not list: exit 1, the file named", () => {
    const dir = join(tempDir(), "extra");
    cpSync(next, dir, { recursive: true });
    // The evaluated pack has result.json alone of the formats; a report put beside it is not vouched for.
    cpSync(join(pack, "report.pdf"), join(dir, "report.pdf"));
    writeFileSync(join(dir, "notes.txt"), "the auditor's own notes: not a name of the tool's");
    const lines: string[] = [];
    const code = verify({ dir, key: loadPublicKey(publicKey), previous: pack, print: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(failures(lines)).toEqual(["FAILED  report.pdf: in the pack's directory but not in the manifest"]);
  });

  test("an unsigned run into a signed pack's directory leaves no manifest, snapshot or evaluation of the old run", async () => {
    const dir = join(tempDir(), "resigned");
    cpSync(next, dir, { recursive: true });
    const run = await runHere(["evaluate", "--snapshot", join(pack, "snapshot.json"), "--out", dir, "--quiet"]);
    expect(run.code).toBe(1);
    for (const f of ["manifest.sigstore.json", "snapshot.json", "evaluation.json"]) {
      expect(existsSync(join(dir, f))).toBe(false);
    }
    expect(existsSync(join(dir, "result.json"))).toBe(true);
  });

  test("a pack that names no previous one, given one: exit 1", () => {
    const lines: string[] = [];
    const code = verify({ dir: pack, key: loadPublicKey(publicKey), previous: next, print: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(failures(lines)).toContain("FAILED  chain: this pack's manifest names no previous manifest");
  });

  test("a previous pack that changed since it was chained: exit 1, chain and file named", () => {
    const previous = copy();
    const file = join(previous, "summary.md");
    writeFileSync(file, `${readFileSync(file, "utf8")} `);
    const lines: string[] = [];
    const code = verify({ dir: next, key: loadPublicKey(publicKey), previous, print: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(failures(lines)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FAILED +previous: summary\.md: SHA-256/),
        `FAILED  chain: the previous pack ${previous} is not verified`,
      ]),
    );
  });
});

describe("scan --sign-key against the simulator", () => {
  test("a scan signed with an Ed25519 key verifies with its public key: exit 0", async () => {
    const keys = generateKeyPairSync("ed25519");
    const dir = tempDir();
    const key = join(dir, "key.pem");
    const pub = join(dir, "key.pub.pem");
    writeFileSync(key, keys.privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(pub, keys.publicKey.export({ type: "spki", format: "pem" }));
    const target = await startScanTarget(paymentsEstate({ cloudHsmClusters: flowingCloudHsm("chsm-a", "40d") }));
    let out: string;
    try {
      const run = await scan(target, ["--sign-key", key, "--format", "md", "--quiet"]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      out = run.out;
    } finally {
      await target.close();
    }
    const { code, lines } = verifyHere(out, pub);
    expect(failures(lines)).toEqual([]);
    expect(code).toBe(0);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^ok +summary\.md: SHA-256/)]));
  });
});

describe("a key in a Managed HSM (the simulator's keys data plane)", () => {
  test("evaluate --sign-key <key URL> signs in the HSM; verify --key <key URL> reads its public key: exit 0", async () => {
    const target = await startScanTarget(`
tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: aaaaaaaa-0000-4000-8000-000000000001
    displayName: Signing Lab
    managedHsms:
      - name: mhsm-pack
        resourceGroup: rg
        location: eastus
        signingKeys:
          - { name: evidence-pack, versions: 2 }
`);
    try {
      const url = `${target.sim.url}/keys/evidence-pack`;
      const out = join(tempDir(), "kv");
      const signed = await runCli(
        ["evaluate", "--snapshot", join(pack, "snapshot.json"), "--sign-key", url, "--out", out, "--quiet"],
        target.env,
      );
      expect({ code: signed.code, stderr: signed.stderr }).toEqual({ code: 1, stderr: "" });
      // The bundle names the key's full id, its version pinned.
      const bundle = JSON.parse(readFileSync(join(out, "manifest.sigstore.json"), "utf8")) as {
        verificationMaterial: { publicKey: { hint: string } };
      };
      expect(bundle.verificationMaterial.publicKey.hint).toMatch(/\/keys\/evidence-pack\/[0-9a-f]{32}$/);

      const run = await runCli(["verify", out, "--key", bundle.verificationMaterial.publicKey.hint], target.env);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(/^ok +signature: manifest\.sigstore\.json is signed by the key given/m);
      // Another key does not verify it.
      expect(verifyHere(out).code).toBe(1);
    } finally {
      await target.close();
    }
  });
});

describe("an RFC 3161 timestamp of the signature (the time-stamp authority double on 127.0.0.1)", () => {
  const NOW = new Date("2026-11-30T12:00:00.000Z");
  let tsa: TimestampAuthority;
  let stamped: string;
  let tsaCert: string;
  beforeAll(async () => {
    tsa = await startTimestampAuthority({ now: () => NOW });
    tsaCert = join(tempDir(), "tsa.pem");
    writeFileSync(tsaCert, tsa.certPem);
    stamped = join(tempDir(), "stamped");
    const run = await runHere([
      "evaluate",
      "--snapshot",
      join(pack, "snapshot.json"),
      "--sign-key",
      join(pack, "signing-key.pem"),
      "--timestamp-url",
      tsa.url,
      "--out",
      stamped,
      "--quiet",
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: "" });
    expect(tsa.requests).toBe(1);
  });
  afterAll(() => tsa.close());

  test("verify --tsa-cert: the token over the signature is the TSA's, exit 0", async () => {
    const run = await runHere(["verify", stamped, "--key", publicKey, "--tsa-cert", tsaCert]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ok +timestamp: the signature existed at 2026-11-30T12:00:00.000Z: RFC 3161 token of .*hsm-audit test time-stamp authority.*, the TSA certificate given$/m,
    );
  });

  /** verify in this process (the CLI's own flag is run above). */
  const verifyStamped = (dir: string, cert?: string) => {
    const lines: string[] = [];
    const code = verify({
      dir,
      key: loadPublicKey(publicKey),
      ...(cert ? { tsaCert: loadTsaCertificate(cert) } : {}),
      print: (l) => lines.push(l),
    });
    return { code, stdout: lines.join("\n") };
  };

  test("without --tsa-cert the timestamp is said, not trusted (a note), and the rest verifies", () => {
    const run = verifyStamped(stamped);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^note +timestamp: the signature existed at 2026-11-30T12:00:00.000Z, says a token signed by .*give --tsa-cert$/m,
    );
    expect(run.stdout).not.toMatch(/^ok +timestamp/m);
  });

  test("another certificate as --tsa-cert: exit 1, the timestamp named", () => {
    const other = join(tempDir(), "other.pem");
    writeFileSync(other, generateCertificates().caCert);
    const run = verifyStamped(stamped, other);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAILED +timestamp: the token over the signature \(2026-11-30T12:00:00.000Z\) is signed by .*not the TSA certificate given nor issued by it$/m,
    );
  });

  test("--tsa-cert for a pack that has no timestamp: exit 1", () => {
    const run = verifyStamped(pack, tsaCert);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED +timestamp: the pack has no RFC 3161 timestamp, and --tsa-cert was given$/m);
  });

  test("the token moved onto another signature (the manifest re-signed by someone else): exit 1", async () => {
    const dir = join(tempDir(), "moved");
    cpSync(stamped, dir, { recursive: true });
    const bundle = JSON.parse(readFileSync(join(dir, "manifest.sigstore.json"), "utf8"));
    const token = bundle.verificationMaterial.timestampVerificationData;
    // The original pack's manifest (another signature over another statement), given this pack's token.
    const original = JSON.parse(readFileSync(join(pack, "manifest.sigstore.json"), "utf8"));
    original.verificationMaterial.timestampVerificationData = token;
    writeFileSync(join(dir, "manifest.sigstore.json"), `${JSON.stringify(original, null, 2)}\n`);
    const { code, lines } = verifyHere(dir);
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FAILED +timestamp: the token is over SHA-256 [0-9a-f]{64}, not the signature's/),
      ]),
    );
  });

  test.each([
    ["refuses", "rejection", /the time-stamp authority .*refused \(status 2/],
    ["answers HTTP 500", "http-500", /answered HTTP 500/],
    ["signs another imprint", "wrong-imprint", /the token is over SHA-256/],
  ])("a TSA that %s: exit 2, the URL named, nothing written", async (_what, fault, message) => {
    const out = join(tempDir(), "out");
    const run = await runMain(
      [
        "evaluate",
        "--snapshot",
        join(pack, "snapshot.json"),
        "--sign-key",
        join(pack, "signing-key.pem"),
        "--timestamp-url",
        `${tsa.url}?fault=${fault}`,
        "--out",
        out,
      ],
      cwd,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(tsa.url.replace(/^http:\/\//, ""));
    expect(existsSync(out)).toBe(false);
  });

  test("--timestamp-url without a signing key: exit 2, nothing written", async () => {
    const out = join(tempDir(), "out");
    const run = await runHere([
      "evaluate",
      "--snapshot",
      join(pack, "snapshot.json"),
      "--timestamp-url",
      tsa.url,
      "--out",
      out,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--timestamp-url timestamps the pack's signature: give --sign-key");
    expect(existsSync(out)).toBe(false);
  });
});
