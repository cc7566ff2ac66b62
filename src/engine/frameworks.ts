// Control frameworks (PCI DSS, NIST SP 800-53, ISO/IEC 27001) as data: each requirement points at policy ids.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parseYaml, readYamlText } from "../util/yaml.js";
import { BUILT_IN_POLICIES, PolicyError } from "./policy.js";

export interface Framework {
  id: string;
  title: string;
  version: string;
  url: string;
  requirements: { id: string; title: string; policies: string[] }[];
  file: string;
}

const validate = new Ajv({ strict: false }).compile({
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
});

export const BUILT_IN_FRAMEWORKS = join(BUILT_IN_POLICIES, "frameworks");

export function loadFrameworks(dir = BUILT_IN_FRAMEWORKS): Framework[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const error = (f: string, l: number | undefined, r: string) => new PolicyError(f, l, r);
      const { value } = parseYaml(readYamlText(file, error), file, error);
      if (!validate(value)) {
        const e = validate.errors![0]!;
        throw new PolicyError(file, undefined, `${e.instancePath || "document"} ${e.message ?? "is invalid"}`);
      }
      return { ...(value as Omit<Framework, "file">), file };
    });
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
