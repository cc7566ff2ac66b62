// Verifies a saved snapshot against its own evidence, with no I/O: every kept body must hash to its record's
// `sha256`, an inner answer of ARM's batch must be one the batch exchange carried, and every fact of the covered
// families must be what its bodies say, re-derived with the collector's own mappings (src/azure/derive). A fact whose
// bodies were not kept cannot be verified: it becomes an error of the snapshot, so that nothing rests on it.
//
// Covered: the descendants of the management group a scan was scoped to, the Microsoft.Insights registration,
// diagnostic settings, diagnostic setting categories, workspace properties (existence, retention), the audit tables'
// retention, Sentinel (onboarding, analytic rules), storage account properties, audit log containers with their
// immutability policies, lifecycle management. Not covered (yet):
// subscription lists, HSM inventories, log samples and activity answers (query tables split per workspace), archived
// blob heads. Appliance readings are parsed again from their kept transcripts.
import { createHash } from "node:crypto";
import type { CollectionError, EvidenceRecord, Fact, Snapshot } from "../model/snapshot.js";
import { lifted, MalformedAnswer } from "./derive/common.js";
import { toCategories, toProviderState, toSettings } from "./derive/monitor.js";
import { toTable, toWorkspaceInfo } from "./derive/workspace.js";
import { AUDIT_TABLE_NAMES } from "../domain/hsm-kinds.js";
import {
  hasImmutabilityPolicy,
  isLogContainer,
  toContainer,
  toContainers,
  toLifecycle,
  toStorageAccount,
} from "./derive/storage.js";
import { toSentinelRule } from "./derive/sentinel.js";
import { descendantsOf } from "./derive/management-groups.js";
import { toPermissions } from "./derive/permissions.js";
import { managementGroupResourceId } from "../domain/management-groups.js";
import { LUNA_COMMAND_KEYS, LUNA_COMMANDS } from "../domain/luna.js";
import { parseTranscript } from "./luna/lunash.js";

/** A fact (or a body) that does not match the evidence it cites. */
export interface Tampering {
  /** The evidence record that contradicts it (the records, comma-separated, when the fact was read from several). */
  evidence: string;
  /** Where the fact is, e.g. `hsms[2].diagnosticSettings`; `evidence` for a body that does not match its hash. */
  fact: string;
  problem: string;
}

/** A fact that cannot be checked against its evidence (a body not kept, no record of the read). */
export interface Unverifiable {
  fact: string;
  resourceId: string;
  evidence?: string;
  reason: string;
}

export interface Verification {
  tampered: Tampering[];
  unverifiable: Unverifiable[];
  /** How many facts were re-derived from their bodies and found equal. */
  verified: number;
  /** The snapshot with every unverifiable fact replaced by an error (`code: Unverifiable`); the input is not changed. */
  snapshot: Snapshot;
}

const SHA_EMPTY = createHash("sha256").update("", "utf8").digest("hex");
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The body of a record cannot be had: the fact resting on it cannot be verified. */
class NotKept extends Error {
  constructor(
    readonly evidence: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The records say something that cannot be the fact (a failed read, a malformed answer): the fact was made up. */
class Contradicted extends Error {
  constructor(
    readonly evidence: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a snapshot against its evidence. Pure: reads nothing but the snapshot. */
export function verifySnapshot(input: Snapshot): Verification {
  const snapshot = structuredClone(input);
  const tampered: Tampering[] = [];
  const unverifiable: Unverifiable[] = [];
  let verified = 0;
  const records = new Map(snapshot.evidence.map((r) => [r.id, r]));

  // 1. Every kept body hashes to its record's sha256 (a redacted body cannot: its hash is of the original).
  for (const r of snapshot.evidence) {
    if (r.body === undefined || r.redacted === true) continue;
    if (sha256(r.body) !== r.sha256)
      tampered.push({ evidence: r.id, fact: "evidence", problem: "its body does not hash to its sha256" });
  }
  // 2. An inner answer of a batch is one that the batch exchange carried.
  for (const r of snapshot.evidence) {
    if (!r.via || r.body === undefined) continue;
    const carrier = records.get(r.via);
    if (!carrier) {
      tampered.push({
        evidence: r.id,
        fact: "evidence",
        problem: `it names a batch exchange ${r.via} that is not there`,
      });
      continue;
    }
    if (carrier.body === undefined || carrier.redacted === true) continue;
    let responses: unknown;
    try {
      responses = (JSON.parse(carrier.body) as { responses?: unknown }).responses;
    } catch {
      responses = undefined;
    }
    const carried =
      Array.isArray(responses) &&
      responses.some((inner) => {
        const content = (inner as { content?: unknown } | null)?.content;
        return (content === undefined ? "" : JSON.stringify(content)) === r.body;
      });
    if (!carried)
      tampered.push({
        evidence: r.id,
        fact: "evidence",
        problem: `the batch exchange ${r.via} carried no such answer`,
      });
  }

  // 3. Every fact of the covered families is what its bodies say.
  const check = <T>(
    where: string,
    resourceId: string,
    fact: Fact<T> | undefined,
    derive: (answers: Answers) => T,
    replace: (error: Fact<T>) => void,
  ) => {
    if (!fact || !("value" in fact)) return;
    const answers = new Answers(fact.evidence, records, resourceId);
    try {
      const derived = derive(answers);
      const difference = firstDifference(fact.value, derived, "value");
      if (difference === undefined) {
        verified++;
        return;
      }
      tampered.push({
        evidence: answers.used.length > 0 ? answers.used.join(", ") : (fact.evidence[0] ?? "(none)"),
        fact: where,
        problem: `${difference}; the fact is not what its evidence (${answers.used.join(", ")}) says`,
      });
    } catch (error) {
      if (error instanceof MalformedAnswer) {
        const evidence = answers.used[answers.used.length - 1] ?? fact.evidence[0] ?? "(none)";
        tampered.push({ evidence, fact: where, problem: `no fact could have been read from it: ${error.message}` });
      } else if (error instanceof Contradicted) {
        tampered.push({ evidence: error.evidence, fact: where, problem: error.message });
      } else if (error instanceof NotKept) {
        const reason = `${where} of ${resourceId} cannot be verified: ${error.message}`;
        unverifiable.push({ fact: where, resourceId, ...(error.evidence ? { evidence: error.evidence } : {}), reason });
        const collectionError: CollectionError = { message: reason, code: "Unverifiable" };
        replace({ error: collectionError, evidence: fact.evidence });
        snapshot.errors.push({ for: `${where} (verifying the snapshot)`, resourceId, ...collectionError });
      } else {
        throw error;
      }
    }
  };

  (snapshot.scope.managementGroups ?? []).forEach((group, i) => {
    const id = managementGroupResourceId(group.id);
    check(
      `scope.managementGroups[${i}].descendants`,
      id,
      group.descendants,
      (a) => descendantsOf(a.list(`${id}/descendants`), group.id),
      (f) => (group.descendants = f),
    );
  });
  snapshot.subscriptions.forEach((s, i) => {
    const scope = `/subscriptions/${s.subscriptionId}`;
    check(
      `subscriptions[${i}].insightsProvider`,
      scope,
      s.insightsProvider,
      (a) => toProviderState(a.one(`${scope}/providers/microsoft.insights`) as { registrationState?: unknown }),
      (f) => (s.insightsProvider = f),
    );
  });
  snapshot.hsms.forEach((h, i) => {
    check(
      `hsms[${i}].diagnosticSettings`,
      h.id,
      h.diagnosticSettings,
      (a) => toSettings(a.list(`${h.id}/providers/microsoft.insights/diagnosticsettings`)),
      (f) => (h.diagnosticSettings = f),
    );
    check(
      `hsms[${i}].categories`,
      h.id,
      h.categories,
      (a) => toCategories(a.list(`${h.id}/providers/microsoft.insights/diagnosticsettingscategories`)),
      (f) => (h.categories = f),
    );
  });
  (snapshot.permissions ?? []).forEach((p, i) => {
    const scope = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`;
    check(
      `permissions[${i}].result`,
      scope,
      p.result,
      (a) => toPermissions(a.list(`${scope}/providers/microsoft.authorization/permissions`)),
      (f) => (p.result = f),
    );
  });
  // Appliance readings: each is what its one transcript says, read again with the same parser.
  (snapshot.appliances ?? []).forEach((appliance, i) => {
    for (const key of LUNA_COMMAND_KEYS) {
      const fact = appliance.readings[key] as Fact<unknown> | undefined;
      if (!fact || !("value" in fact)) continue;
      const where = `appliances[${i}].readings.${key}`;
      const record = fact.evidence.length === 1 ? records.get(fact.evidence[0]!) : undefined;
      if (!record || record.body === undefined) {
        // An appliance matched to no Dedicated HSM is named by its own name.
        const owner = appliance.hsmId ?? `appliance ${appliance.name}`;
        const reason = `${where} of ${owner} cannot be verified: its transcript was not kept`;
        unverifiable.push({ fact: where, resourceId: owner, reason });
        const collectionError: CollectionError = { message: reason, code: "Unverifiable" };
        (appliance.readings as Record<string, unknown>)[key] = { error: collectionError, evidence: fact.evidence };
        snapshot.errors.push({
          for: `${where} (verifying the snapshot)`,
          ...(appliance.hsmId ? { resourceId: appliance.hsmId } : {}),
          ...collectionError,
        });
        continue;
      }
      const again = parseTranscript(key, LUNA_COMMANDS[key].command, record.body);
      const difference = "value" in again ? firstDifference(fact.value, again.value, "value") : again.error;
      if (difference === undefined) verified++;
      else
        tampered.push({
          evidence: record.id,
          fact: where,
          problem: `${difference}; the reading is not what its transcript says`,
        });
    }
  });
  snapshot.workspaces.forEach((w, i) => {
    check(
      `workspaces[${i}].info`,
      w.id,
      w.info,
      (a) => {
        const answer = a.oneOrAbsent(w.id, ["ResourceNotFound", "ResourceGroupNotFound"]);
        return "absent" in answer
          ? { exists: false as const, reason: answer.absent }
          : { exists: true as const, ...toWorkspaceInfo(lifted(answer.body)) };
      },
      (f) => (w.info = f),
    );
    check(
      `workspaces[${i}].tables`,
      w.id,
      w.tables,
      (a) =>
        AUDIT_TABLE_NAMES.map((name) => {
          const answer = a.oneOrAbsent(`${w.id}/tables/${name}`, ["ResourceNotFound", "NotFound"]);
          return "absent" in answer ? { name, exists: false } : toTable(name, lifted(answer.body));
        }),
      (f) => (w.tables = f),
    );
    check(
      `workspaces[${i}].sentinel`,
      w.id,
      w.sentinel,
      (a) => {
        const base = `${w.id}/providers/microsoft.securityinsights`;
        const onboarding = a.oneOrAbsent(`${base}/onboardingstates/default`, ["NotFound", "ResourceNotFound"]);
        if ("absent" in onboarding) return { onboarded: false, rules: [] };
        return { onboarded: true, rules: a.list(`${base}/alertrules`).map(toSentinelRule) };
      },
      (f) => (w.sentinel = f),
    );
  });
  snapshot.storageAccounts.forEach((s, i) => {
    check(
      `storageAccounts[${i}].info`,
      s.id,
      s.info,
      (a) => {
        const answer = a.oneOrAbsent(s.id, ["ResourceNotFound", "ResourceGroupNotFound"]);
        return "absent" in answer
          ? { exists: false as const, reason: answer.absent }
          : { exists: true as const, ...toStorageAccount(lifted(answer.body)) };
      },
      (f) => (s.info = f),
    );
    check(
      `storageAccounts[${i}].containers`,
      s.id,
      s.containers,
      (a) =>
        toContainers(
          a
            .list(`${s.id}/blobservices/default/containers`)
            .filter(isLogContainer)
            .map((c) =>
              hasImmutabilityPolicy(c)
                ? toContainer(
                    c,
                    lifted(
                      a.one(`${s.id}/blobservices/default/containers/${String(c.name)}/immutabilitypolicies/default`),
                    ),
                  )
                : toContainer(c),
            ),
        ),
      (f) => (s.containers = f),
    );
    check(
      `storageAccounts[${i}].lifecycle`,
      s.id,
      s.lifecycle,
      (a) => {
        const answer = a.oneOrAbsent(`${s.id}/managementpolicies/default`, [
          "ManagementPolicyNotFound",
          "ResourceNotFound",
        ]);
        return "absent" in answer ? { policy: false, rules: [] } : toLifecycle(lifted(answer.body));
      },
      (f) => (s.lifecycle = f),
    );
  });

  return { tampered, unverifiable, verified, snapshot };
}

/** The final answers among a fact's evidence records, found by the path they asked for. */
class Answers {
  /** The records a derivation read, in order. */
  readonly used: string[] = [];
  private readonly finals: { record: EvidenceRecord; path: string }[] = [];

  constructor(
    ids: string[],
    records: Map<string, EvidenceRecord>,
    private readonly resourceId: string,
  ) {
    // Per URL, the last attempt (retries repeat a URL; pages have their own); the batch exchanges themselves are not
    // answers (their inner answers are records of their own).
    const byUrl = new Map<string, EvidenceRecord>();
    for (const id of ids) {
      const record = records.get(id);
      if (!record) throw new NotKept(id, `evidence ${id}, which it cites, is not in the snapshot`);
      if (!record.via && record.method === "POST" && pathOf(record.url).endsWith("/batch")) continue;
      byUrl.delete(record.url);
      byUrl.set(record.url, record);
    }
    for (const record of byUrl.values()) this.finals.push({ record, path: pathOf(record.url) });
  }

  /** The answers to GETs of exactly `path` or of pages of it, in order. */
  private find(path: string): EvidenceRecord[] {
    const want = path.toLowerCase();
    return this.finals.filter((f) => f.path.endsWith(want)).map((f) => f.record);
  }

  private missing(path: string): never {
    throw new NotKept(
      undefined,
      `none of its evidence records is an answer to GET ${shortPath(path, this.resourceId)}`,
    );
  }

  private bodyOf(record: EvidenceRecord): unknown {
    this.used.push(record.id);
    let text = record.body;
    if (text === undefined) {
      if (record.sha256 !== SHA_EMPTY)
        throw new NotKept(record.id, `evidence ${record.id} (${record.method} ${record.url}) kept no body`);
      text = "";
    }
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Contradicted(record.id, "its body is not JSON, so no fact could have been read from it");
    }
  }

  private answered(record: EvidenceRecord): unknown {
    const body = this.bodyOf(record);
    if (record.status < 200 || record.status >= 300)
      throw new Contradicted(record.id, `its answer is HTTP ${record.status}, so the fact was not read from it`);
    if (!body || typeof body !== "object")
      throw new Contradicted(record.id, "its answer has no body, so the fact was not read from it");
    return body;
  }

  /** The one answer to GET `path` (its last attempt). */
  one(path: string): unknown {
    const found = this.find(path);
    const record = found[found.length - 1];
    if (!record) this.missing(path);
    return this.answered(record);
  }

  /** The answer to GET `path`, or the code of a 404 that says the thing does not exist. */
  oneOrAbsent(path: string, absentCodes: string[]): { body: unknown } | { absent: string } {
    const found = this.find(path);
    const record = found[found.length - 1];
    if (!record) this.missing(path);
    if (record.status === 404) {
      const code = (this.bodyOf(record) as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (typeof code === "string" && absentCodes.includes(code)) return { absent: code };
    }
    return { body: this.answered(record) };
  }

  /** The items of a list (every page, in order), each with its `properties` lifted. */
  list(path: string): Record<string, unknown>[] {
    const pages = this.find(path);
    if (pages.length === 0) this.missing(path);
    return pages.flatMap((record) => {
      const value = (this.answered(record) as { value?: unknown }).value;
      if (!Array.isArray(value)) throw new Contradicted(record.id, "its answer holds no list");
      try {
        return value.map(lifted);
      } catch (error) {
        if (error instanceof MalformedAnswer) throw new Contradicted(record.id, error.message);
        throw error;
      }
    });
  }
}

/** The path of a URL, decoded and lower-cased, without a trailing slash. */
function pathOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split("?")[0]!;
  }
  try {
    path = decodeURIComponent(path);
  } catch {
    // kept as is
  }
  return path.replace(/\/+$/, "").toLowerCase();
}

function shortPath(path: string, resourceId: string): string {
  return path.toLowerCase().startsWith(resourceId.toLowerCase())
    ? `{${resourceId}}${path.slice(resourceId.length)}`
    : path;
}

/** The first place where two JSON values differ, in words; undefined when they are equal. */
export function firstDifference(fact: unknown, evidence: unknown, at = ""): string | undefined {
  if (Object.is(fact, evidence)) return undefined;
  const shown = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));
  const here = at === "" ? "the value" : at;
  if (Array.isArray(fact) && Array.isArray(evidence)) {
    if (fact.length !== evidence.length)
      return `${here}: the fact lists ${fact.length} item(s), the evidence ${evidence.length}`;
    for (let i = 0; i < fact.length; i++) {
      const d = firstDifference(fact[i], evidence[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (fact && evidence && typeof fact === "object" && typeof evidence === "object" && !Array.isArray(fact)) {
    const a = fact as Record<string, unknown>;
    const b = evidence as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[key], b[key], at === "" ? key : `${at}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${here}: the fact says ${shown(fact)}, the evidence ${shown(evidence)}`;
}
