/** A usage or configuration error: the CLI prints the message and exits 2 (DESIGN.md, exit codes). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The tool could not start its work here: no credential signed in, or the services' certificates are not trusted.
 * Not an evidence gap (exit 3) but a setup to fix before any finding can be made: exit 2, with what to do.
 */
export class SetupError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}
