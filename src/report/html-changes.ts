// The "Changes since <date>" section of report.html, written apart from the report's template so that the report can
// be reworked without it: a Handlebars template of its own (every value escaped; never the triple-stash), inserted
// before the executive summary, with its entry in the contents. Only the stylesheet's existing classes are used: the
// Content-Security-Policy allows no other style.
import Handlebars from "handlebars";
import type { FindingChangeKind, Result, ResultChanges } from "../model/result.js";
import { changesHeading, changesOfKind, comparabilityText, differenceText, REMOVED_REASON } from "./changes.js";
import { changeNames, KIND_TITLE, MAX_CHANGE_ROWS, nothingChanged } from "./changes-text.js";

const TEMPLATE = `<section id="changes" data-testid="changes">
  <h2>{{heading}}</h2>
  <p>Compared with the previous pack (run <code>{{previous.runId}}</code>, started {{previous.startedAt}}; its result.json SHA-256 <code class="hash">{{previous.resultSha256}}</code>). Findings are matched by policy and resource id, ids compared as Azure compares them (case-insensitively). A failure is gating when it fails at or above this pack's fail-on threshold ({{failOn}}) and did not before.</p>
  {{#if warning}}<p class="status-fail" data-testid="changes-warning">{{warning}}</p>{{/if}}
  {{#if differences.length}}<ul>{{#each differences}}<li>Differs: {{this}}.</li>{{/each}}</ul>{{/if}}
  {{#if nothing}}<p>No finding, HSM, waiver or read error changed.</p>{{/if}}
  {{#each kinds}}
  <h3 class="{{cls}}">{{title}} ({{count}})</h3>
  <table class="grid findings" data-testid="changes-{{kind}}">
    <thead><tr><th scope="col">HSM or subscription</th><th scope="col">Policy</th><th scope="col">Severity</th><th scope="col">Before</th><th scope="col">Now</th><th scope="col">Finding</th></tr></thead>
    <tbody>{{#each rows}}<tr><td>{{name}}</td><td><code>{{policyId}}</code></td><td><span class="sev sev-{{severity}}">{{severity}}</span>{{#if gating}}<br><strong>gating</strong>{{/if}}</td><td>{{before}}</td><td>{{after}}</td><td>{{message}}</td></tr>{{/each}}</tbody>
  </table>
  {{#if more}}<p class="muted">...and {{more}} more: every change is in result.json (changes).</p>{{/if}}
  {{/each}}
  {{#each hsmTables}}
  <h3>{{title}} ({{count}})</h3>
  <table class="grid" data-testid="changes-{{id}}">
    <thead><tr><th scope="col">HSM</th><th scope="col">Kind</th><th scope="col">Resource id</th>{{#if why}}<th scope="col">Why</th>{{/if}}<th scope="col">Unresolved findings</th></tr></thead>
    <tbody>{{#each rows}}<tr><td>{{name}}</td><td>{{kind}}</td><td><code>{{id}}</code></td>{{#if ../why}}<td>{{reason}}</td>{{/if}}<td>{{unresolved}}</td></tr>{{/each}}</tbody>
  </table>
  {{#if more}}<p class="muted">...and {{more}} more: every change is in result.json (changes).</p>{{/if}}
  {{/each}}
  {{#if waivers.length}}
  <h3>Waivers expired since ({{waivers.length}})</h3>
  <table class="grid" data-testid="changes-waivers">
    <thead><tr><th scope="col">Waiver</th><th scope="col">Policy</th><th scope="col">Resource</th><th scope="col">Owner</th><th scope="col">Ticket</th><th scope="col">Expired after</th></tr></thead>
    <tbody>{{#each waivers}}<tr><td>{{index}}</td><td><code>{{policy}}</code></td><td><code>{{resource}}</code></td><td>{{owner}}</td><td>{{ticket}}</td><td>{{expires}}</td></tr>{{/each}}</tbody>
  </table>
  {{/if}}
  {{#if readErrors.length}}
  <h3 class="status-error">New read errors ({{readErrors.length}})</h3>
  <table class="grid" data-testid="changes-read-errors">
    <thead><tr><th scope="col">For</th><th scope="col">Resource</th><th scope="col">Message</th></tr></thead>
    <tbody>{{#each readErrors}}<tr><td>{{for}}</td><td>{{resource}}</td><td>{{message}}</td></tr>{{/each}}</tbody>
  </table>
  {{/if}}
</section>
`;

const TOC_ENTRY = `<li><a href="#changes">{{heading}}</a></li>`;

let compiled: { section: Handlebars.TemplateDelegate; toc: Handlebars.TemplateDelegate } | undefined;

const KIND_CLASS: Record<FindingChangeKind, string> = {
  "new-failure": "status-fail",
  "new-error": "status-error",
  changed: "",
  resolved: "status-pass",
};

/** The section's data: the lists, each cut at MAX_CHANGE_ROWS with how many more there are. */
function sectionView(result: Result & { changes: ResultChanges }) {
  const c = result.changes;
  const name = changeNames(result);
  const cut = <T>(rows: T[]) => ({
    rows: rows.slice(0, MAX_CHANGE_ROWS),
    count: rows.length,
    more: Math.max(0, rows.length - MAX_CHANGE_ROWS),
  });
  const kinds = (["new-failure", "new-error", "changed", "resolved"] as FindingChangeKind[])
    .map((kind) => ({ kind, list: changesOfKind(c, kind) }))
    .filter(({ list }) => list.length > 0)
    .map(({ kind, list }) => ({
      kind,
      cls: KIND_CLASS[kind],
      title: kind === "new-failure" ? `${KIND_TITLE[kind]}, ${c.gating} gating` : KIND_TITLE[kind],
      ...cut(
        list.map((f) => ({
          name: name(f.resourceId),
          policyId: f.policyId,
          severity: f.severity,
          gating: f.gating,
          before: f.before ?? "none",
          after: f.after ?? "none",
          message: f.message,
        })),
      ),
    }));
  const hsmRows = (list: ResultChanges["newHsms"]) =>
    list.map((h) => ({ ...h, reason: h.reason ? REMOVED_REASON[h.reason] : "" }));
  const hsmTables = [
    { id: "new-hsms", title: "New HSMs", why: false, ...cut(hsmRows(c.newHsms)) },
    { id: "removed-hsms", title: "HSMs gone since", why: true, ...cut(hsmRows(c.removedHsms)) },
  ].filter((t) => t.count > 0);
  return {
    heading: changesHeading(c),
    previous: { ...c.previous, runId: c.previous.runId ?? "not recorded" },
    failOn: c.failOn,
    warning: comparabilityText(c) ?? "",
    differences: c.differences.map(differenceText),
    nothing: nothingChanged(c),
    kinds,
    hsmTables,
    waivers: c.expiredWaivers.slice(0, MAX_CHANGE_ROWS),
    readErrors: c.newReadErrors.slice(0, MAX_CHANGE_ROWS).map((e) => ({
      for: e.for,
      resource: e.resourceId ? name(e.resourceId) : "-",
      message: e.message,
    })),
  };
}

/**
 * The report with its changes section inserted before the executive summary, and its entry in the contents; the
 * report as it was when the result has no `changes`. `shown`: the result as printed (printableResult).
 */
export function withChangesSection(html: string, shown: Result): string {
  if (!shown.changes) return html;
  if (!compiled) {
    const hb = Handlebars.create();
    compiled = { section: hb.compile(TEMPLATE, { strict: true }), toc: hb.compile(TOC_ENTRY, { strict: true }) };
  }
  const view = sectionView(shown as Result & { changes: ResultChanges });
  const summary = '<section id="summary">';
  const tocSummary = '<li><a href="#summary">';
  const section = compiled.section(view);
  // Should the report's layout change, the section still opens what follows the contents, or at worst closes the body.
  if (!html.includes(summary)) return html.replace("</body>", () => `${section}</body>`);
  return html
    .replace(tocSummary, () => `${compiled!.toc(view)}${tocSummary}`)
    .replace(summary, () => `${section}${summary}`);
}
