// The PDF's layout constants (paper, margins, sizes, colours), kept as data in report-templates/pdf-layout.json.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ShownStatus } from "../model/result.js";
import type { Paper } from "./outputs.js";

interface LayoutFile {
  paper: Record<Paper, [number, number]>;
  margins: { top: number; bottom: number; left: number; right: number };
  body: number;
  tableBody: number;
  colors: Record<"text" | "muted" | "rule" | "headerFill" | "mark" | "code" | "link" | "bar", string>;
  status: Record<ShownStatus, string>;
}

const file = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../report-templates/pdf-layout.json", import.meta.url)), "utf8"),
) as LayoutFile;

export const PAPER = file.paper;
export const STATUS_COLOR = file.status;
export const LAYOUT = { margins: file.margins, body: file.body, tableBody: file.tableBody, ...file.colors };
