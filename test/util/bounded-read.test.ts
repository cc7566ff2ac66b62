// Every file hsm-audit reads from the user or from disk goes through readBounded: a regular file within the limit,
// nothing else, and never a wait on a FIFO named in a file's place.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBounded } from "../../src/util/bounded-read.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bounded-read-"));
  writeFileSync(join(dir, "small"), "hello");
  writeFileSync(join(dir, "exact"), "x".repeat(16));
  writeFileSync(join(dir, "large"), "x".repeat(17));
  mkdirSync(join(dir, "folder"));
  symlinkSync(join(dir, "small"), join(dir, "link"));
  execFileSync("mkfifo", [join(dir, "fifo")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each([
  ["small", { ok: true, text: "hello" }],
  ["exact", { ok: true, text: "x".repeat(16) }],
  ["link", { ok: true, text: "hello" }],
  ["large", { ok: false, why: "too-large", size: 17 }],
  ["folder", { ok: false, why: "not-a-file" }],
  ["fifo", { ok: false, why: "not-a-file" }],
  ["missing", { ok: false, why: "unreadable", code: "ENOENT" }],
])("%s", (name, expected) => {
  const read = readBounded(join(dir, name), 16);
  if (read.ok) {
    expect({ ok: true, text: read.bytes.toString("utf8") }).toEqual(expected);
    expect(read.stat.isFile()).toBe(true);
  } else {
    expect(read).toEqual(expected);
  }
});
