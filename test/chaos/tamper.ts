// Tampered snapshots in the chaos run (docs/chaos.md): both scans' snapshots, untouched, must match the snapshot schema
// as saved (it is closed: whatever a fault makes the collector write must be named) and verify (a fault may never
// look like tampering), and the faulty scan's snapshot with one random fact of a verified family edited (its body left
// as it was, or edited too with its sha256 recomputed) must be refused by evaluate's loading of a snapshot: exit 2,
// naming a record the fact cites.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifySnapshot } from "../../src/azure/verify.js";
import { loadVerifiedSnapshot } from "../../src/cli/options.js";
import { UsageError } from "../../src/cli/errors.js";
import { firstError, validateSnapshot } from "../../src/model/schemas.js";
import type { Fact, Snapshot } from "../../src/model/snapshot.js";
import { mulberry32 } from "./estate.js";

/** The facts of the families evaluate re-derives from their bodies, with where they are. */
function coveredFacts(s: Snapshot): { where: string; fact: Fact<unknown> }[] {
  const all: { where: string; fact: Fact<unknown> | undefined }[] = [
    ...s.subscriptions.map((x, i) => ({ where: `subscriptions[${i}].insightsProvider`, fact: x.insightsProvider })),
    ...s.hsms.flatMap((h, i) => [
      { where: `hsms[${i}].diagnosticSettings`, fact: h.diagnosticSettings },
      { where: `hsms[${i}].categories`, fact: h.categories },
    ]),
    ...s.workspaces.flatMap((w, i) => [
      { where: `workspaces[${i}].info`, fact: w.info },
      { where: `workspaces[${i}].tables`, fact: w.tables },
      { where: `workspaces[${i}].sentinel`, fact: w.sentinel },
    ]),
    ...s.storageAccounts.flatMap((a, i) => [
      { where: `storageAccounts[${i}].info`, fact: a.info },
      { where: `storageAccounts[${i}].containers`, fact: a.containers },
      { where: `storageAccounts[${i}].lifecycle`, fact: a.lifecycle },
    ]),
  ];
  return all.filter((f): f is { where: string; fact: Fact<unknown> } => f.fact !== undefined && "value" in f.fact);
}

/** Every leaf (number, boolean, string) of a value, as a setter that changes it. */
function leaves(value: unknown, path: string, out: { path: string; edit: () => void }[]): void {
  if (Array.isArray(value) || (value && typeof value === "object")) {
    const container = value as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      const inner = container[key];
      const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      if (typeof inner === "number") out.push({ path: at, edit: () => (container[key] = inner + 1) });
      else if (typeof inner === "boolean") out.push({ path: at, edit: () => (container[key] = !inner) });
      else if (typeof inner === "string") out.push({ path: at, edit: () => (container[key] = `${inner}x`) });
      else leaves(inner, at, out);
    }
  }
}

export function tamperRun(seed: number, baseline: Snapshot, chaos: Snapshot): { edit?: string; failures: string[] } {
  const failures: string[] = [];
  for (const [name, snapshot] of [
    ["fault-free", baseline],
    ["faulty", chaos],
  ] as const) {
    if (!validateSnapshot(JSON.parse(JSON.stringify(snapshot))))
      failures.push(
        `the ${name} snapshot, untouched, does not match its schema: ${firstError(validateSnapshot.errors)}`,
      );
    const v = verifySnapshot(snapshot);
    for (const t of v.tampered)
      failures.push(`the ${name} snapshot, untouched, fails verification: ${t.evidence} ${t.fact}: ${t.problem}`);
    for (const u of v.unverifiable)
      failures.push(`the ${name} snapshot, untouched, has an unverifiable fact: ${u.reason}`);
  }
  const random = mulberry32(seed ^ 0x7a3d);
  const tampered = structuredClone(chaos);
  const candidates = coveredFacts(tampered).flatMap(({ where, fact }) => {
    const found: { path: string; edit: () => void }[] = [];
    leaves((fact as { value: unknown }).value, `${where}.value`, found);
    return found.map((leaf) => ({ ...leaf, fact }));
  });
  if (candidates.length === 0) return { failures };
  const pick = candidates[Math.floor(random() * candidates.length)]!;
  pick.edit();
  const rehash = random() < 0.5;
  if (rehash) {
    // The body edited too (re-serialised, so the facts it says are unchanged) and its sha256 recomputed to match.
    const record = tampered.evidence.find(
      (e) => pick.fact.evidence.includes(e.id) && e.body && !e.url.includes("/batch?"),
    );
    if (record?.body) {
      record.body = `${record.body} `;
      record.sha256 = createHash("sha256").update(record.body, "utf8").digest("hex");
    }
  }
  const edit = `${pick.path} edited${rehash ? ", a body of it edited with its sha256 recomputed" : ""}`;
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-chaos-tamper-"));
  try {
    const file = join(dir, "snapshot.json");
    writeFileSync(file, JSON.stringify(tampered));
    try {
      loadVerifiedSnapshot(file);
      failures.push(`the tampered snapshot (${edit}) was accepted`);
    } catch (error) {
      if (!(error instanceof UsageError) || error.exitCode !== 2) throw error;
      const named = pick.fact.evidence.some((id) => new RegExp(`evidence (ev-\\d+, )*${id}\\b`).test(error.message));
      // An edit that breaks the snapshot's schema (a fact turned into a shape no answer has) is refused before the
      // evidence is compared, naming the edited fact's path: refused all the same, and said where.
      const pointer = `/${pick.path
        .replace(/\[(\d+)\]/g, ".$1")
        .split(".")
        .slice(0, 4)
        .join("/")}`;
      const invalid = error.message.includes("not an hsm-audit snapshot") && error.message.includes(pointer);
      if (!named && !invalid)
        failures.push(`the tampered snapshot (${edit}) was refused without naming its record: ${error.message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { edit, failures };
}
