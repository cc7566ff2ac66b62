// report.pdf: the evidence pack an auditor files. pdfkit writes it page by page into the output stream (nothing
// holds the whole document), with embedded DejaVu fonts so the text is selectable and searchable, an outline per
// subscription and HSM, tables whose headers repeat after a page break, and "page X of Y" footers whose total is a
// form XObject written once the last page is known.
//
// ./typesetter.ts sets the text (the only module that touches pdfkit's private parts), ./layout.ts has the page and
// its building blocks, and ./sections/ the document's sections in their reading order.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import PDFDocument from "pdfkit";
import type { Result } from "../../model/result.js";
import { buildView } from "../view.js";
import { PACK_FILES, type RenderContext } from "../outputs.js";
import { printableResult } from "../printable.js";
import { LAYOUT, Layout, PAPER } from "./layout.js";
import { attachFile, createTypesetter } from "./typesetter.js";
import { cover } from "./sections/cover.js";
import { summary } from "./sections/summary.js";
import { subscription } from "./sections/subscription.js";
import { hsm } from "./sections/hsm.js";
import type { ShownFixes } from "./sections/fixes.js";
import { waivers } from "./sections/waivers.js";
import { errors } from "./sections/errors.js";
import { methodology } from "./sections/methodology.js";
import { evidenceIndex } from "./sections/evidence.js";
import { changes } from "./sections/changes.js";
import { contents, type ContentsEntry } from "./sections/contents.js";
import { scopeAndSignOff } from "./sections/signoff.js";
import { verdicts } from "./sections/verdicts.js";
import { findingGroups, groupAnchor, groups, groupsOf, type FindingGroup } from "./sections/groups.js";
import { attachments, type Attachment } from "./sections/attachments.js";
import type { ReportView } from "../view.js";

const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")), "ttf");
let fonts: { sans: Buffer; bold: Buffer; mono: Buffer } | undefined;
function fontFiles() {
  fonts ??= {
    sans: readFileSync(join(FONT_DIR, "DejaVuSans.ttf")),
    bold: readFileSync(join(FONT_DIR, "DejaVuSans-Bold.ttf")),
    mono: readFileSync(join(FONT_DIR, "DejaVuSansMono.ttf")),
  };
  return fonts;
}

export async function renderPdf(given: Result, context: RenderContext, out: Writable): Promise<void> {
  const result = printableResult(given);
  const view = buildView(result, context.resultSha256);
  const [width, height] = PAPER[context.paper];
  const doc = new PDFDocument({
    size: [width, height],
    margins: LAYOUT.margins,
    autoFirstPage: false,
    bufferPages: false,
    compress: true,
    pdfVersion: "1.7",
    lang: "en",
    displayTitle: true,
    info: {
      Title: `${view.title}: ${view.period.label}`,
      Author: view.tool,
      Subject: `${view.verdict}. ${view.meaning}`,
      Keywords: "HSM, audit trail, diagnostic settings, evidence",
      CreationDate: new Date(view.generatedAt),
      ModDate: new Date(view.generatedAt),
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
    doc.on("error", reject);
  });
  doc.pipe(out);
  const f = fontFiles();
  doc.registerFont("sans", f.sans);
  doc.registerFont("bold", f.bold);
  doc.registerFont("mono", f.mono);
  const p = new Layout(doc, createTypesetter(doc, CONTENT_LEVEL), view, result.runId ?? result.startedAt);
  p.start();
  const attached = await attach(doc, context, view);

  if ((context.pdfDetail ?? "summary") === "summary") {
    const all = findingGroups(view);
    cover(p, view, "summary");
    contents(p, contentsOf(view, all));
    changes(p, result);
    scopeAndSignOff(p, view);
    summary(p, view, all);
    await verdicts(p, view, groupsOf(all));
    await groups(p, all);
    waivers(p, view);
    errors(p, view);
    methodology(p, view);
    // The evidence the printed findings cite: those of the groups, and every tenant finding (the summary lists them).
    const cited = new Set([...all.flatMap((g) => g.findings), ...view.tenantFindings].flatMap((f) => f.evidence));
    await evidenceIndex(p, view, cited);
    attachments(p, attached.files, attached.missing);
    p.finish();
    doc.end();
    await done;
    return;
  }

  cover(p, view);
  changes(p, result);
  summary(p, view);
  const shown: ShownFixes = new Map();
  let written = 0;
  for (const section of view.sections) {
    const outline = subscription(p, shown, section.name, section.id, section.findings);
    for (const h of section.hsms) {
      hsm(p, shown, h, outline);
      // Let the output stream take what was written, and now and then forget the shaped words (ids and names
      // mostly seen once): memory stays bounded by one HSM's pages.
      if (++written % 25 === 0) p.forgetWords();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  waivers(p, view);
  errors(p, view);
  methodology(p, view);
  await evidenceIndex(p, view);
  p.finish();
  doc.end();
  await done;
}

/** The printed contents of the summary layout, in its reading order. */
function contentsOf(view: ReportView, all: FindingGroup[]): ContentsEntry[] {
  return [
    { key: "scope", title: "Scope of the evidence", level: 1 },
    { key: "signoff", title: "Sign-off", level: 2 },
    { key: "summary", title: "Executive summary", level: 1 },
    { key: "verdicts", title: `HSM verdicts (${view.hsmCount})`, level: 1 },
    ...(view.sections.some((s) => s.findings.length > 0)
      ? [{ key: "subscriptions", title: "Subscriptions", level: 2 as const }]
      : []),
    { key: "groups", title: "Findings to act on", level: 1 },
    ...all.map((g) => ({
      key: groupAnchor(g.n),
      title: `${g.n}. ${g.status.symbol} ${g.status.word} · ${g.severity} · ${g.policyId} (${g.findings.length})`,
      level: 2 as const,
    })),
    ...(view.waivers ? [{ key: "waivers", title: "Waivers", level: 1 as const }] : []),
    { key: "errors", title: "Errors and completeness", level: 1 },
    { key: "methodology", title: "Appendix A: methodology", level: 1 },
    { key: "evidence", title: "Appendix B: evidence index", level: 1 },
    { key: "attachments", title: "Appendix C: attachments", level: 1 },
  ];
}

/**
 * Attaches result.json (the bytes written, which the cover's digest is of) and the snapshot file, when the context
 * has them; returns what was attached, with the SHA-256 of the bytes attached, and what could not be.
 */
async function attach(doc: PDFKit.PDFDocument, context: RenderContext, view: ReportView) {
  const files: Attachment[] = [];
  const missing: string[] = [];
  const when = new Date(view.generatedAt);
  const add = async (source: string | Uint8Array, name: string, what: string) => {
    const attached = await attachFile(doc, source, name, when, (sha256) => `${what} (SHA-256 ${sha256})`);
    files.push({ ...attached, what });
  };
  if (context.resultJson) {
    await add(context.resultJson, "result.json", "The result: every finding, resource and evidence record.");
  } else {
    missing.push(
      "result.json is not attached: this PDF was rendered without it. It sits beside this file in the pack.",
    );
  }
  if (context.snapshotFile) {
    // Streamed from the file: the renderer holds its compressed bytes only. Nothing is written into the PDF until
    // the whole file was read.
    try {
      await add(
        context.snapshotFile,
        basename(context.snapshotFile),
        "The snapshot the result was evaluated from: everything read, with the evidence of each exchange.",
      );
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (!code) throw error;
      missing.push(`The snapshot ${context.snapshotFile} could not be read (${code}): it is not attached.`);
    }
  } else if (context.snapshotBytes) {
    await add(
      context.snapshotBytes,
      PACK_FILES.snapshot,
      "The snapshot the result was evaluated from (the signed pack's snapshot.json): everything read, with the evidence of each exchange.",
    );
  } else {
    missing.push(
      "No snapshot is attached: the result was not rendered from a saved snapshot (scan --snapshot-out, evaluate --snapshot or a signed pack attaches it).",
    );
  }
  return { files, missing };
}

/** zlib level of the page content streams. */
const CONTENT_LEVEL = 6;
