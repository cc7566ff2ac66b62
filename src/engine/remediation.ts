// Remediation commands with the resource's own ids filled in. Every value is quoted for its shell, because names
// and ids come from Azure and are chosen by whoever owns the tenant.

/** POSIX shell single quotes: nothing inside is interpreted. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell single-quoted (verbatim) string. Typographic quotes also close such strings, so they are doubled too. */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders with quoted values; a placeholder without a value becomes `'<name>'`, for the reader
 * to fill in: never silently empty, and quoted so that a command pasted unfilled fails on the value, not as a shell
 * redirection.
 */
export function fill(template: string, values: Record<string, string | undefined>, quote: (v: string) => string) {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = values[name];
    return quote(value === undefined || value === "" ? `<${name}>` : value);
  });
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
