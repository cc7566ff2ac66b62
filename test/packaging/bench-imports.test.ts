// The benchmarks (bench/*.mjs) import the built modules by path: a module moved or renamed in src breaks them
// without a type error. Each import of a benchmark is linked here, against dist/ (built by `npm test` before the
// tests run), without running the benchmark.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/simulator.js";

const BENCH = join(ROOT, "bench");
const imports = readdirSync(BENCH)
  .filter((f) => f.endsWith(".mjs"))
  .flatMap((file) =>
    [...readFileSync(join(BENCH, file), "utf8").matchAll(/^import \{([^}]+)\} from "(\.\.\/dist\/[^"]+)";$/gm)].map(
      (m) => [file, m[2]!, m[1]!.trim()] as const,
    ),
  );

test("the benchmarks import built modules", () => {
  expect(imports.length).toBeGreaterThan(5);
});

/**
 * Each import linked in one node process, as the benchmark's own `import { ... } from` would link it: the module loads,
 * and every name it imports is an export of it. One answer per import: the error, or "" when it links.
 */
let linked: string[];
beforeAll(() => {
  const checks = imports.map(([, path, names]) => ({
    url: JSON.stringify(join(BENCH, path)),
    names: names.split(",").map((n) => n.trim().split(/\s+as\s+/)[0]!),
  }));
  const code = `
    const out = [];
    for (const { url, names } of ${JSON.stringify(checks)}) {
      try {
        const module = await import(JSON.parse(url));
        const missing = names.filter((name) => !(name in module));
        out.push(missing.length ? "SyntaxError: does not provide an export named " + missing.join(", ") : "");
      } catch (error) {
        out.push(String(error).split("\\n")[0]);
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  linked = JSON.parse(run.stdout) as string[];
});

test.each(imports.map((entry, i) => [...entry, i] as const))("%s: %s exports %s", (_file, _path, _names, i) => {
  expect(linked[i]).toBe("");
});
