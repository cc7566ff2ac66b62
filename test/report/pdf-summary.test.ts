// report.pdf's summary layout (the default): every HSM's verdict on one row, every finding that needs attention with
// its message and evidence, the evidence index of what they cite, a printed contents whose page numbers are right,
// the scope statement and sign-off, and result.json and the snapshot attached with their SHA-256 printed.
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPdf } from "../../src/report/pdf/index.js";
import { renderJsonBytes } from "../../src/report/json.js";
import type { RenderContext } from "../../src/report/outputs.js";
import type { Result } from "../../src/model/result.js";
import { buildView, evidenceAnchor } from "../../src/report/view.js";
import { findingGroups, NAME_MARK, needsAttention, sharedMessage } from "../../src/report/pdf/sections/groups.js";
import { hostileResult, largeResult } from "./fixtures.js";
import { bytesOf, readPdf, type ParsedPdf } from "../helpers/pdf.js";

import { jest } from "@jest/globals";
jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "hsm-audit-pdf-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(result: Result, name: string, context: Partial<RenderContext> = {}): Promise<ParsedPdf> {
  const file = join(dir, name);
  await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32), ...context }, createWriteStream(file));
  return readPdf(file);
}

const squeeze = (text: string) => text.replace(/\s+/g, "");

describe.each([
  ["a small estate with hostile names", () => hostileResult({ waivers: true })],
  ["60 HSMs in 6 subscriptions", () => largeResult(60, 6)],
])("the summary layout of %s", (_, make) => {
  let result: Result;
  let pdf: ParsedPdf;
  beforeAll(async () => {
    result = make();
    pdf = await render(result, `${result.resources.length}.pdf`);
  });

  test("has a row for every HSM in the verdict table", () => {
    const start = pdf.pages.findIndex((p) => p.includes("HSM verdicts") && p.includes("Findings by status"));
    const end = pdf.pages.findIndex((p, i) => i > start && p.includes("Findings to act on") && !p.includes("Contents"));
    expect(start).toBeGreaterThan(0);
    const table = squeeze(pdf.bodies.slice(start, end).join(""));
    for (const r of result.resources) expect(table).toContain(squeeze(r.name));
  });

  test("prints every finding that is not a pass or N/A with its message, its HSM and its evidence", () => {
    const text = squeeze(pdf.bodies.join(""));
    const view = buildView(result, "cd".repeat(32));
    const all = [
      ...view.tenantFindings,
      ...view.sections.flatMap((s) => [...s.findings, ...s.hsms.flatMap((h) => h.findings)]),
    ];
    const attention = all.filter(needsAttention);
    expect(attention.length).toBeGreaterThan(3);
    // Every finding of the result but those that passed or did not apply (failures below the threshold included).
    expect(attention.length).toBe(
      result.findings.filter((f) => f.status !== "pass" && f.status !== "not_applicable").length,
    );
    for (const f of attention) {
      const group = findingGroups(view).find((g) => g.findings.includes(f))!;
      const printed = group.messages.find((m) => m.findings.includes(f))!;
      // The message as printed gives the finding's own back when its name takes the mark's place.
      expect(printed.text.split(NAME_MARK).join(f.resourceName)).toBe(f.finding.message);
      expect([f.finding.message, sharedMessage(f.finding.message, f.resourceName)]).toContain(printed.text);
      expect(text).toContain(squeeze(printed.text));
      expect(text).toContain(squeeze(f.resourceName));
      for (const id of f.evidence) expect(text).toContain(id);
    }
    // Every link lands, and the evidence index holds exactly what the printed findings cite.
    expect(pdf.unresolvedLinks).toEqual([]);
    const cited = new Set([...attention, ...view.tenantFindings].flatMap((f) => f.evidence));
    const anchors = new Set(pdf.linkTargets.filter((t) => t.startsWith("evidence-")));
    expect(anchors).toEqual(new Set([...cited].map(evidenceAnchor)));
    const index = pdf.bodies.slice(pdf.bodies.findIndex((b) => b.includes("Appendix B: evidence index"))).join("");
    expect(squeeze(index)).toContain(
      squeeze(`The ${cited.size} HTTP exchanges (of the scan's ${result.evidence.length})`),
    );
    for (const e of result.evidence.filter((x) => !cited.has(x.id))) expect(index).not.toContain(e.id);
  });

  test("prints contents whose page numbers are the pages the sections begin on, each entry a link", () => {
    const contents = pdf.pages.findIndex((p) => p.includes("Contents"));
    expect(contents).toBe(1);
    const lines = pdf.pages[contents]!.split("\n").map((l) => l.trim());
    const entries = lines.flatMap((line) => {
      const m = /^(.+?)\s*(\d+)$/.exec(line);
      return m && !line.startsWith("Page") && !line.startsWith("hsm-audit")
        ? [{ title: m[1]!, page: Number(m[2]) }]
        : [];
    });
    expect(entries.map((e) => e.title)).toEqual(
      expect.arrayContaining([
        "Scope of the evidence",
        "Executive summary",
        "Findings to act on",
        "Appendix C: attachments",
      ]),
    );
    let previous = contents + 1;
    for (const { title, page } of entries) {
      // The section's heading (a group's without the count the contents add) is on the page named, in reading order.
      const heading = title.replace(/ \(\d+\)$/, "");
      expect(page).toBeGreaterThanOrEqual(previous);
      expect(squeeze(pdf.bodies[page - 1]!)).toContain(squeeze(heading));
      previous = page;
    }
    expect(pdf.linkTargets.filter((t) => t.startsWith("contents-")).length).toBe(entries.length);
  });

  test("states what is point-in-time and what covers the period, and has the sign-off lines", () => {
    const page = squeeze(pdf.bodies.find((b) => b.includes("Scope of the evidence") && b.includes("Prepared by"))!);
    expect(page).toContain(squeeze(`read once during the scan (${result.startedAt} to ${result.finishedAt})`));
    expect(page).toContain(squeeze(`${result.logWindow.start} to ${result.logWindow.end}`));
    for (const label of ["Preparedby", "Reviewedby", "Name", "Role", "Date", "Signature"])
      expect(page).toContain(label);
  });
});

test("--pdf-detail summary attaches result.json and the snapshot, and prints the SHA-256 of the bytes attached", async () => {
  const result = hostileResult();
  const json = renderJsonBytes(result);
  const snapshotFile = join(dir, "snapshot.json");
  writeFileSync(snapshotFile, '{"kind":"hsm-audit-snapshot","note":"bytes as they are"}\n');
  const pdf = await render(result, "attached.pdf", {
    resultSha256: json.sha256,
    resultJson: json.bytes,
    snapshotFile,
  });
  expect([...pdf.attachments.keys()].sort()).toEqual(["result.json", "snapshot.json"]);
  const appendix = squeeze(pdf.bodies[pdf.bodies.length - 1]!);
  expect(appendix).toContain("AppendixC:attachments");
  for (const [name, bytes] of pdf.attachments) {
    const digest = createHash("sha256").update(bytes).digest("hex");
    expect(appendix).toContain(`${name}`);
    expect(appendix).toContain(digest);
  }
  expect(bytesOf(pdf.attachments.get("result.json")!)).toBe(bytesOf(json.bytes));
  expect(createHash("sha256").update(pdf.attachments.get("result.json")!).digest("hex")).toBe(json.sha256);
});

test("a snapshot of several megabytes is streamed in whole, and one that cannot be read is named as not attached", async () => {
  const big = join(dir, "big-snapshot.json");
  // Several read chunks, not all alike: what is attached is the whole file, in order.
  const text = `[${Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ i, body: `record ${i * 7919}` })).join(",")}]\n`;
  writeFileSync(big, text);
  const pdf = await render(hostileResult(), "big.pdf", { snapshotFile: big });
  const attached = pdf.attachments.get("big-snapshot.json")!;
  expect(attached.byteLength).toBeGreaterThan(2_000_000);
  expect(Buffer.from(attached).toString("utf8")).toBe(text);
  expect(squeeze(pdf.bodies[pdf.bodies.length - 1]!)).toContain(createHash("sha256").update(text).digest("hex"));

  const gone = join(dir, "no-such-snapshot.json");
  const without = await render(hostileResult(), "gone.pdf", { snapshotFile: gone });
  expect(without.attachments.size).toBe(0);
  expect(squeeze(without.bodies[without.bodies.length - 1]!)).toContain(
    squeeze(`The snapshot ${gone} could not be read (ENOENT): it is not attached.`),
  );
});

test("without result.json's bytes or a snapshot, Appendix C says what is not attached", async () => {
  const pdf = await render(hostileResult(), "bare.pdf");
  expect(pdf.attachments.size).toBe(0);
  const appendix = squeeze(pdf.bodies[pdf.bodies.length - 1]!);
  expect(appendix).toContain(squeeze("result.json is not attached"));
  expect(appendix).toContain(squeeze("No snapshot is attached"));
});

test("the full layout attaches result.json too, and keeps its pages: no contents, verdict table or Appendix C", async () => {
  const result = largeResult(20, 4);
  const json = renderJsonBytes(result);
  const pdf = await render(result, "full.pdf", {
    pdfDetail: "full",
    resultSha256: json.sha256,
    resultJson: json.bytes,
  });
  expect([...pdf.attachments.keys()]).toEqual(["result.json"]);
  expect(pdf.outline.map((o) => o.title)).toEqual([
    "Cover",
    "Executive summary",
    ...buildView(result, json.sha256).sections.map((s) => `Subscription ${s.name}`),
    "Errors and completeness",
    "Appendix A: methodology",
    "Appendix B: evidence index",
  ]);
  expect(pdf.linkTargets.filter((t) => t.startsWith("contents-") || t.startsWith("group-"))).toEqual([]);
});

test.each([
  ["a name of two characters is never a mark", "No setting of ab: ab is bare.", "ab", "No setting of ab: ab is bare."],
  ["a name the message does not hold", "Nothing here.", "chsm-1", "Nothing here."],
  ["every place the name appears", "chsm-1 (chsm-1) fails.", "chsm-1", `${NAME_MARK} (${NAME_MARK}) fails.`],
])("sharedMessage: %s", (_, message, name, expected) => {
  expect(sharedMessage(message, name)).toBe(expected);
  expect(sharedMessage(message, name).split(NAME_MARK).join(name)).toBe(message);
});
