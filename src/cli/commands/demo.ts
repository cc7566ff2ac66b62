// `hsm-audit demo`: the full scan, over the real Azure SDK clients and HTTPS, against the simulator serving the
// built-in Contoso estate. It signs in with the simulator's own token: no user credential, no real Azure endpoint.
import type { ProgressView } from "../progress.js";
import { Agent } from "node:https";
import { fileURLToPath } from "node:url";
import { loadEstateFile } from "../../simulator/estate.js";
import { startSimulator } from "../../simulator/server.js";
import { StaticTokenCredential } from "../../azure/clients.js";
import { loadApplianceIndex } from "../../azure/luna/evidence-dir.js";
import { rebasedApplianceEvidence } from "../../simulator/appliance-evidence.js";
import { printLine } from "../output.js";
import { scan, type OutputOptions } from "./scan.js";
import { FORMAT_FILES, type Format } from "../../report/outputs.js";
import { join } from "node:path";
import { shownStatus } from "../../model/result.js";
import { plural } from "../../model/words.js";
import { generateKeyPairSync } from "node:crypto";
import { keySigner, type PackSigner } from "../../pack/signer.js";
import { PACK_FILES } from "../../report/outputs.js";

/** The demo's generated key pair, written beside its pack: the private key only readable by its owner. */
export const DEMO_KEY_FILES = { private: "signing-key.pem", public: "signing-key.pub.pem" } as const;

/**
 * `demo --sign`: a fresh ECDSA P-256 key pair, the signer over it, and its files (left out of the manifest). A demo key
 * proves the format, not who signed: a real pack is signed with the organisation's own key.
 */
export async function demoSigningKey(): Promise<{
  signer: PackSigner;
  files: Array<{ name: string; content: Uint8Array; mode: number }>;
}> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    signer: keySigner(privateKey),
    files: [
      {
        name: DEMO_KEY_FILES.private,
        content: Buffer.from(privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
        mode: 0o600,
      },
      {
        name: DEMO_KEY_FILES.public,
        content: Buffer.from(publicKey.export({ type: "spki", format: "pem" }).toString()),
        mode: 0o644,
      },
    ],
  };
}

export const DEMO_ESTATE = fileURLToPath(new URL("../../../examples/estates/contoso.yaml", import.meta.url));
/** The LunaSH transcripts of the Contoso estate's two Luna appliances (one compliant, one not). */
export const DEMO_APPLIANCE_EVIDENCE = fileURLToPath(new URL("../../../examples/appliance-evidence", import.meta.url));

export interface DemoOptions extends OutputOptions {
  estate?: string;
  logWindowMs: number;
  period?: { start: Date; end: Date; label: string };
  progress?: ProgressView;
  /** One clock for the simulator and the scan (the machine's unless a test injects one). */
  clock?: () => Date;
}

export async function demo(options: DemoOptions): Promise<number> {
  const print = options.print ?? printLine;
  const estate = loadEstateFile(options.estate ?? DEMO_ESTATE, options.clock ? { now: options.clock() } : {});
  const sim = await startSimulator({ estate, ...(options.clock ? { clock: options.clock } : {}) });
  const agent = new Agent({ ca: sim.caCert, keepAlive: true });
  // The built-in estate's Dedicated HSMs come with their appliances' saved transcripts, brought to the present as the
  // estate is: readings older than a week prove nothing.
  const evidence = options.estate
    ? undefined
    : rebasedApplianceEvidence(DEMO_APPLIANCE_EVIDENCE, options.clock ? options.clock() : new Date());
  try {
    const which = options.estate ? `the simulated estate ${options.estate}` : "the simulated Contoso estate";
    print(`hsm-audit demo: scanning ${which} (${plural(estate.subscriptions.length, "subscription")}),`);
    print(`served at ${sim.url}, through the real Azure SDK clients over HTTPS.`);
    print("Nothing here touches Azure or uses your credentials.");
    print("");
    const { code, result } = await scan({
      ...options,
      // The demo shows the whole pack: the PDF and HTML reports beside whatever else was asked for.
      formats: [...new Set<Format>([...options.formats, "html", "pdf"])],
      cloud: "AzureCloud",
      armEndpoint: sim.url,
      logsEndpoint: sim.url,
      subscriptions: [],
      concurrency: 8,
      maxRetries: 4,
      timeoutMs: 30_000,
      credential: new StaticTokenCredential(sim.token),
      agent,
      ...(evidence ? { applianceEvidence: loadApplianceIndex(evidence.directory) } : {}),
    });
    const s = result.summary;
    const review = result.findings.filter((f) => shownStatus(f, result.failOn) === "review").length;
    print("");
    print(
      `What it shows: ${plural(result.resources.length, "HSM")} and ${plural(result.findings.length, "finding")}: ${s.pass} pass, ${s.fail - review} fail, ` +
        `${review} for review (activity highlights), ${s.error} error, ${s.manual} need manual review.`,
    );
    if (!options.estate) {
      print(
        "The Contoso estate has compliant HSMs and, on purpose, HSMs that break the built-in policies, so the exit code is " +
          `${code}, as a CI gate would see it. Its HSMs also did what a reviewer must see (key deletions, a mass key ` +
          "retrieval, a burst of refused requests, sign-ins from new addresses, a hole in the trail): the activity " +
          "highlights list them, for review rather than counted against the gate. Its two Dedicated HSMs are judged from " +
          "their Luna appliances' saved LunaSH transcripts (examples/appliance-evidence): one passes, the other sends its " +
          "audit log nowhere, its syslog over UDP, and keeps time by its own clock.",
      );
    }
    print(
      `Open ${join(options.outDir, FORMAT_FILES.pdf)} (or ${FORMAT_FILES.html}) for the evidence pack an auditor files, and ` +
        `${join(options.outDir, FORMAT_FILES.json)} for every verdict, its evidence (each HTTP exchange, hashed) and the fix.`,
    );
    print(`The simulator answered ${sim.requests.length} HTTPS requests.`);
    if (options.sign) {
      const generated = options.sign.unlisted?.some((f) => f.name === DEMO_KEY_FILES.public);
      const key = generated ? join(options.outDir, DEMO_KEY_FILES.public) : "PUBLIC-KEY.pem";
      print(
        `The pack is signed (${join(options.outDir, PACK_FILES.manifest)}). An auditor checks it, offline, with the signer's public key:`,
      );
      print(`  hsm-audit verify ${options.outDir} --key ${key}`);
      if (generated) {
        print(
          `${join(options.outDir, DEMO_KEY_FILES.private)} is the demo's private key: never ship it with a pack; ` +
            "a real pack is signed with your organisation's own key (--sign-key).",
        );
      }
    }
    return code;
  } finally {
    evidence?.remove();
    agent.destroy();
    await sim.close();
  }
}
