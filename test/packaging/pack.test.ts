// The package as published: `npm pack` (of the built dist/), installed into an empty directory with `npm install
// <tarball>` (dependencies from npm's cache, else the registry), then run from that install alone: `--version`, and
// the demo, which needs the built-in policies, the report templates, the fonts and the demo estate at run time. What
// `files` in package.json leaves out shows here as a failed run. Needs `npm run build` first, and the npm registry
// for any dependency not in the cache.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

/** Runs a command without blocking the event loop; its exit code and output (a non-zero exit is not thrown). */
function run(file: string, args: string[], cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      file,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the packed package, installed", () => {
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-pack-"));
  const app = join(dir, "app");
  const bin = join(app, "node_modules", ".bin", "hsm-audit");
  let packed: { files: { path: string }[]; filename: string };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist", "bundle", "main.js")))
      throw new Error("dist/ is missing: run npm run build first");
    // --ignore-scripts: `prepare` would build again; dist/ is what is packed.
    const pack = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], ROOT);
    expect(pack).toMatchObject({ code: 0 });
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "packaging-check", private: true }));
    const install = await run(
      "npm",
      [
        "install",
        join(dir, packed.filename),
        "--omit=dev",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
      ],
      app,
    );
    expect({ code: install.code, stderr: install.code === 0 ? "" : install.stderr }).toEqual({ code: 0, stderr: "" });
  }, 600_000);

  test("holds what the tool reads at run time, and no sources or tests", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "bin/hsm-audit.js",
        "dist/cli/main.js",
        // Written by the build last (scripts/bundle-cli.mjs): what bin/hsm-audit.js loads.
        "dist/bundle/main.js",
        // Written by the build after tsc (scripts/precompile-policies.mjs).
        "dist/engine/built-in-policies.json",
        // Written by the build after tsc (scripts/precompile-validators.mjs).
        "dist/validators/estate.cjs",
        "dist/validators/policy.cjs",
        "dist/validators/params-destination-retention.cjs",
        "dist/validators/result.cjs",
        "dist/validators/snapshot.cjs",
        "package.json",
        "policies/workspace-retention.yaml",
        "policies/frameworks/pci-dss-4-0.yaml",
        "report-templates/pdf-layout.json",
        "examples/estates/contoso.yaml",
      ]),
    );
    expect(paths.filter((p) => /^(src|test|node_modules)\//.test(p))).toEqual([]);
  });

  test("hsm-audit --version prints the package's version", async () => {
    expect(await run(bin, ["--version"], app)).toEqual({ code: 0, stdout: `${PKG.version}\n`, stderr: "" });
  });

  test("hsm-audit policies list lists the built-in policies", async () => {
    const list = await run(bin, ["policies", "list"], app);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("workspace-retention");
  });

  test("hsm-audit demo writes result.json and the reports from the installed files alone", async () => {
    const out = join(dir, "demo");
    const demo = await run(bin, ["demo", "--out", out, "--quiet"], app);
    // The demo estate has failing HSMs: exit code 1, with a result that says why.
    expect({ code: demo.code, stderr: demo.stderr }).toEqual({ code: 1, stderr: "" });
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as {
      tool: { name: string; version: string };
      summary: { fail: number; compliant: boolean };
      findings: unknown[];
    };
    expect(result.tool).toEqual({ name: PKG.name, version: PKG.version });
    expect(result.summary).toMatchObject({ compliant: false });
    expect(result.summary.fail).toBeGreaterThan(0);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(existsSync(join(out, "report.pdf"))).toBe(true);
  }, 300_000);
});
