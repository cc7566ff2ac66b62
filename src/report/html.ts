// report.html: one self-contained file from the Handlebars templates of report-templates/. Everything read from Azure
// goes through Handlebars' escaping (the templates never use the triple-stash); the only script and style are inline
// and allowed by their hashes in a Content-Security-Policy that forbids every other load.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { Result, ShownStatus, Status } from "../model/result.js";
import { anchorOf, buildView, evidenceAnchor, STATUS_LABEL, type ActivityView } from "./view.js";
import type { RenderContext } from "./outputs.js";
import { printableResult } from "./printable.js";
import { withChangesSection } from "./html-changes.js";

export const TEMPLATES = fileURLToPath(new URL("../../report-templates", import.meta.url));

interface Compiled {
  template: Handlebars.TemplateDelegate;
  /** The project's own stylesheet and script, inserted as written (SafeString): their hashes are in the CSP. */
  css: Handlebars.SafeString;
  script: Handlebars.SafeString;
  csp: string;
}

let compiled: Compiled | undefined;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

function compile(): Compiled {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  const partials = join(TEMPLATES, "partials");
  for (const file of readdirSync(partials).filter((f) => f.endsWith(".hbs"))) {
    hb.registerPartial(file.replace(/\.hbs$/, ""), readFileSync(join(partials, file), "utf8"));
  }
  hb.registerHelper({
    eq: (a: unknown, b: unknown) => a === b,
    gt: (a: number, b: number) => a > b,
    isDefined: (v: unknown) => v !== undefined && v !== null,
    isBad: (s: Status) => s === "fail" || s === "error",
    lower: (s: string) => String(s).toLowerCase(),
    statusWord: (s: ShownStatus) => STATUS_LABEL[s].word,
    statusSymbol: (s: ShownStatus) => STATUS_LABEL[s].symbol,
    evAnchor: (id: string) => evidenceAnchor(id),
    hsmAnchor: (id: string) => anchorOf("hsm", id),
    chartGeometry: (a: ActivityView) => chartGeometry(a),
  });
  const template = hb.compile(readFileSync(join(TEMPLATES, "report.hbs"), "utf8"), { strict: true });
  const css = readFileSync(join(TEMPLATES, "report.css"), "utf8");
  const script = readFileSync(join(TEMPLATES, "filter.js"), "utf8");
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(css)}`,
    `script-src ${sha256(script)}`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  compiled = { template, css: new hb.SafeString(css), script: new hb.SafeString(script), csp };
  return compiled;
}

export function renderHtml(result: Result, context: RenderContext): string {
  const { template, css, script, csp } = compile();
  const shown = printableResult(result);
  return withChangesSection(template({ view: buildView(shown, context.resultSha256), css, script, csp }), shown);
}

/** Bar geometry of the records-per-day chart, in SVG user units. */
export function chartGeometry(activity: ActivityView) {
  const width = 640;
  const height = 130;
  const left = 44;
  const right = width - 6;
  const top = 10;
  const baseline = height - 24;
  const slot = (right - left) / Math.max(1, activity.days.length);
  const scale = activity.maxPerDay > 0 ? (baseline - top) / activity.maxPerDay : 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  const bars = activity.days.map((d, i) => {
    const h = round(d.records * scale);
    return {
      x: round(left + i * slot + slot * 0.12),
      y: round(baseline - h),
      w: round(Math.max(0.5, slot * 0.76)),
      h,
      day: d.day,
      records: d.records,
    };
  });
  const firstDay = activity.days[0]?.day ?? "";
  const lastDay = activity.days[activity.days.length - 1]?.day ?? "";
  return {
    width,
    height,
    left,
    right,
    top,
    baseline,
    labelX: left - 4,
    topText: top + 4,
    bottomText: height - 8,
    bars,
    max: activity.maxPerDay,
    firstDay,
    lastDay,
    label: `Audit records per day from ${firstDay} to ${lastDay}, highest ${activity.maxPerDay}`,
  };
}
