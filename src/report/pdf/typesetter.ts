// Text setting for report.pdf, below pdfkit's own text layer. pdfkit lays text out word by word through its line
// wrapper, shapes and encodes every glyph of every run again, and turns each content operator into its own small
// buffer; for an evidence pack of thousands of pages that is most of the render and most of its garbage. Here each
// distinct word is shaped once per font and process (fontkit, with the font's kerning) and encoded once per document
// (its glyph ids are the document's font subset's), lines are broken by width
// (line-breaking.ts, which the faces here measure for), and a block of lines is written as one text object (its
// operands as content-syntax.ts writes them). Page content is gathered in one reused buffer and compressed once per
// page. pdfkit still owns the document: fonts, subsets, pages, links, outline and everything drawn.
//
// This is the only module of the PDF renderer that touches pdfkit's private parts, and the rest of the renderer sees
// it only through the `Typesetter` interface. The private parts it uses, as pdfkit PDFKIT_CHECKED has them:
//   - the current font, `doc._font` (an EmbeddedFont): its fontkit font's `layout`, `postscriptName`, `numGlyphs` and
//     `unitsPerEm` (which key the shapes kept), its `subset.includeGlyph`, its
//     `widths` and `unicode` arrays (filled here for the glyphs it sets), `scale`, `ascender`, `descender`,
//     `lineGap`, `id`, `ref()`, `dictionary` and `encode()`;
//   - a page's `fonts` and `xobjects` dictionaries, and its content stream `content` (a PDFReference): its `buffer`,
//     `write`, `end`, `compress`, `data`, `uncompressedLength` and `finalize`;
//   - for file attachments (attachFile, below): `doc.ref()` given a `Filter` (pdfkit then writes the stream as given),
//     `doc.addNamedEmbeddedFile()` and the catalog's `AF` array (`doc._root.data.AF`), as pdfkit's doc.file() uses
//     them; doc.file() itself reads the whole file into memory and compresses a copy of it.
// package.json pins pdfkit, and test/report/pdf-typesetter.test.ts fails when the installed version is another:
// re-check each of these against the new version's source before changing PDFKIT_CHECKED.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { createDeflate, deflateSync } from "node:zlib";
import { BYTES, num, rgb } from "./content-syntax.js";
import { breakLines, isLetter, lineAdvance, type Measure } from "./line-breaking.js";

type Doc = PDFKit.PDFDocument;

/** The pdfkit version whose private parts (listed above) this module was checked against. */
export const PDFKIT_CHECKED = "0.20.2";

export type FontName = "sans" | "bold" | "mono";

export interface Style {
  font: FontName;
  size: number;
  color: string;
}

interface Glyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface GlyphPosition {
  xAdvance: number;
  xOffset: number;
  yOffset: number;
}
/** pdfkit's EmbeddedFont, as far as it is used here. */
interface EmbeddedFont {
  id: string;
  scale: number;
  ascender: number;
  descender: number;
  lineGap: number;
  font: {
    layout(text: string): { glyphs: Glyph[]; positions: GlyphPosition[] };
    postscriptName: string;
    numGlyphs: number;
    unitsPerEm: number;
  };
  subset: { includeGlyph(glyph: number): number };
  widths: number[];
  unicode: number[][];
  ref(): PDFKit.PDFKitReference;
  dictionary: PDFKit.PDFKitReference;
  encode(text: string): [string[], unknown];
}
/** pdfkit's PDFReference of a page's content stream. */
interface ContentRef {
  buffer: Uint8Array[] | Uint8Array;
  compress: boolean;
  data: Record<string, unknown>;
  uncompressedLength: number;
  write(chunk: string | Uint8Array): void;
  end(chunk?: string | Uint8Array): void;
  finalize(): void;
}
interface Page {
  height: number;
  fonts: Record<string, unknown>;
  content: ContentRef;
}

/**
 * A word as drawn: its glyphs as the inside of a TJ array's string, two bytes a glyph id (Identity-H) written as a
 * literal string, kerning closing and reopening it; and its advance in 1/1000 em.
 */
interface Word {
  tj: string;
  advance: number;
  /** False when a glyph is placed off its advance (combining marks): such a line is left to pdfkit. */
  plain: boolean;
}

/** A run of text as fontkit shaped it: its glyphs (id, advance, code points) and their positions, in font units. */
interface Run {
  glyphs: Glyph[];
  positions: GlyphPosition[];
}

/** How many shaped runs are kept per font before the font's are forgotten (a bound on what one process holds). */
const MAX_RUNS = 100_000;

/**
 * Shaped runs kept for the process, by font and text: shaping depends on the font file and the text alone, while the
 * glyph ids written depend on each document's subset. A process that renders several documents (`render` of both
 * layouts, the tests) would otherwise shape the same words again for each. A font is known by its PostScript name,
 * glyph count and units per em (the fonts are the package's own three).
 */
const RUNS = new Map<string, Map<string, Run>>();

function shaped(font: EmbeddedFont, text: string): Run {
  const f = font.font;
  const key = `${f.postscriptName}|${f.numGlyphs}|${f.unitsPerEm}`;
  let runs = RUNS.get(key);
  if (!runs || runs.size >= MAX_RUNS) {
    runs = new Map();
    RUNS.set(key, runs);
  }
  let run = runs.get(text);
  if (!run) {
    const laid = f.layout(text);
    run = {
      glyphs: laid.glyphs.map((g) => ({ id: g.id, advanceWidth: g.advanceWidth, codePoints: g.codePoints })),
      positions: laid.positions.map((p) => ({ xAdvance: p.xAdvance, xOffset: p.xOffset, yOffset: p.yOffset })),
    };
    runs.set(text, run);
  }
  return run;
}

/**
 * The shaped words of one font. A word of prose is shaped whole, with its kerning and ligatures, and kept: prose
 * repeats. A machine word (an id, a hash, a time, a URL: anything with a digit or a path separator) is mostly seen
 * once, so it is set from shaped pieces instead, its runs of letters and each other character, which are kept.
 */
class Face implements Measure {
  private words = new Map<string, Word>();
  readonly ascender: number;
  readonly lineHeightEm: number;

  constructor(readonly font: EmbeddedFont) {
    this.ascender = font.ascender / 1000;
    this.lineHeightEm = (font.ascender + font.lineGap - font.descender) / 1000;
  }

  word(text: string): Word {
    const word = this.words.get(text);
    if (word) return word;
    return MACHINE.test(text) ? this.pieces(text) : this.shape(text);
  }

  /** The advance of a word (as `word(text).advance`, without setting a machine word's glyphs). */
  advance(text: string): number {
    const word = this.words.get(text);
    if (word) return word.advance;
    if (!MACHINE.test(text)) return this.shape(text).advance;
    let advance = 0;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 127 || isLetter(c)) continue;
      if (i > start) advance += (this.words.get(text.slice(start, i)) ?? this.shape(text.slice(start, i))).advance;
      advance += (this.words.get(text[i]!) ?? this.shape(text[i]!)).advance;
      start = i + 1;
    }
    if (start < text.length) advance += (this.words.get(text.slice(start)) ?? this.shape(text.slice(start))).advance;
    return advance;
  }

  private shape(text: string): Word {
    const font = this.font;
    const run = shaped(font, text);
    let tj = "";
    let advance = 0;
    let plain = true;
    for (let i = 0; i < run.glyphs.length; i++) {
      const glyph = run.glyphs[i]!;
      const position = run.positions[i]!;
      const gid = font.subset.includeGlyph(glyph.id);
      font.widths[gid] ??= glyph.advanceWidth * font.scale;
      font.unicode[gid] ??= glyph.codePoints;
      tj += BYTES[gid >> 8]! + BYTES[gid & 255]!;
      const xAdvance = position.xAdvance * font.scale;
      const kern = xAdvance - glyph.advanceWidth * font.scale;
      if (kern !== 0) tj += `) ${num(-kern)} (`;
      if (position.xOffset || position.yOffset) plain = false;
      advance += xAdvance;
    }
    const word = { tj, advance, plain };
    this.words.set(text, word);
    return word;
  }

  /** A machine word from its pieces: each ASCII character that is not a letter alone, and the runs between them. */
  private pieces(text: string): Word {
    const word = { tj: "", advance: 0, plain: true };
    const add = (piece: string) => {
      const w = this.words.get(piece) ?? this.shape(piece);
      word.tj += w.tj;
      word.advance += w.advance;
      word.plain &&= w.plain;
    };
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 127 || isLetter(c)) continue;
      if (i > start) add(text.slice(start, i));
      add(text[i]!);
      start = i + 1;
    }
    if (start < text.length) add(start ? text.slice(start) : text);
    return word;
  }

  /**
   * `text` cut into pieces no wider than `max` (1/1000 em), each of at least one character, in one pass: each
   * character is measured once (its advance is kept), so a word of any length is broken in time linear in it.
   */
  split(text: string, max: number): string[] {
    const pieces: string[] = [];
    let start = 0;
    let used = 0;
    let i = 0;
    while (i < text.length) {
      const size = text.codePointAt(i)! > 0xffff ? 2 : 1;
      const c = size === 1 ? text[i]! : text.slice(i, i + 2);
      const advance = (this.words.get(c) ?? this.shape(c)).advance;
      if (used + advance > max && i > start) {
        pieces.push(text.slice(start, i));
        start = i;
        used = 0;
      }
      used += advance;
      i += size;
    }
    pieces.push(text.slice(start));
    return pieces;
  }

  /** Forgets the shaped words once there are many. */
  trim(limit: number) {
    if (this.words.size > limit) this.words = new Map();
  }
}

/** A word set from pieces (see Face). */
const MACHINE = /[0-9/\\_=?&@:]/;

/** What the rest of the renderer knows of text setting and of the page total: the whole of its use of pdfkit's insides. */
export interface Typesetter {
  /** The distance between the baselines of two lines of `size`. */
  lineHeight(size: number, font?: FontName): number;
  /** The width of one line of text. */
  width(text: string, font: FontName, size: number): number;
  /**
   * `text` broken into lines no wider than `width`: at its newlines, then between words; a word wider than the line
   * (an id, a hash) is broken after a "/" or "-", else wherever it must be.
   */
  lines(text: string, font: FontName, size: number, width: number): string[];
  /**
   * Draws lines top-down from (x, y), `leading` apart (the line height unless given); with `right`, each line ends
   * there instead.
   */
  draw(
    lines: readonly string[],
    x: number,
    y: number,
    style: Style,
    options?: { leading?: number; right?: number },
  ): void;
  /** Forgets shaped words past `limit` per font. */
  trim(limit?: number): void;
  /** Draws the document's page count, written when the document ends (`finish`), on the current page at (x, y). */
  pageTotal(x: number, y: number): void;
  /** Writes the page count drawn by `pageTotal`: `pages`, in the sans font at 7.5 points. */
  finish(pages: number): void;
  /**
   * A short text known only later (a page number in the contents), drawn on the current page now: a box of `width`
   * whose top-left corner is (x, y), right-aligned in it once `fill` writes it.
   */
  placeholder(x: number, y: number, width: number, style: Style): Placeholder;
  /** Writes the text of a placeholder (once; a placeholder never filled is filled with "?" by `finish`). */
  fill(placeholder: Placeholder, text: string): void;
}

/** A form XObject drawn on a page before its text is known. */
export interface Placeholder {
  readonly name: string;
}

/**
 * The typesetter of a document whose fonts "sans", "bold" and "mono" are registered. It takes over the content
 * stream of each new page: make it before anything else listens to `pageAdded`.
 */
export function createTypesetter(doc: Doc, level: number): Typesetter {
  const type = new PdfkitTypesetter(doc, level);
  type.start();
  return type;
}

class PdfkitTypesetter implements Typesetter {
  private readonly faces: Record<FontName, Face>;
  private readonly sink = new PageSink();
  /** The page count: a form XObject drawn on every page and filled in when the document ends. */
  private readonly total: PDFKit.PDFKitReference;
  /** Placeholders drawn and not yet filled. */
  private readonly open = new Map<string, { ref: PDFKit.PDFKitReference; width: number; style: Style }>();
  private placeholders = 0;

  constructor(
    private readonly doc: Doc,
    /** zlib level of the page content streams. */
    private readonly level: number,
  ) {
    const face = (name: FontName) => {
      doc.font(name);
      return new Face((doc as unknown as { _font: EmbeddedFont })._font);
    };
    this.faces = { sans: face("sans"), bold: face("bold"), mono: face("mono") };
    this.total = doc.ref({ Type: "XObject", Subtype: "Form", BBox: [0, -4, 60, 12] });
  }

  start() {
    this.doc.on("pageAdded", () => this.sink.adopt(this.doc.page as unknown as Page, this.level));
  }

  pageTotal(x: number, y: number) {
    (this.doc.page as unknown as { xobjects: Record<string, unknown> }).xobjects.Total = this.total;
    this.doc.addContent(`q 1 0 0 -1 ${num(x)} ${num(y)} cm /Total Do Q`);
  }

  finish(pages: number) {
    const doc = this.doc;
    doc.font("sans");
    const font = (doc as unknown as { _font: EmbeddedFont })._font;
    const [glyphs] = font.encode(String(pages));
    (this.total.data as Record<string, unknown>).Resources = { Font: { [font.id]: font.dictionary } };
    this.total.end(`BT 0.35 g /${font.id} 7.5 Tf 0 0 Td <${glyphs.join("")}> Tj ET`);
    for (const name of [...this.open.keys()]) this.fill({ name }, "?");
  }

  placeholder(x: number, y: number, width: number, style: Style): Placeholder {
    const name = `Ph${++this.placeholders}`;
    const height = this.lineHeight(style.size);
    const ref = this.doc.ref({ Type: "XObject", Subtype: "Form", BBox: [0, -height, width, height] });
    this.open.set(name, { ref, width, style });
    (this.doc.page as unknown as { xobjects: Record<string, unknown> }).xobjects[name] = ref;
    // The form's origin is the baseline at the box's left edge (the page's user space runs top-down: flip back).
    const baseline = this.faces[style.font].ascender * style.size;
    this.doc.addContent(`q 1 0 0 -1 ${num(x)} ${num(y + baseline)} cm /${name} Do Q`);
    return { name };
  }

  fill(placeholder: Placeholder, text: string) {
    const open = this.open.get(placeholder.name);
    if (!open) return;
    this.open.delete(placeholder.name);
    const doc = this.doc;
    doc.font(open.style.font);
    const font = (doc as unknown as { _font: EmbeddedFont })._font;
    const [glyphs] = font.encode(text);
    const x = Math.max(0, open.width - this.width(text, open.style.font, open.style.size));
    (open.ref.data as Record<string, unknown>).Resources = { Font: { [font.id]: font.dictionary } };
    open.ref.end(
      `BT ${rgb(open.style.color)} rg /${font.id} ${num(open.style.size)} Tf ${num(x)} 0 Td <${glyphs.join("")}> Tj ET`,
    );
  }

  lineHeight(size: number, font: FontName = "sans"): number {
    return this.faces[font].lineHeightEm * size;
  }

  /** The width of one line of text. */
  width(text: string, font: FontName, size: number): number {
    return (lineAdvance(this.faces[font], text) * size) / 1000;
  }

  /**
   * `text` broken into lines no wider than `width`: at its newlines, then between words; a word wider than the line
   * (an id, a hash) is broken after a "/" or "-", else wherever it must be.
   */
  lines(text: string, font: FontName, size: number, width: number): string[] {
    return breakLines(this.faces[font], text, (width * 1000) / size + 0.01);
  }

  /**
   * Draws lines top-down from (x, y), `leading` apart (the line height unless given); with `right`, each line ends
   * there instead.
   */
  draw(
    lines: readonly string[],
    x: number,
    y: number,
    style: Style,
    options: { leading?: number; right?: number } = {},
  ) {
    const doc = this.doc;
    const page = doc.page as unknown as Page;
    const face = this.faces[style.font];
    const size = style.size;
    const leading = options.leading ?? face.lineHeightEm * size;
    page.fonts[face.font.id] ??= face.font.ref();
    const baseline = face.ascender * size;
    // Left-aligned lines after the first move down by the leading (T*); right-aligned ones are placed each.
    let out =
      options.right === undefined ? `${num(leading)} TL 1 0 0 1 ${num(x)} ${num(page.height - y - baseline)} Tm` : "";
    let fallback: { line: string; x: number; y: number }[] | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (i > 0 && options.right === undefined) out += " T*";
      if (!line) continue;
      let tj = "";
      let advance = 0;
      let plain = true;
      let start = 0;
      for (;;) {
        const space = line.indexOf(" ", start);
        const word = face.word(space < 0 ? (start ? line.slice(start) : line) : line.slice(start, space + 1));
        tj += word.tj;
        advance += word.advance;
        plain &&= word.plain;
        if (space < 0 || space + 1 >= line.length) break;
        start = space + 1;
      }
      const top = y + i * leading;
      if (!plain) {
        const left = options.right === undefined ? x : options.right - (advance * size) / 1000;
        (fallback ??= []).push({ line, x: left, y: top });
      } else if (options.right === undefined) out += ` [(${tj})] TJ`;
      else {
        const left = options.right - (advance * size) / 1000;
        out += `1 0 0 1 ${num(left)} ${num(page.height - top - baseline)} Tm [(${tj})] TJ\n`;
      }
    }
    if (out) this.sink.text(face.font.id, num(size), rgb(style.color), out);
    for (const f of fallback ?? []) {
      doc.font(style.font).fontSize(size).fillColor(style.color).text(f.line, f.x, f.y, { lineBreak: false });
    }
  }

  /** Forgets shaped words past `limit` per font. */
  trim(limit = 20000) {
    for (const face of Object.values(this.faces)) face.trim(limit);
  }
}

/**
 * The content of the page being written, gathered in one buffer reused from page to page and compressed once when
 * pdfkit ends the page (pdfkit would keep a small buffer per operator until then). Consecutive text shares one text
 * object, setting font and colour only where they change; anything else pdfkit writes closes it first.
 */
class PageSink {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;
  private height = 0;
  /** The open text object's font and size, and colour; undefined when none is open. */
  private font: string | undefined;
  private color = "";

  adopt(page: Page, level: number) {
    const content = page.content;
    // What pdfkit wrote before announcing the page (its flip of the y axis) stays first.
    const head = content.buffer as Uint8Array[];
    content.buffer = [];
    this.length = 0;
    this.font = undefined;
    this.height = page.height;
    for (const chunk of head) this.append(chunk);
    content.write = (chunk) => {
      this.close();
      this.append(chunk);
    };
    content.end = (chunk) => {
      this.close();
      if (chunk) this.append(chunk);
      const raw = this.buffer.subarray(0, this.length);
      const packed = deflateSync(raw, { level });
      this.length = 0;
      content.uncompressedLength = raw.length;
      content.compress = false;
      content.data.Filter = "FlateDecode";
      content.buffer = [packed];
      content.finalize();
    };
  }

  /**
   * Text operators, in PDF's own coordinates (the text object undoes pdfkit's flip of the page): `font` is the
   * "F1 7.5" of "/F1 7.5 Tf", `color` the operands of rg.
   */
  text(fontId: string, size: string, color: string, body: string) {
    const font = `${fontId} ${size}`;
    if (this.font === undefined) {
      this.append(`q 1 0 0 -1 0 ${num(this.height)} cm BT`);
      this.color = "";
    }
    if (font !== this.font) this.append(`/${font} Tf`);
    if (color !== this.color) this.append(`${color} rg`);
    this.font = font;
    this.color = color;
    this.append(body);
  }

  private close() {
    if (this.font === undefined) return;
    this.append("ET Q");
    this.font = undefined;
  }

  private append(chunk: string | Uint8Array) {
    const need = this.length + chunk.length + 1;
    if (need > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    if (typeof chunk === "string") {
      this.length += this.buffer.write(chunk, this.length, "latin1");
      this.buffer[this.length++] = 10;
    } else {
      this.buffer.set(chunk, this.length);
      this.length += chunk.length;
    }
  }
}

// File attachments, streamed: the file is read in chunks, hashed (SHA-256 for the pack, MD5 for the PDF's own
// CheckSum) and compressed as it is read, so that the renderer holds no more than its compressed bytes (a snapshot of
// thousands of HSMs is large). Nothing is written into the document until the whole file was read.

interface Internals {
  ref(data: Record<string, unknown>): PDFKit.PDFKitReference & { write(chunk: Uint8Array): void; end(): void };
  addNamedEmbeddedFile(name: string, ref: PDFKit.PDFKitReference): void;
  _root: { data: { AF?: PDFKit.PDFKitReference[] } };
}

export interface Attached {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * Attaches `source` (a file's path, or bytes already in memory) to the document as `name`, a JSON file dated `date`,
 * described by `describe(sha256)`. Returns its size and the SHA-256 of the bytes attached.
 */
export async function attachFile(
  doc: Doc,
  source: string | Uint8Array,
  name: string,
  date: Date,
  describe: (sha256: string) => string,
): Promise<Attached> {
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  const compressed: Buffer[] = [];
  const deflate = createDeflate();
  deflate.on("data", (chunk: Buffer) => compressed.push(chunk));
  const ended = once(deflate, "end");
  let bytes = 0;
  const chunks: AsyncIterable<Uint8Array> | Uint8Array[] =
    typeof source === "string" ? createReadStream(source, { highWaterMark: 1 << 20 }) : [source];
  for await (const chunk of chunks) {
    sha256.update(chunk);
    md5.update(chunk);
    bytes += chunk.byteLength;
    if (!deflate.write(chunk)) await once(deflate, "drain");
  }
  deflate.end();
  await ended;
  const digest = sha256.digest("hex");
  const pdf = doc as unknown as Internals;
  const file = pdf.ref({
    Type: "EmbeddedFile",
    Subtype: "application#2Fjson",
    Filter: "FlateDecode",
    Params: { Size: bytes, CheckSum: new String(md5.digest("hex")), CreationDate: date, ModDate: date },
  });
  for (const chunk of compressed.splice(0)) file.write(chunk);
  file.end();
  const spec = pdf.ref({
    Type: "Filespec",
    AFRelationship: "Data",
    F: new String(name),
    UF: new String(name),
    EF: { F: file },
    Desc: new String(describe(digest)),
  });
  spec.end();
  pdf.addNamedEmbeddedFile(name, spec);
  (pdf._root.data.AF ??= []).push(spec);
  return { name, bytes, sha256: digest };
}
