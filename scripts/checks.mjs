// Run by `npm test` before jest: the type check, ESLint and Prettier's check, at once. Each is mostly one thread, and
// from a fresh clone (no caches) they take about 11, 10 and 10 s one after another; at once, on two cores, about 27 s
// for the three (docs/benchmarks.md). Each one's output is printed whole when it ends, in this order, so that the
// three never interleave; the exit code is 1 when any failed.
import { spawn } from "node:child_process";

const CHECKS = ["typecheck", "lint:eslint", "lint:format"];

/** Runs `npm run -s <script>`, its stdout and stderr kept together in the order written. */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", script], {
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
    });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => resolve({ script, code: 1, output: `${error.message}\n` }));
    child.on("close", (code, signal) =>
      resolve({ script, code: code ?? 1, output: Buffer.concat(output).toString(), signal }),
    );
  });
}

const started = CHECKS.map(run);
let failed = 0;
for (const pending of started) {
  const { script, code, output, signal } = await pending;
  process.stdout.write(`> npm run ${script}\n${output}`);
  if (code !== 0) {
    failed++;
    process.stderr.write(`npm run ${script} failed (${signal ? `signal ${signal}` : `exit code ${code}`})\n\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
