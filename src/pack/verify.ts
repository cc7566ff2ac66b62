// The checks of `hsm-audit verify DIR`: offline, reading only the pack (and the previous one when named). Each check
// is a line an auditor reads: ok, or FAILED naming the file, the evidence record or the finding. Nothing is "ok" that
// was not proven: without the verifier's own public key the signature is not verified, whatever the bundle names.
import { createHash, type KeyObject, type X509Certificate } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FORMAT_FILES, PACK_FILES } from "../report/outputs.js";
import { renderJsonBytes } from "../report/json.js";
import { snapshotRefusal } from "../model/schemas.js";
import type { Snapshot } from "../model/snapshot.js";
import type { Result } from "../model/result.js";
import { verifySnapshot } from "../azure/verify.js";
import { TOOL } from "../version.js";
import { IN_TOTO_PAYLOAD_TYPE } from "./dsse.js";
import { envelopeSignedBy, readBundle } from "./bundle.js";
import { statementProblem, type Statement } from "./manifest.js";
import { recordedEvaluationProblem, reEvaluate, type RecordedEvaluation } from "./evaluation.js";
import { keyHint } from "./signer.js";
import { PackUsageError } from "./errors.js";
import { readTimestamp, trustProblem } from "./timestamp.js";

export interface Check {
  /** ok: proven; failed: disproven or not proven; note: said for the reader, neither. */
  outcome: "ok" | "failed" | "note";
  /** What was checked: a file, an evidence record, a finding, the signature, the chain. */
  subject: string;
  detail: string;
}

export interface PackVerification {
  checks: Check[];
  verified: boolean;
  /** SHA-256 of the manifest file as read. */
  manifestSha256: string;
}

/** Files larger than this are not read whole (a pack's snapshot of a very large estate stays well below). */
const MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024 - 1;
const TAMPERINGS_SHOWN = 50;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every name the tool writes into an output directory, the manifest excepted. */
const TOOL_NAMES: readonly string[] = [
  ...Object.values(FORMAT_FILES),
  ...Object.values(PACK_FILES).filter((n) => n !== PACK_FILES.manifest),
];

export function verifyPack(
  dir: string,
  options: { key?: KeyObject; previous?: string; tsaCert?: X509Certificate },
): PackVerification {
  const manifestPath = join(dir, PACK_FILES.manifest);
  if (!isDirectory(dir))
    throw new PackUsageError(`${dir}: no such directory; name the directory of a signed evidence pack`);
  const manifestBytes = readPackFile(manifestPath);
  if (manifestBytes === undefined) {
    throw new PackUsageError(
      `${dir}: no ${PACK_FILES.manifest}: not a signed evidence pack (sign one with --sign-key; docs/evidence-pack.md)`,
    );
  }
  const checks: Check[] = [];
  const ok = (subject: string, detail: string) => checks.push({ outcome: "ok", subject, detail });
  const failed = (subject: string, detail: string) => checks.push({ outcome: "failed", subject, detail });
  const note = (subject: string, detail: string) => checks.push({ outcome: "note", subject, detail });
  const manifestSha256 = sha256(manifestBytes);
  const done = () => ({
    checks,
    verified: checks.every((c) => c.outcome !== "failed"),
    manifestSha256,
  });

  // The bundle and its envelope.
  const envelope = readBundle(manifestBytes);
  if (typeof envelope === "string") {
    failed(PACK_FILES.manifest, envelope);
    return done();
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    failed(PACK_FILES.manifest, `the envelope's payloadType is ${envelope.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`);
    return done();
  }

  // The signature, by the key the verifier holds.
  if (!options.key) {
    failed(
      "signature",
      `not verified: no --key given (the key the bundle names, ${envelope.hint ?? "none"}, is not trusted); give the signer's public key`,
    );
  } else if (envelopeSignedBy(envelope, options.key)) {
    ok("signature", `${PACK_FILES.manifest} is signed by the key given (${keyHint(options.key)})`);
  } else {
    failed("signature", `${PACK_FILES.manifest} is not signed by the key given (${keyHint(options.key)})`);
  }

  checkTimestamps(envelope.timestamps, envelope.signatures[0]?.sig, options.tsaCert, ok, failed, note);

  // The statement.
  let statementValue: unknown;
  try {
    statementValue = JSON.parse(envelope.payload.toString("utf8"));
  } catch {
    failed(PACK_FILES.manifest, "the envelope's payload is not JSON");
    return done();
  }
  const problem = statementProblem(statementValue);
  if (problem) {
    failed(PACK_FILES.manifest, `the statement: ${problem}`);
    return done();
  }
  const statement = statementValue as Statement;

  // Every file against its digest, and no file of the tool's names outside the manifest.
  const subjects = new Map<string, string>();
  for (const s of statement.subject) {
    if (!isPlainName(s.name)) {
      failed(s.name, "the manifest names a file outside the pack's directory");
      continue;
    }
    if (subjects.has(s.name)) {
      failed(s.name, "the manifest lists it twice");
      continue;
    }
    subjects.set(s.name, s.digest.sha256);
    const bytes = readPackFile(join(dir, s.name));
    if (bytes === undefined) failed(s.name, "listed in the manifest, missing from the pack (or not a plain file)");
    else if (sha256(bytes) !== s.digest.sha256)
      failed(s.name, `SHA-256 ${sha256(bytes)} is not the manifest's ${s.digest.sha256}`);
    else ok(s.name, `SHA-256 ${s.digest.sha256} as in the manifest`);
  }
  let present: string[] = [];
  try {
    present = readdirSync(dir);
  } catch (error) {
    failed(dir, `cannot list the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  for (const name of present.filter((n) => TOOL_NAMES.includes(n) && !subjects.has(n)).sort()) {
    failed(name, "in the pack's directory but not in the manifest");
  }
  for (const required of [FORMAT_FILES.json, PACK_FILES.snapshot, PACK_FILES.evaluation]) {
    if (!subjects.has(required)) failed(required, "the manifest does not list it: the pack cannot be re-evaluated");
  }

  // The snapshot against its own evidence, then the re-evaluation.
  const snapshot = checkSnapshot(dir, subjects, ok, failed, note);
  checkReEvaluation(dir, options.previous, subjects, snapshot, ok, failed);

  // The chain to the previous pack.
  const named = (statement.predicate as { previous?: { sha256?: unknown } }).previous?.sha256;
  if (options.previous !== undefined) {
    let previous: PackVerification;
    try {
      previous = verifyPack(options.previous, options.key ? { key: options.key } : {});
    } catch (error) {
      if (!(error instanceof PackUsageError)) throw error;
      failed("previous", error.message);
      return done();
    }
    for (const c of previous.checks) checks.push({ ...c, subject: `previous: ${c.subject}` });
    if (!previous.verified) failed("chain", `the previous pack ${options.previous} is not verified`);
    if (typeof named !== "string") failed("chain", "this pack's manifest names no previous manifest");
    else if (named !== previous.manifestSha256) {
      failed(
        "chain",
        `this manifest names a previous manifest ${named}, and ${options.previous}'s is ${previous.manifestSha256}`,
      );
    } else ok("chain", `this manifest names ${options.previous}'s manifest (SHA-256 ${named})`);
  } else if (typeof named === "string") {
    note("chain", `this manifest names a previous manifest (SHA-256 ${named}); give --previous DIR to check it`);
  }
  return done();
}

type Say = (subject: string, detail: string) => void;

/**
 * The RFC 3161 timestamps of the signature: each must be a granted token over the signature's bytes, signed by the key
 * of the certificate it carries; it is `ok` only when that certificate is the TSA certificate the verifier gave (or
 * one it issued), else a note saying what it claims. A TSA certificate given with no timestamp in the pack fails.
 */
function checkTimestamps(
  timestamps: Buffer[],
  signature: Buffer | undefined,
  anchor: X509Certificate | undefined,
  ok: Say,
  failed: Say,
  note: Say,
): void {
  const subject = "timestamp";
  if (timestamps.length === 0) {
    if (anchor) failed(subject, "the pack has no RFC 3161 timestamp, and --tsa-cert was given");
    return;
  }
  if (!signature) {
    failed(subject, "the envelope has no signature to be timestamped");
    return;
  }
  for (const token of timestamps) {
    const reading = readTimestamp(token, signature, anchor ? { extra: [anchor] } : {});
    if (typeof reading === "string") {
      failed(subject, reading);
      continue;
    }
    const when = reading.genTime.toISOString();
    const who = reading.signer.subject.replace(/\n/g, ", ");
    if (!anchor) {
      note(
        subject,
        `the signature existed at ${when}, says a token signed by ${who} (certificate SHA-256 ${reading.signer.fingerprint256}); ` +
          "not checked against a TSA certificate: give --tsa-cert",
      );
      continue;
    }
    const problem = trustProblem(reading, anchor);
    if (problem) failed(subject, `the token over the signature (${when}) is ${problem}`);
    else ok(subject, `the signature existed at ${when}: RFC 3161 token of ${who}, the TSA certificate given`);
  }
}

function checkSnapshot(dir: string, subjects: Map<string, string>, ok: Say, failed: Say, note: Say) {
  const name = PACK_FILES.snapshot;
  if (!subjects.has(name)) return undefined;
  const bytes = readPackFile(join(dir, name));
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    failed(name, "not valid JSON");
    return undefined;
  }
  const refusal = snapshotRefusal(value);
  if (refusal) {
    failed(name, `not an hsm-audit snapshot: ${refusal}`);
    return undefined;
  }
  const snapshot = value as unknown as Snapshot;
  const verification = verifySnapshot(snapshot);
  const bodies = verification.tampered.filter((t) => t.fact === "evidence");
  const facts = verification.tampered.filter((t) => t.fact !== "evidence");
  for (const t of bodies.slice(0, TAMPERINGS_SHOWN)) failed(`${name} evidence ${t.evidence}`, t.problem);
  for (const t of facts.slice(0, TAMPERINGS_SHOWN)) failed(`${name} ${t.fact} (evidence ${t.evidence})`, t.problem);
  for (const list of [bodies, facts]) {
    if (list.length > TAMPERINGS_SHOWN) failed(name, `and ${list.length - TAMPERINGS_SHOWN} more like these`);
  }
  const kept = snapshot.evidence.filter((r) => r.body !== undefined);
  const redacted = kept.filter((r) => r.redacted === true).length;
  if (bodies.length === 0) {
    ok(
      `${name} evidence`,
      `${kept.length - redacted} bodies hash to their records' SHA-256` +
        (redacted > 0
          ? `; ${redacted} redacted bodies cannot (their hash is of the original), the manifest covers them`
          : ""),
    );
  }
  if (facts.length === 0) ok(`${name} facts`, `${verification.verified} facts are what their bodies say`);
  if (verification.unverifiable.length > 0) {
    note(
      `${name} facts`,
      `${verification.unverifiable.length} facts have no body to be checked against: the re-evaluation reads them as errors`,
    );
  }
  return verification.snapshot;
}

function checkReEvaluation(
  dir: string,
  previousDir: string | undefined,
  subjects: Map<string, string>,
  snapshot: Snapshot | undefined,
  ok: Say,
  failed: Say,
): void {
  const subject = "re-evaluation";
  if (!snapshot) {
    if (subjects.has(PACK_FILES.snapshot)) failed(subject, `not made: ${PACK_FILES.snapshot} could not be read`);
    return;
  }
  const resultBytes = subjects.has(FORMAT_FILES.json) ? readPackFile(join(dir, FORMAT_FILES.json)) : undefined;
  const inputBytes = subjects.has(PACK_FILES.evaluation) ? readPackFile(join(dir, PACK_FILES.evaluation)) : undefined;
  if (!resultBytes || !inputBytes) {
    failed(subject, `not made: ${!resultBytes ? FORMAT_FILES.json : PACK_FILES.evaluation} could not be read`);
    return;
  }
  let recorded: unknown;
  try {
    recorded = JSON.parse(inputBytes.toString("utf8"));
  } catch {
    failed(PACK_FILES.evaluation, "not valid JSON");
    return;
  }
  const problem = recordedEvaluationProblem(recorded);
  if (problem) {
    failed(PACK_FILES.evaluation, `not a recorded evaluation: ${problem}`);
    return;
  }
  const inputs = recorded as RecordedEvaluation;
  let again: Buffer;
  try {
    again = renderJsonBytes(
      reEvaluate(snapshot, inputs, { packDir: dir, ...(previousDir !== undefined ? { previousDir } : {}) }),
    ).bytes;
  } catch (error) {
    failed(subject, `the recorded evaluation could not be run again (${(error as Error).message})`);
    return;
  }
  if (again.equals(resultBytes)) {
    ok(
      subject,
      `the snapshot evaluated again with the recorded policies and options gives ${FORMAT_FILES.json} byte for byte`,
    );
    return;
  }
  const version =
    inputs.toolVersion === TOOL.version
      ? ""
      : ` (the pack was evaluated by hsm-audit ${inputs.toolVersion}, this is ${TOOL.version}: verify with that version)`;
  failed(subject, `${firstResultDifference(again, resultBytes)}${version}`);
}

/** The first place where the re-evaluated result and result.json differ, in an auditor's words. */
function firstResultDifference(again: Buffer, written: Buffer): string {
  let result: Result;
  try {
    result = JSON.parse(written.toString("utf8")) as Result;
  } catch {
    return `${FORMAT_FILES.json} is not valid JSON`;
  }
  const fresh = JSON.parse(again.toString("utf8")) as Result;
  const findings = Array.isArray(result.findings) ? result.findings : [];
  const count = Math.max(findings.length, fresh.findings.length);
  for (let i = 0; i < count; i++) {
    const a = fresh.findings[i];
    const b = findings[i];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const f = a ?? b!;
    const said = b ? `${FORMAT_FILES.json} says ${b.status}: "${b.message}"` : `${FORMAT_FILES.json} does not have it`;
    const got = a ? `gives ${a.status}: "${a.message}"` : "does not give it";
    return `finding ${f.policyId} on ${f.resourceId}: the re-evaluation ${got}, ${said}`;
  }
  const keys = new Set([...Object.keys(fresh), ...Object.keys(result)]);
  for (const key of keys) {
    if (
      JSON.stringify((fresh as unknown as Record<string, unknown>)[key]) !==
      JSON.stringify((result as unknown as Record<string, unknown>)[key])
    ) {
      return `${FORMAT_FILES.json} field ${key} is not what the re-evaluation gives`;
    }
  }
  return `${FORMAT_FILES.json} is not byte for byte what the re-evaluation gives (same content, other bytes)`;
}

/** A name of a file directly in the pack's directory. */
function isPlainName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

/** A regular file's bytes (never through a symlink), or undefined when there is none. */
function readPackFile(path: string): Buffer | undefined {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
