// The evidence pack end to end: the CLI, run in this process (scanInProcess for scans over HTTPS to the simulator,
// main() for the demo, render and evaluate), writes report.pdf and report.html; the PDF is read back with pdfjs, the
// HTML in headless Chromium; their structure is compared with golden files.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type { Result } from "../../src/model/result.js";
import { cleanUp, startScanTarget, tempDir, type Run } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { ROOT } from "../helpers/simulator.js";
import { bytesOf, readPdf, type ParsedPdf } from "../helpers/pdf.js";
import { launchChromium, openReport } from "../helpers/browser.js";

import { jest } from "@jest/globals";
jest.setTimeout(180_000);
afterAll(cleanUp);

const GOLDEN = join(ROOT, "test/golden");
const SUB = "aaaaaaaa-0000-4000-8000-000000000002";

/** The calendar month before the current one, as YYYY-MM, with its bounds. */
function lastMonth() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { label: start.toISOString().slice(0, 7), start, end };
}

/** One Cloud HSM logging every 7 hours for 75 days, so that last month is covered whatever today is. */
const ESTATE = `tenantId: 00000000-0000-4000-8000-0000000000bb
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Monthly
    workspaces:
      - name: law-audit
        resourceGroup: rg-mon
        location: eastus
        customerId: bbbbbbbb-0000-4000-8000-000000000002
        retentionInDays: 400
        sentinel:
          onboarded: true
          rules: [{ name: hsm-logins, query: "CloudHsmServiceOperationAuditLogs | where OperationName == 'CN_LOGIN'" }]
    cloudHsmClusters:
      - name: chsm-monthly
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit-to-law
            workspace: law-audit
            logs: [{ category: HsmServiceOperations, enabled: true }]
        activity:
          - { every: 7h, from: 75d, operations: [CN_LOGIN, CN_LOGOUT], callers: [10.0.0.4] }
`;

describe("scan --period YYYY-MM --format pdf,html", () => {
  let result: Result;
  let out: string;
  let expectedPerDay: Map<string, number>;
  beforeAll(async () => {
    const target = await startScanTarget(ESTATE);
    try {
      const { label, start, end } = lastMonth();
      const run = await scanInProcess(target, ["--period", label, "--format", "pdf,html"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      result = run.result!;
      out = run.out;
      // Counted from the estate's own records, not from any query answer.
      const hsm = target.estate.subscriptions[0]!.hsms[0]!;
      expectedPerDay = new Map();
      for (const record of hsm.activity) {
        if (record.time < start || record.time >= end) continue;
        const day = record.time.toISOString().slice(0, 10);
        expectedPerDay.set(day, (expectedPerDay.get(day) ?? 0) + 1);
      }
    } finally {
      await target.close();
    }
  });

  test("searches exactly that calendar month in UTC, and says so", () => {
    const { label, start, end } = lastMonth();
    expect(result.logWindow).toEqual({
      duration: `P${(end.getTime() - start.getTime()) / 86_400_000}D`,
      start: start.toISOString(),
      end: end.toISOString(),
      period: label,
    });
  });

  test("the records per day of the result are those of the estate in that month", () => {
    const activity = result.resources[0]!.activity![0]!;
    expect(activity.state).toBe("ok");
    const perDay = new Map(activity.perDay!.map((d) => [d.day, d.records]));
    expect(perDay).toEqual(expectedPerDay);
    expect(activity.records).toBe([...expectedPerDay.values()].reduce((a, b) => a + b, 0));
  });

  test("the PDF and the HTML name the period and the SHA-256 of the result.json beside them", async () => {
    const digest = createHash("sha256")
      .update(readFileSync(join(out, "result.json")))
      .digest("hex");
    const pdf = await readPdf(join(out, "report.pdf"));
    const month = new Date(`${lastMonth().label}-01T00:00:00Z`).toLocaleString("en-GB", {
      month: "long",
      timeZone: "UTC",
    });
    expect(pdf.pages[0]).toContain(`Period covered: ${month} ${lastMonth().label.slice(0, 4)} (UTC)`);
    expect(pdf.pages[0]!.replace(/\s+/g, "")).toContain(digest);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain(`data-testid="result-sha256">${digest}<`);
  });
});

let demoRun: Promise<{ out: string; run: Run }> | undefined;
/** `hsm-audit demo`, run once for every test that reads its pack (it scans Contoso and renders the PDF and HTML). */
function demo(): Promise<{ out: string; run: Run }> {
  demoRun ??= (async () => {
    const out = join(tempDir(), "demo");
    return { out, run: await runMain(["demo", "--out", out], tempDir()) };
  })();
  return demoRun;
}

describe("the demo's evidence pack", () => {
  let out: string;
  let result: Result;
  /** The demo's result rendered with --pdf-detail full: the layout of earlier versions, a section per HSM. */
  let pdf: ParsedPdf;
  /** The demo's own report.pdf: the summary layout, the default. */
  let summary: ParsedPdf;
  let browser: Browser;
  beforeAll(async () => {
    let run: Run;
    ({ out, run } = await demo());
    expect(run.code).toBe(1);
    result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
    summary = await readPdf(join(out, "report.pdf"));
    const full = join(tempDir(), "full");
    const rendered = await runMain(
      ["render", "--result", join(out, "result.json"), "--format", "pdf", "--pdf-detail", "full", "--out", full],
      tempDir(),
    );
    expect(rendered.code).toBe(0);
    pdf = await readPdf(join(full, "report.pdf"));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test("lets a reviewer find, for each failing HSM, the failure, its evidence and its fix", () => {
    // Without the running headers and footers, which would land inside a text that continues on the next page.
    const text = pdf.bodies.join("\n");
    const squeezed = text.replace(/\s+/g, "");
    for (const f of result.findings.filter((x) => x.status === "fail")) {
      expect(squeezed).toContain(f.message.replace(/\s+/g, ""));
      for (const id of f.evidence) expect(text).toContain(id);
      if (f.remediation.azCli) expect(squeezed).toContain(f.remediation.azCli.replace(/\s+/g, ""));
    }
    expect(pdf.unresolvedLinks).toEqual([]);
  });

  test("the PDF's structure matches the golden file", () => {
    const structure = {
      outline: pdf.outline,
      headings: pdf.headings.filter((h) => !/^\d+$/.test(h.text)),
    };
    // The golden file of the layout as earlier versions wrote it: --pdf-detail full keeps it.
    matchGolden("demo-pdf.json", structure);
    expect(pdf.pages.length).toBeGreaterThan(10);
    expect(pdf.pages.length).toBeLessThan(80);
  });

  test("the summary PDF's structure matches its golden file, is shorter, and carries result.json", () => {
    matchGolden("demo-pdf-summary.json", {
      outline: summary.outline,
      headings: summary.headings.filter((h) => !/^\d+$/.test(h.text)),
    });
    expect(summary.pages.length).toBeLessThan(pdf.pages.length);
    expect(summary.unresolvedLinks).toEqual([]);
    expect(bytesOf(summary.attachments.get("result.json")!)).toBe(bytesOf(readFileSync(join(out, "result.json"))));
  });

  test("the summary PDF gives every failing finding's HSM, message (its name as ‹name› where shared) and evidence", () => {
    const text = summary.bodies.join("\n").replace(/\s+/g, "");
    for (const f of result.findings.filter((x) => x.status === "fail" || x.status === "error")) {
      const name = result.resources.find((r) => r.id.toLowerCase() === f.resourceId.toLowerCase())?.name;
      const shared = name && name.length >= 3 ? f.message.split(name).join("‹name›") : f.message;
      expect([f.message, shared].some((m) => text.includes(m.replace(/\s+/g, "")))).toBe(true);
      for (const id of f.evidence) expect(text).toContain(id);
    }
  });

  test("the HTML's structure matches the golden file, and the page is quiet", async () => {
    const opened = await openReport(browser, join(out, "report.html"));
    expect(opened.requests).toEqual([]);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    const structure = await opened.page.evaluate(() => {
      // The page's DOM, typed as far as this reads it (the tests compile without the DOM library).
      interface El {
        tagName: string;
        id: string;
        textContent: string | null;
        getAttribute(name: string): string | null;
        querySelector(selector: string): El | null;
        querySelectorAll(selector: string): ArrayLike<El>;
      }
      const document = (globalThis as unknown as { document: El }).document;
      return {
        headings: Array.from(document.querySelectorAll("h1, h2, h3")).map(
          (h) => `${h.tagName} ${(h.textContent ?? "").replace(/\s+/g, " ").trim()}`,
        ),
        hsms: Array.from(document.querySelectorAll("article.hsm")).map((a) => ({
          name: a.getAttribute("data-name"),
          worst: a.getAttribute("data-worst"),
          findings: Array.from(a.querySelectorAll("tr.finding")).map(
            (tr) => `${tr.querySelector("code")?.textContent ?? ""} ${tr.getAttribute("data-status") ?? ""}`,
          ),
          sections: Array.from(a.querySelectorAll("h4")).map((h) => (h.textContent ?? "").replace(/\s+/g, " ").trim()),
          auditLines: a.querySelectorAll(".json .audit").length,
          destinations: a.querySelectorAll("td.id").length,
          charts: a.querySelectorAll("figure.chart").length,
          fixes: a.querySelectorAll("div.fix").length,
        })),
        evidenceRows: document.querySelectorAll("#evidence tbody tr").length,
        policies: Array.from(document.querySelectorAll("article.policy")).map((p) => p.id),
      };
    });
    expect(structure.evidenceRows).toBe(result.evidence.length);
    matchGolden("demo-html.json", { ...structure, evidenceRows: undefined });
  });
});

test("render --paper letter re-renders a saved result, and refuses a bad paper size writing nothing", async () => {
  const dir = tempDir();
  const { out: demoOut, run: demoRan } = await demo();
  expect(demoRan.code).toBe(1);
  /** `render --format pdf FLAG VALUE` of the demo's result.json into dir/OUT. */
  const renderPdf = (flag: string, value: string, out: string) =>
    runMain(
      ["render", "--result", join(demoOut, "result.json"), "--format", "pdf", flag, value, "--out", join(dir, out)],
      tempDir(),
    );
  const run = await renderPdf("--paper", "letter", "letter");
  expect(run.code).toBe(0);
  const pdf = await readPdf(join(dir, "letter/report.pdf"));
  expect(new Set(pdf.sizes.map((s) => s.join("x")))).toEqual(new Set(["612x792"]));
  // The result.json written beside it is byte for byte the one rendered.
  expect(bytesOf(readFileSync(join(dir, "letter/result.json")))).toBe(
    bytesOf(readFileSync(join(demoOut, "result.json"))),
  );
  const bad = await renderPdf("--paper", "legal", "legal");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--paper must be one of a4, letter/);
  expect(existsSync(join(dir, "legal"))).toBe(false);
  const badDetail = await renderPdf("--pdf-detail", "brief", "brief");
  expect(badDetail.code).toBe(2);
  expect(badDetail.stderr).toMatch(/--pdf-detail must be one of summary, full, not 'brief'/);
  expect(existsSync(join(dir, "brief"))).toBe(false);
});

test("evaluate --snapshot attaches the snapshot file to report.pdf, with the SHA-256 of its bytes printed", async () => {
  const target = await startScanTarget(ESTATE);
  try {
    const dir = tempDir();
    const snapshot = join(dir, "snapshot.json");
    const scanned = await scanInProcess(target, ["--snapshot-out", snapshot, "--format", "pdf"]);
    expect(scanned.code).toBe(0);
    const bytes = readFileSync(snapshot);
    const digest = createHash("sha256").update(bytes).digest("hex");
    // The scan's own pack carries the snapshot it wrote.
    const fromScan = await readPdf(join(scanned.out, "report.pdf"));
    expect(bytesOf(fromScan.attachments.get("snapshot.json")!)).toBe(bytesOf(bytes));
    const out = join(dir, "evaluated");
    const run = await runMain(["evaluate", "--snapshot", snapshot, "--format", "pdf", "--out", out], tempDir());
    expect(run.code).toBe(scanned.code);
    const pdf = await readPdf(join(out, "report.pdf"));
    expect(bytesOf(pdf.attachments.get("snapshot.json")!)).toBe(bytesOf(bytes));
    expect(bytesOf(pdf.attachments.get("result.json")!)).toBe(bytesOf(readFileSync(join(out, "result.json"))));
    const appendix = pdf.bodies[pdf.bodies.length - 1]!.replace(/\s+/g, "");
    expect(appendix).toContain(digest);
  } finally {
    await target.close();
  }
});

test.each([
  [["--period", "2026-13"], /--period must be a month as YYYY-MM/],
  [["--period", "2026-10", "--log-window", "7d"], /cannot be used together/],
  [["--from", "2026-10-01"], /--from and --to go together/],
])("scan %j: exit 2 before any request, nothing written", async (args, message) => {
  const out = join(tempDir(), "out");
  const run = await runMain(["scan", "--arm-endpoint", "https://127.0.0.1:9", "--out", out, ...args], tempDir());
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(existsSync(out)).toBe(false);
});

/** Compares with test/golden/NAME; `UPDATE_GOLDEN=1` rewrites it (review the diff before committing). */
function matchGolden(name: string, value: unknown) {
  const file = join(GOLDEN, name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
  expect(existsSync(file)).toBe(true);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, "utf8")));
}
