// report.pdf: the evidence pack an auditor files. pdfkit writes it page by page into the output stream (nothing
// holds the whole document), with embedded DejaVu fonts so the text is selectable and searchable, an outline per
// subscription and HSM, tables whose headers repeat after a page break, and "page X of Y" footers whose total is a
// form XObject written once the last page is known.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import PDFDocument from "pdfkit";
import type { Result } from "../model/result.js";
import {
  STATUS_LABEL,
  buildView,
  evidenceAnchor,
  type ActivityView,
  type FindingView,
  type HsmView,
  type ReportView,
} from "./view.js";
import type { RenderContext } from "./outputs.js";
import { LAYOUT, PAPER, STATUS_COLOR } from "./pdf-layout.js";
import { CUT_NOTE, printableResult } from "./printable.js";
import { Typesetter, num, type FontName, type Style } from "./pdf-type.js";

type Doc = PDFKit.PDFDocument;

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

interface Column {
  header: string;
  width: number;
}

/** A block of text in a table cell. */
interface Part {
  text: string;
  font?: FontName;
  color?: string;
  /** A size smaller than the table's. */
  small?: boolean;
  /** Evidence ids, shown instead of the text, each a link to its entry in the index. */
  ids?: string[];
}
/** A block of monospaced text. */
const mono = (text: string): Part => ({ text, font: "mono" });

/** A table cell: one block, or several stacked. */
type Cell = Part | Part[];

interface Row {
  cells: Cell[];
  /** Drawn under the cells, across the columns from the table's `spanFrom`. */
  span?: Cell;
  /** A named destination at the top of the row. */
  anchor?: string;
}

/** A line of a laid-out cell. */
interface CellLine {
  line: string;
  style: Style;
  height: number;
  links: boolean;
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
  const pdf = new Writer(doc, new Typesetter(doc, CONTENT_LEVEL), view, result.runId ?? result.startedAt);
  pdf.start();

  pdf.cover();
  pdf.summary();
  let written = 0;
  for (const section of view.sections) {
    pdf.subscription(section.name, section.id, section.findings);
    for (const hsm of section.hsms) {
      pdf.hsm(hsm);
      // Let the output stream take what was written, and now and then forget the shaped words (ids and names
      // mostly seen once): memory stays bounded by one HSM's pages.
      if (++written % 25 === 0) pdf.forgetWords();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  pdf.waivers();
  pdf.errors();
  pdf.methodology();
  await pdf.evidenceIndex();
  pdf.finish();
  doc.end();
  await done;
}

class Writer {
  private pages = 0;
  private readonly total: PDFKit.PDFKitReference;
  private readonly contentWidth: number;
  private readonly bottom: number;
  private readonly left = LAYOUT.margins.left;
  /** The top of what is written next on the page. */
  private y = LAYOUT.margins.top;

  constructor(
    private readonly doc: Doc,
    private readonly type: Typesetter,
    private readonly view: ReportView,
    private readonly runId: string,
  ) {
    const [width, height] = doc.options.size as [number, number];
    this.contentWidth = width - LAYOUT.margins.left - LAYOUT.margins.right;
    this.bottom = height - LAYOUT.margins.bottom;
    this.total = doc.ref({ Type: "XObject", Subtype: "Form", BBox: [0, -4, 60, 12] });
  }

  start() {
    this.type.start();
    this.doc.on("pageAdded", () => this.decorate());
  }

  /** Header and footer of every page; the total page count is drawn by reference. */
  private decorate() {
    const doc = this.doc;
    this.pages++;
    const { left, right, top } = LAYOUT.margins;
    const width = doc.page.width;
    const small: Style = { font: "sans", size: 7.5, color: LAYOUT.muted };
    const half = this.contentWidth / 2;
    this.type.draw([this.fit(`${this.view.title} · ${this.view.period.label}`, small, half)], left, top - 26, small);
    this.type.draw([this.fit(this.view.verdict, small, half)], left + half, top - 26, small, {
      right: width - right,
    });
    doc
      .moveTo(left, top - 14)
      .lineTo(width - right, top - 14)
      .lineWidth(0.5)
      .strokeColor(LAYOUT.rule)
      .stroke();
    const footerY = doc.page.height - 34;
    this.type.draw(
      [this.fit(`${this.view.tool} · run ${this.runId}`, small, this.contentWidth - 90)],
      left,
      footerY,
      small,
    );
    const label = `Page ${this.pages} of `;
    const x = width - right - 90;
    this.type.draw([label], x, footerY, small);
    // The total: a form XObject filled in when the document ends.
    (doc.page as unknown as { xobjects: Record<string, unknown> }).xobjects.Total = this.total;
    const labelWidth = this.type.width(label, "sans", 7.5);
    doc.addContent(`q 1 0 0 -1 ${num(x + labelWidth)} ${num(footerY + 6.8)} cm /Total Do Q`);
    this.y = top;
  }

  /** The text cut to one line of `width` (the page header and footer never wrap). */
  private fit(text: string, style: Style, width: number): string {
    return this.type.lines(text, style.font, style.size, width)[0] ?? "";
  }

  /** Forgets the shaped words seen so far, once there are many. */
  forgetWords() {
    this.type.trim();
  }

  finish() {
    const doc = this.doc;
    doc.font("sans");
    const font = (doc as unknown as { _font: PdfFont })._font;
    const [glyphs] = font.encode(String(this.pages));
    (this.total.data as Record<string, unknown>).Resources = { Font: { [font.id]: font.dictionary } };
    this.total.end(`BT 0.35 g /${font.id} 7.5 Tf 0 0 Td <${glyphs.join("")}> Tj ET`);
  }

  // ---- building blocks ------------------------------------------------------------------------------------------

  private newPage() {
    this.doc.addPage();
    this.y = LAYOUT.margins.top;
  }

  private ensure(space: number) {
    if (this.y + space > this.bottom) this.newPage();
  }

  private lh(size: number) {
    return this.type.lineHeight(size);
  }

  /**
   * Wrapped text from the cursor down, continued on the next page where the page ends; leaves the cursor under it.
   */
  private flow(text: string, style: Style, x = this.left, width = this.contentWidth) {
    const lines = this.type.lines(text, style.font, style.size, width);
    const lh = this.lh(style.size);
    let i = 0;
    while (i < lines.length) {
      if (this.y + lh > this.bottom) this.newPage();
      const n = Math.max(1, Math.min(lines.length - i, Math.floor((this.bottom - this.y) / lh)));
      this.type.draw(lines.slice(i, i + n), x, this.y, style);
      this.y += n * lh;
      i += n;
    }
  }

  private heading(text: string, level: 1 | 2 | 3, options: { color?: string } = {}) {
    const size = level === 1 ? 17 : level === 2 ? 13.5 : 10.5;
    // Room for the heading and the first lines of what follows: a heading never ends a page.
    this.ensure(size * 4 + 60);
    if (level !== 1) this.y += this.lh(LAYOUT.body) * 0.6;
    this.flow(text, { font: "bold", size, color: options.color ?? LAYOUT.text });
    if (level === 1) {
      this.doc
        .moveTo(this.left, this.y + 2)
        .lineTo(this.left + this.contentWidth, this.y + 2)
        .lineWidth(1.2)
        .strokeColor(LAYOUT.text)
        .stroke();
      this.y += this.lh(size) * 0.6;
    } else this.y += this.lh(size) * 0.25;
  }

  private paragraph(text: string, options: { size?: number; color?: string; font?: FontName } = {}) {
    const style: Style = {
      font: options.font ?? "sans",
      size: options.size ?? LAYOUT.body,
      color: options.color ?? LAYOUT.text,
    };
    const lh = this.lh(style.size);
    const lines = this.type.lines(text, style.font, style.size, this.contentWidth).length;
    this.ensure(lines * lh > 200 ? 40 : lh * 2);
    this.flow(text, style);
    this.y += lh * 0.35;
  }

  /** Label/value pairs, the value wrapped (ids are never cut, only broken across lines). */
  private keyValues(rows: { label: string; value: string; mono?: boolean }[], labelWidth = 130) {
    const valueWidth = this.contentWidth - labelWidth;
    const label: Style = { font: "sans", size: LAYOUT.body, color: LAYOUT.muted };
    const lh = this.lh(LAYOUT.body);
    for (const row of rows) {
      const style: Style = { font: row.mono ? "mono" : "sans", size: LAYOUT.body, color: LAYOUT.text };
      const lines = this.type.lines(row.value || " ", style.font, style.size, valueWidth);
      const h = lines.length * lh;
      this.ensure(h + 2);
      this.type.draw([this.fit(row.label, label, labelWidth - 8)], this.left, this.y, label);
      this.type.draw(lines, this.left + labelWidth, this.y, style);
      this.y += h + 2;
    }
    this.y += lh * 0.3;
  }

  /**
   * A table whose header is drawn again at the top of every page it continues on. A row may carry a `span` drawn
   * under its cells from column `spanFrom` to the right edge. A row moves to the next page when it does not fit;
   * one taller than a page is continued line by line.
   */
  private table(
    columns: Column[],
    rows: (Row | Cell[])[],
    options: { size?: number; continues?: boolean; spanFrom?: number } = {},
  ) {
    const doc = this.doc;
    const size = options.size ?? LAYOUT.tableBody;
    const pad = 3;
    const left = this.left;
    const scale = this.contentWidth / columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => c.width * scale);
    const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const spanX = xs[options.spanFrom ?? 0]!;
    const spanWidth = left + this.contentWidth - spanX;
    const lh = this.lh(size);
    const header: Style = { font: "bold", size, color: LAYOUT.text };
    const headerLines = columns.map((c, i) => this.type.lines(c.header, "bold", size, widths[i]! - 2 * pad));
    const headerHeight = Math.max(...headerLines.map((l) => l.length)) * lh + 2 * pad;
    const drawHeader = () => {
      const y = this.y;
      doc.rect(left, y, this.contentWidth, headerHeight).fillColor(LAYOUT.headerFill).fill();
      headerLines.forEach((lines, i) => this.type.draw(lines, xs[i]! + pad, y + pad, header));
      this.y = y + headerHeight;
    };
    const continueOnNewPage = () => {
      this.newPage();
      drawHeader();
    };
    /** A cell as lines, each with its style (and the ids it shows, for links). */
    const layout = (cell: Cell, width: number): CellLine[] =>
      (Array.isArray(cell) ? cell : [cell]).flatMap((part) => {
        const small = part.small || part.ids ? 1.5 : 0;
        const style: Style = {
          font: part.ids ? "mono" : (part.font ?? "sans"),
          size: size - small,
          color: part.color ?? (part.ids ? LAYOUT.link : LAYOUT.text),
        };
        const text = part.ids ? part.ids.join(" ") : part.text || " ";
        const h = this.lh(style.size);
        return this.type.lines(text, style.font, style.size, width).map((line) => ({
          line,
          style,
          height: h,
          links: Boolean(part.ids),
        }));
      });
    const height = (lines: CellLine[]) => lines.reduce((s, l) => s + l.height, 0);
    const laid = rows.map((given) => {
      const row = Array.isArray(given) ? { cells: given } : given;
      const cells = row.cells.map((cell, i) => layout(cell, widths[i]! - 2 * pad));
      const span = row.span ? layout(row.span, spanWidth - 2 * pad) : undefined;
      const cellsHeight = Math.max(...cells.map(height)) + 2 * pad;
      return { cells, span, cellsHeight, height: cellsHeight + (span ? height(span) + pad : 0), anchor: row.anchor };
    });
    const first = laid[0]?.height ?? 0;
    if (!options.continues || this.y + Math.min(first, 120) > this.bottom) {
      this.ensure(headerHeight + Math.min(first, 120));
      drawHeader();
    }
    const fresh = this.bottom - LAYOUT.margins.top - headerHeight;
    for (const row of laid) {
      if (this.y + row.height > this.bottom && (row.height <= fresh || this.y + 3 * lh + 2 * pad > this.bottom)) {
        continueOnNewPage();
      }
      if (row.anchor) doc.addNamedDestination(row.anchor, "XYZ", left, this.y, null);
      // The cells side by side, then the span under them; each continued on the next page where the page ends.
      const bands: { x: number[]; lines: CellLine[][]; top: number }[] = [
        { x: xs, lines: row.cells, top: pad },
        ...(row.span ? [{ x: [spanX], lines: [row.span], top: 0 }] : []),
      ];
      for (const band of bands) {
        let rest = band.lines;
        let top = band.top;
        for (;;) {
          const room = this.bottom - this.y - top - pad;
          const taken = rest.map((lines) => {
            let used = 0;
            let n = 0;
            while (n < lines.length && used + lines[n]!.height <= room + 0.01) used += lines[n++]!.height;
            return n;
          });
          const y = this.y + top;
          taken.forEach((n, i) => this.cellLines(rest[i]!.slice(0, n), band.x[i]! + pad, y));
          const done = taken.every((n, i) => n === rest[i]!.length);
          this.y = y + Math.max(...rest.map((lines, i) => height(lines.slice(0, taken[i]))));
          if (done) break;
          rest = rest.map((lines, i) => lines.slice(taken[i]));
          continueOnNewPage();
          top = pad;
        }
        this.y += pad;
      }
      this.rule(this.y, 0.4);
    }
    if (!options.continues) this.y += this.lh(LAYOUT.body) * 0.5;
  }

  /** A table cell's lines from (x, y) down: one text run per style, and a link over each evidence id. */
  private cellLines(lines: CellLine[], x: number, y: number) {
    let i = 0;
    let top = y;
    while (i < lines.length) {
      const first = lines[i]!;
      let end = i + 1;
      while (end < lines.length && lines[end]!.style === first.style) end++;
      const run = lines.slice(i, end).map((l) => l.line);
      this.type.draw(run, x, top, first.style);
      if (first.links) this.evidenceLinks(run, x, top, first.style.size);
      top += (end - i) * first.height;
      i = end;
    }
  }

  /** A link over each evidence id of the lines (ids separated by spaces) to its entry in the index. */
  private evidenceLinks(lines: string[], x: number, y: number, size: number) {
    const lh = this.lh(size);
    const space = this.type.width(" ", "mono", size);
    lines.forEach((line, n) => {
      let at = x;
      for (const id of line.split(" ")) {
        const w = this.type.width(id, "mono", size);
        this.doc.goTo(at, y + n * lh, w, lh, evidenceAnchor(id));
        at += w + space;
      }
    });
  }

  /** A thin rule across the content width. */
  private rule(y: number, width: number) {
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.contentWidth, y)
      .lineWidth(width)
      .strokeColor(LAYOUT.rule)
      .stroke();
  }

  /** Status over severity, the status in its colour. */
  private statusCell(v: FindingView): Part[] {
    return [
      { text: `${v.status.symbol} ${v.status.word}`, color: STATUS_COLOR[v.status.key], font: "bold" },
      { text: v.finding.severity, color: LAYOUT.muted },
    ];
  }

  /** The policy's id over its title. */
  private policyCell(policyId: string, title: string): Part[] {
    return [{ text: policyId }, { text: title, color: LAYOUT.muted }];
  }

  /** Every finding with its status, policy, message and evidence (the findings of one HSM or scope). */
  private findingsTable(findings: FindingView[]) {
    this.table(
      [
        { header: "Status", width: 50 },
        { header: "Policy", width: 128 },
        { header: "Why", width: 279 },
        { header: "Evidence", width: 46 },
      ],
      findings.map((v) => ({
        cells: [
          this.statusCell(v),
          this.policyCell(v.finding.policyId, v.finding.title),
          { text: v.finding.message },
          v.evidence.length ? { text: "", ids: v.evidence } : { text: "none", color: LAYOUT.muted },
        ],
      })),
    );
  }

  /**
   * Findings grouped by status and policy, with the resources each concerns: what needs attention, at a glance.
   * Each finding's message, evidence and fix are in its HSM's (or subscription's) section.
   */
  private findingGroups(findings: FindingView[]) {
    const groups = new Map<string, FindingView[]>();
    for (const v of findings) {
      const key = `${v.status.key}\u0000${v.finding.severity}\u0000${v.finding.policyId}`;
      const group = groups.get(key);
      if (group) group.push(v);
      else groups.set(key, [v]);
    }
    this.table(
      [
        { header: "Status", width: 50 },
        { header: "Policy", width: 128 },
        { header: "Where (each finding is in its HSM's or subscription's section)", width: 325 },
      ],
      [...groups.values()].map((group) => {
        const v = group[0]!;
        return {
          cells: [
            this.statusCell(v),
            this.policyCell(v.finding.policyId, v.finding.title),
            [
              { text: `${group.length} finding${group.length === 1 ? "" : "s"}`, color: LAYOUT.muted },
              { text: group.map((f) => f.resourceName).join(", ") },
            ],
          ],
        };
      }),
    );
  }

  /** Lines of code on a rule, marked lines highlighted; long lines wrap. */
  /** The lines of a code block as wrapped to the page. */
  private codeLines(lines: { text: string; mark?: boolean }[], size: number) {
    const width = this.contentWidth - 12;
    return lines.flatMap((line) =>
      this.type.lines(line.text, "mono", size, width).map((text) => ({ text, mark: Boolean(line.mark) })),
    );
  }

  /**
   * A command block under its label, kept on one page when it fits on one: a reader copies a command whole, and a
   * page's running header never lands inside it. A block longer than a page is continued as any code.
   */
  private command(label: string, text: string, size = 7.5) {
    const lines = text.split("\n").map((line) => ({ text: line }));
    const labelHeight = this.lh(7.5) * 1.35;
    const height = labelHeight + this.codeLines(lines, size).length * this.lh(size) + 4;
    if (height <= this.bottom - LAYOUT.margins.top) this.ensure(height);
    this.paragraph(label, { size: 7.5, color: LAYOUT.muted });
    this.code(lines, size);
  }

  private code(lines: { text: string; mark?: boolean }[], size = 7.5) {
    const doc = this.doc;
    const x = this.left;
    const lh = this.lh(size);
    const wrapped = this.codeLines(lines, size);
    let i = 0;
    while (i < wrapped.length) {
      if (this.y + lh + 2 > this.bottom) this.newPage();
      const n = Math.max(1, Math.min(wrapped.length - i, Math.floor((this.bottom - this.y - 2) / lh)));
      const chunk = wrapped.slice(i, i + n);
      const y = this.y;
      doc
        .rect(x, y - 1, 2, n * lh + 1)
        .fillColor(LAYOUT.rule)
        .fill();
      chunk.forEach((line, k) => {
        if (line.mark)
          doc
            .rect(x + 2, y + k * lh - 1, this.contentWidth - 2, lh + 1)
            .fillColor(LAYOUT.mark)
            .fill();
      });
      // Consecutive lines of one colour are one text object.
      let k = 0;
      while (k < chunk.length) {
        let end = k + 1;
        while (end < chunk.length && chunk[end]!.mark === chunk[k]!.mark) end++;
        this.type.draw(
          chunk.slice(k, end).map((l) => l.text),
          x + 6,
          y + k * lh,
          { font: "mono", size, color: chunk[k]!.mark ? LAYOUT.text : LAYOUT.code },
        );
        k = end;
      }
      this.y = y + n * lh;
      i += n;
    }
    this.y += this.lh(LAYOUT.body) * 0.4;
  }

  // ---- sections ---------------------------------------------------------------------------------------------------

  cover() {
    const v = this.view;
    const doc = this.doc;
    this.newPage();
    doc.outline.addItem("Cover");
    this.y += this.lh(12) * 2;
    this.flow(`${v.tool.toUpperCase()} · EVIDENCE PACK`, { font: "sans", size: 9, color: LAYOUT.muted });
    this.y += this.lh(9) * 0.4;
    this.flow(v.title, { font: "bold", size: 24, color: LAYOUT.text });
    this.y += this.lh(24) * 0.3;
    this.flow(`Period covered: ${v.period.label}`, { font: "sans", size: 13, color: LAYOUT.text });
    this.y += this.lh(13) * 1.2;
    const y = this.y;
    const color = v.compliant ? STATUS_COLOR.pass : STATUS_COLOR.fail;
    const meaning = this.type.lines(v.meaning, "sans", 10, this.contentWidth - 24);
    const h = meaning.length * this.lh(10) + 34;
    doc.rect(this.left, y, this.contentWidth, h).fillColor(LAYOUT.headerFill).fill();
    doc.rect(this.left, y, 5, h).fillColor(color).fill();
    this.type.draw([`${v.compliant ? "✓" : "✗"} ${v.verdict}`], this.left + 14, y + 8, {
      font: "bold",
      size: 16,
      color,
    });
    this.type.draw(meaning, this.left + 14, y + 8 + this.lh(16) + 2, { font: "sans", size: 10, color: LAYOUT.text });
    this.y = y + h + 18;
    this.keyValues([
      { label: "Period covered", value: `${v.period.start} to ${v.period.end} (${v.period.duration})` },
      { label: "Cloud", value: v.cloud },
      { label: "Tenant", value: v.tenants.join(", ") || "not stated by ARM", mono: v.tenants.length > 0 },
      {
        label: "Subscriptions in scope",
        value: v.subscriptions.map((s) => (s.name === s.id ? s.id : `${s.name} (${s.id})`)).join("\n") || "none listed",
      },
      { label: "HSMs", value: String(v.hsmCount) },
      { label: "Generated", value: `${v.generatedAt} (scan started ${v.startedAt})` },
      { label: "Tool", value: v.tool },
      { label: "Run id", value: this.runId, mono: true },
      {
        label: "Policy pack",
        value: v.policyPack ? `${v.policyPack.version}\nSHA-256 ${v.policyPack.sha256}` : "not recorded",
      },
      { label: "result.json SHA-256", value: v.resultSha256, mono: true },
      { label: "Fail-on threshold", value: v.failOn },
      ...(v.clock ? [{ label: "Clocks", value: v.clock.text }] : []),
    ]);
    this.y += this.lh(LAYOUT.body);
    this.paragraph(
      "How to read this pack: the executive summary gives the verdict and what needs attention; each subscription and HSM " +
        "follows with every policy's status, the evidence it rests on (ids that point into Appendix B), the diagnostic " +
        "settings as read, their destinations, the audit records found, and the fix for each failure. Statuses are " +
        "always written out: ✓ PASS, ✗ FAIL, ! ERROR (not proven), ? MANUAL (evidence to supply by hand), ~ WAIVED, – N/A.",
      { size: 8.5, color: LAYOUT.muted },
    );
    if (this.view.cut) this.paragraph(CUT_NOTE, { size: 8.5, color: LAYOUT.muted });
  }

  summary() {
    const v = this.view;
    const doc = this.doc;
    this.newPage();
    doc.outline.addItem("Executive summary");
    this.heading("Executive summary", 1);
    this.paragraph(`${v.verdict}. ${v.meaning}`, { font: "bold" });
    // Status counts, each a box with symbol, count and word.
    const boxes = v.statusCounts;
    const gap = 6;
    const w = (this.contentWidth - gap * (boxes.length - 1)) / boxes.length;
    this.ensure(48);
    const y = this.y;
    boxes.forEach((b, i) => {
      const x = this.left + i * (w + gap);
      doc.rect(x, y, w, 40).lineWidth(0.6).strokeColor(LAYOUT.rule).stroke();
      doc.rect(x, y, w, 3).fillColor(STATUS_COLOR[b.key]).fill();
      const count: Style = { font: "bold", size: 15, color: STATUS_COLOR[b.key] };
      this.type.draw([this.fit(String(b.count), count, w - 12)], x + 6, y + 8, count);
      const word: Style = { font: "sans", size: 8, color: STATUS_COLOR[b.key] };
      this.type.draw([this.fit(`${b.symbol} ${b.word}`, word, w - 12)], x + 6, y + 27, word);
    });
    this.y = y + 52;
    this.heading("Failing and errored findings by severity", 3);
    this.table(
      [
        { header: "Severity", width: 2 },
        { header: "Fail", width: 1 },
        { header: "Review", width: 1 },
        { header: "Error", width: 1 },
      ],
      v.severityRows.map((r) => [
        { text: r.severity },
        { text: String(r.fail) },
        { text: String(r.review) },
        { text: String(r.error) },
      ]),
    );
    this.heading("HSMs by kind", 3);
    this.table(
      [
        { header: "Kind", width: 3 },
        { header: "HSMs", width: 1 },
        { header: "Pass", width: 1 },
        { header: "Fail", width: 1 },
        { header: "Review", width: 1 },
        { header: "Error", width: 1 },
        { header: "Manual", width: 1 },
      ],
      v.kindRows.length
        ? v.kindRows.map((r) => [
            { text: r.kind },
            { text: String(r.hsms) },
            { text: String(r.pass) },
            { text: String(r.fail) },
            { text: String(r.review) },
            { text: String(r.error) },
            { text: String(r.manual) },
          ])
        : [
            [
              { text: "No HSM was found." },
              { text: "0" },
              { text: "" },
              { text: "" },
              { text: "" },
              { text: "" },
              { text: "" },
            ],
          ],
    );
    this.heading("Needs attention", 2);
    if (v.attention.length) this.findingGroups(v.attention);
    else this.paragraph("No finding failed or errored.");
    if (v.review.length) {
      this.heading("For review (below the fail-on threshold: reported, not counted)", 2);
      this.findingGroups(v.review);
    }
    if (v.tenantFindings.length) {
      this.heading("Tenant", 2);
      this.findingsTable(v.tenantFindings);
    }
  }

  private subscriptionOutline?: PDFKit.PDFOutline;

  subscription(name: string, id: string, findings: FindingView[]) {
    this.newPage();
    this.subscriptionOutline = this.doc.outline.addItem(`Subscription ${name}`);
    this.heading(`Subscription ${name}`, 1);
    this.paragraph(id, { font: "mono", size: 8, color: LAYOUT.muted });
    if (findings.length) {
      this.findingsTable(findings);
      this.fixes(
        findings.filter((f) => f.hasFix && (f.finding.status === "fail" || f.finding.status === "error")),
        `subscription ${name}`,
      );
    }
  }

  hsm(h: HsmView) {
    const doc = this.doc;
    this.ensure(220);
    if (this.y > LAYOUT.margins.top + 40) {
      doc
        .moveTo(this.left, this.y + 4)
        .lineTo(this.left + this.contentWidth, this.y + 4)
        .lineWidth(0.6)
        .strokeColor(LAYOUT.rule)
        .stroke();
      this.y += this.lh(LAYOUT.body) * 0.8;
    }
    // The headline is the worst counted status (as in the HTML); the counts include everything.
    const worst = { ...STATUS_LABEL[h.worst] };
    const review = h.findings.filter((f) => !f.counted).length;
    (this.subscriptionOutline ?? doc.outline).addItem(`${h.resource.name} (${h.kindLabel})`);
    this.heading(`${h.resource.name}`, 2);
    this.flow(
      `${worst.symbol} ${worst.word} · ${h.statusCounts.map((c) => `${c.count} ${c.word}`).join(", ")}${review ? ` (${STATUS_LABEL.review.word}: below the fail-on threshold, not counted)` : ""}`,
      { font: "bold", size: 9, color: STATUS_COLOR[h.worst] },
    );
    this.y += this.lh(9) * 0.3;
    this.keyValues(h.facts.map((fact) => ({ ...fact, mono: fact.label === "Resource id" })));

    this.heading("Findings", 3);
    this.findingsTable(h.findings);

    if (h.manualEvidence) {
      this.heading("Manual evidence expected", 3);
      this.paragraph(h.manualEvidence.description);
      this.paragraph(h.manualEvidence.rationale, { color: LAYOUT.muted });
    }
    if (h.settingsError) {
      this.heading("Diagnostic settings", 3);
      this.paragraph(`! The diagnostic settings could not be read: ${h.settingsError}`, { color: STATUS_COLOR.error });
    }
    if (h.settings) {
      const audit = h.resource.auditCategories?.join(", ");
      this.heading(`Diagnostic settings${audit ? ` (audit trail: ${audit})` : ""}`, 3);
      if (h.settings.length === 0) this.paragraph("✗ No diagnostic setting.", { color: STATUS_COLOR.fail });
      for (const s of h.settings) {
        this.paragraph(
          `${s.name}: ${s.carriesAudit ? "◆ carries the audit category (marked lines)" : "does not carry the audit category"}`,
          { font: "bold", size: 8.5 },
        );
        this.code(s.lines.map((l) => ({ text: l.audit ? `${l.text}   ◆ audit` : l.text, mark: l.audit })));
      }
    }
    if (h.destinations.length) {
      this.heading("Destinations", 3);
      this.table(
        [
          { header: "Kind", width: 64 },
          { header: "Destination", width: 180 },
          { header: "Audit", width: 32 },
          { header: "State", width: 56 },
          { header: "Detail", width: 171 },
        ],
        h.destinations.map((d) => [
          { text: d.kindLabel },
          mono(d.id),
          { text: d.carriesAudit ? "◆ yes" : "no" },
          { text: d.stateText, color: d.state === "exists" ? STATUS_COLOR.pass : STATUS_COLOR.fail },
          { text: d.detail },
        ]),
      );
    }
    if (h.activity.length) {
      this.heading("Log activity", 3);
      for (const a of h.activity) this.activity(a);
    }
    if (h.highlights.length) {
      this.heading("Highlights for review", 3);
      for (const v of h.highlights) this.highlight(v);
    }
    if (h.fixes.length) this.fixes(h.fixes, h.resource.name);
  }

  private activity(a: ActivityView) {
    const records =
      a.records === undefined
        ? ""
        : ` ${a.records} record${a.records === 1 ? "" : "s"} in the window; last record ${a.lastRecord ?? "none"}.`;
    this.paragraph(`${a.workspaceId}: ${a.stateText}${a.message ? ` (${a.message})` : ""}.${records}`, { size: 8.5 });
    if (a.records !== undefined) this.chart(a);
    if (a.details) this.activityDetails(a.details);
  }

  /** What the HSM did: first and last record, longest silence, failures, operations and callers. */
  private activityDetails(d: NonNullable<ActivityView["details"]>) {
    const facts = [
      d.firstRecord ? `First record ${d.firstRecord}, last ${d.lastRecord}.` : "",
      d.longestSilence
        ? `Longest silence ${d.longestSilence.hours}${d.longestSilence.atMostHours !== undefined && d.longestSilence.atMostHours !== d.longestSilence.hours ? ` to ${d.longestSilence.atMostHours}` : ""} hours, from ${d.longestSilence.from} to ${d.longestSilence.to}${d.longestSilence.trailing ? " (the end of the window: nothing written since)" : ""} (counted ${d.bin === "1h" ? "by the hour" : "by the day"}).`
        : "No silence between records.",
      d.outcomesKnown
        ? `${d.failedRequests ?? 0} failed request${d.failedRequests === 1 ? "" : "s"}.`
        : "Cloud HSM logs do not record whether an operation succeeded, so failures cannot be counted.",
    ].filter(Boolean);
    this.paragraph(facts.join(" "), { size: 8.5 });
    if (d.message) this.paragraph(`! ${d.message}`, { size: 8.5, color: STATUS_COLOR.error });
    const known = d.outcomesKnown;
    this.table(
      [
        { header: `Operation (${d.operations.length})`, width: 150 },
        { header: "Command", width: 90 },
        { header: "What it does", width: 170 },
        { header: "Records", width: 45 },
        ...(known ? [{ header: "Failed", width: 40 }] : []),
      ],
      d.operations.length
        ? d.operations.map((o) => [
            mono(o.name),
            { text: o.command ?? "" },
            { text: o.description ?? "" },
            { text: String(o.records) },
            ...(known ? [{ text: String(o.failures ?? 0) }] : []),
          ])
        : [[{ text: "No operation was recorded." }, { text: "" }, { text: "" }, { text: "" }]],
    );
    const shown = d.callers.slice(0, CALLERS_SHOWN);
    this.table(
      [
        { header: `Caller (${d.callers.length})`, width: 80 },
        { header: "Identity", width: 110 },
        { header: "Records", width: 40 },
        ...(known ? [{ header: "Failed", width: 36 }] : []),
        { header: "First seen", width: 110 },
        { header: "Last seen", width: 110 },
      ],
      shown.map((c) => [
        mono(c.address),
        { text: c.identity ?? "" },
        { text: String(c.records) },
        ...(known ? [{ text: String(c.failures ?? 0) }] : []),
        { text: c.first },
        { text: c.last },
      ]),
    );
    if (d.callers.length > shown.length) {
      this.paragraph(`${shown.length} most active of ${d.callers.length} callers shown; result.json lists them all.`, {
        size: 7.5,
        color: LAYOUT.muted,
      });
    }
  }

  /** A highlight for review: what it found, its rows, and the query that found them. */
  private highlight(v: FindingView) {
    const details = v.finding.details!;
    this.ensure(90);
    this.paragraph(`${v.finding.policyId}: ${v.finding.title} (${v.finding.severity})`, { font: "bold", size: 8.5 });
    this.paragraph(v.finding.message, { size: 8.5 });
    this.table(
      [
        { header: "Time (UTC)", width: 110 },
        { header: "Operation", width: 146 },
        { header: "Caller", width: 74 },
        { header: "Identity", width: 90 },
        { header: "Note", width: 83 },
      ],
      details.rows.map((r) => [
        { text: r.time },
        { text: r.operation },
        mono(r.caller),
        { text: r.identity ?? "" },
        { text: r.note ?? "" },
      ]),
    );
    if (details.total > details.rows.length) {
      this.paragraph(`${details.rows.length} of ${details.total} shown.`, { size: 7.5, color: LAYOUT.muted });
    }
    this.paragraph("The query that found them:", { size: 7.5, color: LAYOUT.muted });
    for (const query of details.queries.slice(0, 1))
      this.code(
        query.split("\n").map((text) => ({ text })),
        6.5,
      );
  }

  /** Records per day as vector bars, with the axis labelled by its first and last day and the highest count. */
  private chart(a: ActivityView) {
    const doc = this.doc;
    const height = 70;
    this.ensure(height + 26);
    const left = this.left + 34;
    const right = this.left + this.contentWidth;
    const top = this.y + 4;
    const base = top + height;
    doc.lineWidth(0.5).strokeColor(LAYOUT.muted);
    doc.moveTo(left, base).lineTo(right, base).stroke();
    doc.moveTo(left, top).lineTo(left, base).stroke();
    const slot = (right - left) / Math.max(1, a.days.length);
    const scale = a.maxPerDay > 0 ? height / a.maxPerDay : 0;
    doc.fillColor(LAYOUT.bar);
    a.days.forEach((d, i) => {
      const h = d.records * scale;
      if (h > 0) doc.rect(left + i * slot + slot * 0.12, base - h, Math.max(0.5, slot * 0.76), h).fill();
    });
    const label: Style = { font: "sans", size: 7, color: LAYOUT.muted };
    this.type.draw([String(a.maxPerDay)], this.left, top - 2, label, { right: this.left + 30 });
    this.type.draw(["0"], this.left, base - 6, label, { right: this.left + 30 });
    const first = a.days[0]?.day ?? "";
    const last = a.days[a.days.length - 1]?.day ?? "";
    this.type.draw([first], left, base + 3, label);
    this.type.draw([last], right - 60, base + 3, label, { right });
    this.y = base + 14;
    this.paragraph(`Audit records per day (UTC), ${first} to ${last}; highest ${a.maxPerDay}.`, {
      size: 7.5,
      color: LAYOUT.muted,
    });
  }

  /** The first fix shown with each set of commands: where it is, to refer to from the same commands later. */
  private readonly fixesShown = new Map<string, { policyId: string; where: string; page: number; anchor: string }>();

  /**
   * The az CLI and PowerShell fix of each failure of `where` (an HSM, a subscription). Commands already shown in
   * full (the same fix of another policy, or of another HSM: those that name no resource) are referred to, with a
   * link to them, rather than repeated.
   */
  private fixes(findings: FindingView[], where: string) {
    if (!findings.length) return;
    this.heading("Remediation", 3);
    for (const v of findings) {
      const { azCli, powershell, bicep } = v.finding.remediation;
      const key = `${azCli ?? ""}\u0000${powershell ?? ""}\u0000${bicep ?? ""}`;
      const title = `Fix for ${v.finding.policyId} (${v.status.word}, ${v.finding.severity})`;
      const shown = this.fixesShown.get(key);
      if (shown) {
        this.ensure(40);
        this.paragraph(title, { font: "bold", size: 8.5 });
        const style: Style = { font: "sans", size: 8.5, color: LAYOUT.link };
        const text =
          shown.where === where
            ? `The same commands as the fix for ${shown.policyId} above.`
            : `The same commands as the fix for ${shown.policyId} of ${shown.where}, page ${shown.page}.`;
        const lines = this.type.lines(text, style.font, style.size, this.contentWidth);
        const y = this.y;
        this.flow(text, style);
        lines.forEach((line, i) =>
          this.doc.goTo(
            this.left,
            y + i * this.lh(8.5),
            this.type.width(line, "sans", 8.5),
            this.lh(8.5),
            shown.anchor,
          ),
        );
        this.y += this.lh(8.5) * 0.35;
        continue;
      }
      this.ensure(80);
      const anchor = `fix-${this.fixesShown.size + 1}`;
      this.doc.addNamedDestination(anchor, "XYZ", this.left, this.y, null);
      this.fixesShown.set(key, { policyId: v.finding.policyId, where, page: this.pages, anchor });
      this.paragraph(title, { font: "bold", size: 8.5 });
      if (azCli) this.command("Azure CLI", azCli);
      if (powershell) this.command("PowerShell", powershell);
      if (bicep) this.command("Bicep", bicep);
    }
  }

  waivers() {
    const v = this.view;
    if (!v.waivers) return;
    this.newPage();
    this.doc.outline.addItem("Waivers");
    this.heading("Waivers", 1);
    this.paragraph(
      "Accepted exceptions from the waivers file: who owns each, until when, and which failures or manual findings it covered. An error is never waived.",
    );
    if (v.waivers.length === 0) this.paragraph("The waivers file holds no waiver.");
    else
      this.table(
        [
          { header: "State", width: 80 },
          { header: "Policy and resource", width: 150 },
          { header: "Owner and ticket", width: 70 },
          { header: "Expires", width: 50 },
          { header: "Reason", width: 90 },
          { header: "Covers", width: 90 },
        ],
        v.waivers.map((w) => [
          { text: w.stateText, color: w.state === "expired" ? STATUS_COLOR.fail : STATUS_COLOR.waived },
          { text: `${w.waiver.policy}\n${w.waiver.resource}` },
          { text: [w.waiver.owner, w.waiver.ticket].filter(Boolean).join("\n") },
          { text: w.waiver.expires },
          { text: w.waiver.reason },
          { text: w.covers.join("\n") },
        ]),
      );
  }

  errors() {
    const v = this.view;
    this.newPage();
    this.doc.outline.addItem("Errors and completeness");
    this.heading("Errors and completeness", 1);
    this.paragraph(v.completeness);
    if (v.clock?.beyondTolerance) this.paragraph(v.clock.text);
    if (v.excluded.length) {
      this.paragraph(
        "These resources were left out of evaluation by the configuration's exclude; they have no finding.",
      );
      this.table(
        [
          { header: "Resource", width: 3 },
          { header: "Pattern", width: 2 },
        ],
        v.excluded.map((e) => [mono(e.resourceId), mono(e.pattern)]),
      );
    }
    if (v.errors.length) {
      this.table(
        [
          { header: "What could not be read", width: 140 },
          { header: "Resource", width: 150 },
          { header: "Answer", width: 60 },
          { header: "Message", width: 150 },
        ],
        v.errors.map((e) => [{ text: e.for }, mono(e.resourceId), { text: e.answer }, { text: e.message }]),
      );
    }
  }

  methodology() {
    const v = this.view;
    this.newPage();
    this.doc.outline.addItem("Appendix A: methodology");
    this.heading("Appendix A: methodology", 1);
    this.paragraph(
      "Each HSM in scope is judged by every policy below. Evidence is gathered through the Azure Resource Manager and " +
        "Log Analytics APIs; every exchange is listed in Appendix B with the SHA-256 of its body. A finding that could " +
        "not be proven is an error, never a pass.",
    );
    for (const sentence of v.collection) this.paragraph(sentence);
    for (const p of v.policies) {
      this.heading(`${p.id}: ${p.title}`, 3);
      this.paragraph(
        `${p.severity} · applies to ${p.appliesTo.join(", ")} · check ${p.check}${p.source ? ` · ${p.source}` : ""}`,
        {
          size: 8,
          color: LAYOUT.muted,
        },
      );
      this.paragraph(`What it checks. ${p.description}`);
      this.paragraph(`Why. ${p.rationale}`);
      if (p.frameworks.length) {
        this.paragraph(
          `Supports. ${p.frameworks.map((x) => `${x.framework} ${x.control}${x.title ? ` (${x.title})` : ""}`).join("; ")}`,
        );
      }
      if (p.references.length) {
        this.paragraph(`References. ${p.references.map((r) => `${r.title} ${r.url}`).join("; ")}`, {
          size: 8,
          color: LAYOUT.muted,
        });
      }
    }
  }

  async evidenceIndex() {
    const v = this.view;
    this.newPage();
    this.doc.outline.addItem("Appendix B: evidence index");
    this.heading("Appendix B: evidence index", 1);
    this.paragraph(
      "Every HTTP exchange of the scan: method, URL (secrets redacted), status, time, and the SHA-256 of the body as received.",
    );
    // The findings that cite each record run across the row under it: the list can be long.
    const columns: Column[] = [
      { header: "Id", width: 44 },
      { header: "Request", width: 259 },
      { header: "Status", width: 32 },
      { header: "Time", width: 96 },
      { header: "SHA-256", width: 72 },
    ];
    const chunk = 100;
    for (let i = 0; i < v.evidence.length; i += chunk) {
      const part = v.evidence.slice(i, i + chunk);
      this.table(
        columns,
        part.map((e) => ({
          cells: [
            mono(e.id),
            [
              { text: `${e.method} ${e.url}` },
              { text: e.via ? `${e.purpose} (inside ${e.via})` : e.purpose, color: LAYOUT.muted },
            ],
            { text: String(e.status) },
            { text: e.capturedAt },
            mono(grouped(e.sha256)),
          ],
          span: { text: `Cited by ${e.citedBy.length ? e.citedBy.join("; ") : "no finding"}.`, color: LAYOUT.muted },
          anchor: evidenceAnchor(e.id),
        })),
        { size: 6.5, continues: i > 0, spanFrom: 1 },
      );
      this.forgetWords();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** zlib level of the page content streams. */
const CONTENT_LEVEL = 6;

/** Callers listed per workspace in the PDF (most active first); result.json and the HTML list them all. */
const CALLERS_SHOWN = 15;

/** A SHA-256 in four groups of sixteen: it wraps cleanly in a narrow column and reads back whole. */
function grouped(hash: string): string {
  return hash.replace(/(.{16})(?=.)/g, "$1 ");
}

interface PdfFont {
  id: string;
  dictionary: PDFKit.PDFKitReference;
  encode(text: string): [string[], unknown];
}
