// Waivers: accepted exceptions with an owner and an end date. A waivers file is validated once when it is read (a
// mistake names file, line and reason); applying waivers to findings is pure and compares dates with the run's time,
// which comes from the snapshot.
import { schemaValidator } from "../util/schema-validator.js";
import type { Finding, ResultWaiver, WaiverReference } from "../model/result.js";
import { describe, parseYamlFile, pathOf, PolicyError } from "./policy.js";
import { resourceMatcher } from "./resource-pattern.js";
import { readYamlText } from "../util/yaml.js";

export const DEFAULT_MAX_WAIVER_DAYS = 365;
const DAY_MS = 86_400_000;

export interface Waiver {
  /** 1-based position in the file. */
  index: number;
  line: number;
  policy: string;
  resource: string;
  reason: string;
  owner: string;
  ticket: string;
  /** YYYY-MM-DD: the waiver holds until the end of that day, UTC. */
  expires: string;
}

export class WaiverError extends PolicyError {
  constructor(file: string, line: number | undefined, reason: string) {
    super(file, line, reason);
    this.name = "WaiverError";
  }
}

const nonEmpty = { type: "string", minLength: 1, pattern: "\\S" } as const;
const WAIVERS_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    required: ["policy", "resource", "reason", "owner", "expires"],
    additionalProperties: false,
    properties: {
      policy: nonEmpty,
      resource: { type: "string", pattern: "^/" },
      reason: nonEmpty,
      owner: nonEmpty,
      ticket: { type: "string" },
      expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    },
  },
} as const;
const validateWaivers = schemaValidator("waivers", WAIVERS_SCHEMA, { allErrors: false, strict: false });

export interface WaiverRules {
  /** The ids of the policies in force: a waiver of another policy is a mistake. */
  policyIds: ReadonlySet<string>;
  /** The run's time (ms): no waiver may end more than `maxDays` after it. */
  runTime: number;
  maxDays: number;
}

export function loadWaiversFile(file: string, rules: WaiverRules): Waiver[] {
  const text = readYamlText(file, (f, l, r) => new WaiverError(f, l, r));
  return parseWaivers(text, file, rules);
}

export function parseWaivers(text: string, file: string, rules: WaiverRules): Waiver[] {
  const { value, lineOf } = parseYamlFile(text, file, (f, l, r) => new WaiverError(f, l, r));
  // An empty file waives nothing; anything else must be a list.
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new WaiverError(file, lineOf([]), "must be a list of waivers (each '- policy: ...')");
  }
  if (!validateWaivers(value)) {
    const error = validateWaivers.errors![0]!;
    const path = pathOf(error);
    let reason = describe(error, "");
    if (error.keyword === "pattern" && path.at(-1) === "expires")
      reason = `${path.join(".")}: must be a date YYYY-MM-DD`;
    if (error.keyword === "pattern" && path.at(-1) === "resource")
      reason = `${path.join(".")}: must be an ARM id or a pattern of one, starting with '/'`;
    if (error.keyword === "pattern" && error.params.pattern === "\\S") reason = `${path.join(".")}: must not be blank`;
    throw new WaiverError(file, lineOf(path), `waiver ${reason}`);
  }
  const lastAllowed = isoDate(rules.runTime + rules.maxDays * DAY_MS);
  return (value as Array<Omit<Waiver, "index" | "line" | "ticket"> & { ticket?: string }>).map((raw, i) => {
    const at = (key: string) => lineOf([i, key]);
    if (!rules.policyIds.has(raw.policy)) {
      throw new WaiverError(file, at("policy"), `waiver ${i}.policy: no policy '${raw.policy}' is in force`);
    }
    if (endOf(raw.expires) === undefined) {
      throw new WaiverError(file, at("expires"), `waiver ${i}.expires: '${raw.expires}' is not a calendar date`);
    }
    if (raw.expires > lastAllowed) {
      throw new WaiverError(
        file,
        at("expires"),
        `waiver ${i}.expires: ${raw.expires} is more than ${rules.maxDays} days after the run (at most ${lastAllowed})`,
      );
    }
    return {
      index: i + 1,
      line: lineOf([i]) ?? 1,
      policy: raw.policy,
      resource: raw.resource,
      reason: raw.reason.trim(),
      owner: raw.owner.trim(),
      ticket: (raw.ticket ?? "").trim(),
      expires: raw.expires,
    };
  });
}

/** The instant a waiver stops holding: the start of the day after `expires`, UTC; undefined for no such date. */
export function endOf(expires: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = Date.UTC(y, mo - 1, d);
  if (isoDate(start) !== expires) return undefined;
  return start + DAY_MS;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isExpired(waiver: Pick<Waiver, "expires">, runTime: number): boolean {
  return runTime >= endOf(waiver.expires)!;
}

/**
 * Applies waivers to findings: the first unexpired waiver (in file order) that names the policy and matches the
 * resource turns a `fail` or a `manual` finding into `waived`. A `manual` finding asks for evidence the tool cannot
 * read (a Dedicated HSM's appliance audit log); its waiver is the documented compensating control, with an owner and
 * an end. Nothing else is ever waived: an `error` is missing evidence, not a failure someone accepted, and a `pass`
 * needs nothing. Returns new findings and every waiver with its state.
 */
export function applyWaivers(
  findings: readonly Finding[],
  waivers: readonly Waiver[],
  runTime: number,
): { findings: Finding[]; waivers: ResultWaiver[] } {
  const compiled = waivers.map((w) => ({
    waiver: w,
    expired: isExpired(w, runTime),
    matches: resourceMatcher(w.resource),
    covered: [] as Array<{ policyId: string; resourceId: string }>,
  }));
  const out = findings.map((f) => {
    if (f.status !== "fail" && f.status !== "manual") return f;
    const candidates = compiled.filter((c) => c.waiver.policy === f.policyId && c.matches(f.resourceId));
    const active = candidates.find((c) => !c.expired);
    if (!active) {
      // An expired waiver is reported with what it no longer covers, so that its owner sees it; that finding counts again.
      for (const c of candidates) c.covered.push({ policyId: f.policyId, resourceId: f.resourceId });
      return f;
    }
    active.covered.push({ policyId: f.policyId, resourceId: f.resourceId });
    return { ...f, status: "waived" as const, waiver: { ...reference(active.waiver), accepted: f.status } };
  });
  return {
    findings: out,
    waivers: compiled.map((c) => ({
      index: c.waiver.index,
      policy: c.waiver.policy,
      resource: c.waiver.resource,
      reason: c.waiver.reason,
      owner: c.waiver.owner,
      ticket: c.waiver.ticket,
      expires: c.waiver.expires,
      state: c.expired ? "expired" : c.covered.length > 0 ? "applied" : "unused",
      findings: c.covered,
    })),
  };
}

function reference(w: Waiver): WaiverReference {
  return { index: w.index, reason: w.reason, owner: w.owner, ticket: w.ticket, expires: w.expires };
}
