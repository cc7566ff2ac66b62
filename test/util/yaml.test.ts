// The one YAML loader: ordinary anchors and aliases are read; oversized files, alias bombs and recursive aliases are
// refused with the line to blame.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml, readYamlText } from "../../src/util/yaml.js";

const fail = (file: string, line: number | undefined, reason: string) =>
  new Error(`${file}${line ? `:${line}` : ""}: ${reason}`);

const levels = (n: number, width = 10) =>
  [
    `l0: &l0 [${Array(width).fill('"lol"').join(",")}]`,
    ...Array.from({ length: n }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(width).fill(`*l${i}`).join(",")}]`),
  ].join("\n");

describe("parseYaml", () => {
  it.each([
    [
      "200 list entries sharing three anchored values",
      [
        "- { owner: &o a@b.example, expires: &e 2026-01-31, reason: &r why }",
        ...Array(199).fill("- { owner: *o, expires: *e, reason: *r }"),
      ].join("\n"),
      (v: unknown) => (v as Array<{ owner: string }>)[199]!.owner === "a@b.example",
    ],
    [
      "an anchored mapping reused",
      "base: &b { x: 1, y: [1, 2] }\ncopy: *b\n",
      (v: unknown) => (v as { copy: { x: number } }).copy.x === 1,
    ],
    ["four levels of ten (ten thousand leaves)", levels(3), (v: unknown) => Array.isArray((v as { l3: unknown[] }).l3)],
  ])("reads %s", (_name, text, check) => {
    expect(check(parseYaml(text, "f.yaml", fail).value)).toBe(true);
  });

  it.each([
    ["nine levels of ten (a billion leaves)", levels(8), /^f\.yaml:9: its aliases expand it to more than/],
    [
      "a long string aliased a thousand times, ten times over",
      `s: &s "${"x".repeat(100_000)}"\nl: &l [${Array(1000).fill("*s").join(",")}]\nm: [${Array(1000).fill("*l").join(",")}]`,
      /^f\.yaml:3: its aliases expand/,
    ],
    [
      "an alias inside the node it names",
      "a: &a\n  - 1\n  - *a\n",
      /^f\.yaml:3: an alias refers to a node that contains it/,
    ],
    ["an alias to no anchor", "a: *missing\n", /^f\.yaml:1: not valid YAML/],
  ])("refuses %s", (_name, text, expected) => {
    expect(() => parseYaml(text, "f.yaml", fail)).toThrow(expected);
  });

  it("refuses a text larger than the cap", () => {
    expect(() => parseYaml("a: 1\n".repeat(100), "f.yaml", fail, { maxBytes: 100 })).toThrow(
      /^f\.yaml: is more than the 100 bytes/,
    );
  });
});

describe("readYamlText", () => {
  it("refuses a file larger than the cap before reading it, and names a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "hsm-audit-yaml-"));
    try {
      writeFileSync(join(dir, "big.yaml"), "a: 1\n".repeat(100));
      expect(() => readYamlText(join(dir, "big.yaml"), fail, 100)).toThrow(
        /big\.yaml: is 500 bytes, more than the 100/,
      );
      expect(readYamlText(join(dir, "big.yaml"), fail, 1000)).toHaveLength(500);
      expect(() => readYamlText(join(dir, "none.yaml"), fail)).toThrow(/none\.yaml: cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
