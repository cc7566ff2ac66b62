// Reading an earlier evidence pack for month over month: `--previous DIR` of scan, evaluate and demo, and the two
// packs of `hsm-audit diff OLD NEW`. A pack is read as hostile data: its result.json must be a regular file, valid
// against the result schema and consistent with itself (as `render` checks it), or the command stops with exit 2
// naming the file and what is wrong, before anything is collected or written.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Result } from "../model/result.js";
import { firstError, validateResult } from "../model/schemas.js";
import { resultInconsistency } from "../report/verify.js";
import { computeChanges, type PreviousPack } from "../report/changes.js";
import { UsageError } from "./errors.js";

/** The largest result.json read back: far beyond the 5,000-HSM estate's, far short of exhausting memory. */
const MAX_RESULT_BYTES = 1024 * 1024 * 1024;

export interface LoadedPack extends PreviousPack {
  /** The result.json read, as an absolute path. */
  file: string;
}

/**
 * A pack's result.json: `path` is the pack's directory (the `--out` of its run) or, when `allowFile`, the result.json
 * itself. `label` names the argument in messages (`--previous`, `OLD`).
 */
export function loadPack(label: string, path: string, options: { allowFile: boolean }): LoadedPack {
  const given = resolve(path);
  let file = given;
  let stat;
  try {
    stat = statSync(given);
  } catch (error) {
    throw new UsageError(`${label} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (stat.isDirectory()) {
    file = join(given, "result.json");
    try {
      stat = statSync(file);
    } catch {
      throw new UsageError(
        `${label} ${path}: holds no result.json; name the directory an earlier run wrote with --out${options.allowFile ? ", or its result.json" : ""}`,
      );
    }
  } else if (!options.allowFile) {
    throw new UsageError(
      `${label} ${path}: is not a directory; name the directory last month's run wrote with --out (the pack, not one of its files)`,
    );
  }
  if (!stat.isFile()) throw new UsageError(`${label} ${file}: is not a regular file`);
  if (stat.size > MAX_RESULT_BYTES) {
    throw new UsageError(`${label} ${file}: is ${stat.size} bytes, more than any result.json this tool writes`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`${label} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8")) as unknown;
  } catch (error) {
    const reason = (error as Error).message
      .split("\n")[0]!
      .replace(/, ".*$/, "")
      .slice(0, 200);
    throw new UsageError(`${label} ${file}: not valid JSON (${reason}); it is not a result.json this tool wrote`);
  }
  if (!validateResult(value)) {
    throw new UsageError(`${label} ${file}: not an hsm-audit result.json: ${firstError(validateResult.errors)}`);
  }
  const result = value as unknown as Result;
  const problem = resultInconsistency(result);
  if (problem) {
    throw new UsageError(`${label} ${file}: ${problem}: the file was edited or damaged, so it is not compared`);
  }
  return { result, sha256: createHash("sha256").update(bytes).digest("hex"), file };
}

/**
 * The previous month's pack of `--previous DIR`: the one place it is loaded. Whatever else must hold of the pack
 * before it is trusted (its signed manifest, once packs are signed) is checked here, before any Azure call.
 */
export function loadPreviousPack(dir: string): LoadedPack {
  return loadPack("--previous", dir, { allowFile: false });
}

/** A previous pack must come before the run it is compared with; compared the other way, every change reads reversed. */
export function checkOrder(
  previous: { label: string; startedAt: string },
  current: { label: string; startedAt: string },
) {
  if (Date.parse(previous.startedAt) > Date.parse(current.startedAt)) {
    throw new UsageError(
      `${previous.label} was run at ${previous.startedAt}, after ${current.label} (${current.startedAt}): name the older pack as the previous one`,
    );
  }
}

/** The result with its `changes` since the previous pack: added after evaluation, no verdict touched. */
export function withChanges(result: Result, previous: LoadedPack | undefined): Result {
  if (!previous) return result;
  checkOrder(
    { label: `--previous ${previous.file}`, startedAt: previous.result.startedAt },
    { label: "this run", startedAt: result.startedAt },
  );
  return { ...result, changes: computeChanges(previous, result) };
}
