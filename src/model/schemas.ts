// JSON schemas of the snapshot and of result.json, used to validate files read back (evaluate, render) and, in the
// tests, everything the tool writes. `npm run schemas` writes them to docs/ for other tools.
//
// The schemas live in src/model/schemas/: the definitions both share (shared.ts), the snapshot's (snapshot.ts) and the
// result's (result.ts), each closed and held by the compiler to its TypeScript, closing a schema (closed.ts) and the
// validators (validate.ts). This module is their public entry.
import { RESULT_SCHEMA } from "./schemas/result.js";
import { SNAPSHOT_SCHEMA } from "./schemas/snapshot.js";
import { schemaValidator } from "../util/schema-validator.js";

export { RESULT_SCHEMA, SNAPSHOT_SCHEMA };
export type { ResultSchemaHoldsResult } from "./schemas/result.js";
export type { SnapshotSchemaHoldsSnapshot } from "./schemas/snapshot.js";
import { firstError } from "./schemas/validate.js";

export { firstError };

// Made on first use: a scan validates neither.
export const validateSnapshot = schemaValidator("snapshot", SNAPSHOT_SCHEMA, { allErrors: false, strict: false });
export const validateResult = schemaValidator("result", RESULT_SCHEMA, { allErrors: false, strict: false });

/**
 * Why `value` is not a snapshot this version reads, or undefined when it is one. A snapshot saved before key
 * retrievals were counted by the hour (its keyGets rows have `day`, a UTC day) is said to be one, in those words.
 */
export function snapshotRefusal(value: unknown): string | undefined {
  if (validateSnapshot(value)) return undefined;
  const samples = (value as { activitySamples?: unknown } | null)?.activitySamples;
  const legacy =
    Array.isArray(samples) &&
    samples.some((sample) => {
      const rows = (sample as { questions?: { keyGets?: { result?: { value?: { rows?: unknown } } } } })?.questions
        ?.keyGets?.result?.value?.rows;
      return (
        Array.isArray(rows) && rows.some((row) => row && typeof row === "object" && "day" in row && !("bin" in row))
      );
    });
  if (legacy) {
    return "it was saved by an earlier hsm-audit, which counted key retrievals per UTC day (keyGets rows with 'day'); this version counts them by the hour, so that a burst across midnight is seen whole, and cannot judge it: evaluate it with the version that saved it, or scan again";
  }
  return firstError(validateSnapshot.errors);
}
