// The worker thread of ./rule-syntax.ts: makes the shape of each rule query it is sent, with the engine's own
// analysis (the Kusto language service loads here, on the first query), and sends it back as plain data.
import { parentPort } from "node:worker_threads";
import { analyse } from "../engine/rule-coverage/sources.js";

parentPort?.on("message", ({ id, query }: { id: number; query: string }) => {
  try {
    parentPort!.postMessage({ id, shape: analyse(query) });
  } catch {
    // The evaluation analyses this query again on its own thread, meets the same failure and reports it.
    parentPort!.postMessage({ id });
  }
});
