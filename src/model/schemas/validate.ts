// Validating a document read back against a schema: the validator compiled on first use, and its first error.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/**
 * A validator compiled on first use: a scan validates neither a snapshot nor a result, and compiling both costs a
 * noticeable part of the start-up. Called as Ajv's own; `errors` holds the last call's errors.
 */
export function lazyValidator(schema: object): ((value: unknown) => boolean) & { errors?: ErrorObject[] | null } {
  let compiled: ValidateFunction | undefined;
  const validate = ((value: unknown) => {
    compiled ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
    const ok = compiled(value) as boolean;
    validate.errors = compiled.errors;
    return ok;
  }) as ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
  return validate;
}

/** The first schema error as `path: message`. */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "it does not match the schema";
  return `${e.instancePath || "(document)"}: ${e.message ?? "is invalid"}${
    e.keyword === "enum" ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""
  }`;
}
