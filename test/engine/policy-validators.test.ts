// The validators `npm run build` writes as code (dist/validators/policy.cjs and params-KIND.cjs, ajv's standalone code,
// src/util/schema-validator.ts) accept and
// reject exactly what the schemas compiled by ajv do, with the same errors and the same defaults applied, on a table of
// good and bad policies and params; and the built loader uses them. Needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { expectSame, table } from "../helpers/schema-table.js";
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { AJV_OPTIONS, BUILT_IN_POLICIES, parsePolicy, POLICY_SCHEMA } from "../../src/engine/policy.js";
import { schemaFingerprint } from "../../src/util/schema-validator.js";
import { parseYaml } from "../../src/util/yaml.js";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { ROOT } from "../helpers/simulator.js";

const DIR = join(ROOT, "dist", "validators");
if (!existsSync(join(DIR, "policy.cjs"))) throw new Error(`${DIR} is missing: run npm run build first`);
const require = createRequire(import.meta.url);
/** The built code of one schema: its validator, with the fingerprint of the schema it was made from. */
const built = (name: string) => require(join(DIR, `${name}.cjs`)) as ValidateFunction & { fingerprint: string };
const ajv = new Ajv(AJV_OPTIONS);
afterAll(cleanUp);

const BUILT_INS = readdirSync(BUILT_IN_POLICIES)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => {
    const file = join(BUILT_IN_POLICIES, f);
    return parseYaml(readFileSync(file, "utf8"), file, (_f, _l, reason) => new Error(reason)).value as {
      check: string;
      params?: unknown;
    };
  });

test("the code was made from the schemas of these sources", () => {
  expect(built("policy").fingerprint).toBe(schemaFingerprint(POLICY_SCHEMA, AJV_OPTIONS));
  for (const kind of CHECK_KINDS.values()) {
    expect({ kind: kind.name, fingerprint: built(`params-${kind.name}`).fingerprint }).toEqual({
      kind: kind.name,
      fingerprint: schemaFingerprint(kind.paramsSchema, AJV_OPTIONS),
    });
  }
});

test("the policy validator: every built-in policy, and each spoilt at every key", () => {
  expect(BUILT_INS.length).toBeGreaterThan(20);
  const docs = table(POLICY_SCHEMA, BUILT_INS);
  expect(docs.length).toBeGreaterThan(2000);
  expectSame(ajv.compile(POLICY_SCHEMA), built("policy"), docs);
});

test.each([...CHECK_KINDS.keys()])("the params validator of %s", (name) => {
  const kind = CHECK_KINDS.get(name)!;
  const goods = [{}, ...BUILT_INS.filter((p) => p.check === name).map((p) => p.params ?? {})];
  expectSame(ajv.compile(kind.paramsSchema), built(`params-${name}`), table(kind.paramsSchema, goods));
});

test("the built loader uses the code (no schema compiled), and reads good and bad files as the sources do", () => {
  const dir = tempDir();
  const text = readFileSync(join(BUILT_IN_POLICIES, "workspace-retention.yaml"), "utf8");
  const files: Record<string, string> = {
    "workspace-retention.yaml": text,
    "bad-severity.yaml": text
      .replace("id: workspace-retention", "id: bad-severity")
      .replace("severity: medium", "severity: urgent"),
    "bad-params.yaml": text
      .replace("id: workspace-retention", "id: bad-params")
      .replace("minimumDays: 365", "minimumDays: 0"),
    "unknown-param.yaml": text
      .replace("id: workspace-retention", "id: unknown-param")
      .replace("  minimumDays: 365", "  minimumDays: 365\n  maximumDays: 3"),
    "no-params.yaml": text.replace("id: workspace-retention", "id: no-params").replace(/params:\n.*\n.*\n/, ""),
    "missing-key.yaml": text
      .replace("id: workspace-retention", "id: missing-key")
      .replace(/rationale: [\s\S]*?\nremediation:/, "remediation:"),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const read = (load: (text: string, file: string) => unknown) =>
    Object.keys(files).map((name) => {
      try {
        return { name, policy: load(files[name]!, join(dir, name)) };
      } catch (error) {
        return { name, error: (error as Error).message };
      }
    });
  const script = `
    import { createRequire } from "node:module";
    import { parsePolicy } from ${JSON.stringify(join(ROOT, "dist/engine/policy.js"))};
    const files = ${JSON.stringify(files)};
    const dir = ${JSON.stringify(dir)};
    const out = Object.keys(files).map((name) => {
      try { return { name, policy: parsePolicy(files[name], dir + "/" + name) }; }
      catch (error) { return { name, error: error.message }; }
    });
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((m) => /ajv.dist.(compile|core)/.test(m));
    process.stdout.write(JSON.stringify({ out, loaded }));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  const built = JSON.parse(run.stdout) as { out: unknown[]; loaded: string[] };
  expect(built.loaded).toEqual([]);
  const fromSources = read((t, f) => parsePolicy(t, f));
  expect(built.out).toEqual(fromSources);
  expect(fromSources.filter((r) => "error" in r).map((r) => r.name)).toEqual([
    "bad-severity.yaml",
    "bad-params.yaml",
    "unknown-param.yaml",
    "missing-key.yaml",
  ]);
});
