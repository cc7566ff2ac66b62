// The contract between the simulator and its KQL interpreter.

/** Scalar types of the Kusto type system that the simulator's tables and results use. */
export type KqlType = "string" | "datetime" | "long" | "int" | "real" | "bool" | "timespan" | "dynamic" | "guid";

export interface KqlColumn {
  name: string;
  type: KqlType;
}

/**
 * A table as the interpreter reads it. Row values are in their natural JS form:
 * string/guid -> string, datetime -> Date, long/int/real -> number, bool -> boolean,
 * timespan -> number of milliseconds, dynamic -> any JSON value; null where the value is empty.
 */
export interface KqlTable {
  name: string;
  columns: KqlColumn[];
  rows: Record<string, unknown>[];
}

/** The tables of one workspace (or of several, for a cross-workspace or resource-centric query). */
export interface KqlDatabase {
  /** Looks a table up by exact (case-sensitive) name, as Kusto does; undefined when the table does not exist. */
  table(name: string): KqlTable | undefined;
}

export interface KqlRunOptions {
  /** The clock for now() and ago(). */
  now: Date;
  /** The request's timespan: rows of every table read are kept only when start <= TimeGenerated < end. */
  timespan?: { start: Date; end: Date };
}

/**
 * A result in the wire form of the Log Analytics query API: datetime as ISO 8601 strings with 7 fraction digits
 * ("2026-11-22T09:00:00.0000000Z" is what Azure sends; "2026-11-22T09:00:00Z" is accepted too), timespan as
 * "[d.]hh:mm:ss[.fffffff]", dynamic as a JSON string, numbers and booleans as JSON numbers and booleans, null as null.
 */
export interface KqlResult {
  columns: KqlColumn[];
  rows: unknown[][];
}

/** Why a query could not run. `kind` picks the query API's error code (SyntaxError or SemanticError). */
export class KqlError extends Error {
  constructor(
    message: string,
    readonly kind: "syntax" | "semantic" | "unsupported",
    /** 1-based line and column of the offending token, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = "KqlError";
  }
}
