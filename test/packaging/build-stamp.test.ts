// scripts/build-stamp.mjs: a build step (the CLI's bundle, the precompiled validators) is skipped only while every file
// it recorded has the content recorded and its other inputs are equal. A step taken as done when it is not would let
// the tests run an old build, so each way the record can stop holding is a case here.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/simulator.js";
import { cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

interface Stamp {
  isCurrent(root: string, step: string, facts: unknown): boolean;
  recordDone(root: string, step: string, facts: unknown, files: string[]): void;
  forget(root: string, step: string): void;
  stampFile(root: string, step: string): string;
}
let stamp: Stamp;
beforeAll(async () => {
  stamp = (await import(pathToFileURL(join(ROOT, "scripts/build-stamp.mjs")).href)) as Stamp;
});

const FACTS = { tool: "1.0.0", inputs: [["a", "f1"]] };

/** A checkout with an input and an output, and the step recorded done. */
function recorded(): string {
  const root = tempDir();
  mkdirSync(join(root, "src"));
  mkdirSync(join(root, "out"));
  writeFileSync(join(root, "src/in.js"), "export const a = 1;\n");
  writeFileSync(join(root, "out/built.js"), "const a = 1;\n");
  stamp.recordDone(root, "step", FACTS, ["src/in.js", join(root, "out/built.js")]);
  return root;
}

test("a step recorded done, nothing changed since: current", () => {
  const root = recorded();
  expect(stamp.isCurrent(root, "step", FACTS)).toBe(true);
  expect(stamp.isCurrent(root, "step", structuredClone(FACTS))).toBe(true);
});

test.each<[string, (root: string) => void, unknown]>([
  ["an input's content changed", (root) => writeFileSync(join(root, "src/in.js"), "export const a = 2;\n"), FACTS],
  ["an output's content changed", (root) => writeFileSync(join(root, "out/built.js"), "const a = 2;\n"), FACTS],
  ["an input removed", (root) => rmSync(join(root, "src/in.js")), FACTS],
  ["an output removed", (root) => rmSync(join(root, "out/built.js")), FACTS],
  ["the outputs' folder removed", (root) => rmSync(join(root, "out"), { recursive: true }), FACTS],
  ["another fact (a tool's version)", () => undefined, { ...FACTS, tool: "1.0.1" }],
  ["another fact (an input's fingerprint)", () => undefined, { ...FACTS, inputs: [["a", "f2"]] }],
  ["the record forgotten", (root) => stamp.forget(root, "step"), FACTS],
  ["the record is not JSON", (root) => writeFileSync(stamp.stampFile(root, "step"), "{"), FACTS],
  [
    "the record lists no files",
    (root) => writeFileSync(stamp.stampFile(root, "step"), JSON.stringify({ facts: FACTS })),
    FACTS,
  ],
])("%s: not current, the step runs again", (_what, change, facts) => {
  const root = recorded();
  change(root);
  expect(stamp.isCurrent(root, "step", facts)).toBe(false);
});

test("a file that could not be read when recorded never counts as done", () => {
  const root = recorded();
  stamp.recordDone(root, "step", FACTS, ["src/in.js", "src/missing.js"]);
  expect(stamp.isCurrent(root, "step", FACTS)).toBe(false);
  writeFileSync(join(root, "src/missing.js"), "");
  expect(stamp.isCurrent(root, "step", FACTS)).toBe(false);
});

test("steps are recorded apart", () => {
  const root = recorded();
  expect(stamp.isCurrent(root, "other", FACTS)).toBe(false);
  stamp.forget(root, "other");
  expect(stamp.isCurrent(root, "step", FACTS)).toBe(true);
});
