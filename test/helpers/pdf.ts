// Reads a PDF back the way a reviewer's viewer does: pdfjs parses it; the tests see its pages' text, page sizes,
// outline (bookmarks) and the link targets of its annotations.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { constants, Script } from "node:vm";
import type * as Pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";

// pdfjs is loaded once per test worker, by node's own loader in node's own realm: through jest's loader each test file
// would load and compile its 4 MB again. pdfjs 6 expects Promise.withResolvers (Node 22), given to that realm here;
// Node 20 has all else it uses.
new Script(`Promise.withResolvers ??= function () {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};`).runInThisContext();
const PDFJS = pathToFileURL(createRequire(import.meta.url).resolve("pdfjs-dist/legacy/build/pdf.mjs")).href;
const { getDocument } = (await new Script(`import(${JSON.stringify(PDFJS)})`, {
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
}).runInThisContext()) as typeof Pdfjs;

export interface OutlineNode {
  title: string;
  children: OutlineNode[];
}

export interface ParsedPdf {
  pages: string[];
  /**
   * Each page's text without its running header and footer (what lies in the top and bottom margins): joined, they
   * read as one text, so that what continues across a page break is found whole.
   */
  bodies: string[];
  /** Text items drawn at heading sizes (10.5 pt and up), in reading order, with their size: the structure. */
  headings: { size: number; text: string }[];
  sizes: [number, number][];
  outline: OutlineNode[];
  /** The named destinations that links point at. */
  linkTargets: string[];
  /** Link targets that name no destination of the document. */
  unresolvedLinks: string[];
  info: Record<string, unknown>;
  /** The files attached to the document (its EmbeddedFiles), by name. */
  attachments: Map<string, Uint8Array>;
}

interface RawOutline {
  title: string;
  items: RawOutline[];
}

export async function readPdf(file: string): Promise<ParsedPdf> {
  const data = new Uint8Array(readFileSync(file));
  const task = getDocument({ data, useSystemFonts: false, verbosity: 0 });
  const doc = await task.promise;
  try {
    const pages: string[] = [];
    const bodies: string[] = [];
    const headings: { size: number; text: string }[] = [];
    const sizes: [number, number][] = [];
    const linkTargets: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (!("str" in item) || !item.str.trim()) continue;
        const size = Math.round(Math.hypot(item.transform[2], item.transform[3]) * 10) / 10;
        if (size < 10.5) continue;
        headings.push({ size, text: item.str });
      }
      const text = (items: typeof content.items) =>
        items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : "")).join("");
      pages.push(text(content.items));
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      // The header is drawn 26 pt above the top margin (58 pt), the footer 34 pt above the bottom edge: both lie
      // outside the band between the margins (pdf-layout.json), where the body's baselines are.
      bodies.push(
        text(
          content.items.filter(
            (item) => !("transform" in item) || (item.transform[5] > 45 && item.transform[5] < y1 - y0 - 45),
          ),
        ),
      );
      sizes.push([Math.round(x1 - x0), Math.round(y1 - y0)]);
      for (const a of (await page.getAnnotations()) as { subtype: string; dest?: unknown }[]) {
        if (a.subtype === "Link" && typeof a.dest === "string") linkTargets.push(a.dest);
      }
    }
    const raw = ((await doc.getOutline()) ?? []) as RawOutline[];
    const toNode = (o: RawOutline): OutlineNode => ({ title: o.title, children: (o.items ?? []).map(toNode) });
    const unresolvedLinks: string[] = [];
    for (const name of new Set(linkTargets)) {
      if (!(await doc.getDestination(name))) unresolvedLinks.push(name);
    }
    const { info } = (await doc.getMetadata()) as { info: Record<string, unknown> };
    // pdfjs lists the attachments by id and gives each one's bytes when asked.
    const attachments = new Map<string, Uint8Array>();
    for (const [id, a] of (await doc.getAttachments()) ?? new Map()) {
      const content = a.content ?? (await doc.getAttachmentContent(id));
      if (content) attachments.set(a.filename, content);
    }
    return {
      pages,
      bodies,
      headings,
      sizes,
      outline: raw.map(toNode),
      linkTargets,
      unresolvedLinks,
      info,
      attachments,
    };
  } finally {
    await task.destroy();
  }
}

/** All text of the document with every kind of whitespace removed: wrapped ids read back whole. */
export function squeezed(pdf: ParsedPdf): string {
  return pdf.pages.join("").replace(/\s+/g, "");
}

/**
 * Bytes (an attachment, a file) as a string of one character per byte, to compare with `toBe`: byte for byte, and at
 * once (jest's `toEqual` walks a Buffer index by index, over a second per megabyte).
 */
export function bytesOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
