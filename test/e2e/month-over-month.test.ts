// Month over month end to end: October's estate is scanned (in this process, through the SDK clients and HTTPS to the
// simulator), then the real CLI scans November's with `--previous` October's pack; then `hsm-audit diff` (the CLI's
// main() in this process) compares the two packs. Between the months
// one HSM lost its diagnostic setting (a new gating failure), one was deleted while failing, one was added, and one
// is listed by Azure with its name in other case (the same HSM: nothing changes for it).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { RESULT_SCHEMA } from "../../src/model/schemas.js";
import type { Result, ResultChanges } from "../../src/model/result.js";
import { spawn } from "node:child_process";
import { BIN, cleanUp, startScanTarget, tempDir, type ScanRun } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { runMain } from "../helpers/main-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { flowingCloudHsm, paymentsEstate } from "../helpers/estates.js";
import { sarifProblems, validateSarifSchema, type Parsed } from "../helpers/consumers.js";
import { readPdf, squeezed } from "../helpers/pdf.js";

import { jest } from "@jest/globals";
jest.setTimeout(180_000);
afterAll(cleanUp);

const validateResult = new Ajv({ strict: false }).compile(RESULT_SCHEMA);

const unmonitored = (name: string) => `      - { name: ${name}, resourceGroup: rg-hsm, location: eastus }\n`;

const OCTOBER = paymentsEstate({
  cloudHsmClusters: flowingCloudHsm("chsm-steady") + flowingCloudHsm("chsm-drifts") + unmonitored("chsm-retired"),
});
const NOVEMBER = paymentsEstate({
  cloudHsmClusters: flowingCloudHsm("CHSM-STEADY") + unmonitored("chsm-drifts") + flowingCloudHsm("chsm-added"),
});

/** A scan of the estate, in this process (the CLI's own option parsing and checks, --previous included). */
async function scanEstate(estate: string, args: string[]): Promise<ScanRun> {
  const target = await startScanTarget(estate);
  try {
    return await scanInProcess(target, args);
  } finally {
    await target.close();
  }
}

/** The CLI's main() in this process (diff and evaluate read no network), in a directory of its own. */
const runHere = (args: string[]) => runMain(args, tempDir());

const names = (list: { resourceId: string }[]) => list.map((f) => f.resourceId.split("/").pop()!.toLowerCase());

describe("scan --previous, then diff", () => {
  let october: ScanRun & { snapshot: string };
  let november: ScanRun & { snapshot: string };
  let changes: ResultChanges;
  beforeAll(async () => {
    const snapshots = tempDir();
    october = {
      ...(await scanEstate(OCTOBER, ["--format", "sarif,md", "--snapshot-out", join(snapshots, "october.json")])),
      snapshot: join(snapshots, "october.json"),
    };
    november = {
      ...(await scanEstate(NOVEMBER, [
        "--previous",
        october.out,
        "--format",
        "sarif,md,html,pdf",
        "--snapshot-out",
        join(snapshots, "november.json"),
      ])),
      snapshot: join(snapshots, "november.json"),
    };
    changes = november.result!.changes!;
  });

  test("October's scan has no changes; November's exit code is its verdicts', and its result.json is valid", () => {
    expect(october.code).toBe(1);
    expect(october.result!.changes).toBeUndefined();
    expect(november.code).toBe(1);
    expect(november.stderr).toBe("");
    expect(validateResult(november.result) || validateResult.errors).toBe(true);
  });

  test("result.json's changes: the previous pack named by its digest, the new gating failures of chsm-drifts", () => {
    const digest = createHash("sha256")
      .update(readFileSync(join(october.out, "result.json")))
      .digest("hex");
    expect(changes.previous).toMatchObject({
      runId: october.result!.runId,
      startedAt: october.result!.startedAt,
      resultSha256: digest,
    });
    expect(changes.comparable).toBe(true);
    expect(changes.differences).toEqual([]);
    const gating = changes.findings.filter((f) => f.gating);
    expect(gating.length).toBeGreaterThan(0);
    expect(new Set(names(gating))).toEqual(new Set(["chsm-drifts"]));
    expect(gating.every((f) => f.kind === "new-failure" && f.before === "pass" && f.after === "fail")).toBe(true);
    expect(changes.gating).toBe(gating.length);
  });

  test("re-cased, the steady HSM is the same HSM: neither new nor gone, none of its findings changed", () => {
    expect(november.result!.resources.some((r) => r.name === "CHSM-STEADY")).toBe(true);
    expect(names(changes.findings)).not.toContain("chsm-steady");
    expect(changes.newHsms.map((h) => h.name)).toEqual(["chsm-added"]);
    expect(changes.removedHsms.map((h) => [h.name, h.reason])).toEqual([["chsm-retired", "not-found"]]);
    // Gone while failing: its failures are not resolved by its absence.
    expect(changes.removedHsms[0]!.unresolved).toBeGreaterThan(0);
    expect(changes.findings.filter((f) => f.kind === "resolved")).toEqual([]);
  });

  test("the terminal and summary.md open with the changes since October's run", () => {
    const heading = `Changes since ${october.result!.startedAt.slice(0, 10)}`;
    expect(november.stdout).toContain(heading);
    expect(november.stdout).toMatch(/New failures \(\d+, \d+ at or above 'low'\)/);
    expect(november.stdout).toContain("chsm-retired");
    const md = readFileSync(join(november.out, "summary.md"), "utf8");
    expect(md).toContain(`### ${heading}`);
    expect(md).toContain("#### HSMs gone since (1)");
  });

  test("report.html and report.pdf carry the section", async () => {
    const html = readFileSync(join(november.out, "report.html"), "utf8");
    expect(html).toContain('<section id="changes" data-testid="changes">');
    expect(html).toContain('<li><a href="#changes">Changes since');
    expect(html.indexOf('id="changes"')).toBeLessThan(html.indexOf('<section id="summary">'));
    const pdf = await readPdf(join(november.out, "report.pdf"));
    expect(pdf.outline.map((o) => o.title)).toContain(`Changes since ${october.result!.startedAt.slice(0, 10)}`);
    expect(squeezed(pdf)).toContain("HSMsgonesince(1)");
  });

  test("results.sarif: a baselineState on every result, absent results for what October reported and November not", () => {
    const file = join(november.out, "results.sarif");
    expect(sarifProblems(file)).toEqual([]);
    const log = JSON.parse(readFileSync(file, "utf8")) as Parsed;
    expect(validateSarifSchema(log) || validateSarifSchema.errors).toBe(true);
    const results = log.runs[0].results as Array<{ baselineState: string; locations: Parsed[]; ruleId: string }>;
    const hsm = (r: (typeof results)[number]) =>
      String(r.locations[0].logicalLocations[0].fullyQualifiedName).split("/").pop()!.toLowerCase();
    expect(results.every((r) => ["new", "unchanged", "updated", "absent"].includes(r.baselineState))).toBe(true);
    const of = (state: string) => [...new Set(results.filter((r) => r.baselineState === state).map(hsm))].sort();
    expect(of("new")).toEqual(["chsm-drifts"]);
    expect(of("absent")).toEqual(["chsm-retired"]);
    // October's SARIF holds no baseline state: without --previous there is no baseline.
    const before = JSON.parse(readFileSync(join(october.out, "results.sarif"), "utf8")) as Parsed;
    expect(before.runs[0].results.some((r: Parsed) => "baselineState" in r)).toBe(false);
  });

  test("diff OLD NEW prints the same changes and exits 1; --format json is result.json's changes", async () => {
    const text = await runHere(["diff", october.out, november.out]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`Changes since ${october.result!.startedAt.slice(0, 10)}`);
    expect(text.stdout).toContain("A failure at or above NEW's fail-on is new since OLD (exit code 1).");
    const json = await runHere(["diff", join(october.out, "result.json"), november.out, "--format", "json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual(changes);
    const md = await runHere(["diff", october.out, november.out, "--format", "md"]);
    expect(md.stdout).toContain("### Changes since");
    expect(md.code).toBe(1);
  });

  test("evaluate --previous: November's snapshot evaluated offline gets the same changes", async () => {
    const out = join(tempDir(), "evaluated");
    const run = await runHere(["evaluate", "--snapshot", november.snapshot, "--previous", october.out, "--out", out]);
    expect(run.code).toBe(1);
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
    expect(result.changes).toEqual(changes);
    // October's snapshot compared with November's pack: the previous pack is the later one.
    const reversed = await runHere([
      "evaluate",
      "--snapshot",
      october.snapshot,
      "--previous",
      november.out,
      "--out",
      join(tempDir(), "x"),
    ]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--previous .* was run at .*, after this run/);
  });

  test("diff of a pack with itself: nothing changed, exit 0", async () => {
    const run = await runHere(["diff", november.out, november.out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No finding, HSM, waiver or read error changed.");
  });

  test.each<[string, (dir: string) => string[], RegExp]>([
    ["the packs in the wrong order", () => [november.out, october.out], /was run at .* after NEW/],
    [
      "a pack that does not exist",
      (dir) => [join(dir, "nowhere"), november.out],
      /OLD .*nowhere: cannot read it \(ENOENT\)/,
    ],
    ["a directory without result.json", (dir) => [dir, november.out], /OLD .*: holds no result.json/],
    [
      "an unknown format",
      () => [october.out, november.out, "--format", "pdf"],
      /--format must be one of text, md, json/,
    ],
    [
      "a result.json whose summary was edited",
      (dir) => {
        const edited = JSON.parse(readFileSync(join(october.out, "result.json"), "utf8")) as Result;
        edited.summary.fail = 0;
        writeFileSync(join(dir, "result.json"), JSON.stringify(edited));
        return [dir, november.out];
      },
      /OLD .*result\.json: summary\.fail is 0 but its findings make it \d+: the file was edited or damaged/,
    ],
    [
      "a file that is not JSON",
      (dir) => {
        writeFileSync(join(dir, "result.json"), "%PDF-1.7");
        return [dir, november.out];
      },
      /OLD .*result\.json: not valid JSON/,
    ],
  ])("diff refuses %s: exit 2, naming it", async (_name, args, message) => {
    const run = await runHere(["diff", ...args(tempDir())]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });
});

// The CLI's settings check --previous before the scan starts, and the simulator's log of requests shows that nothing
// was read (the in-process scan trusts the simulator's CA, so a read would reach it).
describe("--previous refuses a pack it cannot trust, before anything is read from Azure or written", () => {
  test.each<[string, (dir: string) => string, RegExp]>([
    ["a file instead of the pack's directory", (dir) => writeResult(dir), /--previous .*: is not a directory/],
    [
      "a pack whose result.json was edited",
      (dir) => {
        const file = writeResult(dir);
        const edited = JSON.parse(readFileSync(file, "utf8")) as Result;
        edited.findings.find((f) => f.status === "fail")!.status = "pass";
        writeFileSync(file, JSON.stringify(edited));
        return dir;
      },
      /--previous .*result\.json: summary\.\w+ is \d+ but its findings make it \d+/,
    ],
    [
      "a pack with a field the result schema does not name",
      (dir) => {
        const file = writeResult(dir);
        writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, "utf8")) as object), extra: 1 }));
        return dir;
      },
      /--previous .*result\.json: not an hsm-audit result\.json: \(document\): has a field the schema does not name: 'extra'/,
    ],
    [
      "a pack run after this run",
      (dir) => {
        const file = writeResult(dir);
        const later = JSON.parse(readFileSync(file, "utf8")) as Result;
        later.startedAt = "2999-01-01T00:00:00.000Z";
        later.finishedAt = "2999-01-01T00:00:00.000Z";
        writeFileSync(file, JSON.stringify(later));
        return dir;
      },
      /--previous .* was run at 2999-01-01T00:00:00.000Z, after this run/,
    ],
  ])("%s: exit 2", async (_name, previous, message) => {
    const target = await startScanTarget(OCTOBER);
    try {
      const out = join(tempDir(), "out");
      const run = await scanInProcess(target, ["--out", out, "--previous", previous(tempDir())]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(target.sim.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

/** A valid result.json of a pack (the demo's sample from the renderer tests would do; this is a real one). */
function writeResult(dir: string): string {
  const file = join(dir, "result.json");
  cpSync(join(PACK, "result.json"), file);
  return file;
}

let PACK = "";
beforeAll(async () => {
  const target = await startScanTarget(OCTOBER);
  try {
    PACK = (await scanInProcess(target)).out;
  } finally {
    await target.close();
  }
});

describe("the README's month over month example, as written", () => {
  test("October's scan, November's with --previous, then diff: exit 1 for the new gating failure", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const commands = readme
      .split("\n")
      .filter((l) => /^npx hsm-audit (scan --out packs\/|diff packs\/)/.test(l))
      .map((l) => l.replace(/#.*$/, "").trim().split(/\s+/).slice(2));
    expect(commands).toEqual([
      ["scan", "--out", "packs/2026-10"],
      ["scan", "--out", "packs/2026-11", "--previous", "packs/2026-10"],
      ["diff", "packs/2026-10", "packs/2026-11"],
    ]);
    const cwd = tempDir();
    const codes: Array<number | null> = [];
    for (const [i, estate] of [OCTOBER, NOVEMBER].entries()) {
      const target = await startScanTarget(estate);
      try {
        const [command, ...args] = commands[i]!;
        codes.push((await runIn(cwd, [command!, ...target.endpoints, ...args], target.env)).code);
      } finally {
        await target.close();
      }
    }
    const diff = await runIn(cwd, commands[2]!, {});
    expect(codes).toEqual([1, 1]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("chsm-drifts");
    const result = JSON.parse(readFileSync(join(cwd, "packs/2026-11/result.json"), "utf8")) as Result;
    expect(result.changes!.gating).toBeGreaterThan(0);
  });
});

/** The CLI run in a working directory, as the README's relative paths need. */
function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}
