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
export { firstError } from "./schemas/validate.js";

// Made on first use: a scan validates neither.
export const validateSnapshot = schemaValidator("snapshot", SNAPSHOT_SCHEMA, { allErrors: false, strict: false });
export const validateResult = schemaValidator("result", RESULT_SCHEMA, { allErrors: false, strict: false });
