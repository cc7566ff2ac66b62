// ARM's batch API (`POST /batch?api-version=2020-06-01`, up to 20 GETs a call; DOMAIN.md §8): the portal reads
// diagnostic settings this way, since no documented API reads them in bulk. Reads are queued as they are asked for and
// sent together; an inner answer comes back to the read that asked for it. Whatever the batch cannot answer well is
// left to the caller's single call: the batch API missing or failing, an inner answer that was throttled or failed
// on the server's side, or one that continues on another page.
import { randomUUID } from "node:crypto";
import type { Client } from "@azure-rest/core-client";
import type { EvidenceLog } from "./pipeline.js";
import { headerReader, subscriptionOfUrl, type Scheduler } from "./throttle.js";

export const ARM_BATCH_API_VERSION = "2020-06-01";
export const ARM_BATCH_SIZE = 20;

/** An inner answer of a batch, and the evidence of the exchange that carried it. */
export interface BatchAnswer {
  status: number;
  headers: { get(name: string): string | undefined };
  content: unknown;
  /** Evidence ids of the batch exchange (the `POST /batch` attempts). */
  carriedBy: string[];
}

/** Why a read is left to a single call; evidence of the batch attempt goes with it. */
export interface BatchDeclined {
  declined: string;
  carriedBy: string[];
}

interface Pending {
  /** Path and query, from the ARM root (`/subscriptions/...?...api-version=...`). */
  url: string;
  resolve: (answer: BatchAnswer | BatchDeclined) => void;
}

/** Inner statuses that a single call, with its own retries, should try again. */
const RETRY_ALONE = new Set([408, 429, 500, 502, 503, 504]);
/** Answers that say the batch API is not there (a private cloud, a proxy): no batch is tried again. */
const NO_BATCH_API = new Set([400, 404, 405, 501]);

export class ArmBatcher {
  private pending: Pending[] = [];
  private flushing = false;
  private unavailable: string | undefined;
  /** Batches sent, and reads they answered. */
  readonly stats = { batches: 0, answered: 0, declined: 0 };

  constructor(
    private readonly client: () => Client,
    private readonly evidence: EvidenceLog,
    private readonly scheduler: Scheduler | undefined,
  ) {}

  /** Queues one GET; resolves with its inner answer, or with why it should be read alone. */
  get(url: string): Promise<BatchAnswer | BatchDeclined> {
    if (this.unavailable) return Promise.resolve({ declined: this.unavailable, carriedBy: [] });
    return new Promise((resolve) => {
      this.pending.push({ url, resolve });
      if (!this.flushing) {
        this.flushing = true;
        // Reads asked for in the same turn of the event loop travel together.
        setImmediate(() => {
          this.flushing = false;
          const all = this.pending.splice(0);
          for (let i = 0; i < all.length; i += ARM_BATCH_SIZE) void this.send(all.slice(i, i + ARM_BATCH_SIZE));
        });
      }
    });
  }

  private async send(items: Pending[]): Promise<void> {
    if (this.unavailable) {
      for (const item of items) item.resolve({ declined: this.unavailable, carriedBy: [] });
      return;
    }
    // The inner reads count against their subscriptions' buckets, as ARM counts them.
    if (this.scheduler) {
      const perSubscription = new Map<string | undefined, number>();
      for (const item of items) {
        const sub = subscriptionOfUrl(`https://arm${item.url}`);
        perSubscription.set(sub, (perSubscription.get(sub) ?? 0) + 1);
      }
      await Promise.all([...perSubscription].map(([sub, n]) => this.scheduler!.takeReads(sub, n)));
    }
    const names = items.map(() => randomUUID());
    this.stats.batches++;
    const outcome = await this.evidence.attribute(
      `a batch of ${items.length} ARM reads`,
      async (): Promise<{ status: string; body: unknown }> =>
        await this.client()
          .pathUnchecked("/batch")
          .post({
            queryParameters: { "api-version": ARM_BATCH_API_VERSION },
            body: { requests: items.map((item, i) => ({ httpMethod: "GET", name: names[i], url: item.url })) },
          }),
    );
    const carriedBy = outcome.evidence;
    const decline = (why: string, item: Pending) => {
      this.stats.declined++;
      item.resolve({ declined: why, carriedBy });
    };
    if (!outcome.ok) {
      for (const item of items) decline("the batch call failed", item);
      return;
    }
    const status = Number(outcome.value.status);
    if (status !== 200) {
      if (NO_BATCH_API.has(status)) this.unavailable = `ARM answered ${status} to the batch API`;
      for (const item of items) decline(`the batch call answered ${status}`, item);
      return;
    }
    const responses = (outcome.value.body as { responses?: unknown } | undefined)?.responses;
    if (!Array.isArray(responses)) {
      for (const item of items) decline("the batch answer holds no responses", item);
      return;
    }
    const byName = new Map<string, Record<string, unknown>>();
    for (const r of responses) {
      if (r && typeof r === "object" && typeof (r as { name?: unknown }).name === "string") {
        byName.set((r as { name: string }).name, r as Record<string, unknown>);
      }
    }
    items.forEach((item, i) => {
      const inner = byName.get(names[i]!);
      const innerStatus = Number(inner?.httpStatusCode);
      if (!inner || !Number.isInteger(innerStatus)) return decline("the batch answer left it out", item);
      const headers = headerReader(inner.headers as Record<string, unknown> | undefined);
      this.scheduler?.observe("arm", subscriptionOfUrl(`https://arm${item.url}`), innerStatus, headers);
      if (RETRY_ALONE.has(innerStatus)) return decline(`the batch answered it ${innerStatus}`, item);
      const content = inner.content;
      if (innerStatus === 200 && content && typeof content === "object" && "nextLink" in content) {
        const next = (content as { nextLink?: unknown }).nextLink;
        if (typeof next === "string" && next !== "") return decline("its answer continues on another page", item);
      }
      this.stats.answered++;
      item.resolve({ status: innerStatus, headers, content, carriedBy });
    });
  }
}

export function isDeclined(answer: BatchAnswer | BatchDeclined): answer is BatchDeclined {
  return "declined" in answer;
}
