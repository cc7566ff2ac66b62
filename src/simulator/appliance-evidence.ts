// Sample appliance evidence brought to the present, as the simulated estate is (src/simulator/estate.ts): the demo's
// LunaSH transcripts were saved on one day, and an appliance reading older than its policy's `maxEvidenceAgeHours`
// proves nothing. A copy of the folder is made with every date moved by one amount, so that the newest reading is an
// hour old at `now`: the `capturedAt` of appliances.yaml and the file dates of `audit log list`. Nothing else in the
// transcripts is a date the judges read.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CAPTURED_AT = /^(\s*(?:-\s+)?capturedAt:\s*)(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s*$/gm;
const FILE_DATE = /\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\b/g;
const AUDIT_LOG_LIST = "audit-log-list.txt";

/** `2026-12-04 08:00:00`, as `audit log list` prints a file's date (UTC). */
function listDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

export interface RebasedEvidence {
  directory: string;
  /** Removes the copy. */
  remove(): void;
}

/**
 * Copies the evidence folder `source` into a new temporary folder with its dates moved so that the latest
 * `capturedAt` of its appliances.yaml is one hour before `now`. A folder whose index gives no `capturedAt` is copied
 * unchanged (its readings are dated by the files' times, which the copy makes now).
 */
export function rebasedApplianceEvidence(source: string, now: Date): RebasedEvidence {
  const index = readFileSync(join(source, "appliances.yaml"), "utf8");
  const captured = [...index.matchAll(CAPTURED_AT)].map((m) => Date.parse(m[2]!));
  const shift = captured.length > 0 ? now.getTime() - 3_600_000 - Math.max(...captured) : 0;
  const directory = mkdtempSync(join(tmpdir(), "hsm-audit-appliance-evidence-"));
  try {
    writeFileSync(
      join(directory, "appliances.yaml"),
      index.replace(
        CAPTURED_AT,
        (_, key: string, at: string) => `${key}${new Date(Date.parse(at) + shift).toISOString()}`,
      ),
    );
    for (const name of readdirSync(source)) {
      const from = join(source, name);
      if (name === "appliances.yaml" || !statSync(from).isDirectory()) continue;
      mkdirSync(join(directory, name));
      for (const file of readdirSync(from)) {
        const to = join(directory, name, file);
        if (file !== AUDIT_LOG_LIST) {
          copyFileSync(join(from, file), to);
          continue;
        }
        const text = readFileSync(join(from, file), "utf8");
        writeFileSync(
          to,
          text.replace(FILE_DATE, (_, day: string, time: string) => listDate(Date.parse(`${day}T${time}Z`) + shift)),
        );
      }
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return { directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
