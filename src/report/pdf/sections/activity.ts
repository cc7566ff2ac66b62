// An HSM's log activity in one workspace: the records per day as a chart, and what the HSM did.
import { plural } from "../../../model/words.js";
import type { ActivityView } from "../../view.js";
import { LAYOUT, STATUS_COLOR, mono, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";

/** Callers listed per workspace in the PDF (most active first); result.json and the HTML list them all. */
const CALLERS_SHOWN = 15;

/** The state of the workspace's answer, the chart of records per day, and what the HSM did. */
export function activity(p: Layout, a: ActivityView) {
  const records =
    a.records === undefined
      ? ""
      : ` ${plural(a.records, "record")} in the window; last record ${a.lastRecord ?? "none"}.`;
  p.paragraph(`${a.workspaceId}: ${a.stateText}${a.message ? ` (${a.message})` : ""}.${records}`, { size: 8.5 });
  if (a.records !== undefined) chart(p, a);
  if (a.details) activityDetails(p, a.details);
}

/** What the HSM did: first and last record, longest silence, failures, operations and callers. */
function activityDetails(p: Layout, d: NonNullable<ActivityView["details"]>) {
  const facts = [
    d.firstRecord ? `First record ${d.firstRecord}, last ${d.lastRecord}.` : "",
    d.longestSilence
      ? `Longest silence ${d.longestSilence.hours}${d.longestSilence.atMostHours !== undefined && d.longestSilence.atMostHours !== d.longestSilence.hours ? ` to ${d.longestSilence.atMostHours}` : ""} hours, from ${d.longestSilence.from} to ${d.longestSilence.to}${d.longestSilence.trailing ? " (the end of the window: nothing written since)" : ""} (counted ${d.bin === "1h" ? "by the hour" : "by the day"}).`
      : "No silence between records.",
    d.outcomesKnown
      ? `${plural(d.failedRequests ?? 0, "failed request")}.`
      : "Cloud HSM logs do not record whether an operation succeeded, so failures cannot be counted.",
  ].filter(Boolean);
  p.paragraph(facts.join(" "), { size: 8.5 });
  if (d.message) p.paragraph(`! ${d.message}`, { size: 8.5, color: STATUS_COLOR.error });
  const known = d.outcomesKnown;
  p.table(
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
  p.table(
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
    p.paragraph(`${shown.length} most active of ${d.callers.length} callers shown; result.json lists them all.`, {
      size: 7.5,
      color: LAYOUT.muted,
    });
  }
}

/** Records per day as vector bars, with the axis labelled by its first and last day and the highest count. */
function chart(p: Layout, a: ActivityView) {
  const doc = p.doc;
  const height = 70;
  p.ensure(height + 26);
  const left = p.left + 34;
  const right = p.left + p.contentWidth;
  const top = p.y + 4;
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
  p.type.draw([String(a.maxPerDay)], p.left, top - 2, label, { right: p.left + 30 });
  p.type.draw(["0"], p.left, base - 6, label, { right: p.left + 30 });
  const first = a.days[0]?.day ?? "";
  const last = a.days[a.days.length - 1]?.day ?? "";
  p.type.draw([first], left, base + 3, label);
  p.type.draw([last], right - 60, base + 3, label, { right });
  p.y = base + 14;
  p.paragraph(`Audit records per day (UTC), ${first} to ${last}; highest ${a.maxPerDay}.`, {
    size: 7.5,
    color: LAYOUT.muted,
  });
}
