// Loaded with `node --import` into the CLI the benchmark runs: writes the process's peak resident memory (KiB) to
// the file named by HSM_AUDIT_BENCH_RSS_FILE when it exits. The CLI itself knows nothing of it.
import { writeFileSync } from "node:fs";

const file = process.env.HSM_AUDIT_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
