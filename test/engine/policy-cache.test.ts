// The record of the built-in policies that `npm run build` writes (dist/engine/built-in-policies.json) gives what the
// loader gives, and is refused (undefined: the caller loads the files) as soon as the directory is not what the build
// loaded. Needs `npm run build` first.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cachedBuiltInPolicies, POLICY_CACHE_FILE } from "../../src/engine/policy-cache.js";
import { BUILT_IN_POLICIES, loadPolicies } from "../../src/engine/policy.js";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { ROOT } from "../helpers/simulator.js";

const RECORD = join(ROOT, "dist", "engine", POLICY_CACHE_FILE);
const record = pathToFileURL(RECORD);

/** A copy of the built-in policies (their frameworks left out: the record is of the policy files alone). */
function copyOfBuiltIns(): string {
  const dir = join(tempDir(), "policies");
  cpSync(BUILT_IN_POLICIES, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  if (!existsSync(RECORD)) throw new Error(`${RECORD} is missing: run npm run build first`);
});
afterAll(cleanUp);

test("the build's record gives the loader's built-in policies, key order and all", () => {
  const cached = cachedBuiltInPolicies(BUILT_IN_POLICIES, record);
  const loaded = loadPolicies();
  expect(cached).toBeDefined();
  expect(cached).toEqual(loaded);
  expect(JSON.stringify(cached)).toBe(JSON.stringify(loaded));
});

test("a copy of the same files is read from the record, with the copy's paths", () => {
  const dir = copyOfBuiltIns();
  const cached = cachedBuiltInPolicies(dir, record);
  expect(cached).toEqual(loadPolicies([], dir));
  expect(cached!.every((p) => p.file.startsWith(dir))).toBe(true);
});

test("a run's policies from the record and a user directory: as loaded from the files, the user's policy in place of the built-in", () => {
  const builtIns = cachedBuiltInPolicies(BUILT_IN_POLICIES, record)!;
  const replaced = builtIns[0]!;
  const user = join(tempDir(), "mine");
  mkdirSync(user);
  const text = readFileSync(replaced.file, "utf8").replace(/^severity: \w+$/m, "severity: critical");
  writeFileSync(join(user, `${replaced.id}.yaml`), text);
  const fromRecord = loadPolicies([user], BUILT_IN_POLICIES, builtIns);
  expect(fromRecord).toEqual(loadPolicies([user]));
  const mine = fromRecord.find((p) => p.id === replaced.id)!;
  expect(mine).toMatchObject({ source: user, severity: "critical", file: join(user, `${replaced.id}.yaml`) });
  expect(fromRecord).toHaveLength(builtIns.length);
  // The built-ins given are those used: the directory is not read again.
  const marked = { ...builtIns[1]!, title: "as the record holds it" };
  expect(loadPolicies([], join(tempDir(), "not-read"), [marked])).toEqual([marked]);
});

describe("the record is not used when the directory differs from what the build loaded", () => {
  const first = () => cachedBuiltInPolicies(BUILT_IN_POLICIES, record)![0]!;

  test("a file changed, its size kept", () => {
    const dir = copyOfBuiltIns();
    const file = join(dir, `${first().id}.yaml`);
    const text = readFileSync(file, "utf8");
    const changed = text.replace(/severity: (\w+)/, (_m, s: string) => `severity: ${s === "high" ? "info" : "high"}`);
    writeFileSync(file, changed.length === text.length ? changed : text.replace("a", "b"));
    expect(readFileSync(file, "utf8")).not.toBe(text);
    expect(cachedBuiltInPolicies(dir, record)).toBeUndefined();
  });

  test("a file changed in size", () => {
    const dir = copyOfBuiltIns();
    const file = join(dir, `${first().id}.yaml`);
    writeFileSync(file, `${readFileSync(file, "utf8")}\n`);
    expect(cachedBuiltInPolicies(dir, record)).toBeUndefined();
  });

  test("a file added", () => {
    const dir = copyOfBuiltIns();
    writeFileSync(join(dir, "zz-extra.yml"), "id: zz-extra\n");
    expect(cachedBuiltInPolicies(dir, record)).toBeUndefined();
  });

  test("a file removed", () => {
    const dir = copyOfBuiltIns();
    rmSync(join(dir, `${first().id}.yaml`));
    expect(cachedBuiltInPolicies(dir, record)).toBeUndefined();
  });

  test("a file renamed", () => {
    const dir = copyOfBuiltIns();
    renameSync(join(dir, `${first().id}.yaml`), join(dir, `${first().id}.yml`));
    expect(cachedBuiltInPolicies(dir, record)).toBeUndefined();
  });

  test("a directory that cannot be read", () => {
    expect(cachedBuiltInPolicies(join(tempDir(), "missing"), record)).toBeUndefined();
  });

  test("no record, a record that is not JSON, a record of another version", () => {
    const dir = tempDir();
    expect(cachedBuiltInPolicies(BUILT_IN_POLICIES, pathToFileURL(join(dir, "none.json")))).toBeUndefined();
    writeFileSync(join(dir, "bad.json"), "{");
    expect(cachedBuiltInPolicies(BUILT_IN_POLICIES, pathToFileURL(join(dir, "bad.json")))).toBeUndefined();
    const other = { ...(JSON.parse(readFileSync(RECORD, "utf8")) as object), version: 2 };
    writeFileSync(join(dir, "v2.json"), JSON.stringify(other));
    expect(cachedBuiltInPolicies(BUILT_IN_POLICIES, pathToFileURL(join(dir, "v2.json")))).toBeUndefined();
  });
});

test("from src there is no record: the loader reads the files", () => {
  expect(cachedBuiltInPolicies()).toBeUndefined();
});
