// The usage errors of signing and verifying (exit 2): kept apart so that the CLI can tell them without loading the rest.

/** A signing or verifying key that cannot be used: the message names the file and what is accepted. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SigningKeyError";
  }
}

/** A pack that cannot be verified at all as given (no such directory, no manifest). */
export class PackUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PackUsageError";
  }
}
