// scripts/dist-complete.mjs, which `npm run build` runs before its incremental tsc: the record of what tsc built is
// removed when a source it lists lacks its JavaScript or declarations in dist/ (tsc would not write them again), and
// kept when dist/ is whole or the source is not in the record (new: tsc builds it anyway).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/simulator.js";
import { cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

/** A checkout with src/a.ts, src/sub/b.ts and src/types.d.ts, the given outputs in dist/, and tsc's record. */
function checkout(outputs: string[]): { root: string; record: string } {
  const root = tempDir();
  for (const file of ["src/a.ts", "src/sub/b.ts", "src/types.d.ts", ...outputs.map((o) => `dist/${o}`)]) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "");
  }
  const record = join(root, "node_modules/.cache/hsm-audit/build.tsbuildinfo");
  mkdirSync(join(record, ".."), { recursive: true });
  // The sources tsc built, as its record names them: relative to the record's folder.
  writeFileSync(record, JSON.stringify({ fileNames: ["../../../src/a.ts", "../../../src/sub/b.ts"] }));
  return { root, record };
}

function run(root: string) {
  return spawnSync(process.execPath, [join(ROOT, "scripts/dist-complete.mjs"), root], { encoding: "utf8" });
}

const WHOLE = ["a.js", "a.d.ts", "sub/b.js", "sub/b.d.ts"];

test.each([
  ["every output there: the record is kept", WHOLE, true, ""],
  [
    "one declaration missing: the record is removed",
    WHOLE.filter((o) => o !== "sub/b.d.ts"),
    false,
    "dist/ lacks sub/b.d.ts; building",
  ],
  [
    "JavaScript missing: the record is removed",
    ["a.d.ts", "sub/b.d.ts"],
    false,
    "dist/ lacks a.js and 1 more; building",
  ],
  ["no dist/ at all: the record is removed", [], false, "dist/ lacks a.js and 3 more; building"],
])("%s", (_name, outputs, kept, said) => {
  const { root, record } = checkout(outputs);
  const result = run(root);
  expect({ status: result.status, kept: existsSync(record) }).toEqual({ status: 0, kept });
  if (said) expect(result.stderr).toContain(said);
  else expect(result.stderr).toBe("");
});

test("a source added since the last build (not in the record) lacks its outputs: the record is kept", () => {
  const { root, record } = checkout(WHOLE);
  writeFileSync(join(root, "src/new.ts"), "");
  expect(run(root)).toMatchObject({ status: 0, stderr: "" });
  expect(existsSync(record)).toBe(true);
});

test("without a record (a fresh clone), nothing is removed and nothing said", () => {
  const { root, record } = checkout([]);
  rmSync(record);
  expect(run(root)).toMatchObject({ status: 0, stderr: "" });
});
