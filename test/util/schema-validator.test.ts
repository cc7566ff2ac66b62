// The validators `npm run build` writes as code (dist/validators/NAME.cjs, ajv's standalone code, for every schema the
// tool reads files with) accept and reject exactly what the schema compiled by ajv does, with the same errors, on a
// table of good documents each spoilt at every path; the built tool uses the code only while it was made from the same
// schema and options, and compiles the schema otherwise. Needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { namedSchemas, schemaFingerprint } from "../../src/util/schema-validator.js";
import "../../src/model/schemas.js";
import "../../src/engine/waivers.js";
import "../../src/engine/frameworks.js";
import "../../src/simulator/estate.js";
import "../../src/cli/config.js";
import { parseYaml } from "../../src/util/yaml.js";
import { expectSame, table } from "../helpers/schema-table.js";
import { sampleResult } from "../helpers/results.js";
import { activity, cloudHsm, managedHsm, sample, row, snapshot, workspace, WORKSPACE } from "../helpers/snapshots.js";
import { ROOT } from "../helpers/simulator.js";

const DIR = join(ROOT, "dist", "validators");
if (!existsSync(DIR)) throw new Error(`${DIR} is missing: run npm run build first`);
const require = createRequire(import.meta.url);

const yamlOf = (file: string) =>
  parseYaml(readFileSync(file, "utf8"), file, (_f, _l, reason) => new Error(reason)).value as unknown;
const frameworks = join(ROOT, "policies", "frameworks");

/** Good documents of each schema: the examples the project ships, and documents its tests build. */
const GOODS: Record<string, () => unknown[]> = {
  config: () => [yamlOf(join(ROOT, "examples", "hsm-audit.config.yaml")), {}],
  estate: () => [yamlOf(join(ROOT, "examples", "estates", "contoso.yaml"))],
  framework: () => readdirSync(frameworks).map((f) => yamlOf(join(frameworks, f))),
  result: () => [sampleResult()],
  snapshot: () => {
    const [chsm, mhsm] = [cloudHsm(), managedHsm()];
    return [
      snapshot({
        hsms: [chsm, mhsm],
        workspaces: [workspace(WORKSPACE)],
        logSamples: [sample(WORKSPACE, { rows: [row(chsm, 3)] }, [chsm.id])],
        activitySamples: [activity(WORKSPACE, [mhsm], {})],
      }),
    ];
  },
  waivers: () => [yamlOf(join(ROOT, "examples", "waivers.yaml"))],
};

/** The policy and params schemas: test/engine/policy-validators.test.ts holds their code to them, with policies. */
const POLICY_SCHEMAS = /^(policy|params-.+)$/;
const named = namedSchemas().filter((s) => !POLICY_SCHEMAS.test(s.name));

test("every schema the tool validates with is named, and built as code made from it", () => {
  expect(named.map((s) => s.name).sort()).toEqual(Object.keys(GOODS).sort());
  for (const { name, schema, options } of namedSchemas()) {
    const code = require(join(DIR, `${name}.cjs`)) as { fingerprint: string };
    expect({ name, fingerprint: code.fingerprint }).toEqual({ name, fingerprint: schemaFingerprint(schema, options) });
  }
});

test.each(named.map((s) => [s.name, s] as const))(
  "%s: the code and the compiled schema agree on good documents and each spoilt at every path",
  (name, { schema, options }) => {
    const goods = GOODS[name]!();
    for (const good of goods) {
      // A good document is good: else the table would compare refusals only.
      const compiled = new Ajv(options).compile(schema);
      expect({ name, valid: compiled(structuredClone(good)), errors: compiled.errors ?? null }).toEqual({
        name,
        valid: true,
        errors: null,
      });
    }
    const code = require(join(DIR, `${name}.cjs`)) as ValidateFunction;
    expectSame(new Ajv(options).compile(schema), code, table(schema as Record<string, unknown>, goods));
  },
);

test("the built tool uses the code made from its schema (no schema compiled), and compiles a schema whose code is not its own", () => {
  // The built module and its validators, copied where node_modules is still found: one validator replaced by code
  // that accepts anything, first with the right fingerprint (so it is used), then with another (so it is not).
  const dir = join(ROOT, ".tmp", `schema-validator-${process.pid}`);
  mkdirSync(join(dir, "util"), { recursive: true });
  cpSync(join(ROOT, "dist", "util", "schema-validator.js"), join(dir, "util", "schema-validator.js"));
  cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
  cpSync(DIR, join(dir, "validators"), { recursive: true });
  const waivers = named.find((s) => s.name === "waivers")!;
  const fingerprint = schemaFingerprint(waivers.schema, waivers.options);
  const run = (fakeFingerprint: string) => {
    writeFileSync(
      join(dir, "validators", "waivers.cjs"),
      `module.exports = () => true;\nmodule.exports.validate = module.exports;\nmodule.exports.fingerprint = ${JSON.stringify(fakeFingerprint)};\n`,
    );
    const script = `
      import { createRequire } from "node:module";
      import { schemaValidator } from ${JSON.stringify(join(dir, "util", "schema-validator.js"))};
      const validate = schemaValidator("waivers", ${JSON.stringify(waivers.schema)}, ${JSON.stringify(waivers.options)});
      const results = [validate([]), validate("not a list of waivers")];
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((m) => /ajv.dist.(compile|core)/.test(m));
      process.stdout.write(JSON.stringify({ results, loaded: loaded.length > 0 }));`;
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd: dir });
    expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as { results: boolean[]; loaded: boolean };
  };
  try {
    // Its own fingerprint: the code is used (it accepts what the schema refuses), and ajv's compiler is never loaded.
    expect(run(fingerprint)).toEqual({ results: [true, true], loaded: false });
    // Another fingerprint: the schema is compiled, and refuses what it must.
    expect(run("0".repeat(64))).toEqual({ results: [true, false], loaded: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
