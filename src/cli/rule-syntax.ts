// Sentinel rules' queries, read while the scan still waits on other answers. The evaluation needs each query's shape
// (src/engine/rule-coverage.ts), and the first one costs the Kusto language service's start-up, about half a second
// of CPU. From the built tool they are read on a worker thread, so that the scan's own thread goes on reading answers
// meanwhile; the shapes come back as plain data and are kept for the evaluation (`rememberShape`). Where the worker's
// script is not there (the sources run by the tests) or the worker fails, they are read on this thread, one a turn of
// the event loop, or by the evaluation itself. Nothing is decided here: a query the worker could not read is read
// again, and its failure reported, by the evaluation.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { rememberShape, ruleShape, type RuleShape } from "../engine/rule-coverage.js";

export interface RuleSyntaxReader {
  /** Starts reading these queries (each distinct query once). */
  read(queries: string[]): void;
  /** Waits for every query sent to be read (or the worker to fail), keeps their shapes, and stops the worker. */
  done(): Promise<void>;
}

const WORKER_SCRIPT = new URL("./rule-syntax-worker.js", import.meta.url);

export function ruleSyntaxReader(script: URL = WORKER_SCRIPT): RuleSyntaxReader {
  return existsSync(fileURLToPath(script)) ? new WorkerReader(script) : new TurnReader();
}

/** On a worker thread, started with the first query. */
class WorkerReader implements RuleSyntaxReader {
  private worker: Worker | undefined;
  private readonly sent = new Set<string>();
  private readonly waiting = new Map<number, string>();
  private next = 0;
  private failed = false;
  private settle: (() => void) | undefined;

  constructor(private readonly script: URL) {}

  read(queries: string[]): void {
    for (const query of queries) {
      if (this.failed || this.sent.has(query)) continue;
      this.sent.add(query);
      const id = this.next++;
      this.waiting.set(id, query);
      this.start().postMessage({ id, query });
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    // Never what keeps the process alive: a scan that fails before `done()` still exits.
    worker.unref();
    worker.on("message", ({ id, shape }: { id: number; shape?: RuleShape }) => {
      const query = this.waiting.get(id);
      this.waiting.delete(id);
      if (query !== undefined && shape) rememberShape(query, shape);
      if (this.waiting.size === 0) this.settle?.();
    });
    const fail = () => {
      // What was not read is read by the evaluation.
      this.failed = true;
      this.waiting.clear();
      this.settle?.();
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    this.worker = worker;
    return worker;
  }

  async done(): Promise<void> {
    if (this.waiting.size > 0 && !this.failed) {
      await new Promise<void>((resolve) => (this.settle = resolve));
    }
    await this.worker?.terminate();
  }
}

/** On this thread: one query a turn of the event loop, so that answers arriving meanwhile are read between them. */
class TurnReader implements RuleSyntaxReader {
  private queue: string[] = [];
  private running = false;

  read(queries: string[]): void {
    this.queue.push(...queries);
    if (this.running) return;
    this.running = true;
    const next = () =>
      setImmediate(() => {
        const query = this.queue.shift();
        if (query === undefined) {
          this.running = false;
          return;
        }
        try {
          ruleShape(query);
        } catch {
          // The evaluation meets the same failure and says it.
        }
        next();
      });
    next();
  }

  async done(): Promise<void> {
    // Whatever is left is read by the evaluation.
    this.queue = [];
  }
}
