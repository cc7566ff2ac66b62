// A KQL interpreter for the hsm-audit simulator: parse (lexer.ts, parser.ts -> ast.ts), bind and compile scalar
// expressions (compile.ts, functions.ts, aggregates.ts), evaluate tabular operators (evaluate.ts), then render the
// result in the wire form of the Log Analytics query API.

import { evaluateQuery, normalized } from "./evaluate.js";
import { parseQuery } from "./parser.js";
import type { Table } from "./scope.js";
import type { KqlDatabase, KqlResult, KqlRunOptions, KqlTable, KqlType } from "./types.js";
import { formatDatetime, formatTimespan, isNull } from "./values.js";

export * from "./types.js";

/** Parses and runs one query against the database. Throws KqlError for syntax, semantic and unsupported errors. */
export function runKql(query: string, db: KqlDatabase, options: KqlRunOptions): KqlResult {
  const ast = parseQuery(query);
  const table = evaluateQuery(ast, db, options);
  return toWire(table);
}

function wireValue(v: unknown, type: KqlType): unknown {
  if (isNull(v)) return type === "string" ? "" : null;
  switch (type) {
    case "datetime":
      return v instanceof Date ? formatDatetime(v) : null;
    case "timespan":
      return typeof v === "number" ? formatTimespan(v) : null;
    case "dynamic":
      return JSON.stringify(v);
    case "real":
    case "long":
    case "int":
      if (typeof v !== "number") return null;
      if (Number.isNaN(v)) return "NaN";
      if (v === Infinity) return "Infinity";
      if (v === -Infinity) return "-Infinity";
      return v;
    case "bool":
      return typeof v === "boolean" ? v : null;
    default:
      return typeof v === "string" ? v : String(v);
  }
}

/** Converts a table's rows once, ahead of the queries (a service answers from data it has already indexed). */
export function prepareTable(table: KqlTable): void {
  normalized(table);
}

/** Renders a table in the wire form of the query API (see KqlResult). */
export function toWire(table: Table): KqlResult {
  const columns = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const types = columns.map((c) => c.type);
  const rows = table.rows.map((r) => types.map((t, i) => wireValue(r[i], t)));
  return { columns, rows };
}
