// result.json: the canonical rendering. Keys come in the contract's order (the result is built that way), two-space
// indentation, a final newline: the same result always gives the same bytes. LINE SEPARATOR and PARAGRAPH SEPARATOR
// (which JSON allows raw, and which many readers take for line breaks) are written as escapes, so that no value
// of the tenant's starts a line of its own.
import { createHash } from "node:crypto";
import type { Result } from "../model/result.js";

/** The text without its final newline. */
function body(result: Result): string {
  const text = JSON.stringify(result, null, 2);
  // Looking for the two separators first is much cheaper than a replace over a text of hundreds of megabytes.
  if (!text.includes("\u2028") && !text.includes("\u2029")) return text;
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

export function renderJson(result: Result): string {
  return `${body(result)}\n`;
}

/**
 * result.json as the UTF-8 bytes written, with their SHA-256 (hex). The text is encoded once, into a buffer of its
 * exact size. Hashing the string and then writing the string would encode it twice more (a text with any character
 * beyond ASCII, a "·" in a message, takes the slow path each time), and would keep the string, which for an estate of
 * very long names is hundreds of megabytes, alive while the reports are drawn.
 */
export function renderJsonBytes(result: Result): { bytes: Buffer; sha256: string } {
  const text = body(result);
  const length = Buffer.byteLength(text, "utf8");
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(text, 0, "utf8");
  bytes[length] = 0x0a;
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}
