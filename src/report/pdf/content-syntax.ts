// How the typesetter (typesetter.ts) writes operands in a page's content stream: numbers, colours and the bytes of a
// glyph id inside a literal string.

/** Each byte as it is written inside a literal string: itself (the content is written as latin1), or escaped. */
export const BYTES = Array.from({ length: 256 }, (_, b) =>
  b === 0x28 || b === 0x29 || b === 0x5c ? `\\${String.fromCharCode(b)}` : b === 0x0d ? "\\r" : String.fromCharCode(b),
);

/** A number as a content operand: at most three decimals, no trailing zeros. */
export function num(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

const rgbCache = new Map<string, string>();
/** "#1d2330" as "0.114 0.137 0.188". */
export function rgb(hex: string): string {
  let v = rgbCache.get(hex);
  if (!v) {
    const n = Number.parseInt(hex.slice(1), 16);
    v = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => num(c / 255)).join(" ");
    rgbCache.set(hex, v);
  }
  return v;
}
