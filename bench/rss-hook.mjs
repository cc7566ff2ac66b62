// Loaded with `node --import` into the CLI the benchmark runs: writes the process's peak resident memory (KiB) and the
// CPU it used (user and system, in microseconds, its garbage collector's threads included) to the file named by
// HSM_AUDIT_BENCH_RSS_FILE when it exits, as `maxRSS cpu`. The CLI itself knows nothing of it.
import { writeFileSync } from "node:fs";

const file = process.env.HSM_AUDIT_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
  });
}
