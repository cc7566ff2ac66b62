// What a report prints of a value from Azure. Names, tags, rule names, callers and operation names are chosen by
// whoever owns the tenant: a line break in one would print a forged line (a "COMPLIANT (exit code 0)." of its own)
// in a terminal, a CI log or the PDF, a bidirectional override would make it read as something else, and a name of
// 80,000 characters would bury the report. So every renderer prints values through `printable`: the characters that
// do not print as themselves are shown escaped (\n, \u202e), and what is too long is cut with an ellipsis. The full
// value stays in result.json, which is written as read.
import type { Finding, Result } from "../model/result.js";

/**
 * Line breaks and the other control characters (C0, DEL, C1 including U+0085), the Unicode line and paragraph
 * separators, and the bidirectional marks, embeddings, overrides and isolates.
 */
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

/** At most this many characters of one value are printed. */
export const MAX_PRINTED = 1000;
/** At most this many characters without a space or a "/" (a word, a name, an id's segment) are printed. */
export const MAX_RUN = 120;
/**
 * The longest URL or query printed whole. An exchange's URL and a query the tool sent are built by the tool from
 * names that Azure bounds (a resource id is at most a few hundred characters), so a real one is far below this; one
 * above it holds a value no real estate has (a name of thousands of characters, or a reply that was not Azure's), and
 * printing it whole in every row that cites it would bury the report.
 */
export const MAX_WHOLE = 4096;
/** What stands for the characters cut. */
export const CUT = "…";
/** The note a report prints once when it cut a value. */
export const CUT_NOTE = `Values from Azure longer than ${MAX_PRINTED} characters, or with a word longer than ${MAX_RUN}, and URLs or queries longer than ${MAX_WHOLE}, are cut where "${CUT}" stands; the full values are in result.json.`;

function escapeHidden(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  if (c === "\t") return "\\t";
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Whether `printable` would change the value. */
export function needsEscape(value: string): boolean {
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(value);
}

/**
 * The value as one printable line: hidden characters escaped, each run of more than `MAX_RUN` characters without a
 * space or "/" cut, and the whole cut at `max` characters. Linear in the value's length.
 */
export function printable(value: string, max = MAX_PRINTED, maxRun = MAX_RUN): string {
  // Nothing to do for the usual value: short, and nothing hidden in it.
  if (value.length <= Math.min(maxRun, max) && !needsEscape(value)) return value;
  let out = "";
  let run = 0;
  let length = 0;
  const n = value.length;
  let i = 0;
  while (i < n) {
    const code = value.charCodeAt(i);
    if (code === 32 || code === 47) run = 0;
    else if (++run > maxRun) {
      // The rest of this run is cut: skip to its end without looking at each character.
      out += CUT;
      length++;
      BREAK.lastIndex = i;
      const next = BREAK.exec(value);
      i = next ? next.index : n;
      run = 0;
      if (length >= max && i < n) return `${out}${CUT}`;
      continue;
    }
    if (length + 1 > max) return `${out}${CUT}`;
    // A surrogate pair is one character.
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < n && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += value.slice(i, i + 2);
      i += 2;
    } else {
      const c = value[i]!;
      out += isHidden(code) ? escapeHidden(c) : c;
      i++;
    }
    length++;
  }
  return out;
}

/** Where a run of characters ends: a space or a "/". */
const BREAK = / |\//g;

function isHidden(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x061c ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * What the tool itself wrote and the evidence rests on (an exchange's URL, a query it sent) is printed whole, only its
 * hidden characters escaped: a cut URL or query could not be checked against result.json. Beyond `MAX_WHOLE`
 * characters it is cut as any value from Azure is (`printable`); the evidence id still leads to it in result.json.
 */
export function printableWhole(value: string): string {
  if (value.length > MAX_WHOLE) return printable(value);
  return needsEscape(value) ? printable(value, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) : value;
}

/** Whether `printable` cut the value. */
export function wasCut(value: string, max = MAX_PRINTED): boolean {
  if (value.length > max) return true;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 || c === 47) run = 0;
    else if (++run > MAX_RUN) return true;
  }
  return false;
}

/** A fix longer than this is not printed, only pointed at: a command cut short must never be pasted. */
export const MAX_FIX = 4000;

/**
 * A fix as printed: its lines as written (fill() has quoted every value onto one line, escaping its line breaks), any
 * other hidden character escaped; or, when it holds a value too long to print, a pointer to result.json.
 */
export function printableFix(fix: string): string {
  if (!fix) return fix;
  let run = 0;
  let long = fix.length > MAX_FIX;
  for (let i = 0; i < fix.length && !long; i++) {
    const c = fix.charCodeAt(i);
    if (c === 32 || c === 47 || c === 10) run = 0;
    else if (++run > MAX_RUN * 4) long = true;
  }
  if (long) {
    return "# This fix holds a value too long to print: it is in result.json (findings[].remediation), with every id in full.";
  }
  return needsEscape(fix.replace(/\n/g, "")) ? fix.replace(HIDDEN, (c) => (c === "\n" ? c : escapeHidden(c))) : fix;
}

/**
 * The result as the reports print it: every string from Azure made printable (see `printable`), keys of
 * `subscriptionNames` included, so that ids still match each other; the fixes through `printableFix`. What the
 * policies' authors wrote (policies, the pack) is left as written. Returns the result itself when nothing changes.
 */
export function printableResult(result: Result): Result & { cut?: boolean } {
  let cut = false;
  let changed = false;
  // A result repeats its strings (each HSM's id and each status in every finding): each is made printable once.
  const seen = new Map<string, string>();
  const text = (value: string): string => {
    let shown = seen.get(value);
    if (shown === undefined) {
      shown = printable(value);
      seen.set(value, shown);
    }
    if (shown !== value) {
      changed = true;
      if (wasCut(value)) cut = true;
    }
    return shown;
  };
  const deep = <T>(value: T): T => {
    if (typeof value === "string") return text(value) as T;
    if (Array.isArray(value)) return value.map(deep) as T;
    if (value && typeof value === "object") {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = text(k);
        // A key from Azure may be "__proto__": an own property, as JSON.parse makes it, never the prototype.
        if (key === "__proto__") Object.defineProperty(copy, key, { value: deep(v), enumerable: true, writable: true });
        else copy[key] = deep(v);
      }
      return copy as T;
    }
    return value;
  };
  const finding = (f: Finding): Finding => {
    const { remediation, title, ...rest } = f;
    const azCli = printableFix(remediation.azCli);
    const powershell = printableFix(remediation.powershell);
    const bicep = remediation.bicep === undefined ? undefined : printableFix(remediation.bicep);
    if (azCli !== remediation.azCli || powershell !== remediation.powershell || bicep !== remediation.bicep)
      changed = true;
    const { details, ...others } = rest;
    const shown: Omit<Finding, "title" | "remediation"> = deep(others);
    if (details) {
      const { queries, ...answer } = details;
      const whole = queries.map(printableWhole);
      if (whole.some((q, i) => q !== queries[i])) changed = true;
      if (queries.some((q) => q.length > MAX_WHOLE)) cut = true;
      shown.details = { ...deep(answer), queries: whole };
    }
    return { ...shown, title, remediation: { azCli, powershell, ...(bicep === undefined ? {} : { bicep }) } };
  };
  const { policies, policyPack, tool, findings, evidence, ...rest } = result;
  const shown = {
    ...deep(rest),
    evidence: evidence.map(({ url, ...record }) => {
      const whole = printableWhole(url);
      if (whole !== url) changed = true;
      if (url.length > MAX_WHOLE) cut = true;
      return { ...deep(record), url: whole };
    }),
    tool,
    ...(policyPack ? { policyPack } : {}),
    ...(policies ? { policies } : {}),
    findings: findings.map(finding),
  } as Result;
  if (!changed) return result;
  return cut ? { ...shown, cut } : shown;
}
