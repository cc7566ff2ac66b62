// Run by `npm run build` after tsc: bundles the CLI (dist/cli/main.js and everything it imports, the Azure SDK
// included) into dist/bundle/, which bin/hsm-audit.js loads. Node loads one module per file, and what the CLI can
// import is nearly 2,000 files; from the bundle's hundred or so the same code loads in much less CPU
// (docs/benchmarks.md). What a command imports lazily stays lazy: each dynamic import becomes a chunk of its own.
//
// The modules of dist/ stay where they are and are still what the library's users import; the bundle is a copy of them.
// Where a module of dist/ finds a file beside itself (`new URL("../../policies", import.meta.url)`, the validators,
// package.json), its `import.meta.url` is rewritten to the module's own place in dist/, so every such path is what it
// was. The packages that read files from their own folders (pdfkit's font metrics, the Kusto language service's
// scripts, ssh2's optional native parts) are not bundled: they are imported from node_modules as before.
//
// The bundle is not made again while everything it was made from is unchanged (scripts/build-stamp.mjs): every file
// esbuild read, every file it wrote, this script, the lock file and esbuild's version.
import { build, version as esbuildVersion } from "esbuild";
import { readFile } from "node:fs/promises";
import { readdirSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { forget, isCurrent, recordDone } from "./build-stamp.mjs";

const ROOT = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const BUNDLE_DIR = join(DIST, "bundle");
const STEP = "bundle";
const FACTS = { esbuild: esbuildVersion, node: process.versions.node };
if (isCurrent(ROOT, STEP, FACTS)) process.exit(0);
forget(ROOT, STEP);

/** Packages imported from node_modules at run time rather than bundled: each reads files relative to itself. */
const NOT_BUNDLED = ["pdfkit", "ssh2", "@kusto/language-service-next", "dejavu-fonts-ttf"];

/** The modules of dist/ keep their own location: `import.meta.url` becomes their URL, relative to the bundle's. */
const distLocations = {
  name: "dist-locations",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      const rel = relative(DIST, path);
      if (rel.startsWith("..") || rel.startsWith(`bundle${sep}`)) return undefined;
      const source = await readFile(path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const own = relative(BUNDLE_DIR, path).split(sep).join("/");
      return {
        contents: source.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`),
        loader: "js",
      };
    });
  },
};

rmSync(BUNDLE_DIR, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: join(DIST, "cli", "main.js") },
  outdir: BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // ES modules before CommonJS where a package has both. A CommonJS package imported dynamically becomes a chunk that
  // exports only `default`, where Node would also give its named exports; three of the SDK's older packages (Sentinel,
  // authorization, management groups) are CommonJS by `main` and ES modules by `module`. The check below fails the
  // build if another such chunk appears.
  mainFields: ["module", "main"],
  external: NOT_BUNDLED,
  // Packages written as CommonJS call require(); in an ES module it has to be made.
  banner: {
    js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);',
  },
  // A function or class keeps its own name where the bundle renames it (two packages' `delay` in one scope): an error's
  // `name`, or a stack trace, reads as it would unbundled.
  keepNames: true,
  chunkNames: "chunk-[hash]",
  legalComments: "eof",
  plugins: [distLocations],
  logLevel: "warning",
  metafile: true,
});
// A chunk that only wraps a CommonJS package exports `default` alone: `(await import(pkg)).Name` would be undefined in
// the bundle, though it works unbundled. Named, so that the package can be given an ES module entry or left unbundled.
const wrapped = [];
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (
    output.exports.length === 1 &&
    output.exports[0] === "default" &&
    /^export default require_/m.test(await readFile(join(ROOT, file), "utf8"))
  ) {
    wrapped.push(`${file}: ${output.entryPoint ?? Object.keys(output.inputs).at(-1)}`);
  }
}
if (wrapped.length > 0) {
  console.error(`bundle-cli: these chunks export a CommonJS module as 'default' only:\n  ${wrapped.join("\n  ")}`);
  process.exit(1);
}
recordDone(ROOT, STEP, FACTS, [
  ...Object.keys(result.metafile.inputs),
  ...readdirSync(BUNDLE_DIR).map((f) => join(BUNDLE_DIR, f)),
  fileURLToPath(import.meta.url),
  "package-lock.json",
]);
