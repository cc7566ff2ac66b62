// Terminal output of the CLI. A reader that goes away (`hsm-audit demo | head`) must not crash the run: once stdout
// is closed, lines are dropped and the command finishes with the exit code its work earns.
let stdoutClosed = false;
let guarded = false;

export function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
      stdoutClosed = true;
      return;
    }
    throw error;
  });
}

export function printLine(line: string): void {
  if (!stdoutClosed) process.stdout.write(`${line}\n`);
}
