// The one way the tool writes files: every file is first written to a temp file created exclusively beside its final
// name (a random name, O_CREAT|O_EXCL|O_NOFOLLOW: a planted file or symlink is never opened, let alone followed),
// then all are renamed into place together (a rename replaces a symlink at the final name; it never writes through
// it). Any failure removes what this run wrote; SIGINT or SIGTERM while temp files exist removes them and exits with
// the conventional code (128 + the signal's number).
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  createWriteStream,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
} from "node:fs";
import { writeFileSync } from "node:fs";
import { constants as os } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";

/** Something could not be written (disk full, permissions, a directory where a file goes). */
export class WriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "WriteError";
  }
}

/** Temp files of this process not yet renamed into place: removed if the process is interrupted. */
const pending = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function onSignal(signal: (typeof SIGNALS)[number]): void {
  for (const temp of pending) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing more can be done on the way out.
    }
  }
  pending.clear();
  process.exit(128 + os.signals[signal]);
}

function track(temp: string): void {
  if (pending.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  pending.add(temp);
}

function untrack(temp: string): void {
  if (!pending.delete(temp) || pending.size > 0) return;
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** A temp file's name beside `final`: random, so that no one can plant a file or link there in advance. */
function tempName(final: string): string {
  return join(dirname(final), `.${basename(final)}.${randomBytes(12).toString("hex")}.tmp`);
}

/** Opens a new temp file beside `final` for writing; never an existing file, never through a symlink. */
function openTemp(final: string, mode = 0o644): { temp: string; fd: number } {
  const temp = tempName(final);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  // Tracked before it exists: a signal that arrives once it does finds it listed.
  track(temp);
  try {
    return { temp, fd: openSync(temp, flags, mode) };
  } catch (error) {
    untrack(temp);
    throw error;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (no `recursive` mkdir: on some file systems, /proc among
 * them, it never returns). A level that cannot be created is a WriteError naming it.
 */
export function makeDirectory(dir: string, mode = 0o777): string[] {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    try {
      if (!lstatSync(at).isDirectory()) throw new WriteError(`${at} exists and is not a directory`, "ENOTDIR");
      break;
    } catch (error) {
      if (error instanceof WriteError) throw error;
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(at) === at) throw asWriteError(error, at);
      missing.unshift(at);
      at = dirname(at);
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && lstatSync(level).isDirectory()) continue;
      throw asWriteError(error, level);
    }
  }
  return missing;
}

/** Removes the directories a run created (`makeDirectory`'s answer) when they are still empty; never anything else. */
export function removeCreated(created: readonly string[]): void {
  for (const level of [...created].reverse()) {
    try {
      rmdirSync(level);
    } catch {
      return;
    }
  }
}

function asWriteError(error: unknown, path: string): WriteError {
  const { code, message } = error as NodeJS.ErrnoException;
  return new WriteError(`cannot create ${path}: ${code ?? message}`, code);
}

/** Content of a file: whole, or written as it is produced. */
export type Content = string | Uint8Array | ((out: Writable) => Promise<void>);

/**
 * Files written together: `stage` writes each to its temp file, `commit` renames them all into place, `discard`
 * removes the temp files. Until `commit` returns, no final name has changed.
 */
export class Staging {
  private readonly staged: Array<{ temp: string; final: string }> = [];

  /** Writes `content` to a new temp file beside `final` (`mode`: its permissions, 0644 by default). */
  async stage(final: string, content: Content, mode?: number): Promise<void> {
    const { temp, fd } = openTemp(final, mode);
    this.staged.push({ temp, final });
    if (typeof content !== "function") {
      try {
        writeFileSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return;
    }
    const out = createWriteStream("", { fd, autoClose: true });
    const closed = new Promise<void>((resolve, reject) => {
      out.on("close", resolve);
      out.on("error", reject);
    });
    try {
      await content(out);
    } catch (error) {
      out.destroy();
      await closed.catch(() => {});
      throw error;
    }
    await closed;
  }

  /**
   * Removes `stale` (earlier outputs this run does not replace; files and links only), then renames every staged
   * file into place in the order staged. On any failure the files already renamed and the temp files are removed,
   * so that nothing of this run is left half-written; the error is a WriteError.
   */
  commit(stale: readonly string[] = []): string[] {
    const done: string[] = [];
    try {
      for (const path of [...this.staged.map((s) => s.final), ...stale]) {
        const stat = lstatOrUndefined(path);
        if (stat?.isDirectory()) {
          throw new WriteError(`${path} is a directory where hsm-audit writes a file: move it away`, "EISDIR");
        }
      }
      for (const path of stale) rmSync(path, { force: true });
      for (const { temp, final } of this.staged) {
        renameSync(temp, final);
        untrack(temp);
        done.push(final);
      }
    } catch (error) {
      for (const final of done) rmSync(final, { force: true });
      this.discard();
      if (error instanceof WriteError) throw error;
      const { code, message } = error as NodeJS.ErrnoException;
      throw new WriteError(code ?? message, code);
    }
    this.staged.length = 0;
    return done;
  }

  /** The files staged so far: each final name with the temp file holding its content until `commit`. */
  files(): ReadonlyArray<{ temp: string; final: string }> {
    return this.staged.map((s) => ({ ...s }));
  }

  /** Removes every temp file not yet renamed. */
  discard(): void {
    for (const { temp } of this.staged.splice(0)) {
      rmSync(temp, { force: true });
      untrack(temp);
    }
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Writes one file all or nothing. */
export async function writeFileSafely(final: string, content: Content, mode?: number): Promise<void> {
  const staging = new Staging();
  try {
    await staging.stage(final, content, mode);
  } catch (error) {
    staging.discard();
    const { code, message } = error as NodeJS.ErrnoException;
    throw new WriteError(code ?? message, code);
  }
  staging.commit();
}
