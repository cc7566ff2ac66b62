#!/usr/bin/env node
// Benchmark of the evidence pack: builds a result for N HSMs (a synthetic snapshot evaluated by the real engine and
// policies: half compliant with a week of records, half failing, four evidence records each), renders report.pdf
// and report.html with the real renderers, and prints one line with the times and the peak memory.
//
//   npm run bench:render -- --hsms 1000 [--subscriptions 200] [--paper a4] [--out DIR]
//     [--pdf-detail summary|full] (report.pdf's layout; default summary, as the CLI's)
//     [--result-out FILE] (write the result's canonical JSON) [--no-render] (time evaluate alone)
//     [--pathological] (names and messages chosen to hurt: every twentieth HSM's name, every tenth subscription's
//     name, each Sentinel rule's name and twenty collection errors are 80,000 characters long; the names of HSMs
//     one unbroken word, the others words; the report must stay within twice the time of the normal case)
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluate } from "../dist/engine/evaluate.js";
import { loadPolicies } from "../dist/engine/policy.js";
import { loadFrameworks } from "../dist/engine/frameworks.js";
import { writeOutputs } from "../dist/report/outputs.js";
import { renderJson, renderJsonBytes } from "../dist/report/json.js";
import { renderHtml } from "../dist/report/html.js";
import { renderPdf } from "../dist/report/pdf/index.js";
import { createWriteStream } from "node:fs";

const { values } = parseArgs({
  options: {
    hsms: { type: "string", default: "1000" },
    subscriptions: { type: "string" },
    paper: { type: "string", default: "a4" },
    out: { type: "string" },
    "result-out": { type: "string" },
    "no-render": { type: "boolean", default: false },
    "pdf-detail": { type: "string", default: "summary" },
    pathological: { type: "boolean", default: false },
  },
});
const pathological = values.pathological;
const LONG = 80_000;
/** An unbroken word, or words, of LONG characters. */
const longWord = (prefix) => `${prefix}-${"x".repeat(LONG - prefix.length - 1)}`;
const longWords = (prefix) => `${prefix} ${"word ".repeat(LONG / 5)}`.slice(0, LONG);
const hsmCount = Number(values.hsms);
const subCount = Number(values.subscriptions ?? Math.max(1, Math.round(hsmCount / 5)));
if (!["summary", "full"].includes(values["pdf-detail"])) {
  console.error("bench: --pdf-detail must be summary or full");
  process.exit(2);
}
if (!Number.isInteger(hsmCount) || hsmCount < 1 || !Number.isInteger(subCount) || subCount < 1) {
  console.error("bench: --hsms and --subscriptions must be whole numbers of at least 1");
  process.exit(2);
}

const END = Date.parse("2026-11-01T00:00:00Z");
const START = END - 7 * 86_400_000;
let evidenceSeq = 0;
const evidence = [];
function record(purpose, url) {
  const id = `ev-${String(++evidenceSeq).padStart(6, "0")}`;
  evidence.push({
    id,
    method: "GET",
    url,
    status: 200,
    capturedAt: new Date(END + evidenceSeq).toISOString(),
    sha256: (evidenceSeq.toString(16).padStart(8, "0") + "0".repeat(56)).slice(0, 64),
    durationMs: 50,
    purpose,
  });
  return id;
}

const subs = Array.from({ length: subCount }, (_, i) => {
  const subscriptionId = `${String(i).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const displayName = pathological && i % 10 === 0 ? longWords(`Subscription ${i}`) : `Subscription ${i}`;
  return { subscriptionId, displayName };
});
const arm = "https://management.azure.com";
const workspaces = Array.from({ length: 20 }, (_, i) => {
  const id = `/subscriptions/${subs[0].subscriptionId}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-${i}`;
  return {
    id,
    sentinel: {
      value: {
        onboarded: true,
        rules: [
          {
            name: "hsm",
            displayName: pathological ? longWords(`HSM key destruction ${i}`) : "HSM key destruction",
            kind: "Scheduled",
            enabled: true,
            query: "union (AzureDiagnostics | where ResourceType == 'MANAGEDHSMS'), CloudHsmServiceOperationAuditLogs",
          },
        ],
      },
      evidence: [],
    },
    info: {
      value: {
        exists: true,
        customerId: `c0000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        retentionInDays: 400,
      },
      evidence: [record(`workspace ${id}`, `${arm}${id}?api-version=2025-02-01`)],
    },
  };
});
const hsms = Array.from({ length: hsmCount }, (_, i) => {
  const sub = subs[i % subCount];
  const kind = i % 3 === 2 ? "managedHsm" : "cloudHsm";
  const short = `${kind === "cloudHsm" ? "chsm" : "mhsm"}-${String(i).padStart(5, "0")}`;
  const name = pathological && i % 20 === 0 ? longWord(short) : short;
  const type =
    kind === "cloudHsm" ? "Microsoft.HardwareSecurityModules/cloudHsmClusters" : "Microsoft.KeyVault/managedHSMs";
  const id = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-hsm-${i % 7}/providers/${type}/${name}`;
  const category = kind === "cloudHsm" ? "HsmServiceOperations" : "AuditEvent";
  const compliant = i % 2 === 0;
  const workspace = workspaces[i % workspaces.length].id;
  const setting = {
    id: `${id}/providers/microsoft.insights/diagnosticSettings/audit`,
    name: "audit",
    workspaceId: workspace,
    logs: [compliant ? { category, enabled: true } : { categoryGroup: "audit", enabled: false }],
  };
  return {
    id,
    type,
    kind,
    name,
    subscriptionId: sub.subscriptionId,
    resourceGroup: `rg-hsm-${i % 7}`,
    location: "eastus",
    sku: "Standard_B1",
    provisioningState: "Succeeded",
    diagnosticSettings: {
      value: [setting],
      evidence: [
        record(
          `diagnostic settings of ${id}`,
          `${arm}${id}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
        ),
      ],
    },
    categories: {
      value: [{ name: category, categoryType: "Logs", categoryGroups: ["audit", "allLogs"] }],
      evidence: [
        record(
          `categories of ${id}`,
          `${arm}${id}/providers/Microsoft.Insights/diagnosticSettingsCategories?api-version=2021-05-01-preview`,
        ),
      ],
    },
  };
});
const logSamples = workspaces.map((w, wi) => {
  const members = hsms.filter((_, i) => i % workspaces.length === wi);
  const rows = members
    .filter((h) => h.diagnosticSettings.value[0].logs[0].enabled)
    .map((h) => {
      const perDay = Array.from({ length: 7 }, (_, d) => ({
        day: new Date(START + (d + 1) * 86_400_000).toISOString().slice(0, 10),
        records: 10 + ((d * 7) % 13),
      }));
      return {
        hsmId: h.id.toLowerCase(),
        records: perDay.reduce((s, d) => s + d.records, 0),
        lastRecord: new Date(END - 3_600_000).toISOString(),
        perDay,
      };
    });
  return {
    workspaceId: w.id,
    customerId: w.info.value.customerId,
    hsmIds: members.map((h) => h.id),
    query: "(the audit query)",
    result: {
      value: { rows },
      evidence: [record(`audit records in ${w.id}`, "https://api.loganalytics.io/v1/workspaces/x/query")],
    },
  };
});
// What the HSMs did: five operations and two callers each, a record every hour, and for every tenth HSM a deleted key.
const activitySamples = workspaces.map((w, wi) => {
  const members = hsms.filter((h, i) => i % workspaces.length === wi && h.diagnosticSettings.value[0].logs[0].enabled);
  const answer = (q, rows) => ({
    query: `(the ${q} question)`,
    result: {
      value: { rows },
      evidence: [record(`the ${q} of the HSMs in ${w.id}`, "https://api.loganalytics.io/v1/workspaces/x/query")],
    },
  });
  const first = new Date(START + 3_600_000).toISOString();
  const last = new Date(END - 3_600_000).toISOString();
  const ops = (h) =>
    h.kind === "cloudHsm"
      ? ["CN_LOGIN", "HASH_SINGLE_CALL", "CN_LOGOUT", "CN_GENERATE_KEY", "CN_FIND_OBJECTS_USING_COUNT"]
      : ["KeySign", "KeyGet", "KeyVerify", "KeyWrap", "KeyUnwrap"];
  return {
    workspaceId: w.id,
    hsmIds: members.map((h) => h.id),
    bin: "1h",
    questions: {
      operations: answer(
        "operations",
        members.flatMap((h, k) =>
          [...ops(h), ...(k % 10 === 0 ? [h.kind === "cloudHsm" ? "CN_TOMBSTONE_OBJECT" : "KeyDelete"] : [])].map(
            (operation) => ({ hsmId: h.id.toLowerCase(), operation, records: 30, failures: 0, first, last }),
          ),
        ),
      ),
      callers: answer(
        "callers",
        members.flatMap((h) =>
          ["10.0.0.4", "10.0.0.5"].map((caller) => ({
            hsmId: h.id.toLowerCase(),
            caller,
            identity: "",
            records: 75,
            failures: 0,
            first,
            last,
            firstLogin: first,
          })),
        ),
      ),
      series: answer(
        "series",
        members.flatMap((h) =>
          Array.from({ length: 167 }, (_, k) => ({
            hsmId: h.id.toLowerCase(),
            bin: new Date(START + (k + 1) * 3_600_000).toISOString(),
            records: 1,
          })),
        ),
      ),
      sensitive: answer(
        "sensitive",
        members.flatMap((h, k) =>
          k % 10 === 0
            ? [
                {
                  hsmId: h.id.toLowerCase(),
                  operation: h.kind === "cloudHsm" ? "CN_TOMBSTONE_OBJECT" : "KeyDelete",
                  records: 30,
                  rows: Array.from({ length: 20 }, (_, r) => ({
                    time: new Date(END - (r + 2) * 3_600_000).toISOString(),
                    caller: "10.0.0.9",
                    identity: "",
                    outcome: "unknown",
                  })),
                },
              ]
            : [],
        ),
      ),
      keyGets: answer("keyGets", []),
      failures: answer("failures", []),
    },
  };
});

const snapshot = {
  schemaVersion: 1,
  kind: "hsm-audit-snapshot",
  tool: { name: "hsm-audit", version: "bench" },
  runId: "00000000-0000-4000-8000-00000000bench".slice(0, 36),
  startedAt: new Date(END).toISOString(),
  finishedAt: new Date(END + 5000).toISOString(),
  scope: {
    cloud: "AzureCloud",
    subscriptions: subs.map((s) => s.subscriptionId),
    armEndpoint: arm,
    logsEndpoint: "https://api.loganalytics.io",
  },
  logWindow: { duration: "P7D", start: new Date(START).toISOString(), end: new Date(END).toISOString() },
  subscriptions: subs.map((s) => ({
    ...s,
    insightsProvider: {
      value: { registrationState: "Registered" },
      evidence: [
        record(
          `provider of ${s.subscriptionId}`,
          `${arm}/subscriptions/${s.subscriptionId}/providers/Microsoft.Insights`,
        ),
      ],
    },
    inventory: Object.fromEntries(
      ["cloudHsm", "managedHsm", "dedicatedHsm"].map((k) => [
        k,
        {
          value: { count: hsms.filter((h) => h.subscriptionId === s.subscriptionId && h.kind === k).length },
          evidence: [record(`${k} list of ${s.subscriptionId}`, `${arm}/subscriptions/${s.subscriptionId}/resources`)],
        },
      ]),
    ),
  })),
  hsms,
  workspaces,
  storageAccounts: [],
  logSamples,
  activitySamples,
  errors: pathological
    ? hsms.slice(0, 20).map((h) => ({
        for: `diagnostic settings of ${h.id}`,
        resourceId: h.id,
        status: 403,
        code: "AuthorizationFailed",
        message: longWords("Refused:"),
      }))
    : [],
  evidence,
};

const policies = loadPolicies();
const frameworks = loadFrameworks();
let t = performance.now();
const result = evaluate(snapshot, policies, { failOn: "low", frameworks });
const evaluateS = (performance.now() - t) / 1000;
if (values["result-out"]) writeFileSync(values["result-out"], renderJson(result));
if (values["no-render"]) {
  t = performance.now();
  renderJson(result);
  const jsonS = (performance.now() - t) / 1000;
  console.log(
    `bench-render: hsms=${hsmCount} subscriptions=${subCount}${pathological ? " pathological" : ""} findings=${result.findings.length} evidence=${evidence.length} ` +
      `evaluate_s=${evaluateS.toFixed(3)} json_s=${jsonS.toFixed(3)}`,
  );
  process.exit(0);
}
const out = values.out ?? mkdtempSync(join(tmpdir(), "hsm-audit-bench-"));
const rssBefore = process.memoryUsage().rss;
// The renderer alone: result.json's text and hash made first (json_s), then report.pdf drawn (render_pdf_s). pdf_s
// below is what a scan pays: writeOutputs, which writes result.json (every value in full) before the PDF.
t = performance.now();
const resultSha256 = renderJsonBytes(result).sha256;
const jsonOnlyS = (performance.now() - t) / 1000;
t = performance.now();
await renderPdf(
  result,
  { paper: values.paper, resultSha256, pdfDetail: values["pdf-detail"] },
  createWriteStream(join(out, "render-only.pdf")),
);
const renderPdfS = (performance.now() - t) / 1000;
t = performance.now();
await writeOutputs(result, out, ["pdf"], { paper: values.paper, pdfDetail: values["pdf-detail"] });
const pdfS = (performance.now() - t) / 1000;
const peakAfterPdf = process.resourceUsage().maxRSS / 1024;
// Measured before the HTML is written: writeOutputs removes the report.pdf of an earlier run it does not rewrite.
const pdfBytes = statSync(join(out, "report.pdf")).size;
// Page objects are plain dictionaries in the file (only content streams are compressed).
const pages =
  readFileSync(join(out, "report.pdf"))
    .toString("latin1")
    .match(/\/Type \/Page\n/g)?.length ?? 0;
// The HTML renderer alone (render_html_s), given the hash; html_s below is writeOutputs: result.json, then report.html.
t = performance.now();
renderHtml(result, { paper: values.paper, resultSha256 });
const renderHtmlS = (performance.now() - t) / 1000;
t = performance.now();
await writeOutputs(result, out, ["html"], { paper: values.paper });
const htmlS = (performance.now() - t) / 1000;
const htmlBytes = statSync(join(out, "report.html")).size;
const peak = process.resourceUsage().maxRSS / 1024;
console.log(
  `bench-render: hsms=${hsmCount} subscriptions=${subCount}${pathological ? " pathological" : ""} pdf_detail=${values["pdf-detail"]} findings=${result.findings.length} evidence=${evidence.length} ` +
    `evaluate_s=${evaluateS.toFixed(3)} pages=${pages} json_s=${jsonOnlyS.toFixed(2)} render_pdf_s=${renderPdfS.toFixed(2)} pdf_s=${pdfS.toFixed(2)} pdf_mb=${(pdfBytes / 1e6).toFixed(1)} render_html_s=${renderHtmlS.toFixed(2)} html_s=${htmlS.toFixed(2)} html_mb=${(htmlBytes / 1e6).toFixed(1)} ` +
    `rss_before_mb=${(rssBefore / 1048576).toFixed(0)} peak_rss_after_pdf_mb=${peakAfterPdf.toFixed(0)} peak_rss_mb=${peak.toFixed(0)}`,
);
if (!values.out) rmSync(out, { recursive: true, force: true });
