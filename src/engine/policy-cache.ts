// The built-in policies as the build loaded them, for the commands that only read policies (`policies list`, `policies
// show`): they start without the YAML parser, the schema validator or the check kinds. `npm run build` writes the
// record (dist/engine/built-in-policies.json, scripts/precompile-policies.mjs) with loadPolicies() after tsc. It is used only
// when the directory holds exactly the files the build loaded, each the same bytes (its SHA-256, the one the policy
// records); anything else, and running from src (no record), gives undefined and the caller loads the directory.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policy } from "./policy.js";

export const BUILT_IN_POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));

/** The record's name, next to this module in dist/engine/. */
export const POLICY_CACHE_FILE = "built-in-policies.json";

/** One built-in policy file as the build loaded it: its name, its size, and the policy (`file`: the name alone). */
export interface CachedPolicy {
  name: string;
  bytes: number;
  policy: Policy;
}

export interface PolicyCache {
  version: 1;
  policies: CachedPolicy[];
}

/**
 * The built-in policies, as loadPolicies() with no user directory returns them, when the record holds every policy
 * file of `dir` unchanged; undefined otherwise (then load them: the errors are the loader's).
 */
export function cachedBuiltInPolicies(
  dir = BUILT_IN_POLICIES,
  record = new URL(POLICY_CACHE_FILE, import.meta.url),
): Policy[] | undefined {
  try {
    const cache = JSON.parse(readFileSync(record, "utf8")) as PolicyCache;
    if (cache.version !== 1) return undefined;
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
    if (files.length !== cache.policies.length) return undefined;
    const byId = new Map<string, Policy>();
    for (const [i, name] of files.entries()) {
      const entry = cache.policies[i]!;
      const file = join(dir, name);
      if (entry.name !== name) return undefined;
      const stat = statSync(file);
      if (!stat.isFile() || stat.size !== entry.bytes) return undefined;
      const sha256 = createHash("sha256").update(readFileSync(file, "utf8")).digest("hex");
      if (sha256 !== entry.policy.sha256) return undefined;
      // The loader's key order, `file` in its place.
      const policy = Object.fromEntries(
        Object.entries(entry.policy).map(([key, value]) => [key, key === "file" ? file : value]),
      ) as unknown as Policy;
      byId.set(policy.id, policy);
    }
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  } catch {
    return undefined;
  }
}
