// A saved snapshot edited after the scan: `evaluate` must not believe facts that its own evidence contradicts. The
// snapshot is saved by the CLI's scan (in this process) of the simulator's Contoso estate (which fails on a provider not
// registered, a disabled audit category and a table kept too short); the tests edit it as an attacker would and run
// `hsm-audit evaluate` on it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, startScanTarget, tempDir, type Run } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { runMain } from "../helpers/main-in-process.js";
import { CONTOSO } from "../helpers/simulator.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicies } from "../../src/engine/policy.js";
import type { Result } from "../../src/model/result.js";
import type { EvidenceRecord, Fact, Snapshot } from "../../src/model/snapshot.js";

jest.setTimeout(180_000);
afterAll(cleanUp);

const RESEARCH = "33333333-3333-4333-8333-333333333333";
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

let saved: string;
let scanned: Result;
beforeAll(async () => {
  const target = await startScanTarget(readFileSync(CONTOSO, "utf8"));
  saved = join(tempDir(), "snapshot.json");
  try {
    const run = await scanInProcess(target, ["--snapshot-out", saved]);
    expect(run.code).toBe(1);
    scanned = run.result!;
  } finally {
    await target.close();
  }
});

const load = (): Snapshot => JSON.parse(readFileSync(saved, "utf8")) as Snapshot;
const known = <T>(fact: Fact<T> | undefined): { value: T; evidence: string[] } => {
  if (!fact || !("value" in fact)) throw new Error("the fact was not read");
  return fact;
};
/** The record a fact was read from: the last one it cites that has a body (a batch's inner answer, or the GET). */
const recordOf = (snapshot: Snapshot, fact: Fact<unknown> | undefined): EvidenceRecord => {
  const ids = known(fact).evidence;
  const records = snapshot.evidence.filter((e) => ids.includes(e.id) && !e.url.includes("/batch?"));
  return records[records.length - 1]!;
};

/** What an attacker edits: the research subscription's provider, the disabled category, every retention. */
function editFacts(snapshot: Snapshot): string[] {
  const edited: string[] = [];
  const sub = snapshot.subscriptions.find((s) => s.subscriptionId === RESEARCH)!;
  known(sub.insightsProvider).value.registrationState = "Registered";
  edited.push(recordOf(snapshot, sub.insightsProvider).id);
  for (const hsm of snapshot.hsms) {
    const settings = hsm.diagnosticSettings;
    if (!settings || !("value" in settings)) continue;
    if (settings.value.some((s) => s.logs.some((l) => !l.enabled))) {
      for (const s of settings.value) for (const l of s.logs) l.enabled = true;
      edited.push(recordOf(snapshot, settings).id);
    }
  }
  for (const w of snapshot.workspaces) {
    const info = w.info;
    if ("value" in info && info.value.exists && (info.value.retentionInDays ?? 0) < 365) {
      info.value.retentionInDays = 730;
      edited.push(recordOf(snapshot, info).id);
    }
    if (w.tables && "value" in w.tables) {
      for (const t of w.tables.value) {
        if (t.exists && (t.retentionInDays ?? 0) < 365) {
          t.retentionInDays = 730;
          t.totalRetentionInDays = 730;
          edited.push(
            w.tables.evidence.find((id) => snapshot.evidence.find((e) => e.id === id)!.url.includes(t.name))!,
          );
        }
      }
    }
  }
  return edited;
}

function evaluateFile(snapshot: Snapshot): Promise<Run & { out: string }> {
  const dir = tempDir();
  const file = join(dir, "tampered.json");
  writeFileSync(file, JSON.stringify(snapshot));
  const out = join(dir, "out");
  return runMain(["evaluate", "--snapshot", file, "--out", out], dir).then((run) => ({ ...run, out }));
}

const passes = (result: Result) =>
  new Set(result.findings.filter((f) => f.status === "pass").map((f) => `${f.policyId} ${f.resourceId}`));

test("the snapshot as the scan saved it evaluates to the scan's result", async () => {
  const run = await evaluateFile(load());
  expect(run.stderr).toBe("");
  expect(run.code).toBe(1);
  const offline = JSON.parse(readFileSync(join(run.out, "result.json"), "utf8")) as Result;
  expect(offline.findings).toEqual(scanned.findings);
});

test("facts edited to say the opposite of their bodies: exit 2 naming each record and fact, nothing evaluated", async () => {
  const tampered = load();
  const edited = editFacts(tampered);
  expect(edited.length).toBeGreaterThanOrEqual(3);
  // The engine alone, trusting the snapshot, would pass findings that the scan failed.
  const trusting = evaluate(tampered, loadPolicies(), { failOn: "low" });
  const before = passes(scanned);
  const gained = [...passes(trusting)].filter((p) => !before.has(p));
  expect(gained.length).toBeGreaterThanOrEqual(5);

  const run = await evaluateFile(tampered);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("does not match its own evidence");
  for (const id of edited) expect(run.stderr).toMatch(new RegExp(`evidence (ev-\\d+, )*${id}\\b`));
  expect(run.stderr).toMatch(
    /subscriptions\[\d+\]\.insightsProvider: value\.registrationState: the fact says "Registered"/,
  );
  expect(run.stderr).toMatch(
    /hsms\[\d+\]\.diagnosticSettings: value\[0\]\.logs\[0\]\.enabled: the fact says true, the evidence false/,
  );
  expect(run.stderr).toMatch(/workspaces\[\d+\]\.tables: .*retentionInDays: the fact says 730/);
  expect(existsSync(join(run.out, "result.json"))).toBe(false);
});

test("a body edited to match the edited fact, with or without its sha256 recomputed: exit 2 naming the record", async () => {
  const tampered = load();
  editFacts(tampered);
  const sub = tampered.subscriptions.find((s) => s.subscriptionId === RESEARCH)!;
  const record = recordOf(tampered, sub.insightsProvider);
  record.body = record.body!.replace(/"registrationState":"[A-Za-z]+"/, '"registrationState":"Registered"');
  // Without the hash recomputed, the body does not hash to it.
  const stale = await evaluateFile(tampered);
  expect(stale.code).toBe(2);
  expect(stale.stderr).toContain(`evidence ${record.id}: its body does not hash to its sha256`);
  // With it recomputed, the batch exchange that carried the answer still holds the original.
  record.sha256 = sha256(record.body);
  expect(record.via).toBeDefined();
  const rehashed = await evaluateFile(tampered);
  expect(rehashed.code).toBe(2);
  expect(rehashed.stderr).toContain(`evidence ${record.id}: the batch exchange ${record.via} carried no such answer`);
});

test("bodies stripped and facts edited: the facts cannot be verified, so their findings are errors, never passes", async () => {
  const tampered = load();
  const edited = new Set(editFacts(tampered));
  for (const e of tampered.evidence) if (edited.has(e.id)) delete e.body;
  const run = await evaluateFile(tampered);
  // Exit 1: the estate's other failures stand; the edited facts' findings are errors.
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("cannot be verified");
  for (const id of edited) expect(run.stderr).toContain(`evidence ${id}`);
  const result = JSON.parse(readFileSync(join(run.out, "result.json"), "utf8")) as Result;
  const before = passes(scanned);
  expect([...passes(result)].filter((p) => !before.has(p))).toEqual([]);
  const provider = result.findings.find(
    (f) => f.policyId === "insights-provider-registered" && f.resourceId === `/subscriptions/${RESEARCH}`,
  )!;
  expect(provider.status).toBe("error");
  expect(provider.message).toContain("cannot be verified");
});
