// The summary layout's verdict tables: every HSM on one row (and every subscription's own findings), with its
// counts by status, its verdict and the groups of "Findings to act on" that hold its findings needing attention.
import { STATUS_LABEL, STATUS_ORDER, type FindingView, type ReportView } from "../../view.js";
import { LAYOUT, STATUS_COLOR, mono, type Cell, type Layout } from "../layout.js";
import { groupAnchor } from "./groups.js";

const SIZE = 6.5;

export async function verdicts(p: Layout, v: ReportView, groupsOf: Map<string, number[]>) {
  p.newPage();
  p.doc.outline.addItem("HSM verdicts");
  p.begin("verdicts");
  p.heading("HSM verdicts", 1);
  p.paragraph(
    `Every HSM in scope (${v.hsmCount}), by subscription and name: its findings counted by status, its verdict (the worst ` +
      "counted status) and the groups of Findings to act on that hold its findings which need attention (each number a " +
      "link). An HSM whose findings all passed or did not apply has its row here and nothing further: its findings " +
      "and their evidence are in result.json (attached, Appendix C).",
  );
  const refs = (id: string): Cell => {
    const numbers = groupsOf.get(id.toLowerCase()) ?? [];
    return numbers.length
      ? { text: "", ids: numbers.map((n) => `#${n}`), anchor: (ref) => groupAnchor(ref.slice(1)) }
      : { text: "none", color: LAYOUT.muted };
  };
  const columns = [
    { header: "HSM", width: 110 },
    { header: "Kind", width: 50 },
    { header: "Subscription", width: 95 },
    { header: "Findings by status", width: 118 },
    { header: "Verdict", width: 45 },
    { header: "To act on", width: 85 },
  ];
  const hsms = v.sections.flatMap((s) => s.hsms.map((h) => ({ s, h })));
  const chunk = 200;
  if (hsms.length === 0) p.paragraph("No HSM was found.");
  for (let i = 0; i < hsms.length; i += chunk) {
    p.table(
      columns,
      hsms
        .slice(i, i + chunk)
        .map(({ s, h }) => [
          { text: h.resource.name },
          { text: h.kindLabel },
          { text: s.name },
          { text: counts(h.findings) },
          verdictCell(h.worst),
          refs(h.resource.id),
        ]),
      { size: SIZE, continues: i > 0 },
    );
    p.forgetWords();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const subscriptions = v.sections.filter((s) => s.findings.length > 0);
  if (subscriptions.length) {
    p.begin("subscriptions");
    p.heading("Subscriptions", 2);
    p.paragraph("The findings about each subscription itself (such as its Microsoft.Insights registration).", {
      size: 8.5,
    });
    p.table(
      [
        { header: "Subscription", width: 120 },
        { header: "Id", width: 130 },
        { header: "HSMs", width: 30 },
        { header: "Findings by status", width: 108 },
        { header: "Verdict", width: 45 },
        { header: "To act on", width: 70 },
      ],
      subscriptions.map((s) => {
        const worst = s.findings.find((f) => f.counted)?.finding.status ?? "not_applicable";
        return [
          { text: s.name },
          mono(s.id),
          { text: String(s.hsms.length) },
          { text: counts(s.findings) },
          verdictCell(worst),
          refs(`/subscriptions/${s.id}`),
        ];
      }),
      { size: SIZE },
    );
  }
}

function verdictCell(status: keyof typeof STATUS_LABEL): Cell {
  const label = STATUS_LABEL[status];
  return { text: `${label.symbol} ${label.word}`, color: STATUS_COLOR[status], font: "bold" };
}

/** "2 FAIL, 1 ERROR, 5 PASS, 12 N/A": every status present, in reading order. */
function counts(findings: FindingView[]): string {
  if (findings.length === 0) return "no finding";
  return STATUS_ORDER.map((key) => [key, findings.filter((f) => f.status.key === key).length] as const)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${n} ${STATUS_LABEL[key].word}`)
    .join(", ");
}
