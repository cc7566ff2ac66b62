// report.pdf: the evidence pack an auditor files. pdfkit writes it page by page into the output stream (nothing
// holds the whole document), with embedded DejaVu fonts so the text is selectable and searchable, an outline per
// subscription and HSM, tables whose headers repeat after a page break, and "page X of Y" footers whose total is a
// form XObject written once the last page is known.
//
// ./typesetter.ts sets the text (the only module that touches pdfkit's private parts), ./layout.ts has the page and
// its building blocks, and ./sections/ the document's sections in their reading order.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import PDFDocument from "pdfkit";
import type { Result } from "../../model/result.js";
import { buildView } from "../view.js";
import type { RenderContext } from "../outputs.js";
import { printableResult } from "../printable.js";
import { LAYOUT, Layout, PAPER } from "./layout.js";
import { createTypesetter } from "./typesetter.js";
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

/** zlib level of the page content streams. */
const CONTENT_LEVEL = 6;
