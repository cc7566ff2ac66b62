// Appendix C: the files attached to report.pdf (result.json, and the snapshot when the result came from one), with
// the SHA-256 of the bytes attached, so that the PDF alone carries the whole evidence.
import type { Layout } from "../layout.js";

export interface Attachment {
  name: string;
  what: string;
  bytes: number;
  sha256: string;
}

export function attachments(p: Layout, files: Attachment[], missing: string[]) {
  p.newPage();
  p.doc.outline.addItem("Appendix C: attachments");
  p.begin("attachments");
  p.heading("Appendix C: attachments", 1);
  p.paragraph(
    "These files are attached to this PDF (PDF file attachments: a reader's attachments panel opens them, and " +
      "poppler's pdfdetach -saveall report.pdf saves them). The SHA-256 below is that of the bytes attached: check a " +
      "saved copy with sha256sum.",
  );
  if (files.length) {
    p.table(
      [
        { header: "File", width: 80 },
        { header: "What it is", width: 170 },
        { header: "Bytes", width: 60 },
        { header: "SHA-256", width: 193 },
      ],
      files.map((f) => [
        { text: f.name },
        { text: f.what },
        { text: String(f.bytes) },
        { text: f.sha256, font: "mono" },
      ]),
    );
  }
  for (const m of missing) p.paragraph(m);
}
