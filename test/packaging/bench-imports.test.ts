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

test.each(imports)("%s: %s exports %s", (_file, path, names) => {
  const code = `import { ${names} } from ${JSON.stringify(join(BENCH, path))};`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  expect({ status: run.status, stderr: run.stderr.split("\n").find((l) => /Error/.test(l)) ?? "" }).toEqual({
    status: 0,
    stderr: "",
  });
});
