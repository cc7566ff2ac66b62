// Appendix B: every HTTP exchange of the scan, with the findings that cite it.
import { evidenceAnchor, type ReportView } from "../../view.js";
import { LAYOUT, mono, type Column, type Layout } from "../layout.js";

/**
 * Every evidence record, or (`cited`, the summary layout) only those the printed findings cite, without the list of
 * findings that cite each (the findings name their evidence).
 */
export async function evidenceIndex(p: Layout, v: ReportView, cited?: ReadonlySet<string>) {
  p.newPage();
  p.doc.outline.addItem("Appendix B: evidence index");
  p.begin("evidence");
  p.heading("Appendix B: evidence index", 1);
  const records = cited ? v.evidence.filter((e) => cited.has(e.id)) : v.evidence;
  p.paragraph(
    cited
      ? `The ${records.length} HTTP exchanges (of the scan's ${v.evidence.length}) that the findings printed in this pack cite: ` +
          "method, URL (secrets redacted), status, time, and the SHA-256 of the body as received. " +
          `The other ${v.evidence.length - records.length}, and which findings cite each record, are in result.json (attached, Appendix C).`
      : "Every HTTP exchange of the scan: method, URL (secrets redacted), status, time, and the SHA-256 of the body as received.",
  );
  if (cited) await compactRows(p, records);
  else await fullRows(p, records);
}

/** Every record with what it was read for, and the findings that cite it across the row under it. */
async function fullRows(p: Layout, records: ReportView["evidence"]) {
  // The findings that cite each record run across the row under it: the list can be long.
  const columns: Column[] = [
    { header: "Id", width: 44 },
    { header: "Request", width: 259 },
    { header: "Status", width: 32 },
    { header: "Time", width: 96 },
    { header: "SHA-256", width: 72 },
  ];
  const chunk = 100;
  for (let i = 0; i < records.length; i += chunk) {
    const part = records.slice(i, i + chunk);
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

/**
 * The summary layout's rows: the request (and the batch exchange that carried it, or the appliance user), the
 * status and the time, the SHA-256 under the request; what each was read for is in result.json.
 */
async function compactRows(p: Layout, records: ReportView["evidence"]) {
  const columns: Column[] = [
    { header: "Id", width: 42 },
    { header: "Request, and the SHA-256 of the body as received", width: 337 },
    { header: "HTTP", width: 24 },
    { header: "Time", width: 100 },
  ];
  const chunk = 100;
  for (let i = 0; i < records.length; i += chunk) {
    p.table(
      columns,
      records.slice(i, i + chunk).map((e) => ({
        cells: [
          mono(e.id),
          [
            { text: `${e.method} ${e.url}` },
            ...(e.via ? [{ text: `inside ${e.via}`, color: LAYOUT.muted }] : []),
            ...(e.user
              ? [
                  {
                    text: `as ${e.user}${e.host ? ` on ${e.host}` : ""}, ${e.transport === "ssh" ? "over SSH" : "saved transcript"}`,
                    color: LAYOUT.muted,
                  },
                ]
              : []),
          ],
          { text: String(e.status) },
          { text: e.capturedAt },
        ],
        span: { text: `SHA-256 ${e.sha256}`, font: "mono", color: LAYOUT.muted },
        anchor: evidenceAnchor(e.id),
      })),
      { size: 6, continues: i > 0, spanFrom: 1 },
    );
    p.forgetWords();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A SHA-256 in four groups of sixteen: it wraps cleanly in a narrow column and reads back whole. */
function grouped(hash: string): string {
  return hash.replace(/(.{16})(?=.)/g, "$1 ");
}
