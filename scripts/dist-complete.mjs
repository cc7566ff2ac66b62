// Run by `npm run build` before tsc. The build is incremental (tsconfig.build.json keeps tsc's record of what it built
// in node_modules/.cache/hsm-audit/build.tsbuildinfo), and tsc trusts that record: a file removed from dist/ (or the
// whole of dist/) would not be written again while its source is unchanged. So when a source older than the record
// lacks an output, the record is removed and tsc builds everything. (A source newer than the record is built anyway.)
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// The checkout's root; another root may be named (the tests do, with a folder of their own).
const ROOT = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const RECORD = join(ROOT, "node_modules", ".cache", "hsm-audit", "build.tsbuildinfo");

/** The outputs tsc writes for each source of src/: its JavaScript and its declarations. */
function missingOutputs(since) {
  const missing = [];
  for (const entry of readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    if (statSync(file).mtimeMs > since) continue;
    const source = relative(join(ROOT, "src"), file);
    for (const output of [source.replace(/\.ts$/, ".js"), source.replace(/\.ts$/, ".d.ts")]) {
      if (!existsSync(join(ROOT, "dist", output))) missing.push(output);
    }
  }
  return missing;
}

const missing = existsSync(RECORD) ? missingOutputs(statSync(RECORD).mtimeMs) : [];
if (missing.length > 0) {
  process.stderr.write(
    `build: dist/ lacks ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ""}; building all of src/\n`,
  );
  rmSync(RECORD);
}
