// A build step's record of what it read and wrote, so that `npm run build` can skip the step while nothing changed
// (`npm test` builds first, just after `npm ci` has built). The record (node_modules/.cache/hsm-audit/<step>.json) names
// each file with the SHA-256 of its content, never its time: a clone, a copy or `npm ci` changes times and not content,
// and a file edited in the same second is still seen. The step is skipped only when every file it lists has the content
// recorded (outputs included: an output edited or removed is made again) and its other inputs (`facts`) are equal.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** The record's path for a build step of the checkout at `root`. */
export const stampFile = (root, step) => join(root, "node_modules", ".cache", "hsm-audit", `${step}.json`);

/** The SHA-256 of each file (paths relative to `root`), null for a file that cannot be read. */
function digests(root, files) {
  return Object.fromEntries(
    [...new Set(files)].sort().map((file) => {
      try {
        return [
          file,
          createHash("sha256")
            .update(readFileSync(resolve(root, file)))
            .digest("hex"),
        ];
      } catch {
        return [file, null];
      }
    }),
  );
}

/** Whether the step's record says it is done: the same facts, and every file it lists as recorded. */
export function isCurrent(root, step, facts) {
  let record;
  try {
    record = JSON.parse(readFileSync(stampFile(root, step), "utf8"));
  } catch {
    return false;
  }
  if (JSON.stringify(record.facts) !== JSON.stringify(facts) || !record.files) return false;
  const now = digests(root, Object.keys(record.files));
  return Object.entries(record.files).every(([file, sha]) => sha !== null && now[file] === sha);
}

/** Records the step done: its facts, and the files it read and wrote (absolute, or relative to `root`). */
export function recordDone(root, step, facts, files) {
  const file = stampFile(root, step);
  mkdirSync(dirname(file), { recursive: true });
  const relativeFiles = files.map((f) => relative(root, resolve(root, f)));
  writeFileSync(file, `${JSON.stringify({ facts, files: digests(root, relativeFiles) })}\n`);
}

/** Forgets the step's record (before the step writes, so that a step that fails half-way is never taken as done). */
export function forget(root, step) {
  if (existsSync(stampFile(root, step))) rmSync(stampFile(root, step));
}
