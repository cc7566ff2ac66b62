// A query worker of the simulator's pool (query-pool.ts): holds its copy of the workspaces' tables and runs the
// queries it is sent, one at a time, with the interpreter the main thread would use.
import { parentPort, workerData } from "node:worker_threads";
import { KqlError, prepareTable, runKql, type KqlTable } from "./kql/index.js";
import { databaseOf } from "./tables.js";
import type { QueryJob, QueryOutcome } from "./query-pool.js";

const tables = (workerData as { tables: Map<string, Map<string, KqlTable>> }).tables;
for (const workspace of tables.values()) for (const table of workspace.values()) prepareTable(table);

/** Runs one job as the main thread's `execute` would. */
export function runJob(job: QueryJob): QueryOutcome {
  const sources =
    job.workspaces === "all"
      ? [...tables.values()]
      : job.workspaces.map((key) => tables.get(key) ?? new Map<string, KqlTable>());
  const resourceId = job.resourceId;
  const db = databaseOf(
    sources,
    resourceId ? (row) => String(row._ResourceId).toLowerCase() === resourceId : undefined,
  );
  try {
    const result = runKql(job.query, db, {
      now: new Date(job.now),
      ...(job.timespan ? { timespan: { start: new Date(job.timespan.start), end: new Date(job.timespan.end) } } : {}),
    });
    return { ok: true, result };
  } catch (error) {
    if (!(error instanceof KqlError)) {
      return { ok: false, internal: error instanceof Error ? error.message : String(error) };
    }
    return {
      ok: false,
      error: {
        message: error.message,
        kind: error.kind,
        ...(error.line !== undefined ? { line: error.line } : {}),
        ...(error.column !== undefined ? { column: error.column } : {}),
      },
    };
  }
}

parentPort?.on("message", ({ id, job }: { id: number; job: QueryJob }) => {
  parentPort!.postMessage({ id, outcome: runJob(job) });
});
