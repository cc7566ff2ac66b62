// report.pdf read back as a reviewer's viewer reads it (pdfjs) and as poppler lists its fonts.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPdf } from "../../src/report/pdf/index.js";
import type { Paper, PdfDetail } from "../../src/report/outputs.js";
import type { Result } from "../../src/model/result.js";
import { buildView, evidenceAnchor, type ReportView } from "../../src/report/view.js";
import { hostileResult, largeResult, HOSTILE_SUBSCRIPTION, SCRIPT_NAME, XSS_NAME } from "./fixtures.js";
import { bytesOf, readPdf, squeezed, type ParsedPdf } from "../helpers/pdf.js";

import { jest } from "@jest/globals";
jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "hsm-audit-pdf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The tests of this file read the full layout (--pdf-detail full), each HSM in a section of its own, as earlier
// versions wrote it; test/report/pdf-summary.test.ts reads the summary layout, the default.
async function render(
  result: Result,
  name: string,
  paper: Paper = "a4",
  pdfDetail: PdfDetail = "full",
): Promise<{ file: string; pdf: ParsedPdf }> {
  const file = join(dir, name);
  await renderPdf(result, { paper, resultSha256: "cd".repeat(32), pdfDetail }, createWriteStream(file));
  return { file, pdf: await readPdf(file) };
}

const STATUS_WORDS = {
  pass: "PASS",
  fail: "FAIL",
  error: "ERROR",
  manual: "MANUAL",
  waived: "WAIVED",
  not_applicable: "N/A",
};

describe("report.pdf of a small estate with hostile names", () => {
  let result: Result;
  let file: string;
  let pdf: ParsedPdf;
  beforeAll(async () => {
    result = hostileResult();
    ({ file, pdf } = await render(result, "small.pdf"));
  });

  test("every HSM, every policy id, every status and every resource id can be found in its text", () => {
    const text = pdf.pages.join("\n");
    const whole = squeezed(pdf);
    for (const r of result.resources) {
      expect(text).toContain(r.name);
      expect(whole).toContain(r.id.replace(/\s+/g, ""));
    }
    for (const f of result.findings) {
      expect(text).toContain(f.policyId);
      expect(text).toContain(STATUS_WORDS[f.status]);
    }
    expect(text).toContain(XSS_NAME);
    expect(text).toContain(SCRIPT_NAME);
    expect(text).toContain(HOSTILE_SUBSCRIPTION);
  });

  test("has an outline: the fixed sections, and each subscription with its HSMs", () => {
    const titles = pdf.outline.map((o) => o.title);
    expect(titles).toEqual([
      "Cover",
      "Executive summary",
      `Subscription ${HOSTILE_SUBSCRIPTION}`,
      "Errors and completeness",
      "Appendix A: methodology",
      "Appendix B: evidence index",
    ]);
    const hsms = pdf.outline[2]!.children.map((c) => c.title);
    expect(hsms).toHaveLength(result.resources.length);
    for (const r of result.resources) expect(hsms.some((t) => t.startsWith(r.name))).toBe(true);
  });

  test("numbers every page 'Page X of Y' with the right total, and names the run on each", () => {
    const total = pdf.pages.length;
    expect(total).toBeGreaterThanOrEqual(5);
    expect(total).toBeLessThan(40);
    pdf.pages.forEach((text, i) => {
      expect(text.replace(/\s+/g, "")).toContain(`Page${i + 1}of${total}`);
      expect(text).toContain(`run ${result.runId ?? result.startedAt}`);
    });
  });

  test("cover states the verdict, the period, the tool, the policy pack and result.json digests", () => {
    const cover = pdf.pages[0]!;
    expect(cover).toContain("NOT COMPLIANT");
    expect(cover).toContain(`${result.logWindow.start} to ${result.logWindow.end}`);
    expect(cover).toContain(`hsm-audit ${result.tool.version}`);
    expect(squeezed({ ...pdf, pages: [cover] })).toContain(result.policyPack!.sha256);
    expect(cover).toContain("cd".repeat(32));
  });

  test("each finding's evidence links to an entry of the evidence index", () => {
    const cited = new Set(result.findings.flatMap((f) => f.evidence));
    expect(cited.size).toBeGreaterThan(0);
    expect(pdf.unresolvedLinks).toEqual([]);
    const evidenceTargets = new Set(pdf.linkTargets.filter((t) => t.startsWith("evidence-")));
    expect(evidenceTargets).toEqual(new Set([...cited].map(evidenceAnchor)));
  });

  test("embeds its fonts, so the text is selectable and searchable", () => {
    let listing: string;
    try {
      listing = execFileSync("pdffonts", [file], { encoding: "utf8" });
    } catch (error) {
      throw new Error(`pdffonts (Debian's poppler-utils, which .ci/run installs) could not run: ${String(error)}`, {
        cause: error,
      });
    }
    const fonts = listing.split("\n").slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThanOrEqual(3);
    for (const line of fonts) expect(line).toMatch(/DejaVu\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  test("says what a Dedicated HSM needs by hand, and gives the fix of a failure with its ids filled in", () => {
    const text = pdf.pages.join("\n");
    expect(text).toContain("Manual evidence expected");
    const fix = result.findings.find((f) => f.status === "fail" && f.remediation.azCli)!;
    expect(squeezed(pdf)).toContain(fix.remediation.azCli.replace(/\s+/g, ""));
  });
});

test("waivers in force and expired get their own section and bookmark", async () => {
  const result = hostileResult({ waivers: true });
  const { pdf } = await render(result, "waivers.pdf");
  expect(pdf.outline.map((o) => o.title)).toContain("Waivers");
  const text = pdf.pages.join("\n");
  expect(text).toContain("in force");
  expect(text).toContain("expired");
  expect(squeezed(pdf)).toContain("<b>platform-team</b>");
  expect(text).toContain("CHG-1234");
});

test("--paper letter lays the pages out on US Letter", async () => {
  const { pdf } = await render(hostileResult(), "letter.pdf", "letter");
  expect(new Set(pdf.sizes.map((s) => s.join("x")))).toEqual(new Set(["612x792"]));
  const a4 = await render(hostileResult(), "a4.pdf", "a4");
  expect(new Set(a4.pdf.sizes.map((s) => s.join("x")))).toEqual(new Set(["595x842"]));
});

describe("report.pdf of a larger estate", () => {
  let result: Result;
  let pdf: ParsedPdf;
  let view: ReportView;
  beforeAll(async () => {
    result = largeResult(60, 6);
    view = buildView(result, "cd".repeat(32));
    ({ pdf } = await render(result, "large.pdf"));
  });

  test("keeps one outline entry per HSM under its subscription, and tables across pages", () => {
    const subs = pdf.outline.filter((o) => o.title.startsWith("Subscription "));
    expect(subs).toHaveLength(6);
    expect(subs.reduce((n, s) => n + s.children.length, 0)).toBe(60);
    // The evidence index spans pages: its header repeats on each.
    const indexPages = pdf.pages.filter((p) => p.includes("Appendix B") || /Id\s*Request\s*Status/.test(p));
    expect(pdf.pages.filter((p) => /Id\s*Request\s*Status\s*Time\s*SHA-256/.test(p)).length).toBeGreaterThan(1);
    expect(indexPages.length).toBeGreaterThan(1);
  });

  test("the summary names, under each status and policy, every resource that needs attention", () => {
    const first = pdf.pages.findIndex(
      (p) => p.includes(`Subscription ${view.sections[0]!.name}`) && p.includes("Findings"),
    );
    const summary = body({ ...pdf, pages: pdf.pages.slice(1, first) }, view, result);
    const groups = new Map<string, string[]>();
    for (const v of [...view.attention, ...view.review]) {
      const key = `${v.status.symbol}${v.status.word}${v.finding.severity}${v.finding.policyId}`;
      groups.set(key, [...(groups.get(key) ?? []), v.resourceName]);
    }
    expect(groups.size).toBeGreaterThan(3);
    for (const [key, names] of groups) {
      expect(summary).toContain(key);
      expect(summary).toContain(`${names.length}findings${names.join(",")}`);
    }
  });

  test("shows each set of fix commands once, and refers to it, with a link, wherever it recurs", () => {
    const fixes = view.sections.flatMap((s) => [
      ...s.findings.filter((f) => f.hasFix && (f.finding.status === "fail" || f.finding.status === "error")),
      ...s.hsms.flatMap((h) => h.fixes),
    ]);
    const commands = new Set(fixes.map((f) => f.finding.remediation.azCli));
    expect(commands.size).toBeLessThan(fixes.length);
    const text = body(pdf, view, result);
    for (const command of commands) {
      expect(text.split(command.replace(/\s+/g, "")).length - 1).toBe(1);
    }
    expect(text.split("Thesamecommandsasthefixfor").length - 1).toBe(fixes.length - commands.size);
    expect(pdf.linkTargets.filter((t) => t.startsWith("fix-")).length).toBe(fixes.length - commands.size);
    expect(pdf.unresolvedLinks).toEqual([]);
  });
});

test("an evidence record cited by every finding lists them all in the index, across pages", async () => {
  const result = largeResult(40, 4);
  const id = result.evidence[0]!.id;
  for (const f of result.findings) if (!f.evidence.includes(id)) f.evidence.push(id);
  const view = buildView(result, "cd".repeat(32));
  const citedBy = view.evidence.find((e) => e.id === id)!.citedBy;
  expect(citedBy).toHaveLength(new Set(result.findings.map((f) => f.resourceId)).size);
  const { pdf } = await render(result, "cited.pdf");
  const index = pdf.pages.findIndex((p) => p.includes("Appendix B: evidence index"));
  const row = pdf.pages.slice(index).filter((p) => p.includes(citedBy[0]!.split(":")[0]!));
  // The list is longer than a page: it continues under the repeated header.
  expect(row.length).toBeGreaterThan(1);
  expect(body({ ...pdf, pages: pdf.pages.slice(index) }, view, result)).toContain(
    `Citedby${citedBy.join("; ")}.`.replace(/\s+/g, ""),
  );
});

/**
 * The text of the pages without their header, footer and repeated table headers, whitespace removed: what runs on
 * from one page to the next reads back whole.
 */
function body(pdf: ParsedPdf, view: ReportView, result: Result): string {
  const furniture = [
    `${view.title} · ${view.period.label}`,
    view.verdict,
    `${view.tool} · run ${result.runId ?? result.startedAt}`,
    "IdRequestStatusTimeSHA-256",
    "StatusPolicyWhere(eachfindingisinitsHSM'sorsubscription'ssection)",
  ].map((s) => s.replace(/\s+/g, ""));
  return pdf.pages
    .map((page) => {
      let text = page.replace(/\s+/g, "").replace(/Page\d+of\d+/, "");
      for (const f of furniture) text = text.split(f).join("");
      return text;
    })
    .join("");
}

test("a document rendered after others in the same process (its words' shapes kept) is byte for byte the first's", async () => {
  const result = hostileResult();
  const first = join(dir, "first.pdf");
  await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32), pdfDetail: "full" }, createWriteStream(first));
  // Another document between them, with other words and its own font subsets.
  await render(largeResult(3), "between.pdf");
  const again = join(dir, "again.pdf");
  await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32), pdfDetail: "full" }, createWriteStream(again));
  expect(bytesOf(readFileSync(again))).toBe(bytesOf(readFileSync(first)));
});
