// Policies are data: YAML files validated once when loaded. A mistake is a PolicyError naming file, line and reason.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { ErrorObject, Options } from "ajv";
import { parseYaml, readYamlText } from "../util/yaml.js";
import { schemaValidator } from "../util/schema-validator.js";
import { SEVERITIES, type Severity } from "../model/result.js";
import type { HsmKind } from "../model/snapshot.js";
import { CHECK_KINDS } from "./checks/index.js";
import { HSM_KINDS } from "../domain/hsm-kinds.js";
import { BUILT_IN_POLICIES } from "./policy-cache.js";

export { BUILT_IN_POLICIES };

export type AppliesTo = HsmKind | "subscription";

export interface Policy {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  appliesTo: AppliesTo[];
  check: string;
  /** Params with the check kind's defaults applied. */
  params: Record<string, unknown>;
  rationale: string;
  remediation: Remediation;
  references: { title: string; url: string }[];
  /** Where it came from: `built-in` or the file path. */
  source: string;
  file: string;
  /** SHA-256 (hex) of the policy file as read. */
  sha256: string;
}

export interface RemediationForms {
  azCli: string;
  powershell: string;
  bicep?: string;
}
/** The fix of a policy; `cases` are fixes for the findings a check says need another (`Verdict.fix`). */
export interface Remediation extends RemediationForms {
  cases?: Record<string, RemediationForms>;
}

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ""}: ${reason}`);
    this.name = "PolicyError";
  }
}

/** The forms a fix is written in, for the policy's own fix and for each of its cases. */
const FIX_FORMS = {
  azCli: { type: "string", minLength: 1 },
  powershell: { type: "string", minLength: 1 },
  bicep: { type: "string", minLength: 1 },
} as const;

export const POLICY_SCHEMA = {
  type: "object",
  required: ["id", "title", "description", "severity", "appliesTo", "check", "rationale", "remediation", "references"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" },
    title: { type: "string", minLength: 1 },
    description: { type: "string", minLength: 1 },
    severity: { enum: [...SEVERITIES] },
    appliesTo: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: { enum: [...HSM_KINDS, "subscription"] },
    },
    check: { type: "string", minLength: 1 },
    params: { type: "object" },
    rationale: { type: "string", minLength: 1 },
    remediation: {
      type: "object",
      required: ["azCli", "powershell"],
      additionalProperties: false,
      properties: {
        ...FIX_FORMS,
        cases: {
          type: "object",
          propertyNames: { pattern: "^[a-z][A-Za-z0-9]*$" },
          additionalProperties: {
            type: "object",
            required: ["azCli", "powershell"],
            additionalProperties: false,
            properties: FIX_FORMS,
          },
        },
      },
    },
    references: {
      type: "array",
      items: {
        type: "object",
        required: ["title", "url"],
        additionalProperties: false,
        properties: { title: { type: "string", minLength: 1 }, url: { type: "string", pattern: "^https://" } },
      },
    },
  },
} as const;

export const AJV_OPTIONS: Options = { allErrors: false, useDefaults: true, strict: false };

// Made on first use, from the build's code when it was made from these schemas (src/util/schema-validator.ts).
const validatePolicy = schemaValidator("policy", POLICY_SCHEMA, AJV_OPTIONS);
const paramValidators = new Map(
  [...CHECK_KINDS.values()].map(
    (kind) => [kind.name, schemaValidator(`params-${kind.name}`, kind.paramsSchema, AJV_OPTIONS)] as const,
  ),
);

/**
 * Loads the built-in policies, then those of `userDirs`; a user policy with a built-in's id replaces it. `builtIns`,
 * when given, are the built-in policies already loaded (the build's record of them, src/engine/policy-cache.ts).
 */
export function loadPolicies(
  userDirs: string[] = [],
  builtInDir = BUILT_IN_POLICIES,
  builtIns?: readonly Policy[],
): Policy[] {
  const byId = new Map<string, Policy>();
  for (const policy of builtIns ?? loadDir(builtInDir, "built-in")) byId.set(policy.id, policy);
  for (const dir of userDirs) {
    const seen = new Set<string>();
    for (const policy of loadDir(dir, dir)) {
      if (seen.has(policy.id))
        throw new PolicyError(policy.file, 1, `a second policy with id '${policy.id}' in ${dir}`);
      seen.add(policy.id);
      byId.set(policy.id, policy);
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

function loadDir(dir: string, source: string): Policy[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new PolicyError(dir, undefined, "is not a directory of policy files");
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new PolicyError(dir, undefined, `cannot read the policy directory (${(error as Error).message})`);
  }
  const files = entries.filter((f) => /\.ya?ml$/i.test(f)).sort();
  if (files.length === 0 && source !== "built-in")
    throw new PolicyError(dir, undefined, "holds no policy file (*.yaml or *.yml)");
  return files.map((f) => loadPolicyFile(join(dir, f), source));
}

/**
 * Policies already parsed in this process, by file and source, with the text they were parsed from: a process that
 * loads the policies again (a library caller scanning more than once, the tests) reads each file again but parses and
 * validates it again only when its text changed. Each caller gets its own copy.
 */
const parsed = new Map<string, { text: string; policy: Policy }>();

export function loadPolicyFile(file: string, source = file): Policy {
  const text = readYamlText(file, (f, l, r) => new PolicyError(f, l, r));
  const key = `${source}\0${file}`;
  const known = parsed.get(key);
  if (known?.text === text) return structuredClone(known.policy);
  const policy = parsePolicy(text, file, source);
  parsed.set(key, { text, policy: structuredClone(policy) });
  return policy;
}

/**
 * Parses a YAML file of the tool's own (policies, waivers, configuration): its value, and the line to blame for a
 * path in it. Bad YAML is an error of `makeError` naming the line.
 */
export function parseYamlFile(
  text: string,
  file: string,
  makeError: (file: string, line: number | undefined, reason: string) => Error = (f, l, r) => new PolicyError(f, l, r),
): { value: unknown; lineOf: (path: (string | number)[]) => number | undefined } {
  const { value, lineOf } = parseYaml(text, file, makeError);
  return { value, lineOf: (path) => lineOf(path) ?? 1 };
}

export function parsePolicy(text: string, file: string, source = file): Policy {
  const { value, lineOf } = parseYamlFile(text, file);
  if (!validatePolicy(value)) {
    const error = validatePolicy.errors![0]!;
    throw new PolicyError(file, lineOf(pathOf(error)), describe(error, ""));
  }
  const raw = value as Omit<Policy, "source" | "file" | "params"> & { params?: Record<string, unknown> };
  const expected = basename(file).replace(/\.ya?ml$/i, "");
  if (raw.id !== expected) {
    throw new PolicyError(file, lineOf(["id"]), `id '${raw.id}' must equal the file name ('${expected}')`);
  }
  const kind = CHECK_KINDS.get(raw.check);
  if (!kind) {
    throw new PolicyError(
      file,
      lineOf(["check"]),
      `unknown check kind '${raw.check}'; known: ${[...CHECK_KINDS.keys()].join(", ")}`,
    );
  }
  const scopes = raw.appliesTo.map((a) => (a === "subscription" ? "subscription" : "hsm"));
  const wrong = scopes.find((s) => s !== kind.scope);
  if (wrong) {
    throw new PolicyError(
      file,
      lineOf(["appliesTo"]),
      `check kind '${kind.name}' judges ${kind.scope === "hsm" ? "HSMs" : "subscriptions"}, so appliesTo cannot name ${wrong === "hsm" ? "HSM kinds" : "subscription"}`,
    );
  }
  const foreign = raw.appliesTo.find((a) => a !== "subscription" && kind.kinds && !kind.kinds.includes(a));
  if (foreign) {
    throw new PolicyError(
      file,
      lineOf(["appliesTo"]),
      `check kind '${kind.name}' judges only ${kind.kinds!.join(" and ")}, so appliesTo cannot name ${foreign}`,
    );
  }
  const params = structuredClone(raw.params ?? {});
  const validateParams = paramValidators.get(kind.name)!;
  if (!validateParams(params)) {
    const error = validateParams.errors![0]!;
    throw new PolicyError(file, lineOf(["params", ...pathOf(error)]), describe(error, "params"));
  }
  const sha256 = createHash("sha256").update(text).digest("hex");
  return { ...raw, params, source, file, sha256, references: raw.references ?? [] };
}

/** The path in the document of a schema error (the unknown key itself for `additionalProperties`). */
export function pathOf(error: ErrorObject): string[] {
  const path = error.instancePath.split("/").filter(Boolean).map(decodeURIComponent);
  if (error.keyword === "additionalProperties") path.push(String(error.params.additionalProperty));
  return path;
}

/** A schema error in the reader's words, prefixed with where it is. */
export function describe(error: ErrorObject, prefix: string): string {
  const path = [prefix, ...error.instancePath.split("/").filter(Boolean)].filter(Boolean).join(".");
  const at = path ? `${path}: ` : "";
  switch (error.keyword) {
    case "required":
      return `${at}missing required key '${String(error.params.missingProperty)}'`;
    case "additionalProperties":
      return `${at}unknown key '${String(error.params.additionalProperty)}'`;
    case "enum":
      return `${at}must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "pattern":
      return path.endsWith("id")
        ? `${at}must be kebab-case (lower-case letters, digits and single hyphens)`
        : `${at}must match ${String(error.params.pattern)}`;
    default:
      return `${at}${error.message ?? "is invalid"}`;
  }
}

/**
 * The policy with `overrides` merged over its params (key by key), validated against its check kind's params schema.
 * A mistake comes back as the path inside `overrides` and the reason, for the caller to place in its own file.
 */
export function withParams(
  policy: Policy,
  overrides: Record<string, unknown>,
): { policy: Policy } | { path: string[]; reason: string } {
  const params = { ...structuredClone(policy.params), ...structuredClone(overrides) };
  const validateParams = paramValidators.get(policy.check)!;
  if (!validateParams(params)) {
    const error = validateParams.errors![0]!;
    return { path: pathOf(error), reason: describe(error, "") };
  }
  return { policy: { ...policy, params } };
}
