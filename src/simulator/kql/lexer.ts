// The KQL lexer: turns query text into tokens that carry their 1-based line and column.

import { KqlError } from "./types.js";
import { TICK_MS } from "./values.js";

export type TokenKind =
  | "ident" // an identifier or a keyword (KQL keywords are contextual, so the parser decides)
  | "number" // a long or real literal
  | "timespan" // a timespan literal such as 1d, 30m, 100ms
  | "string" // a string literal, with its escapes already decoded
  | "typed" // datetime(...), timespan(...), time(...), guid(...): `value` is the raw text between the parentheses
  | "punct"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** The token's text: the identifier, the punctuation, the literal as written. */
  text: string;
  /** Decoded value: string for "string", number (ms) for "timespan", number for "number", raw text for "typed". */
  value?: string | number;
  /** For "number": whether the literal is real (has a fraction or an exponent). For "typed": the type keyword. */
  isReal?: boolean;
  typeName?: string;
  /** Offsets into the query text (end exclusive): adjacency matters for `!has`, `in~`, `project-away`. */
  start: number;
  end: number;
  line: number;
  column: number;
}

const PUNCT2 = ["==", "!=", "<>", "<=", ">=", "=~", "!~", "=>", ".."];
const PUNCT1 = "|(){}[],;.:=<>+-*/%!~?";

/** Timespan literal suffixes, in ms per unit. Longest suffixes must be tried first. */
const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  microsecond: 0.001,
  microseconds: 0.001,
  tick: TICK_MS,
  ticks: TICK_MS,
};

const TYPED_LITERALS = new Set(["datetime", "timespan", "time", "guid"]);

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c === "$";
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (message: string, at: number): never => {
    // Compute the line and column of `at` (it may be after newlines we have passed).
    let l = 1;
    let ls = 0;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === "\n") {
        l++;
        ls = k + 1;
      }
    }
    throw new KqlError(`Syntax error: ${message}`, "syntax", l, at - ls + 1);
  };

  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}): void => {
    tokens.push({ kind, text: text.slice(start, end), start, end, line, column: start - lineStart + 1, ...extra });
  };

  /** Reads a quoted string starting at text[pos] (the quote). Returns the decoded value and the end offset. */
  const readQuoted = (pos: number, verbatim: boolean): { value: string; end: number } => {
    const quote = text[pos];
    let j = pos + 1;
    let out = "";
    for (;;) {
      if (j >= text.length || text[j] === "\n") fail("unterminated string literal", pos);
      const c = text[j] as string;
      if (c === quote) {
        if (verbatim && text[j + 1] === quote) {
          out += quote;
          j += 2;
          continue;
        }
        return { value: out, end: j + 1 };
      }
      if (c === "\\" && !verbatim) {
        const n = text[j + 1];
        j += 2;
        switch (n) {
          case "n":
            out += "\n";
            break;
          case "t":
            out += "\t";
            break;
          case "r":
            out += "\r";
            break;
          case "0":
            out += "\0";
            break;
          case "\\":
          case "'":
          case '"':
            out += n;
            break;
          case "u": {
            const hex = text.slice(j, j + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape in string literal", j - 2);
            out += String.fromCharCode(parseInt(hex, 16));
            j += 4;
            break;
          }
          default:
            fail(`invalid escape sequence '\\${n ?? ""}' in string literal`, j - 2);
        }
        continue;
      }
      out += c;
      j++;
    }
  };

  while (i < text.length) {
    const c = text[i] as string;
    // Whitespace and newlines.
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\u00a0" || c === "\ufeff") {
      i++;
      continue;
    }
    // Comments.
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const start = i;
    // Strings: '...', "...", @'...', @"...", h'...' (obfuscated strings are plain strings here).
    if (c === "'" || c === '"') {
      const { value, end } = readQuoted(i, false);
      i = end;
      push("string", start, end, { value });
      continue;
    }
    if ((c === "@" || c === "h" || c === "H") && (text[i + 1] === "'" || text[i + 1] === '"')) {
      const { value, end } = readQuoted(i + 1, c === "@");
      i = end;
      push("string", start, end, { value });
      continue;
    }
    if ((c === "h" || c === "H") && text[i + 1] === "@" && (text[i + 2] === "'" || text[i + 2] === '"')) {
      const { value, end } = readQuoted(i + 2, true);
      i = end;
      push("string", start, end, { value });
      continue;
    }
    if (c === "`" && text.startsWith("```", i)) {
      const close = text.indexOf("```", i + 3);
      if (close < 0) fail("unterminated multi-line string literal", i);
      const value = text.slice(i + 3, close);
      const end = close + 3;
      push("string", start, end, { value });
      for (let k = start; k < end; k++) {
        if (text[k] === "\n") {
          line++;
          lineStart = k + 1;
        }
      }
      i = end;
      continue;
    }
    // Numbers and timespan literals.
    if (isDigit(c) || (c === "." && isDigit(text[i + 1] ?? ""))) {
      let j = i;
      let isReal = false;
      if (c === "0" && (text[i + 1] === "x" || text[i + 1] === "X")) {
        j = i + 2;
        while (j < text.length && /[0-9a-fA-F]/.test(text[j] as string)) j++;
        push("number", start, j, { value: parseInt(text.slice(i + 2, j), 16), isReal: false });
        i = j;
        continue;
      }
      while (isDigit(text[j] ?? "")) j++;
      if (text[j] === "." && isDigit(text[j + 1] ?? "")) {
        isReal = true;
        j++;
        while (isDigit(text[j] ?? "")) j++;
      }
      if ((text[j] === "e" || text[j] === "E") && /^[eE][+-]?\d/.test(text.slice(j, j + 3))) {
        isReal = true;
        j++;
        if (text[j] === "+" || text[j] === "-") j++;
        while (isDigit(text[j] ?? "")) j++;
      }
      const num = Number(text.slice(i, j));
      if (isIdentStart(text[j] ?? "")) {
        let k = j;
        while (isIdentPart(text[k] ?? "")) k++;
        const suffix = text.slice(j, k).toLowerCase();
        const unit = TIMESPAN_UNITS[suffix];
        if (unit === undefined) fail(`invalid literal '${text.slice(i, k)}'`, i);
        push("timespan", start, k, { value: num * (unit as number) });
        i = k;
        continue;
      }
      push("number", start, j, { value: num, isReal });
      i = j;
      continue;
    }
    // Identifiers, and the typed literals whose content is not made of tokens.
    if (isIdentStart(c)) {
      let j = i;
      while (isIdentPart(text[j] ?? "")) j++;
      const word = text.slice(i, j);
      if (TYPED_LITERALS.has(word.toLowerCase())) {
        let k = j;
        while (text[k] === " " || text[k] === "\t") k++;
        if (text[k] === "(") {
          const close = text.indexOf(")", k);
          const nl = text.indexOf("\n", k);
          if (close < 0 || (nl >= 0 && nl < close)) fail(`expected ')' to close the ${word} literal`, k);
          const raw = text.slice(k + 1, close).trim();
          push("typed", start, close + 1, { value: raw, typeName: word.toLowerCase() });
          i = close + 1;
          continue;
        }
      }
      push("ident", start, j, { value: word });
      i = j;
      continue;
    }
    // Punctuation.
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      push("punct", start, i + 2);
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      push("punct", start, i + 1);
      i += 1;
      continue;
    }
    fail(`unexpected character '${c}'`, i);
  }
  tokens.push({
    kind: "eof",
    text: "",
    start: text.length,
    end: text.length,
    line,
    column: text.length - lineStart + 1,
  });
  return tokens;
}
