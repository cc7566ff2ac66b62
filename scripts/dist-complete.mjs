// Run by `npm run build` before tsc. The build is incremental (tsconfig.build.json keeps tsc's record of what it built
// in node_modules/.cache/hsm-audit/build.tsbuildinfo), and tsc trusts that record: a file removed from dist/ (or the
// whole of dist/) would not be written again while its source is unchanged. So when any source's output is missing,
// the record is removed and tsc builds everything.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// The checkout's root; another root may be named (the tests do, with a folder of their own).
const ROOT = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const RECORD = join(ROOT, "node_modules", ".cache", "hsm-audit", "build.tsbuildinfo");

/** The outputs tsc writes for each source of src/: its JavaScript and its declarations. */
function missingOutputs() {
  const missing = [];
  for (const entry of readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const source = relative(join(ROOT, "src"), join(entry.parentPath, entry.name));
    for (const output of [source.replace(/\.ts$/, ".js"), source.replace(/\.ts$/, ".d.ts")]) {
      if (!existsSync(join(ROOT, "dist", output))) missing.push(output);
    }
  }
  return missing;
}

const missing = missingOutputs();
if (missing.length > 0 && existsSync(RECORD)) {
  process.stderr.write(
    `build: dist/ lacks ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ""}; building all of src/\n`,
  );
  rmSync(RECORD);
}
