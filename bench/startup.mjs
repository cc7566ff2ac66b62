// Start-up time of the CLI: runs each command N times (default 15; `node bench/startup.mjs 30`), one after another,
// and prints the median wall time. Run after `npm run build`; bin/hsm-audit.js loads dist/.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/hsm-audit.js", import.meta.url));
/** `node -e 0` first: the floor, what Node itself takes to start and stop on this machine. */
const COMMANDS = [null, ["--version"], ["policies", "list"], ["--help"]];
const runs = Number(process.argv[2] ?? 15);

/** One run's wall time in milliseconds; a run that exits non-zero stops the benchmark. */
function once(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args ? [BIN, ...args] : ["-e", "0"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${label(args)} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const label = (args) => (args ? `hsm-audit ${args.join(" ")}` : "node -e 0");

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(`node ${process.version}, ${runs} runs each`);
for (const args of COMMANDS) {
  await once(args); // warm the file cache
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once(args));
  console.log(
    `${label(args).padEnd(28)} median ${median(times).toFixed(0).padStart(4)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
  );
}
