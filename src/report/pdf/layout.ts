// The PDF's page and its building blocks: layout constants (paper, margins, sizes, colours, kept as data in
// report-templates/pdf-layout.json), the running header and footer, and the blocks the document's sections are made of
// (headings, paragraphs, key/value lists, tables whose header repeats on each page, code). It draws through pdfkit's
// public API and sets text through the Typesetter; the sections (./sections) only arrange these blocks.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ShownStatus } from "../../model/result.js";
import type { Paper } from "../outputs.js";
import { plural } from "../../model/words.js";
import { evidenceAnchor, type FindingView, type ReportView } from "../view.js";
import type { FontName, Placeholder, Style, Typesetter } from "./typesetter.js";

type Doc = PDFKit.PDFDocument;

interface LayoutFile {
  paper: Record<Paper, [number, number]>;
  margins: { top: number; bottom: number; left: number; right: number };
  body: number;
  tableBody: number;
  colors: Record<"text" | "muted" | "rule" | "headerFill" | "mark" | "code" | "link" | "bar", string>;
  status: Record<ShownStatus, string>;
}

const file = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../report-templates/pdf-layout.json", import.meta.url)), "utf8"),
) as LayoutFile;

export const PAPER = file.paper;
export const STATUS_COLOR = file.status;
export const LAYOUT = { margins: file.margins, body: file.body, tableBody: file.tableBody, ...file.colors };

export interface Column {
  header: string;
  width: number;
}

/** A block of text in a table cell. */
export interface Part {
  text: string;
  font?: FontName;
  color?: string;
  /** A size smaller than the table's. */
  small?: boolean;
  /** Evidence ids, shown instead of the text, each a link to its entry in the index. */
  ids?: string[];
  /** Where each of `ids` links to, when not to the evidence index. */
  anchor?: (id: string) => string;
}
/** A block of monospaced text. */
export const mono = (text: string): Part => ({ text, font: "mono" });

/** A table cell: one block, or several stacked. */
export type Cell = Part | Part[];

export interface Row {
  cells: Cell[];
  /** Drawn under the cells, across the columns from the table's `spanFrom`. */
  span?: Cell;
  /** A named destination at the top of the row. */
  anchor?: string;
}

/** A line of a laid-out cell. */
export interface CellLine {
  line: string;
  style: Style;
  height: number;
  /** The destination of each id of the line, when its words are links. */
  links?: (id: string) => string;
}

/** The named destination of an entry of the contents. */
export const contentsAnchor = (key: string) => `contents-${key}`;

export class Layout {
  /** Pages begun so far: the number of the current page. */
  pages = 0;
  readonly contentWidth: number;
  readonly bottom: number;
  readonly left = LAYOUT.margins.left;
  /** The top of what is written next on the page. */
  y = LAYOUT.margins.top;

  constructor(
    readonly doc: Doc,
    readonly type: Typesetter,
    private readonly view: ReportView,
    readonly runId: string,
  ) {
    const [width, height] = doc.options.size as [number, number];
    this.contentWidth = width - LAYOUT.margins.left - LAYOUT.margins.right;
    this.bottom = height - LAYOUT.margins.bottom;
  }

  /** Draws the header and footer of each page from now on (after the Typesetter took the page over). */
  start() {
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
    // The total: written once the document ends.
    this.type.pageTotal(x + this.type.width(label, "sans", 7.5), footerY + 6.8);
    this.y = top;
  }

  /** The text cut to one line of `width` (the page header and footer never wrap). */
  fit(text: string, style: Style, width: number): string {
    return this.type.lines(text, style.font, style.size, width)[0] ?? "";
  }

  /** Forgets the shaped words seen so far, once there are many. */
  forgetWords() {
    this.type.trim();
  }

  /** Writes what is known only at the end: the page count. */
  finish() {
    this.type.finish(this.pages);
  }

  private contentsKept = false;
  /** The page numbers the contents wait for, by the key of their entry. */
  private readonly awaited = new Map<string, Placeholder[]>();

  /** A page number to be written where the entry `key` begins (`begin`). */
  awaitPage(key: string, placeholder: Placeholder) {
    this.contentsKept = true;
    this.awaited.set(key, [...(this.awaited.get(key) ?? []), placeholder]);
  }

  /**
   * Marks where the entry `key` of the contents begins: here, on this page. Its line in the contents gets this page's
   * number, and its link (to `contentsAnchor(key)`) lands here.
   */
  begin(key: string) {
    // A document without printed contents (the full layout) gets no destinations for them.
    if (!this.contentsKept) return;
    this.doc.addNamedDestination(contentsAnchor(key), "XYZ", this.left, this.y, null);
    for (const placeholder of this.awaited.get(key) ?? []) this.type.fill(placeholder, String(this.pages));
    this.awaited.delete(key);
  }

  newPage() {
    this.doc.addPage();
    this.y = LAYOUT.margins.top;
  }

  ensure(space: number) {
    if (this.y + space > this.bottom) this.newPage();
  }

  lh(size: number) {
    return this.type.lineHeight(size);
  }

  /**
   * Wrapped text from the cursor down, continued on the next page where the page ends; leaves the cursor under it.
   */
  flow(text: string, style: Style, x = this.left, width = this.contentWidth) {
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

  heading(text: string, level: 1 | 2 | 3, options: { color?: string } = {}) {
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

  paragraph(text: string, options: { size?: number; color?: string; font?: FontName } = {}) {
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
  keyValues(rows: { label: string; value: string; mono?: boolean }[], labelWidth = 130) {
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
  table(
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
        const links = part.ids ? (part.anchor ?? evidenceAnchor) : undefined;
        return this.type.lines(text, style.font, style.size, width).map((line) => ({
          line,
          style,
          height: h,
          ...(links ? { links } : {}),
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
  cellLines(lines: CellLine[], x: number, y: number) {
    let i = 0;
    let top = y;
    while (i < lines.length) {
      const first = lines[i]!;
      let end = i + 1;
      while (end < lines.length && lines[end]!.style === first.style) end++;
      const run = lines.slice(i, end).map((l) => l.line);
      this.type.draw(run, x, top, first.style);
      if (first.links) this.evidenceLinks(run, x, top, first.style.size, first.links);
      top += (end - i) * first.height;
      i = end;
    }
  }

  /** A link over each evidence id of the lines (ids separated by spaces) to its entry in the index. */
  evidenceLinks(lines: string[], x: number, y: number, size: number, anchor = evidenceAnchor) {
    const lh = this.lh(size);
    const space = this.type.width(" ", "mono", size);
    lines.forEach((line, n) => {
      let at = x;
      for (const id of line.split(" ")) {
        const w = this.type.width(id, "mono", size);
        if (id) this.doc.goTo(at, y + n * lh, w, lh, anchor(id));
        at += w + space;
      }
    });
  }

  /** A thin rule across the content width. */
  rule(y: number, width: number) {
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.contentWidth, y)
      .lineWidth(width)
      .strokeColor(LAYOUT.rule)
      .stroke();
  }

  /** Status over severity, the status in its colour. */
  statusCell(v: FindingView): Part[] {
    return [
      { text: `${v.status.symbol} ${v.status.word}`, color: STATUS_COLOR[v.status.key], font: "bold" },
      { text: v.finding.severity, color: LAYOUT.muted },
    ];
  }

  /** The policy's id over its title. */
  policyCell(policyId: string, title: string): Part[] {
    return [{ text: policyId }, { text: title, color: LAYOUT.muted }];
  }

  /** Every finding with its status, policy, message and evidence (the findings of one HSM or scope). */
  findingsTable(findings: FindingView[]) {
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
  findingGroups(findings: FindingView[]) {
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
              { text: plural(group.length, "finding"), color: LAYOUT.muted },
              { text: group.map((f) => f.resourceName).join(", ") },
            ],
          ],
        };
      }),
    );
  }

  /** Lines of code on a rule, marked lines highlighted; long lines wrap. */
  /** The lines of a code block as wrapped to the page. */
  codeLines(lines: { text: string; mark?: boolean }[], size: number) {
    const width = this.contentWidth - 12;
    return lines.flatMap((line) =>
      this.type.lines(line.text, "mono", size, width).map((text) => ({ text, mark: Boolean(line.mark) })),
    );
  }

  /**
   * A command block under its label, kept on one page when it fits on one: a reader copies a command whole, and a
   * page's running header never lands inside it. A block longer than a page is continued as any code.
   */
  command(label: string, text: string, size = 7.5) {
    const lines = text.split("\n").map((line) => ({ text: line }));
    const labelHeight = this.lh(7.5) * 1.35;
    const height = labelHeight + this.codeLines(lines, size).length * this.lh(size) + 4;
    if (height <= this.bottom - LAYOUT.margins.top) this.ensure(height);
    this.paragraph(label, { size: 7.5, color: LAYOUT.muted });
    this.code(lines, size);
  }

  code(lines: { text: string; mark?: boolean }[], size = 7.5) {
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
}
