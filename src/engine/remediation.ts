// Remediation commands with the resource's own ids filled in. Names and ids come from Azure and are chosen by whoever
// owns the tenant, so a value is escaped for every context it lands in, innermost first: a KQL string literal inside
// a query, then the query (or the value alone) as one shell or PowerShell argument, or as one Bicep string literal.
// Templates never quote what `fill` quotes.
//
// Template syntax:
//   {{name}}              the value, as one whole argument of the shell (or PowerShell), or one Bicep string literal
//   [[kql: QUERY]]        QUERY as one whole argument; inside it, {{name}} is the value as a KQL string literal
import type { HsmKind } from "../model/snapshot.js";

/**
 * Characters that a shell would take literally but that make a value print as something else: line breaks and other
 * control characters, the Unicode line and paragraph separators, and the bidirectional overrides and isolates.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, "0");

/**
 * One argument of a POSIX shell: in single quotes, where nothing is interpreted. A value holding a line break or
 * another character that would not print as itself is written in bash's ANSI-C quotes ($'...') instead, with that
 * character escaped, so that the command stays on one line and reads as what it does.
 */
export function shellQuote(value: string): string {
  if (!UNPRINTABLE.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  const body = [...value]
    .map((c) => {
      if (c === "\\" || c === "'") return `\\${c}`;
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      if (!UNPRINTABLE.test(c)) return c;
      // Its UTF-8 bytes, which bash writes whatever the locale.
      return [...Buffer.from(c, "utf8")].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
    })
    .join("");
  return `$'${body}'`;
}

/** Quotes that close a PowerShell single-quoted string, as `'` does. */
const PS_SINGLE = /['\u2018\u2019\u201a\u201b]/g;

/**
 * One PowerShell argument: a single-quoted (verbatim) string, in which only a quote is special; typographic single
 * quotes also close such strings, so every one is doubled. A value holding a character that would not print as itself
 * is written as an expression joining verbatim pieces and `[char]` codes: `('a' + [char]0x000A + 'b')`.
 */
export function powershellQuote(value: string): string {
  const verbatim = (s: string) => `'${s.replace(PS_SINGLE, (q) => q + q)}'`;
  if (!UNPRINTABLE.test(value)) return verbatim(value);
  const parts: string[] = [];
  let run = "";
  for (const c of value) {
    if (UNPRINTABLE.test(c)) {
      if (run) parts.push(verbatim(run));
      run = "";
      parts.push(`[char]0x${hex(c, 4).toUpperCase()}`);
    } else run += c;
  }
  if (run) parts.push(verbatim(run));
  // A [char] first would make `+` add numbers: an empty string first makes it a concatenation of strings.
  if (parts[0]!.startsWith("[char]")) parts.unshift("''");
  return `(${parts.join(" + ")})`;
}

/**
 * A Bicep string literal: single-quoted, on one line. The backslash and the quote are escaped, and so is every `$`
 * (`${` would start an interpolation); line breaks, tabs and any other character that would not print as itself are
 * written as escapes (`\n`, `\r`, `\t`, `\u{HEX}`), so that the literal stays on its line and reads as what it holds.
 */
export function bicepString(value: string): string {
  const body = [...value]
    .map((c) => {
      if (c === "\\" || c === "'" || c === "$") return `\\${c}`;
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      if (UNPRINTABLE.test(c)) return `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`;
      return c;
    })
    .join("");
  return `'${body}'`;
}

/**
 * The Bicep type (with an API version) of each HSM kind that Azure Monitor can watch: what a Bicep fix declares as
 * the `existing` resource its diagnostic setting extends. A Dedicated HSM has no diagnostic logs.
 */
export const HSM_BICEP_TYPES: Partial<Record<HsmKind, string>> = {
  cloudHsm: "Microsoft.HardwareSecurityModules/cloudHsmClusters@2025-03-31",
  managedHsm: "Microsoft.KeyVault/managedHSMs@2023-07-01",
};

/**
 * A KQL string literal: double-quoted, with the backslash, the quote and the line breaks escaped (a KQL string may
 * not span lines).
 */
export function kqlString(value: string): string {
  const escaped = value.replace(/[\\"\n\r\t\0]/g, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : c === "\0" ? "\\0" : `\\${c}`,
  );
  return `"${escaped}"`;
}

const PLACEHOLDER_SOURCE = String.raw`\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}`;
const PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE, "g");
/** A KQL argument or a placeholder, matched in one pass so that no filled value is ever read as template. */
const TOKEN = new RegExp(String.raw`\[\[kql:[ \t]*([\s\S]*?)\]\]|${PLACEHOLDER_SOURCE}`, "g");

/** The value of a placeholder, or `<name>` for the reader to fill in: never silently empty. */
function valueOf(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  return value === undefined || value === "" ? `<${name}>` : value;
}

/**
 * Fills a template: each `{{name}}` with its value quoted as one argument by `quote`, and each `[[kql: ...]]` with
 * its query (placeholders filled as KQL string literals) quoted as one argument. A placeholder without a value
 * becomes `<name>`, quoted, for the reader to fill in: a command pasted unfilled fails on the value, not as a
 * redirection.
 */
export function fill(template: string, values: Record<string, string | undefined>, quote: (v: string) => string) {
  return template.replace(TOKEN, (_m, query: string | undefined, name: string | undefined) => {
    if (query === undefined) return quote(valueOf(values, name!));
    return quote(query.replace(PLACEHOLDER, (_p, inner: string) => kqlString(valueOf(values, inner))));
  });
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
