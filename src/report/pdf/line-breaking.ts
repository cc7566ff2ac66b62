// Line breaking for report.pdf: where a line of text may break, and text broken into lines no wider than a width. It
// knows nothing of fonts or of pdfkit: the typesetter (typesetter.ts) measures the words for it.

/** How the line breaker measures text: advances in 1/1000 em of one font at one size. */
export interface Measure {
  /** The advance of a piece of text with no space inside it (trailing spaces are measured with it). */
  advance(text: string): number;
  /** `text` cut into pieces no wider than `max`, each of at least one character. */
  split(text: string, max: number): string[];
}

/** The advance of one line of text: each word measured with the spaces after it. */
export function lineAdvance(measure: Measure, text: string): number {
  let advance = 0;
  let start = 0;
  for (;;) {
    const space = text.indexOf(" ", start);
    if (space < 0) {
      if (start < text.length) advance += measure.advance(start ? text.slice(start) : text);
      return advance;
    }
    advance += measure.advance(text.slice(start, space + 1));
    start = space + 1;
  }
}

/**
 * `text` broken into lines no wider than `max` (1/1000 em): at its newlines, then between words; a word wider than the
 * line (an id, a hash) is broken after a "/" or "-", else wherever it must be.
 */
export function breakLines(measure: Measure, text: string, max: number): string[] {
  const out: string[] = [];
  for (const hard of text.includes("\n") ? text.split("\n") : [text]) {
    if (lineAdvance(measure, hard) <= max) {
      out.push(trimSpaces(hard));
      continue;
    }
    let line = "";
    let used = 0;
    for (let token of tokens(hard)) {
      const bare = trimSpaces(token);
      let full = measure.advance(token);
      const fits = bare === token ? full : measure.advance(bare);
      if (line && used + fits > max) {
        out.push(trimSpaces(line));
        line = "";
        used = 0;
      }
      if (!line && fits > max) {
        // Nothing to break at: as many characters as fit on each line (at least one), in one pass over the word;
        // the last piece, with the token's trailing spaces, starts the next line.
        const pieces = measure.split(bare, max);
        for (let k = 0; k < pieces.length - 1; k++) out.push(pieces[k]!);
        token = pieces[pieces.length - 1]! + token.slice(bare.length);
        full = measure.advance(token);
      }
      line += token;
      used += full;
    }
    out.push(trimSpaces(line));
  }
  return out;
}

/** Where a line may break: after spaces (which hang), after "/", and after a "-" between a letter or digit and a letter. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    let end = -1;
    if (c === 32) {
      let j = i + 1;
      while (j < n && line.charCodeAt(j) === 32) j++;
      end = j;
    } else if (c === 47 /* / */) end = i + 1;
    else if (c === 45 /* - */ && i > start && isAlnum(line.charCodeAt(i - 1)) && isLetter(line.charCodeAt(i + 1))) {
      end = i + 1;
    }
    if (end > 0) {
      out.push(line.slice(start, end));
      start = end;
      i = end - 1;
    }
  }
  if (start < n) out.push(line.slice(start));
  return out;
}

/** An ASCII letter (as a character code). */
export const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** An ASCII letter or digit. */
const isAlnum = (c: number) => isLetter(c) || (c >= 48 && c <= 57);

/** The line without its trailing spaces. */
function trimSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}
