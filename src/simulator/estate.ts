// Loads an estate file (YAML or JSON) and validates it against its schema, naming the file, line, path and reason of
// each problem; estate-resolve.ts then resolves it into the model the simulator serves (estate-model.ts).
import type { ErrorObject } from "ajv";
import { schemaValidator } from "../util/schema-validator.js";
import { isNode } from "yaml";
import { parseYaml, readYamlText } from "../util/yaml.js";
import { estateSchema } from "./estate-schema.js";
import { EstateError, type Estate, type EstateProblem } from "./estate-model.js";
import { formatPath, type EstateInput } from "./estate-input.js";
import { resolveEstate } from "./estate-resolve.js";

export * from "./estate-model.js";

/** Made on first use: the CLI imports this module for its error type without loading an estate. */
const validateEstate = schemaValidator("estate", estateSchema, { allErrors: true, strict: false });

const estateError = (file: string, line: number | undefined, message: string) =>
  new EstateError(file, [
    { path: "", ...(line ? { line } : {}), message: message.replace(/^cannot read it/, "cannot read the file") },
  ]);

/** Reads and resolves an estate file; throws EstateError naming the file, line, path and reason. */
export function loadEstateFile(file: string, options: { now?: Date } = {}): Estate {
  const text = readYamlText(file, estateError);
  return parseEstate(text, file, options);
}

/** Parses estate text (YAML, of which JSON is a subset). */
export function parseEstate(text: string, file: string, options: { now?: Date } = {}): Estate {
  const { doc, lines: lineCounter, value: data } = parseYaml(text, file, estateError, { syntax: "YAML or JSON" });
  const lineOf = (segments: (string | number)[]): number | undefined => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const validate = validateEstate;
  if (!validate(data)) {
    throw new EstateError(file, schemaProblems(validate.errors ?? [], lineOf));
  }
  return resolveEstate(data as EstateInput, options.now, lineOf, file);
}

function schemaProblems(
  errors: ErrorObject[],
  lineOf: (segments: (string | number)[]) => number | undefined,
): EstateProblem[] {
  // oneOf/anyOf produce one error per branch; keep the most specific ones (deepest path), once each.
  const seen = new Set<string>();
  const problems: EstateProblem[] = [];
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  for (const error of sorted) {
    const segments = pointerSegments(error.instancePath);
    let message = error.message ?? "is invalid";
    if (error.keyword === "additionalProperties") {
      message = `unknown key '${String(error.params.additionalProperty)}'`;
    } else if (error.keyword === "enum") {
      message = `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(", ")}`;
    } else if (error.keyword === "required") {
      message = `missing required key '${String(error.params.missingProperty)}'`;
    } else if (error.keyword === "oneOf" || error.keyword === "anyOf") {
      message = oneOfHint(segments);
    }
    const path = formatPath(segments);
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    // A branch failure under oneOf is noise once the oneOf itself is reported.
    if (
      error.keyword === "required" &&
      sorted.some((e) => e.keyword === "oneOf" && e.instancePath === error.instancePath)
    )
      continue;
    if (error.keyword === "not") continue;
    seen.add(key);
    problems.push({ path, line: lineOf(segments), message });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function oneOfHint(segments: (string | number)[]): string {
  const parent = segments[segments.length - 2];
  if (parent === "activity") {
    return "an activity entry is either one record (`ago` or `at`, with `operation`) or a series (`every`, `from`, `operations`)";
  }
  if (parent === "logs") return "a log entry names exactly one of `category` or `categoryGroup`";
  if (parent === "faults")
    return "a fault needs at least one effect: status, latencyMs, drop, truncate, endlessNextLink or partialError";
  return "does not match any allowed form";
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
