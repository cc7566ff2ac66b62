// `hsm-audit render`: re-render a saved result.json in other formats, computing nothing the result does not hold.
import type { Result } from "../../model/result.js";
import { writeOutputs, type Format, type Paper, type PdfDetail } from "../../report/outputs.js";
import { printLine } from "../output.js";

export async function render(
  result: Result,
  options: {
    outDir: string;
    formats: Format[];
    paper?: Paper;
    sarifAll?: boolean;
    pdfDetail?: PdfDetail;
    print?: (line: string) => void;
  },
): Promise<number> {
  const files = await writeOutputs(result, options.outDir, options.formats, {
    paper: options.paper ?? "a4",
    ...(options.sarifAll ? { sarifAll: true } : {}),
    ...(options.pdfDetail ? { pdfDetail: options.pdfDetail } : {}),
  });
  (options.print ?? printLine)(`Written: ${files.join(", ")}`);
  return 0;
}
