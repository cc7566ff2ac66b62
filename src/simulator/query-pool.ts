// Log queries on worker threads. The simulator answers ARM on its one thread; a query over a large estate's tables
// takes that thread for a tenth of a second or more, and every ARM answer due meanwhile would wait behind it, which
// Azure's services (Log Analytics and ARM are separate services) never do. With a pool, each worker holds its own copy
// of the workspaces' tables (handed over once, at start) and runs queries one at a time; the main thread only routes.
// The answers are the same as on the main thread: the same interpreter runs on the same tables
// (test/simulator/query-pool.test.ts compares them).
import { Worker } from "node:worker_threads";
import { KqlError, type KqlResult, type KqlTable } from "./kql/index.js";

/** One query, as the worker runs it: the tables it reads are named by their workspace key (see LogsContext.tables). */
export interface QueryJob {
  query: string;
  /** The workspaces whose tables the query reads, or every workspace (a resource-centric query). */
  workspaces: string[] | "all";
  /** A resource-centric query: only the records of this resource (its id lower-cased). */
  resourceId?: string;
  now: number;
  timespan?: { start: number; end: number };
}

export type QueryOutcome =
  | { ok: true; result: KqlResult }
  | { ok: false; error: { message: string; kind: KqlError["kind"]; line?: number; column?: number } }
  /** The interpreter failed (a bug, as a 500 from the main thread would be). */
  | { ok: false; internal: string };

interface Pending {
  resolve(result: KqlResult): void;
  reject(error: Error): void;
}

export class QueryPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private failed: Error | undefined;

  /** Starts `size` workers, each with its own copy of `tables` (workspace key -> table name -> table). */
  constructor(tables: Map<string, Map<string, KqlTable>>, size: number) {
    const script = new URL("./query-worker.js", import.meta.url);
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(script, { workerData: { tables } });
      // The server keeps the process alive while it listens; a pool left open never does.
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on("message", (message: { id: number; outcome: QueryOutcome }) => {
        slot.busy--;
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!pending) return;
        const { outcome } = message;
        if (outcome.ok) pending.resolve(outcome.result);
        else if ("internal" in outcome) pending.reject(new Error(outcome.internal));
        else {
          const e = outcome.error;
          pending.reject(new KqlError(e.message, e.kind, e.line, e.column));
        }
      });
      // A worker that dies fails every query still out, and every query after (the simulator is then broken).
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`a query worker stopped with exit code ${code}`));
      });
      this.workers.push(slot);
    }
  }

  /** Runs a query on the least busy worker. Rejects with a KqlError as `runKql` throws one. */
  run(job: QueryJob): Promise<KqlResult> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.next++;
    slot.busy++;
    return new Promise<KqlResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error("the simulator is closing"));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
