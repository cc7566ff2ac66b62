// `--previous DIR`: the previous month's pack, whose manifest this pack's manifest chains to.
import { createHash } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACK_FILES } from "../report/outputs.js";
import { PackUsageError } from "./errors.js";

/**
 * The SHA-256 (hex) of the previous pack's manifest file, or undefined when that pack is not signed. A directory that
 * is not there is a usage error.
 */
export function previousManifestDigest(dir: string): string | undefined {
  if (!isDirectory(dir))
    throw new PackUsageError(`--previous ${dir}: no such directory; name the previous month's output directory`);
  const manifest = join(dir, PACK_FILES.manifest);
  try {
    if (!lstatSync(manifest).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return createHash("sha256").update(readFileSync(manifest)).digest("hex");
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
