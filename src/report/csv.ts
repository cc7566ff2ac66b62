// findings.csv: one row per finding, RFC 4180 (CRLF rows, quotes doubled, fields with commas, quotes or line breaks
// quoted), UTF-8 with a byte-order mark so that Excel on Windows reads names as UTF-8 rather than its ANSI code page.
// Names come from Azure: a cell a spreadsheet would read as a formula gets a leading apostrophe.
import type { Result } from "../model/result.js";
import { lookup } from "./lookup.js";

export const CSV_COLUMNS = [
  "policyId",
  "title",
  "severity",
  "status",
  "resourceId",
  "resourceName",
  "kind",
  "subscriptionId",
  "message",
  "azCli",
  "powershell",
  "evidence",
  "waiverOwner",
  "waiverTicket",
  "waiverExpires",
  "waiverReason",
  "runId",
  "scannedAt",
] as const;

/** Excel on Windows opens a CSV as UTF-8 only when it starts with this mark. */
export const UTF8_BOM = "\ufeff";

export function renderCsv(result: Result): string {
  const look = lookup(result);
  const rows = result.findings.map((f) => {
    const resource = look.resource(f.resourceId);
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(f.resourceId)?.[1] ?? "";
    const values: Record<(typeof CSV_COLUMNS)[number], string> = {
      policyId: f.policyId,
      title: f.title ?? "",
      severity: f.severity,
      status: f.status,
      resourceId: f.resourceId,
      resourceName: look.displayName(f.resourceId),
      kind: resource?.kind ?? (f.resourceId.split("/").length <= 3 ? "subscription" : ""),
      subscriptionId: resource?.subscriptionId ?? subscription,
      message: f.message,
      azCli: f.remediation.azCli,
      powershell: f.remediation.powershell,
      evidence: f.evidence.join(" "),
      waiverOwner: f.waiver?.owner ?? "",
      waiverTicket: f.waiver?.ticket ?? "",
      waiverExpires: f.waiver?.expires ?? "",
      waiverReason: f.waiver?.reason ?? "",
      // Each row says which run and when, so that rows of several months can be pasted into one sheet.
      runId: result.runId ?? "",
      scannedAt: result.startedAt,
    };
    return CSV_COLUMNS.map((c) => field(values[c]));
  });
  return UTF8_BOM + [CSV_COLUMNS.map(field), ...rows].map((r) => `${r.join(",")}\r\n`).join("");
}

/** Formula neutralisation (a leading `'`, as OWASP advises), then RFC 4180 quoting. */
export function field(value: string): string {
  // A tab or carriage return first, or a formula character after leading blanks (spreadsheets trim them).
  const safe = /^\s*[=+\-@]|^[\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
