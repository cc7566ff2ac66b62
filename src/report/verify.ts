// A saved result.json is read back (`render`) as data someone may have edited: the summary must be what its findings
// make it, and every date and period must be a real one. A disagreement is refused, naming the field, rather than
// rendered: a report must never show a verdict its findings do not earn.
import { summarise } from "../engine/evaluate.js";
import type { Result, Summary } from "../model/result.js";

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
/** An instant as --from/--to accept it: with an offset. */
const OFFSET_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))$/;

function realDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    Number(y) >= 1 &&
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** A UTC instant as the tool writes it (2026-10-01T00:00:00.000Z), on a real day at a real time. */
export function isInstant(value: string): boolean {
  const m = INSTANT.exec(value);
  return Boolean(m && realDate(m[1]!, m[2]!, m[3]!) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60);
}

/** A calendar date YYYY-MM-DD that exists. */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return Boolean(m && realDate(m[1]!, m[2]!, m[3]!));
}

function isPeriodBound(value: string): boolean {
  if (isDate(value)) return true;
  const m = OFFSET_INSTANT.exec(value);
  return Boolean(
    m &&
    realDate(m[1]!, m[2]!, m[3]!) &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    Number(m[7] ?? 0) < 60 &&
    Number(m[10] ?? 0) < 24 &&
    Number(m[11] ?? 0) < 60,
  );
}

/** A period label as a scan writes it: a month YYYY-MM (01 to 12), or FROM/TO (dates or instants with offset). */
export function isPeriod(value: string): boolean {
  const month = MONTH.exec(value);
  if (month) return Number(month[1]) >= 1 && Number(month[2]) >= 1 && Number(month[2]) <= 12;
  const parts = value.split("/");
  return parts.length === 2 && isPeriodBound(parts[0]!) && isPeriodBound(parts[1]!);
}

const SUMMARY_FIELDS: Array<keyof Summary> = [
  "pass",
  "fail",
  "error",
  "waived",
  "notApplicable",
  "manual",
  "compliant",
  "exitCode",
];

/**
 * What is wrong with a result that passed the schema, or undefined: the first summary field its findings disagree
 * with, or the first date, instant or period that does not exist.
 */
export function resultInconsistency(result: Result): string | undefined {
  const earned = summarise(result.findings, result.failOn, result.waivers, result.failOnExpiredWaivers ?? false);
  for (const field of SUMMARY_FIELDS) {
    // A result of an earlier version states no exit code: nothing to disagree with.
    if (field === "exitCode" && result.summary.exitCode === undefined) continue;
    if (result.summary[field] !== earned[field]) {
      return (
        `summary.${field} is ${JSON.stringify(result.summary[field])} but its findings make it ` +
        `${JSON.stringify(earned[field])}`
      );
    }
  }
  const instants: Array<[string, string]> = [
    ["startedAt", result.startedAt],
    ["finishedAt", result.finishedAt],
    ["logWindow.start", result.logWindow.start],
    ["logWindow.end", result.logWindow.end],
    ...result.evidence.map((e, i): [string, string] => [`evidence.${i}.capturedAt`, e.capturedAt]),
  ];
  for (const [field, value] of instants) {
    if (!isInstant(value)) return `${field}: '${value}' is not a real instant (YYYY-MM-DDTHH:MM:SS.sssZ)`;
  }
  if (result.finishedAt < result.startedAt) return `finishedAt ${result.finishedAt} is before startedAt`;
  if (result.logWindow.end < result.logWindow.start) return `logWindow.end ${result.logWindow.end} is before its start`;
  const period = result.logWindow.period;
  if (period !== undefined && !isPeriod(period)) {
    return `logWindow.period: '${period}' is not a month YYYY-MM (01 to 12) nor FROM/TO of real dates`;
  }
  const dates: Array<[string, string]> = [
    ...(result.waivers ?? []).map((w, i): [string, string] => [`waivers.${i}.expires`, w.expires]),
    ...result.findings.flatMap((f, i): Array<[string, string]> =>
      f.waiver ? [[`findings.${i}.waiver.expires`, f.waiver.expires]] : [],
    ),
  ];
  for (const [field, value] of dates) {
    if (!isDate(value)) return `${field}: '${value}' is not a real date (YYYY-MM-DD)`;
  }
  return undefined;
}
