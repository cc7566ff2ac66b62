// An estate whose owner is the adversary (test/fixtures/estates/hostile.yaml): commands in $() and backticks, markup,
// SQL and spreadsheet formulas, line breaks of every kind followed by a forged verdict, bidi overrides and 300-character
// values, in every free-text field the simulator carries. The CLI's scan (in this process) reads it into every output format, and the
// test checks that nothing executes (the HTML in headless Chromium, the fix commands through bash with a stub `az`),
// that no output line starts with a verdict the run did not earn, and that nothing is half-written.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import type { Browser } from "playwright-core";
import type { Result } from "../../src/model/result.js";
import { launchChromium, openReport, type OpenedPage } from "../helpers/browser.js";
import { cleanUp, startScanTarget, tempDir, type ScanRun } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { readPdf } from "../helpers/pdf.js";
import { parseCsv } from "../helpers/consumers.js";
import { ROOT } from "../helpers/simulator.js";

jest.setTimeout(240_000);

const ESTATE = join(ROOT, "test/fixtures/estates/hostile.yaml");
const FORMATS = ["html", "pdf", "sarif", "junit", "csv", "md", "ocsf"];
const FILES = [
  "findings.csv",
  "findings.ocsf.jsonl",
  "junit.xml",
  "report.html",
  "report.pdf",
  "result.json",
  "results.sarif",
  "summary.md",
];
/** Every way a reader may break a line: LF, CR, CRLF, NEL, LS, PS, VT, FF. */
const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029\v\f]/;
/** A line that opens with the verdict of a compliant run, whatever punctuation or markup comes before it. */
const FORGED = /^\W*COMPLIANT \(exit code 0\)/;

const forgedLines = (text: string) => text.split(LINE_BREAK).filter((line) => FORGED.test(line));

let run: ScanRun;
let result: Result;
let browser: Browser;
let opened: OpenedPage;
let html: { title: string; text: string; injected: number };

beforeAll(async () => {
  const target = await startScanTarget(readFileSync(ESTATE, "utf8"));
  try {
    run = await scanInProcess(target, ["--format", FORMATS.join(",")]);
  } finally {
    await target.close();
  }
  result = run.result!;
  browser = await launchChromium();
  opened = await openReport(browser, join(run.out, "report.html"));
  // A string, evaluated in the page: this project's types know no DOM.
  html = (await opened.page.evaluate(`({
    title: document.title,
    text: document.body.innerText,
    injected: [...document.querySelectorAll("script, img, iframe, object, embed")]
      .filter((e) => e.outerHTML.includes("PWNED")).length,
  })`)) as typeof html;
});

afterAll(async () => {
  await browser?.close();
  cleanUp();
});

describe("a hostile estate, scanned through every output format", () => {
  it("scans to its earned verdict (failures found), every output written whole, no temp file", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(result.summary.compliant).toBe(false);
    expect(readdirSync(run.out).sort()).toEqual(FILES);
    // The hostile values made it into the result: the test exercises them.
    const json = readFileSync(join(run.out, "result.json"), "utf8");
    for (const marker of [
      "$(touch PWNED)",
      "`touch PWNED`",
      "<script>",
      "DROP TABLE",
      "=HYPERLINK",
      "\\u2028",
      "\u202E",
    ]) {
      expect(json).toContain(marker);
    }
  });

  it("the HTML report runs none of it: no injected element, no script effect, no dialog, no request", () => {
    expect(html.title).not.toContain("PWNED");
    expect(html.injected).toBe(0);
    expect(opened.dialogs).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.requests).toEqual([]);
  });

  it("no line of the HTML report as displayed starts with a forged verdict", () => {
    expect(forgedLines(html.text)).toEqual([]);
  });

  // findings.csv is data for spreadsheets: a line break inside a quoted cell is RFC 4180 and stays (result.json keeps
  // values whole too); what must not happen is a forged record, so it is read back as a spreadsheet reads it.
  it("findings.csv reads back as one record per finding, none forged", () => {
    const [header, ...rows] = parseCsv(readFileSync(join(run.out, "findings.csv"), "utf8"));
    expect(rows).toHaveLength(run.result!.findings.length);
    for (const row of rows) {
      expect(row).toHaveLength(header!.length);
      expect(row[0]).not.toMatch(FORGED);
    }
  });

  it("findings.ocsf.jsonl holds one JSON object per finding, whatever the names hold", () => {
    const lines = readFileSync(join(run.out, "findings.ocsf.jsonl"), "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(run.result!.findings.length);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it.each(["summary.md", "junit.xml", "results.sarif", "result.json", "findings.ocsf.jsonl"])(
    "no line of %s starts with a forged verdict",
    (file) => {
      expect(forgedLines(readFileSync(join(run.out, file), "utf8"))).toEqual([]);
    },
  );

  it("no line of the terminal summary starts with a forged verdict", () => {
    expect(forgedLines(run.stdout)).toEqual([]);
    expect(run.stdout).toContain("NOT COMPLIANT");
  });

  it("no line of the PDF starts with a forged verdict, and its cover says NOT COMPLIANT", async () => {
    const pdf = await readPdf(join(run.out, "report.pdf"));
    expect(pdf.pages.flatMap(forgedLines)).toEqual([]);
    expect(pdf.pages[0]).toContain("NOT COMPLIANT");
  });

  it("every fix command, run through bash with a stub az, runs no command of the tenant's", () => {
    const dir = tempDir();
    const bin = join(dir, "bin");
    const cwd = join(dir, "cwd");
    mkdirSync(bin);
    mkdirSync(cwd);
    const calls = join(dir, "az-calls.txt");
    writeFileSync(join(bin, "az"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexit 0\n`);
    chmodSync(join(bin, "az"), 0o755);
    const fixes = result.findings.map((f) => f.remediation.azCli).filter((fix) => fix.trim() !== "");
    expect(fixes.length).toBeGreaterThan(5);
    for (const fix of fixes) {
      const done = spawnSync("bash", ["-c", fix], {
        cwd,
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
        timeout: 30_000,
      });
      expect({ fix, stderr: done.stderr }).toEqual({ fix, stderr: "" });
    }
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(join(ROOT, "PWNED"))).toBe(false);
    expect(existsSync(join(run.out, "PWNED"))).toBe(false);
    // Every fix reached az (none was cut short by a quote of the tenant's).
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(fixes.length);
  });

  it("the CSV cells a spreadsheet would run as formulas are neutralised", () => {
    const csv = readFileSync(join(run.out, "findings.csv"), "utf8");
    // A cell starting with = + - @ (after its opening quote) is a formula to a spreadsheet.
    expect(csv).not.toMatch(/(^|,)"?[=+@]HYPERLINK/m);
  });
});
