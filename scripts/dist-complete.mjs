// Run by `npm run build` before tsc. The build is incremental (tsconfig.build.json keeps tsc's record of what it built
// in node_modules/.cache/hsm-audit/build.tsbuildinfo), and tsc trusts that record: a file removed from dist/ (or the
// whole of dist/) would not be written again while its source is unchanged. So when a source the record lists lacks an
// output, the record is removed and tsc builds everything. (A source the record does not list is new: tsc builds it
// anyway. A record that cannot be read lists every source.)
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The checkout's root; another root may be named (the tests do, with a folder of their own).
const ROOT = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const RECORD = join(ROOT, "node_modules", ".cache", "hsm-audit", "build.tsbuildinfo");

/** The sources tsc's record says it built (absolute paths), or undefined when the record cannot be read. */
function builtSources() {
  try {
    const { fileNames } = JSON.parse(readFileSync(RECORD, "utf8"));
    return Array.isArray(fileNames) ? new Set(fileNames.map((name) => resolve(dirname(RECORD), name))) : undefined;
  } catch {
    return undefined;
  }
}

/** The outputs tsc writes for each source of src/ it built before (its JavaScript and declarations) that are missing. */
function missingOutputs(built) {
  const missing = [];
  for (const entry of readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    if (built && !built.has(resolve(file))) continue;
    const source = relative(join(ROOT, "src"), file);
    for (const output of [source.replace(/\.ts$/, ".js"), source.replace(/\.ts$/, ".d.ts")]) {
      if (!existsSync(join(ROOT, "dist", output))) missing.push(output);
    }
  }
  return missing;
}

const missing = existsSync(RECORD) ? missingOutputs(builtSources()) : [];
if (missing.length > 0) {
  process.stderr.write(
    `build: dist/ lacks ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ""}; building all of src/\n`,
  );
  rmSync(RECORD);
}
