// The real consumers of the CI outputs, as the tests run them: Microsoft's SARIF Multitool and the SARIF 2.1.0 schema
// it ships, an XML parser that validates before it parses (JUnit), and an RFC 4180 CSV parser.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse as parseCsvText } from "csv-parse/sync";

/** What a parser hands back: tests read into it the way the consumer would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Parsed = any;

const require = createRequire(import.meta.url);
/** The Multitool's native build for this platform; the SARIF 2.1.0 schema ships beside it. */
export const MULTITOOL = require("@microsoft/sarif-multitool") as string;
const SARIF_SCHEMA = JSON.parse(readFileSync(join(dirname(MULTITOOL), "sarif-2.1.0.json"), "utf8")) as object;
export const validateSarifSchema = new Ajv2020({
  strict: false,
  allErrors: true,
  validateFormats: false,
  logger: false,
}).compile(SARIF_SCHEMA);

export interface MultitoolProblem {
  level: string;
  ruleId: string;
  message: string;
}

/** Runs `sarif validate` on the file and returns what it found (its own output is SARIF too). */
export function multitoolValidate(file: string): MultitoolProblem[] {
  const out = `${file}.validation.sarif`;
  execFileSync(MULTITOOL, ["validate", file, "--output", out], { stdio: "pipe", timeout: 120_000 });
  const log = JSON.parse(readFileSync(out, "utf8")) as {
    runs: Array<{ results: Array<{ level?: string; ruleId?: string; message?: { text?: string; id?: string } }> }>;
  };
  return log.runs.flatMap((run) =>
    run.results.map((r) => ({
      level: r.level ?? "warning",
      ruleId: String(r.ruleId),
      message: String(r.message?.text ?? r.message?.id),
    })),
  );
}

/** The Multitool's verdict, less the one advice not taken: the tool has no web page to name in informationUri. */
export function sarifProblems(file: string): MultitoolProblem[] {
  return multitoolValidate(file).filter(
    (p) => !(p.ruleId === "SARIF2005" && p.message === "Warning_ProvideToolnformationUri"),
  );
}

/** Validates, then parses, JUnit XML; attributes are kept with an `@` prefix, element lists always arrays. */
export function parseJunit(xml: string): Parsed {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseAttributeValue: false,
    // Character references (&#10;) decoded, as every JUnit reader does.
    htmlEntities: true,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
  }).parse(xml);
}

export function parseCsv(text: string): string[][] {
  return parseCsvText(text, { bom: true, relax_column_count: false, record_delimiter: "\r\n" }) as string[][];
}
