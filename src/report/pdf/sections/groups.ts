// The summary layout's "Findings to act on": every finding that is not a pass and not N/A (fail, error, manual,
// review, waived), grouped by status, severity and policy. Within a group, findings whose message differs only by
// the name of what it concerns are printed once as a message with ‹name› and the list of those it concerns, each
// with its evidence ids: every such finding is in the pack, word for word, at a size an auditor can read. A group's
// fix is printed once, as filled in for its first finding; each finding's own commands are in result.json.
import { SEVERITIES, type ShownStatus } from "../../../model/result.js";
import { plural } from "../../../model/words.js";
import { STATUS_ORDER, evidenceAnchor, type FindingView, type ReportView } from "../../view.js";
import { LAYOUT, STATUS_COLOR, type Layout } from "../layout.js";
import type { Style } from "../typesetter.js";

/** Statuses that need no attention: counted in the verdict tables, not printed one by one. */
const QUIET: ReadonlySet<ShownStatus> = new Set(["pass", "not_applicable"]);
/** What stands for the name of what a finding concerns in a group's shared message. */
export const NAME_MARK = "‹name›";

export interface FindingGroup {
  /** Its number in the pack (1, 2, ...): the verdict tables refer to it. */
  n: number;
  status: FindingView["status"];
  severity: string;
  policyId: string;
  title: string;
  findings: FindingView[];
  /** The findings by shared message (the message with each one's name as NAME_MARK), in order of appearance. */
  messages: { text: string; findings: FindingView[] }[];
}

export const groupAnchor = (n: number | string) => `group-${n}`;

/** Whether a finding is printed in the summary layout. */
export const needsAttention = (f: FindingView) => !QUIET.has(f.status.key);

/** The findings that need attention, in the pack's reading order: tenant, then each subscription and its HSMs. */
export function findingGroups(v: ReportView): FindingGroup[] {
  const all = [
    ...v.tenantFindings,
    ...v.sections.flatMap((s) => [...s.findings, ...s.hsms.flatMap((h) => h.findings)]),
  ];
  const byKey = new Map<string, FindingView[]>();
  for (const f of all.filter(needsAttention)) {
    const key = `${f.status.key}\u0000${f.finding.severity}\u0000${f.finding.policyId}`;
    const list = byKey.get(key);
    if (list) list.push(f);
    else byKey.set(key, [f]);
  }
  const order = (f: FindingView) => [
    STATUS_ORDER.indexOf(f.status.key),
    SEVERITIES.indexOf(f.finding.severity),
    f.finding.policyId,
  ];
  const sorted = [...byKey.values()].sort((a, b) => {
    const [x, y] = [order(a[0]!), order(b[0]!)];
    return (
      (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number) || cmp(x[2] as string, y[2] as string)
    );
  });
  return sorted.map((findings, i) => {
    const first = findings[0]!;
    const messages = new Map<string, FindingView[]>();
    for (const f of findings) {
      const text = sharedMessage(f.finding.message, f.resourceName);
      messages.set(text, [...(messages.get(text) ?? []), f]);
    }
    // A message shared by one finding alone is printed as it is.
    const shared = [...messages].flatMap(([text, list]) =>
      list.length > 1 ? [{ text, findings: list }] : list.map((f) => ({ text: f.finding.message, findings: [f] })),
    );
    return {
      n: i + 1,
      status: first.status,
      severity: first.finding.severity,
      policyId: first.finding.policyId,
      title: first.finding.title,
      findings,
      messages: shared,
    };
  });
}

/** The message with the name it concerns as NAME_MARK (names shorter than 3 characters are left: they would match inside words). */
export function sharedMessage(message: string, name: string): string {
  return name.length >= 3 && message.includes(name) ? message.split(name).join(NAME_MARK) : message;
}

/** The groups' numbers of each resource (by its finding's resourceId, as given), for the verdict tables. */
export function groupsOf(groups: FindingGroup[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const g of groups) {
    for (const f of g.findings) {
      const key = f.finding.resourceId.toLowerCase();
      const list = out.get(key) ?? [];
      if (list[list.length - 1] !== g.n) list.push(g.n);
      out.set(key, list);
    }
  }
  return out;
}

export async function groups(p: Layout, all: FindingGroup[]) {
  p.newPage();
  const outline = p.doc.outline.addItem("Findings to act on");
  p.begin("groups");
  p.heading("Findings to act on", 1);
  p.paragraph(
    all.length
      ? `Every finding that failed, errored, waits for manual evidence, is for review or was waived: ${plural(
          all.reduce((n, g) => n + g.findings.length, 0),
          "finding",
        )} in ${plural(all.length, "group")}, by status, severity and policy. Where findings differ only by what they ` +
          `concern, the message is printed once with ${NAME_MARK} for the name, followed by each HSM or subscription it ` +
          "concerns and the evidence it rests on (links into Appendix B). Passing and not applicable findings are " +
          "counted in the verdict tables; result.json (attached, Appendix C) holds every finding in full."
      : "No finding failed, errored, waits for manual evidence, is for review or was waived.",
  );
  const shownFixes = new Map<string, number>();
  let drawn = 0;
  for (const g of all) {
    p.ensure(130);
    p.doc.addNamedDestination(groupAnchor(g.n), "XYZ", p.left, p.y, null);
    p.begin(groupAnchor(g.n));
    outline.addItem(`${g.n}. ${g.status.word} · ${g.policyId}`);
    p.heading(`${g.n}. ${g.status.symbol} ${g.status.word} · ${g.severity} · ${g.policyId}`, 2, {
      color: STATUS_COLOR[g.status.key],
    });
    p.paragraph(`${g.title}. ${plural(g.findings.length, "finding")}.`, { size: 8.5, color: LAYOUT.muted });
    for (const m of g.messages) {
      p.paragraph(m.text, { size: 8.5 });
      items(
        p,
        m.findings.map((f) => ({ label: f.resourceName, ids: f.evidence })),
      );
      if (m.findings.some((f) => f.finding.details)) {
        p.paragraph("The records each of these found are listed in result.json (findings[].details).", {
          size: 7.5,
          color: LAYOUT.muted,
        });
      }
      if (++drawn % 50 === 0) {
        p.forgetWords();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    fix(p, g, shownFixes);
  }
}

/** The group's fix, as filled in for its first finding that has one; identical commands are referred to. */
function fix(p: Layout, g: FindingGroup, shown: Map<string, number>) {
  const first = g.findings.find((f) => f.hasFix && (f.finding.status === "fail" || f.finding.status === "error"));
  if (!first) return;
  const { azCli, powershell } = first.finding.remediation;
  const key = `${azCli}\u0000${powershell}`;
  const earlier = shown.get(key);
  if (earlier !== undefined) {
    p.paragraph(`Fix: the same commands as group ${earlier}'s.`, { size: 8.5, color: LAYOUT.muted });
    return;
  }
  shown.set(key, g.n);
  p.paragraph(
    g.findings.length > 1
      ? `Fix, as filled in for ${first.resourceName}; for each of the others the same commands name its own resources (result.json and findings.csv hold each finding's own):`
      : `Fix for ${first.resourceName}:`,
    { size: 8.5, font: "bold" },
  );
  if (azCli) p.command("Azure CLI", azCli);
  if (powershell) p.command("PowerShell", powershell);
}

/**
 * Names, each followed by its evidence ids (links), one after another across the line and wrapped, "·" between
 * them; a name wider than the line is broken over lines of its own.
 */
function items(p: Layout, list: { label: string; ids: string[] }[]) {
  const size = 7.5;
  const name: Style = { font: "sans", size, color: LAYOUT.text };
  const id: Style = { font: "mono", size: size - 1, color: LAYOUT.link };
  const lh = p.lh(size);
  const right = p.left + p.contentWidth;
  const gap = p.type.width("  ·  ", "sans", size);
  const space = p.type.width(" ", "mono", size - 1);
  let x = p.left;
  const newLine = () => {
    p.y += lh;
    x = p.left;
    if (p.y + lh > p.bottom) p.newPage();
  };
  if (p.y + lh > p.bottom) p.newPage();
  for (const item of list) {
    const labelWidth = p.type.width(item.label, "sans", size);
    const idWidths = item.ids.map((e) => p.type.width(e, "mono", size - 1));
    const whole = labelWidth + idWidths.reduce((s, w) => s + w + space, 0);
    if (x > p.left && x + gap + whole > right) newLine();
    else if (x > p.left) {
      p.type.draw(["·"], x + gap / 2 - 2, p.y, { ...name, color: LAYOUT.muted });
      x += gap;
    }
    if (labelWidth > right - x) {
      const lines = p.type.lines(item.label, "sans", size, p.contentWidth);
      for (const [i, line] of lines.entries()) {
        if (i > 0) newLine();
        p.type.draw([line], p.left, p.y, name);
      }
      x = p.left + p.type.width(lines[lines.length - 1] ?? "", "sans", size);
    } else {
      p.type.draw([item.label], x, p.y, name);
      x += labelWidth;
    }
    item.ids.forEach((e, i) => {
      const w = idWidths[i]!;
      if (x + space + w > right) newLine();
      else x += space;
      p.type.draw([e], x, p.y + 0.6, id);
      p.doc.goTo(x, p.y, w, lh, evidenceAnchor(e));
      x += w;
    });
    if (item.ids.length === 0) {
      const none = " (no evidence)";
      if (x + p.type.width(none, "sans", size) > right) newLine();
      p.type.draw([none.trim()], x + (x > p.left ? 3 : 0), p.y, { ...name, color: LAYOUT.muted });
      x += p.type.width(none, "sans", size);
    }
  }
  p.y += lh * 1.4;
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}
