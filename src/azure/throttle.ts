// The scan's pacing, shaped by Azure's published limits (DOMAIN.md §8 and §4) so that the tool is never the cause of
// its own throttling:
//   - ARM reads: a token bucket per subscription (250 tokens, 25 a second), corrected downwards by the
//     `x-ms-ratelimit-remaining-subscription-reads` header of every answer, and emptied by a 429 until its
//     `Retry-After` has passed;
//   - Log Analytics: at most 5 queries in flight and 200 in any 30 s;
//   - Resource Graph: at most 15 queries in any 5 s;
//   - every request: a global cap on requests in flight (sockets).
// Each attempt is admitted by `admit()` before it is sent (retries included) and reports its answer when done.
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";

export type ServiceFamily = "arm" | "logs" | "graph" | "blob";

export interface Limits {
  /** Requests in flight at once, all services together. */
  sockets: number;
  /** ARM reads per subscription: bucket size and refill per second. */
  armReads: { capacity: number; refillPerSecond: number };
  /** Log Analytics queries: in flight at once, and at most `perWindow` in any `windowMs`. */
  logs: { concurrent: number; perWindow: number; windowMs: number };
  /** Resource Graph queries: at most `perWindow` in any `windowMs`. */
  graph: { perWindow: number; windowMs: number };
}

/** Azure's published limits (DOMAIN.md §8, §4), and the default cap on requests in flight. */
export const AZURE_LIMITS: Limits = {
  sockets: 32,
  armReads: { capacity: 250, refillPerSecond: 25 },
  logs: { concurrent: 5, perWindow: 200, windowMs: 30_000 },
  graph: { perWindow: 15, windowMs: 5_000 },
};

export interface SchedulerStats {
  /** Attempts admitted, per family. */
  admitted: Record<ServiceFamily, number>;
  /** Answers that were 429. */
  throttled: number;
  /** Time attempts spent waiting for a token, a window or a slot, summed. */
  waitedMs: number;
}

/** The pacing's clock, in milliseconds (the machine's unless a test injects a virtual one). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A first-come, first-served counting semaphore. */
export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * A token bucket that hands out tokens in the order they were asked for. `correct()` lowers the tokens to what the
 * service says remain (other clients of the same principal share the service's bucket); `block()` holds every taker
 * until a time the service named.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly capacity: number,
    private readonly refillPerMs: number,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refillPerMs);
    this.last = now;
  }

  /** Resolves once `n` tokens have been taken (never more than the capacity at once). */
  take(n = 1): Promise<void> {
    const want = Math.min(n, this.capacity);
    const turn = this.queue.then(async () => {
      for (;;) {
        this.refill();
        const now = this.clock.now();
        if (now < this.blockedUntil) {
          await this.clock.sleep(this.blockedUntil - now);
          continue;
        }
        if (this.tokens >= want) {
          this.tokens -= want;
          return;
        }
        await this.clock.sleep(Math.ceil((want - this.tokens) / this.refillPerMs));
      }
    });
    this.queue = turn;
    return turn;
  }

  /** The service says `remaining` reads are left: believe it when it is fewer than we count. */
  correct(remaining: number): void {
    this.refill();
    if (remaining < this.tokens) this.tokens = Math.max(0, remaining);
  }

  /** The service throttled: nothing is taken before `ms` from now, and the bucket starts again from empty. */
  block(ms: number): void {
    this.refill();
    this.tokens = 0;
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + ms);
  }

  available(): number {
    this.refill();
    return this.tokens;
  }
}

/** At most `perWindow` starts in any window of `windowMs`, in the order asked. */
export class SlidingWindow {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private blockedUntil = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
        if (now < this.blockedUntil) {
          await this.clock.sleep(this.blockedUntil - now);
          continue;
        }
        if (this.starts.length < this.perWindow) {
          this.starts.push(now);
          return;
        }
        await this.clock.sleep(this.starts[0]! + this.windowMs - now);
      }
    });
    this.queue = turn;
    return turn;
  }

  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + ms);
  }
}

const SUBSCRIPTION_IN_PATH = /\/subscriptions\/([0-9a-f-]{36})(?:\/|$)/i;

/** The subscription an ARM request reads from, by its path; undefined for tenant-level routes. */
export function subscriptionOfUrl(url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    path = url;
  }
  return SUBSCRIPTION_IN_PATH.exec(path)?.[1]?.toLowerCase();
}

/** Where ARM's answer says how many reads the subscription has left. */
export const REMAINING_READS_HEADER = "x-ms-ratelimit-remaining-subscription-reads";

/** The delay an answer asks for (`Retry-After` in seconds or as a date, or the `-ms` variants), in ms. */
export function retryAfterOf(headers: { get(name: string): string | undefined }, now = Date.now()): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const raw = headers.get(name);
    const value = Number(raw);
    if (raw && Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What a throttled answer without `Retry-After` holds the bucket for: one token's refill, at least 1 s. */
const DEFAULT_BLOCK_MS = 1_000;

export class Scheduler {
  private readonly sockets: Semaphore;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly logsSlots: Semaphore;
  private readonly logsWindow: SlidingWindow;
  private readonly graphWindow: SlidingWindow;
  readonly stats: SchedulerStats = {
    admitted: { arm: 0, logs: 0, graph: 0, blob: 0 },
    throttled: 0,
    waitedMs: 0,
  };

  constructor(
    readonly limits: Limits = AZURE_LIMITS,
    private readonly clock: Clock = realClock,
  ) {
    this.sockets = new Semaphore(limits.sockets);
    this.logsSlots = new Semaphore(limits.logs.concurrent);
    this.logsWindow = new SlidingWindow(limits.logs.perWindow, limits.logs.windowMs, clock);
    this.graphWindow = new SlidingWindow(limits.graph.perWindow, limits.graph.windowMs, clock);
  }

  /** The read bucket of a subscription (or of the tenant, for tenant-level routes). */
  bucket(subscriptionId: string | undefined): TokenBucket {
    const key = subscriptionId?.toLowerCase() ?? "tenant";
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { capacity, refillPerSecond } = this.limits.armReads;
      bucket = new TokenBucket(capacity, refillPerSecond / 1000, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /**
   * Waits until one attempt of `request` may be sent, and returns what to call with its answer (or with nothing when
   * it failed without one). ARM's `POST /batch` takes no read of its own: its inner reads are taken by the caller,
   * per subscription (`takeReads`).
   */
  async admit(family: ServiceFamily, request: PipelineRequest): Promise<(response?: PipelineResponse) => void> {
    const started = this.clock.now();
    let releaseLogs: (() => void) | undefined;
    const subscriptionId = family === "arm" ? subscriptionOfUrl(request.url) : undefined;
    if (family === "arm" && !isBatch(request)) await this.bucket(subscriptionId).take();
    if (family === "graph") await this.graphWindow.take();
    if (family === "logs") {
      // The slot first: a query counts against the window when it is about to be sent, not while it queues.
      releaseLogs = await this.logsSlots.acquire();
      await this.logsWindow.take();
    }
    const releaseSocket = await this.sockets.acquire();
    this.stats.waitedMs += this.clock.now() - started;
    this.stats.admitted[family]++;
    return (response) => {
      releaseSocket();
      releaseLogs?.();
      if (response) this.observe(family, subscriptionId, response.status, response.headers);
    };
  }

  /** Takes `n` reads of a subscription's bucket, for requests sent inside a batch. */
  async takeReads(subscriptionId: string | undefined, n = 1): Promise<void> {
    const started = this.clock.now();
    await this.bucket(subscriptionId).take(n);
    this.stats.waitedMs += this.clock.now() - started;
  }

  /** Learns from an answer (also an inner answer of a batch): remaining reads, and throttling. */
  observe(
    family: ServiceFamily,
    subscriptionId: string | undefined,
    status: number,
    headers: { get(name: string): string | undefined },
  ): void {
    if (family === "arm") {
      const remaining = Number(headers.get(REMAINING_READS_HEADER));
      if (headers.get(REMAINING_READS_HEADER) && Number.isFinite(remaining)) {
        this.bucket(subscriptionId).correct(remaining);
      }
    }
    if (status !== 429) return;
    this.stats.throttled++;
    const wait = retryAfterOf(headers) ?? DEFAULT_BLOCK_MS;
    if (family === "arm") this.bucket(subscriptionId).block(wait);
    if (family === "logs") this.logsWindow.block(wait);
    if (family === "graph") this.graphWindow.block(wait);
  }
}

function isBatch(request: PipelineRequest): boolean {
  if (request.method !== "POST") return false;
  try {
    return /^\/batch\/?$/i.test(new URL(request.url).pathname);
  } catch {
    return false;
  }
}

/** Headers as a plain record, readable like the pipeline's (for inner answers of a batch). */
export function headerReader(headers: Record<string, unknown> | undefined): { get(name: string): string | undefined } {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === "string" || typeof value === "number") lower.set(name.toLowerCase(), String(value));
  }
  return { get: (name) => lower.get(name.toLowerCase()) };
}
