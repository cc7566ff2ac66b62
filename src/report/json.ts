// result.json: the canonical rendering. Keys come in the contract's order (the result is built that way), two-space
// indentation, a final newline: the same result always gives the same bytes. LINE SEPARATOR and PARAGRAPH SEPARATOR
// (which JSON allows raw, and which many readers take for line breaks) are written as escapes, so that no value
// of the tenant's starts a line of its own.
import type { Result } from "../model/result.js";

export function renderJson(result: Result): string {
  return `${JSON.stringify(result, null, 2).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`;
}
