// Run by `npm run build` after tsc, against dist/: dist/engine/built-in-policies.json, the built-in policies as this
// build's loader reads them (src/engine/policy-cache.ts says when the commands that only read policies use it). The
// validators of the policy and params schemas are written by scripts/precompile-validators.mjs, as every schema's.
// When a built-in policy does not load, or a policy does not survive JSON, no record is written (and an old one is
// removed): the commands then load the files themselves, with the loader's errors.
import { isDeepStrictEqual } from "node:util";
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const { loadPolicies, loadPolicyFile } = await import("../dist/engine/policy.js");
const { BUILT_IN_POLICIES, cachedBuiltInPolicies, POLICY_CACHE_FILE } = await import("../dist/engine/policy-cache.js");

const target = new URL(`../dist/engine/${POLICY_CACHE_FILE}`, import.meta.url);
rmSync(target, { force: true });
try {
  const files = readdirSync(BUILT_IN_POLICIES)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  const policies = files.map((name) => {
    const file = join(BUILT_IN_POLICIES, name);
    const policy = loadPolicyFile(file, "built-in");
    const kept = Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, k === "file" ? basename(file) : v]));
    return { name, bytes: statSync(file).size, policy: kept };
  });
  const record = { version: 1, policies };
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(record)), record)) throw new Error("a policy does not survive JSON");
  writeFileSync(target, `${JSON.stringify(record)}\n`);
  // The record must give what the loader gives, key order included.
  if (JSON.stringify(cachedBuiltInPolicies()) !== JSON.stringify(loadPolicies())) {
    rmSync(target, { force: true });
    throw new Error("the record differs from what the loader reads");
  }
} catch (error) {
  process.stderr.write(`precompile-policies: no record of the built-in policies written: ${error.message}\n`);
}
