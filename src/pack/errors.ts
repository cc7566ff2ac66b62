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

/** A time-stamp authority that could not give a timestamp, or gave one that does not hold (exit 2: nothing written). */
export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimestampError";
  }
}
