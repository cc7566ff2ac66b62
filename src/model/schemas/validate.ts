// The first error of a document read back against a schema, in words.
import type { ErrorObject } from "ajv";

/**
 * The first schema error as `path: message`, naming a field the schema does not name. Where an object matched none of
 * the branches of a `oneOf` (a Fact's value or its error, say), the first error is the first branch's missing field:
 * when a field was refused there or deeper in, by a branch that had its required fields, that field is the error.
 */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  let e = errors?.[0];
  if (!e) return "it does not match the schema";
  if (e.keyword === "required") {
    const at = e.instancePath;
    const within = (path: string) => path === at || path.startsWith(`${at}/`);
    e = errors!.find((o) => o.keyword === "additionalProperties" && within(o.instancePath)) ?? e;
  }
  const path = e.instancePath || "(document)";
  if (e.keyword === "additionalProperties") {
    return `${path}: has a field the schema does not name: '${String(e.params.additionalProperty)}'`;
  }
  const field = e.propertyName === undefined ? "" : ` the field name '${e.propertyName}'`;
  return `${path}:${field} ${e.message ?? "is invalid"}${
    e.keyword === "enum" ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""
  }`;
}
