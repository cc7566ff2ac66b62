// report.html in headless Chromium: self-contained, quiet, filterable, and inert whatever the names read from Azure.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { renderHtml, TEMPLATES } from "../../src/report/html.js";
import { hostileResult, HOSTILE_SUBSCRIPTION, SCRIPT_NAME, WAIVER_OWNER, XSS_NAME } from "./fixtures.js";
import { launchChromium, openReport, type OpenedPage } from "../helpers/browser.js";
import type { Result } from "../../src/model/result.js";

import { jest } from "@jest/globals";
jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "hsm-audit-html-"));
let browser: Browser;
let result: Result;
let html: string;
let opened: OpenedPage;

beforeAll(async () => {
  result = hostileResult();
  html = renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) });
  writeFileSync(join(dir, "report.html"), html);
  browser = await launchChromium();
  opened = await openReport(browser, join(dir, "report.html"));
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("report.html opened from disk", () => {
  test("loads nothing else, logs no error, and nothing in it executes but its own filter", async () => {
    expect(opened.requests).toEqual([]);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.dialogs).toEqual([]);
    // The filter panel is shown by the report's own script: proof that the CSP hash lets exactly it run.
    expect(await opened.page.locator("#filters").isVisible()).toBe(true);
  });

  test("names read from Azure show as text, never as markup", async () => {
    const { page } = opened;
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
    expect(await page.locator("b").count()).toBe(0);
    const headings = await page.locator("article.hsm h3").allTextContents();
    expect(headings.some((h) => h.includes(XSS_NAME))).toBe(true);
    expect(headings.some((h) => h.includes(SCRIPT_NAME))).toBe(true);
    expect(await page.locator("body").textContent()).toContain(HOSTILE_SUBSCRIPTION);
    expect(html).not.toContain(XSS_NAME);
  });

  test("a Content-Security-Policy forbids every load but the inline style and script it hashes", async () => {
    const csp = await opened.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:/);
  });

  test("every HSM, every policy id and every status of the result appears", async () => {
    const text = (await opened.page.locator("body").textContent()) ?? "";
    for (const r of result.resources) expect(text).toContain(r.name);
    for (const f of result.findings) expect(text).toContain(f.policyId);
    const rows = await opened.page.locator("article.hsm tr.finding").count();
    expect(rows).toBe(result.findings.filter((f) => !f.resourceId.match(/^\/subscriptions(\/[^/]+)?$/)).length);
  });

  test("the status filter hides the findings it leaves out, and HSMs with none left", async () => {
    const { page } = opened;
    const visibleRows = (status: string) =>
      page.locator(`article.hsm tr.finding[data-status="${status}"]:visible`).count();
    expect(await visibleRows("pass")).toBeGreaterThan(0);
    await page.locator('#filters input[value="pass"]').uncheck();
    expect(await visibleRows("pass")).toBe(0);
    expect(await visibleRows("fail")).toBeGreaterThan(0);
    // Only failing and erroring statuses left: the Dedicated HSM (manual, n/a) disappears.
    for (const status of ["manual", "not_applicable", "waived"]) {
      await page.locator(`#filters input[value="${status}"]`).uncheck();
    }
    expect(await page.locator('article.hsm[data-name="dhsm-luna-01"]').isVisible()).toBe(false);
    for (const status of ["pass", "manual", "not_applicable", "waived"]) {
      await page.locator(`#filters input[value="${status}"]`).check();
    }
    expect(await page.locator("article.hsm:visible").count()).toBe(result.resources.length);
  });

  test("the search keeps only the HSMs whose name holds the text", async () => {
    const { page } = opened;
    await page.locator("#hsm-search").fill("LUNA");
    expect(await page.locator("article.hsm:visible").count()).toBe(1);
    expect(await page.locator("#filter-count").textContent()).toBe(`1 of ${result.resources.length} HSMs shown`);
    await page.locator("#hsm-search").fill("<img");
    expect(await page.locator("article.hsm:visible h3").textContent()).toContain(XSS_NAME);
    await page.locator("#hsm-search").fill("");
    expect(await page.locator("article.hsm:visible").count()).toBe(result.resources.length);
  });

  test("each finding's evidence links to its entry in the evidence index", async () => {
    const { page } = opened;
    const hrefs = await page.locator("span.evref a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of new Set(hrefs)) expect(await page.locator(href!).count()).toBe(1);
  });

  test("the audit entry of a setting is marked, and the records per day are drawn as SVG bars", async () => {
    const { page } = opened;
    const good = page.locator("article.hsm").filter({ hasText: XSS_NAME });
    expect(await good.locator(".json .audit").allTextContents()).toEqual([
      '    {"category":"HsmServiceOperations","enabled":true}  ◆ audit',
    ]);
    const bars = good.locator("figure.chart svg rect.bar");
    // The window is 2025-06-01 to 2025-06-08: eight UTC days, three of them with records.
    expect(await bars.count()).toBe(8);
    const titles = await bars.locator("title").allTextContents();
    expect(titles).toContain("2025-06-05: 9");
    expect(titles).toContain("2025-06-01: 0");
  });

  test("prints everything, whatever the screen filter hides", async () => {
    const { page } = opened;
    await page.locator('#filters input[value="pass"]').uncheck();
    await page.emulateMedia({ media: "print" });
    expect(await page.locator('article.hsm tr.finding[data-status="pass"]:visible').count()).toBeGreaterThan(0);
    expect(await page.locator("#filters").isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });
    await page.locator('#filters input[value="pass"]').check();
  });
});

test("waivers are listed with their state, owner and expiry; an expired one says it no longer applies", async () => {
  const waived = hostileResult({ waivers: true });
  expect(waived.findings.some((f) => f.status === "waived")).toBe(true);
  const file = join(dir, "waived.html");
  writeFileSync(file, renderHtml(waived, { paper: "a4", resultSha256: "ab".repeat(32) }));
  const page = await openReport(browser, file);
  expect(page.consoleErrors).toEqual([]);
  const rows = page.page.locator("#waivers tr.waiver");
  expect(await rows.count()).toBe(waived.waivers!.length);
  expect(await rows.locator("nth=0").getAttribute("data-state")).toBe("applied");
  expect(await rows.locator("nth=0").textContent()).toContain(WAIVER_OWNER);
  expect(await page.page.locator("#waivers b").count()).toBe(0);
  expect(await page.page.locator('#waivers tr.waiver[data-state="expired"]').textContent()).toMatch(
    /no longer applies/,
  );
  expect(await page.page.locator('article.hsm tr.finding[data-status="waived"]').count()).toBe(
    waived.findings.filter((f) => f.status === "waived").length,
  );
  await page.page.context().close();
});

describe("report templates", () => {
  test("never use the triple-stash, so nothing reaches the page unescaped", () => {
    const files = readdirSync(TEMPLATES, { recursive: true }) as string[];
    const templates = files.filter((f) => f.endsWith(".hbs"));
    expect(templates.length).toBeGreaterThan(3);
    for (const file of templates) expect(readFileSync(join(TEMPLATES, file), "utf8")).not.toContain("{{{");
  });
});
