// Run by `npm run build` after tsc, against dist/: the standalone code of every schema the tool validates files with
// (src/util/schema-validator.ts names them: the snapshot, result.json, the estate, waivers, frameworks, the
// configuration, a policy and each check kind's params), one file each in dist/validators/NAME.cjs with the fingerprint of the schema and options it was made
// from. A validator whose fingerprint does not match is not used: the schema is compiled at run time instead.
//
// Not made again while the schemas, their options, ajv's version, this script and the files written are unchanged
// (scripts/build-stamp.mjs).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forget, isCurrent, recordDone } from "./build-stamp.mjs";

const { Ajv } = await import("ajv");
const { default: standaloneCode } = await import("ajv/dist/standalone/index.js");
const { namedSchemas, schemaFingerprint, VALIDATORS_DIR } = await import("../dist/util/schema-validator.js");
// The modules that name schemas, imported for that alone.
await import("../dist/model/schemas.js");
await import("../dist/engine/waivers.js");
await import("../dist/engine/frameworks.js");
await import("../dist/simulator/estate.js");
await import("../dist/cli/config.js");
await import("../dist/engine/policy.js");
const { CHECK_KINDS } = await import("../dist/engine/checks/index.js");

const expected = [
  ...["config", "estate", "framework", "policy", "result", "snapshot", "waivers"],
  ...[...CHECK_KINDS.keys()].map((kind) => `params-${kind}`),
].sort();
const named = namedSchemas();
const names = named.map((s) => s.name).sort();
if (JSON.stringify(names) !== JSON.stringify(expected)) {
  throw new Error(`the schemas named are ${names.join(", ")}, not ${expected.join(", ")}: update this script`);
}
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STEP = "validators";
const { version: ajvVersion } = JSON.parse(readFileSync(join(ROOT, "node_modules", "ajv", "package.json"), "utf8"));
const FACTS = {
  ajv: ajvVersion,
  schemas: named.map(({ name, schema, options }) => [name, schemaFingerprint(schema, options)]),
};
if (isCurrent(ROOT, STEP, FACTS)) process.exit(0);
forget(ROOT, STEP);
rmSync(VALIDATORS_DIR, { recursive: true, force: true });
mkdirSync(VALIDATORS_DIR, { recursive: true });
for (const { name, schema, options } of named) {
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
  const code = standaloneCode(ajv, ajv.compile(schema));
  const fingerprint = schemaFingerprint(schema, options);
  writeFileSync(
    new URL(`${name}.cjs`, VALIDATORS_DIR),
    `${code}\nmodule.exports.validate = module.exports;\nmodule.exports.fingerprint = ${JSON.stringify(fingerprint)};\n`,
  );
}
const dir = fileURLToPath(VALIDATORS_DIR);
recordDone(ROOT, STEP, FACTS, [...readdirSync(dir).map((f) => join(dir, f)), fileURLToPath(import.meta.url)]);
