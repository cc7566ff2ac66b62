// Words the engine's messages and every renderer share, defined once.

/** "1 caller", "2 callers", "3 addresses". */
export const plural = (n: number, word: string) =>
  `${n} ${word}${n === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`;
