// Control frameworks (PCI DSS, NIST SP 800-53, ISO/IEC 27001) as data: each requirement points at policy ids.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { schemaValidator } from "../util/schema-validator.js";
import { readYamlText } from "../util/yaml.js";
import { BUILT_IN_POLICIES, describe, parseYamlFile, pathOf, PolicyError } from "./policy.js";

export interface Framework {
  id: string;
  title: string;
  version: string;
  url: string;
  requirements: { id: string; title: string; policies: string[] }[];
  file: string;
}

const FRAMEWORK_SCHEMA = {
  type: "object",
  required: ["id", "title", "version", "url", "requirements"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" },
    title: { type: "string", minLength: 1 },
    version: { type: "string", minLength: 1 },
    url: { type: "string", pattern: "^https://" },
    requirements: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["id", "title", "policies"],
        additionalProperties: false,
        properties: {
          id: { type: "string", minLength: 1 },
          title: { type: "string", minLength: 1 },
          policies: { type: "array", minItems: 1, items: { type: "string" } },
        },
      },
    },
  },
} as const;

/** Made on first use: `policies list` imports this module and never reads a framework. */
const validateFramework = schemaValidator("framework", FRAMEWORK_SCHEMA, { strict: false });

export const BUILT_IN_FRAMEWORKS = join(BUILT_IN_POLICIES, "frameworks");

/**
 * Loads the frameworks of `dir`. A mistake is a PolicyError naming the file, the line and the reason, as for policies;
 * a framework's id is its file name.
 */
export function loadFrameworks(dir = BUILT_IN_FRAMEWORKS): Framework[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => loadFrameworkFile(join(dir, f)));
}

export function loadFrameworkFile(file: string): Framework {
  const text = readYamlText(file, (f, l, r) => new PolicyError(f, l, r));
  return parseFramework(text, file);
}

export function parseFramework(text: string, file: string): Framework {
  const { value, lineOf } = parseYamlFile(text, file);
  const validate = validateFramework;
  if (!validate(value)) {
    const error = validate.errors![0]!;
    throw new PolicyError(file, lineOf(pathOf(error)), describe(error, ""));
  }
  const framework = value as Omit<Framework, "file">;
  const expected = basename(file).replace(/\.ya?ml$/i, "");
  if (framework.id !== expected) {
    throw new PolicyError(file, lineOf(["id"]), `id '${framework.id}' must equal the file name ('${expected}')`);
  }
  return { ...framework, file };
}

/** The requirements that point at `policyId`, as `<framework title> <requirement id>`. */
export function mappingsOf(
  policyId: string,
  frameworks: Framework[],
): { framework: Framework; requirement: Framework["requirements"][number] }[] {
  return frameworks.flatMap((framework) =>
    framework.requirements
      .filter((r) => r.policies.includes(policyId))
      .map((requirement) => ({ framework, requirement })),
  );
}
