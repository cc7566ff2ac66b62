#!/usr/bin/env node
// Writes test/durations.json from a jest report: each test file's seconds in that run, which the test sequencer
// (test/helpers/sequencer.cjs) uses to start the longest files first on a machine with no timings of its own.
//
//   npm test -- --json --outputFile=.tmp/jest-results.json && node scripts/test-durations.mjs .tmp/jest-results.json
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const report = process.argv[2];
if (!report) {
  console.error("usage: node scripts/test-durations.mjs <jest --json report>");
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, "utf8"));
/** A test file's path under test/, for a report written in this checkout or in another (a fresh clone, CI). */
function key(file) {
  const parts = file.split(/[\\/]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] !== "test") continue;
    const rest = parts.slice(i + 1).join("/");
    if (existsSync(join(ROOT, "test", rest))) return rest;
  }
  return undefined;
}
const durations = Object.fromEntries(
  testResults
    .map((t) => [key(t.name), Math.round((t.endTime - t.startTime) / 100) / 10])
    .filter(([file]) => file !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1)),
);
writeFileSync(join(ROOT, "test/durations.json"), `${JSON.stringify(durations, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(durations).length} files`);
