// result.json: the canonical rendering. Keys come in the contract's order (the result is built that way), two-space
// indentation, a final newline: the same result always gives the same bytes.
import type { Result } from "../model/result.js";

export function renderJson(result: Result): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
