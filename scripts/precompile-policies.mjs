// Run by `npm run build` after tsc, against dist/:
// 1. dist/engine/policy-validators.cjs: the policy schema's and each check kind's params schema's validators as code
//    (ajv's standalone code), which the policy loader uses instead of compiling the schemas (src/engine/policy.ts).
// 2. dist/engine/built-in-policies.json: the built-in policies as this build's loader reads them (src/engine/
//    policy-cache.ts says when the commands that only read policies use it).
// When a built-in policy does not load, or a policy does not survive JSON, no record is written (and an old one is
// removed): the commands then load the files themselves, with the loader's errors.
import { isDeepStrictEqual } from "node:util";
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const validatorsFile = new URL("../dist/engine/policy-validators.cjs", import.meta.url);
rmSync(validatorsFile, { force: true });
const { Ajv } = await import("ajv");
const { default: standaloneCode } = await import("ajv/dist/standalone/index.js");
const { AJV_OPTIONS, POLICY_SCHEMA, PRECOMPILED_VALIDATORS, schemaFingerprint, loadPolicies, loadPolicyFile } =
  await import("../dist/engine/policy.js");
const { CHECK_KINDS } = await import("../dist/engine/checks/index.js");
const { BUILT_IN_POLICIES, cachedBuiltInPolicies, POLICY_CACHE_FILE } = await import("../dist/engine/policy-cache.js");

if (!validatorsFile.pathname.endsWith(`/${PRECOMPILED_VALIDATORS}`)) throw new Error("validators file name drifted");
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
ajv.addSchema(POLICY_SCHEMA, "policy");
for (const kind of CHECK_KINDS.values()) ajv.addSchema(kind.paramsSchema, `params-${kind.name}`);
const names = ["policy", ...[...CHECK_KINDS.keys()].map((name) => `params-${name}`)];
const code = standaloneCode(ajv, Object.fromEntries(names.map((name) => [name, name])));
writeFileSync(validatorsFile, `${code}\nexports.fingerprint = ${JSON.stringify(schemaFingerprint())};\n`);

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
