// Tables of documents for comparing two validators of one schema: good documents, and each spoilt at every path the
// schema names (removed, or given a value of every type and edge); and the comparison itself.
import type { ValidateFunction } from "ajv";

/** Values of every type and edge, put in place of a key's value. */
const ODD_VALUES: unknown[] = [42, 0, -1, 1.5, "x", "", true, null, [], [""], ["a", "a"], [1], {}, { x: [] }];

/** The document with `path` set to `value` (or removed, for undefined). */
function withValue(doc: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

/** The paths a schema names, two levels deep (what the odd values are put at); a list's paths are its first item's. */
function pathsOf(schema: Record<string, unknown>, prefix: string[] = [], depth = 2): string[][] {
  const items = schema["items"];
  if (items && typeof items === "object" && !Array.isArray(items)) {
    return [[...prefix, "0"], ...pathsOf(items as Record<string, unknown>, [...prefix, "0"], depth)];
  }
  const properties = (schema["properties"] ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([key, sub]) => [
    [...prefix, key],
    ...(depth > 1 ? pathsOf(sub, [...prefix, key], depth - 1) : []),
  ]);
}

/** Good documents, and each of them spoilt at every path the schema names. */
export function table(schema: Record<string, unknown>, goods: unknown[]): unknown[] {
  const paths = [...pathsOf(schema), ["unknownKey"]];
  return goods.flatMap((good) => [
    good,
    ...paths.flatMap((path) => [undefined, ...ODD_VALUES].map((value) => withValue(good, path, value))),
  ]);
}

/** What a validator makes of a document: the verdict, the errors, and the document after (defaults applied). */
function outcome(validate: ValidateFunction, doc: unknown) {
  const data = structuredClone(doc);
  const valid = validate(data);
  return { valid, errors: validate.errors ?? null, data };
}

export function expectSame(compiled: ValidateFunction, code: ValidateFunction, docs: unknown[]) {
  let valid = 0;
  const differing: unknown[] = [];
  for (const doc of docs) {
    const expected = outcome(compiled, doc);
    const actual = outcome(code, doc);
    // Compared as JSON first (the documents can be large); a difference is then shown in full, with its document.
    if (JSON.stringify(actual) !== JSON.stringify(expected)) differing.push({ doc, actual, expected });
    if (expected.valid) valid++;
  }
  expect(differing.slice(0, 3)).toEqual([]);
  // The table holds both: documents accepted and documents refused.
  expect(valid).toBeGreaterThan(0);
  expect(valid).toBeLessThan(docs.length);
}
