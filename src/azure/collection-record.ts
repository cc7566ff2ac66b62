// What a scan records of how it gathered its evidence (the snapshot's `collection`), from its counters.
import type { CollectionRecord } from "../model/snapshot.js";
import { ARM_BATCH_SIZE, type ArmBatcher } from "./batch.js";
import type { Scheduler } from "./throttle.js";

/** What the scan counts as it goes: reads the batch declined, workspaces asked again alone, retries. */
export interface CollectionCounts {
  readAlone: number;
  askedAgainAlone: number;
  retries: number;
}

export function collectionRecord(
  scheduler: Scheduler,
  batch: ArmBatcher | undefined,
  counts: CollectionCounts,
  workspacesPerQuery: number,
): CollectionRecord {
  return {
    concurrency: scheduler.limits.sockets,
    ...(batch
      ? {
          armBatch: {
            size: ARM_BATCH_SIZE,
            batches: batch.stats.batches,
            answered: batch.stats.answered,
            readAlone: counts.readAlone,
          },
        }
      : {}),
    logQueries: { workspacesPerQuery, askedAgainAlone: counts.askedAgainAlone },
    retries: counts.retries,
  };
}
