/** A usage or configuration error: the CLI prints the message and exits 2 (DESIGN.md, exit codes). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
