#!/usr/bin/env node
// `npm test` after the build: the type check and the lint run beside jest instead of before it. jest's two workers
// leave part of the machine idle while tests wait on spawned CLIs and loopback servers; the checks fill it.
// Arguments are jest's (`npm test -- --json --outputFile=...`). jest's output is shown as it comes; each check's
// output is shown when the check ends if it failed (a pass prints one line). The exit code is jest's when jest failed,
// else 1 when a check failed, else 0.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command with its output kept; resolves to its exit code (1 when killed by a signal) and output. */
function captured(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    children.add(child);
    child.on("error", (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

const children = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(130);
  });
}

// The type check, then the lint (one after the other: side by side they only contend with each other).
const checks = (async () => {
  const results = [];
  for (const [name, script] of [
    ["type check", "typecheck"],
    ["lint", "lint"],
  ]) {
    const started = performance.now();
    const { code, output } = await captured(npm, ["run", "--silent", script]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    results.push({ name, code, output, seconds });
  }
  return results;
})();

const jest = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    [
      "--experimental-vm-modules",
      "--no-warnings=ExperimentalWarning",
      join(ROOT, "node_modules/jest/bin/jest.js"),
      ...process.argv.slice(2),
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  children.add(child);
  child.on("close", (code) => {
    children.delete(child);
    resolve(code ?? 1);
  });
});

let failed = false;
for (const { name, code, output, seconds } of await checks) {
  if (code === 0) {
    process.stdout.write(`npm test: ${name} passed (${seconds} s, beside the tests)\n`);
    continue;
  }
  failed = true;
  process.stderr.write(`\nnpm test: the ${name} failed (exit code ${code}):\n${output}\n`);
}
process.exit(jest !== 0 ? jest : failed ? 1 : 0);
