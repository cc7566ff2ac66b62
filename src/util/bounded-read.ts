// Reads a file the user named, or one found on disk, without trusting it: only a regular file, never more than a
// limit, the size taken from the open file itself (a file swapped after a stat cannot slip a larger one in). Each
// caller puts the outcome into its own words.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from "node:fs";

export type BoundedRead =
  | { ok: true; bytes: Buffer; stat: Stats }
  /** `code` is the system's error code (ENOENT, EACCES...), else the error's message. */
  | { ok: false; why: "unreadable"; code: string }
  | { ok: false; why: "not-a-file" }
  | { ok: false; why: "too-large"; size: number };

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);

/**
 * The bytes of `file` when it is a regular file of at most `maxBytes`. Opened without blocking, so that a FIFO or a
 * device named in its place is refused instead of waited on.
 */
export function readBounded(file: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, why: "unreadable", code: codeOf(error) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, why: "not-a-file" };
    if (stat.size > maxBytes) return { ok: false, why: "too-large", size: stat.size };
    const bytes = readFileSync(fd);
    // A file that grew between the stat and the read is judged by what was read.
    if (bytes.length > maxBytes) return { ok: false, why: "too-large", size: bytes.length };
    return { ok: true, bytes, stat };
  } catch (error) {
    return { ok: false, why: "unreadable", code: codeOf(error) };
  } finally {
    closeSync(fd);
  }
}
