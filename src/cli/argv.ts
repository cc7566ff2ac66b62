// Reading argv before yargs does, kept apart from options.ts so that a command that needs no option parsing (the
// policy list, --help) loads none of what options.ts imports.

/**
 * `--log-window -5d` reads to yargs as the flags -5 and -d ("Unknown arguments: 5, d"). A value that starts with a
 * minus and a digit is kept with the flag before it, so that the flag's own check can say what is wrong with it.
 */
export function keepNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (/^--[a-z][a-z-]*$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
