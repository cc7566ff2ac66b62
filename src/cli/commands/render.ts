// `hsm-audit render`: re-render a saved result.json in other formats, computing nothing the result does not hold.
import type { Result } from "../../model/result.js";
import { writeOutputs, type Format } from "../../report/outputs.js";
import { printLine } from "../output.js";

export function render(
  result: Result,
  options: { outDir: string; formats: Format[]; print?: (line: string) => void },
): number {
  const files = writeOutputs(result, options.outDir, options.formats);
  (options.print ?? printLine)(`Written: ${files.join(", ")}`);
  return 0;
}
