// The printed table of contents. Its entries are known before anything is drawn, so its pages are written (and so
// reserved) right after the cover; each entry's page number is a form XObject drawn now and filled when the section
// it names begins (Layout.begin), as the footer's page total is filled at the end.
import { LAYOUT, contentsAnchor, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";

export interface ContentsEntry {
  key: string;
  title: string;
  level: 1 | 2;
}

export function contents(p: Layout, entries: ContentsEntry[]) {
  p.newPage();
  p.doc.outline.addItem("Contents");
  p.heading("Contents", 1);
  const numberWidth = 40;
  for (const entry of entries) {
    const style: Style =
      entry.level === 1
        ? { font: "bold", size: 9, color: LAYOUT.text }
        : { font: "sans", size: 8.5, color: LAYOUT.text };
    const lh = p.lh(style.size) * 1.3;
    if (p.y + lh > p.bottom) p.newPage();
    const indent = entry.level === 1 ? 0 : 14;
    const x = p.left + indent;
    const width = p.contentWidth - indent - numberWidth - 8;
    p.type.draw([p.fit(entry.title, style, width)], x, p.y, style);
    p.awaitPage(entry.key, p.type.placeholder(p.left + p.contentWidth - numberWidth, p.y, numberWidth, style));
    p.doc.goTo(x, p.y, p.contentWidth - indent, p.lh(style.size), contentsAnchor(entry.key));
    p.y += lh;
  }
}
