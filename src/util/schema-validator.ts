// JSON schema validators made when first used, never at import: from the build's standalone code when it was made from
// this very schema with these very options (`npm run build` runs scripts/precompile-validators.mjs, which writes
// dist/validators/NAME.cjs for every schema named here), else compiled by ajv then. Compiling costs a tenth to a
// quarter of a second of CPU per schema, which every command that reads a file back (a snapshot, a result, an estate,
// waivers, a configuration, the policies) would otherwise pay at each start.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Ajv as AjvClass, ErrorObject, Options, ValidateFunction } from "ajv";

/** Called as Ajv's own validator; `errors` holds the last call's errors. */
export type SchemaValidator = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };

export interface NamedSchema {
  name: string;
  schema: object;
  options: Options;
}

const SCHEMAS = new Map<string, NamedSchema>();

/** What the standalone code of a schema is made from: the options and the schema, hashed. */
export function schemaFingerprint(schema: object, options: Options): string {
  return createHash("sha256")
    .update(JSON.stringify([options, schema]))
    .digest("hex");
}

/** The folder of the standalone validators, beside this module's own folder (dist/validators in a build). */
export const VALIDATORS_DIR = new URL("../validators/", import.meta.url);

/**
 * Where standalone code is looked for: beside this module (the build), then the checkout's dist/validators, which is
 * what the sources find when they are run as they are (the tests): the fingerprint decides, wherever the file is, so
 * a build older than the schema is never used.
 */
const SEARCHED = [...new Set([VALIDATORS_DIR.href, new URL("../../dist/validators/", import.meta.url).href])];

function compile(named: NamedSchema): ValidateFunction {
  const require = createRequire(import.meta.url);
  const fingerprint = schemaFingerprint(named.schema, named.options);
  for (const dir of SEARCHED) {
    const file = fileURLToPath(new URL(`${named.name}.cjs`, dir));
    if (!existsSync(file)) continue;
    const code = require(file) as { validate?: unknown; fingerprint?: unknown };
    if (code.fingerprint === fingerprint && typeof code.validate === "function")
      return code.validate as ValidateFunction;
  }
  const { Ajv } = require("ajv") as { Ajv: typeof AjvClass };
  return new Ajv(named.options).compile(named.schema);
}

/**
 * The validator of `schema` under `name` (unique: the name of its standalone file). Nothing is loaded or compiled
 * until the first value is validated.
 */
export function schemaValidator(name: string, schema: object, options: Options): SchemaValidator {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`schema name '${name}' is not a file name`);
  const known = SCHEMAS.get(name);
  if (known && known.schema !== schema) throw new Error(`two schemas are named '${name}'`);
  const named = { name, schema, options };
  SCHEMAS.set(name, named);
  let compiled: ValidateFunction | undefined;
  const validate = ((value: unknown) => {
    compiled ??= compile(named);
    const ok = compiled(value) as boolean;
    validate.errors = compiled.errors;
    return ok;
  }) as SchemaValidator;
  return validate;
}

/** Every schema named so far (the build imports the modules that name them, then writes their standalone code). */
export function namedSchemas(): NamedSchema[] {
  return [...SCHEMAS.values()];
}
