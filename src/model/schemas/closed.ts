// Closing a schema, and the compile-time check that a closed schema and its TypeScript interface name the same fields.

/**
 * The schema with every object that names its properties closed to others (`additionalProperties: false`), one
 * `oneOf` branch as much as a plain object: a field the contract does not name is refused, so a field written into
 * result.json or a snapshot without its schema fails validation (and the tests) instead of passing unnoticed.
 */
export function closed<T>(schema: T): T {
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] =
        key === "properties"
          ? Object.fromEntries(Object.entries(value as object).map(([name, s]) => [name, close(s)]))
          : key === "const" || key === "enum" || key === "default"
            ? value
            : close(value);
    }
    if ("properties" in out && !("additionalProperties" in out)) out.additionalProperties = false;
    return out;
  };
  return close(schema) as T;
}

/** Compiles only when `Drift` is `never`; otherwise the error names the fields that drifted. */
export type NoDrift<Drift extends never> = Drift;
