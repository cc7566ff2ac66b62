// What every raw-answer -> fact mapping shares. The mappings take an item as the SDK's typed clients hand it over
// (ARM's `properties` lifted onto the item), so that the collector and the snapshot verifier (src/azure/verify.ts),
// which reads the stored bodies, run the very same code.

/** An answer that arrived but does not have the shape the API promises. */
export class MalformedAnswer extends Error {}

/**
 * An ARM item as a typed SDK client returns it: the members of `properties` lifted onto the item (the specs mark
 * them `x-ms-client-flatten`). Only the first level is lifted, as the SDK does for the models read here.
 */
export function lifted(raw: unknown): Record<string, unknown> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new MalformedAnswer("the answer is not an object");
  const item = raw as Record<string, unknown>;
  const properties = item.properties && typeof item.properties === "object" ? item.properties : {};
  return { ...item, ...(properties as Record<string, unknown>) };
}

/**
 * A number as the SDK's deserialiser reads a `Number` member (`parseFloat`, so `"400"` is 400); undefined when it
 * is none.
 */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isNaN(value) ? undefined : value;
  if (typeof value === "string") {
    const n = parseFloat(value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** A boolean as the SDK's deserialiser reads a `Boolean` member (`"true"` and `"false"` too). */
export function booleanOf(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

/** Sorts in place by a key, case-insensitively and independently of the locale, so snapshots are reproducible. */
export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  const k = (item: T) => key(item).toLowerCase();
  return items.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}
