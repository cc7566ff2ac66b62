// Appendix B: every HTTP exchange of the scan, with the findings that cite it.
import { evidenceAnchor, type ReportView } from "../../view.js";
import { LAYOUT, mono, type Column, type Layout } from "../layout.js";

export async function evidenceIndex(p: Layout, v: ReportView) {
  p.newPage();
  p.doc.outline.addItem("Appendix B: evidence index");
  p.heading("Appendix B: evidence index", 1);
  p.paragraph(
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
    p.table(
      columns,
      part.map((e) => ({
        cells: [
          mono(e.id),
          [
            { text: `${e.method} ${e.url}` },
            {
              text: e.via
                ? `${e.purpose} (inside ${e.via})`
                : e.user
                  ? `${e.purpose} (as ${e.user}${e.host ? ` on ${e.host}` : ""}, ${e.transport === "ssh" ? "over SSH" : "saved transcript"})`
                  : e.purpose,
              color: LAYOUT.muted,
            },
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
    p.forgetWords();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A SHA-256 in four groups of sixteen: it wraps cleanly in a narrow column and reads back whole. */
function grouped(hash: string): string {
  return hash.replace(/(.{16})(?=.)/g, "$1 ");
}
