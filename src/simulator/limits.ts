// Azure's published limits, enforced by the simulator when asked (benchmarks, and tests of the tool's pacing): an
// answer that would exceed one is a 429 with `Retry-After`, as Azure's own, and ARM answers carry
// `x-ms-ratelimit-remaining-subscription-reads`. Only requests the limits turned away count as throttled.
import { armError, logsError, type SimResponse } from "./http.js";

export interface SimulatorLimits {
  /**
   * ARM reads per subscription (and per tenant, for tenant-level routes): bucket size and refill per second, and
   * whether answers say how many remain (`x-ms-ratelimit-remaining-subscription-reads`; true unless false).
   */
  armReads: { capacity: number; refillPerSecond: number; remainingHeader?: boolean };
  /** Log Analytics queries of the caller: in flight at once, and at most `perWindow` in any `windowMs`. */
  logs: { concurrent: number; perWindow: number; windowMs: number };
  /** Resource Graph queries: at most `perWindow` in any `windowMs`. */
  graph: { perWindow: number; windowMs: number };
}

/** The limits Azure publishes (DOMAIN.md §4 and §8). */
export const AZURE_PUBLISHED_LIMITS: SimulatorLimits = {
  armReads: { capacity: 250, refillPerSecond: 25 },
  logs: { concurrent: 5, perWindow: 200, windowMs: 30_000 },
  graph: { perWindow: 15, windowMs: 5_000 },
};

export interface LimitCounters {
  /** Answers turned into 429 by a limit, per limit. */
  throttled: { armReads: number; logsConcurrent: number; logsWindow: number; graph: number };
}

/** The limits' clock in milliseconds: the machine's, or a test's virtual one shared with the scan's pacing. */
export type LimitsClock = () => number;

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    private readonly now: LimitsClock,
  ) {
    this.tokens = capacity;
    this.last = now();
  }
  /** Takes a token, or says how long until one is there. */
  take(): { ok: true; remaining: number } | { ok: false; waitMs: number } {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    return { ok: false, waitMs: (1 - this.tokens) / this.perMs };
  }
}

class Window {
  private readonly starts: number[] = [];
  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: LimitsClock,
  ) {}
  take(): { ok: true; remaining: number } | { ok: false; waitMs: number } {
    const now = this.now();
    while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
    if (this.starts.length >= this.perWindow) return { ok: false, waitMs: this.starts[0]! + this.windowMs - now };
    this.starts.push(now);
    return { ok: true, remaining: this.perWindow - this.starts.length };
  }
}

/** `Retry-After` in whole seconds, as ARM and Log Analytics send it (never 0: the wait is at least a second). */
function retryAfter(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

export class EnforcedLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly logsWindow: Window;
  private readonly graphWindow: Window;
  private logsInFlight = 0;
  readonly counters: LimitCounters = { throttled: { armReads: 0, logsConcurrent: 0, logsWindow: 0, graph: 0 } };

  constructor(
    readonly limits: SimulatorLimits = AZURE_PUBLISHED_LIMITS,
    private readonly now: LimitsClock = () => performance.now(),
  ) {
    this.logsWindow = new Window(limits.logs.perWindow, limits.logs.windowMs, now);
    this.graphWindow = new Window(limits.graph.perWindow, limits.graph.windowMs, now);
  }

  /**
   * One ARM read of a subscription (undefined: a tenant-level route): its headers when allowed, or the 429 to answer.
   */
  armRead(subscriptionId: string | undefined): { headers: Record<string, string> } | { refused: SimResponse } {
    const key = subscriptionId?.toLowerCase() ?? "tenant";
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Bucket(this.limits.armReads.capacity, this.limits.armReads.refillPerSecond / 1000, this.now);
      this.buckets.set(key, bucket);
    }
    const taken = bucket.take();
    if (taken.ok) {
      return this.limits.armReads.remainingHeader === false
        ? { headers: {} }
        : { headers: { "x-ms-ratelimit-remaining-subscription-reads": String(taken.remaining) } };
    }
    this.counters.throttled.armReads++;
    const e = armError(
      429,
      "SubscriptionRequestsThrottled",
      `Number of 'read' requests for subscription '${subscriptionId ?? "tenant"}' actor '00000000-0000-0000-0000-00000000c11e' exceeded. Please try again after ${retryAfter(taken.waitMs)} seconds.`,
    );
    return {
      refused: {
        ...e,
        headers: { "Retry-After": retryAfter(taken.waitMs), "x-ms-ratelimit-remaining-subscription-reads": "0" },
      },
    };
  }

  /** One Resource Graph query. */
  graphQuery(): { headers: Record<string, string> } | { refused: SimResponse } {
    const taken = this.graphWindow.take();
    const resets = (ms: number) => new Date(Math.max(0, ms)).toISOString().slice(11, 19);
    if (taken.ok) {
      return {
        headers: {
          "x-ms-user-quota-remaining": String(taken.remaining),
          "x-ms-user-quota-resets-after": resets(this.limits.graph.windowMs),
        },
      };
    }
    this.counters.throttled.graph++;
    const e = armError(
      429,
      "RateLimiting",
      "Please provide below info when asking for support: timestamp, correlationId. Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.",
    );
    return {
      refused: {
        ...e,
        headers: {
          "Retry-After": retryAfter(taken.waitMs),
          "x-ms-user-quota-remaining": "0",
          "x-ms-user-quota-resets-after": resets(taken.waitMs),
        },
      },
    };
  }

  /** One Log Analytics query: `done()` to call when its answer has gone, or the 429 to answer. */
  logsQuery(): { done: () => void } | { refused: SimResponse } {
    if (this.logsInFlight >= this.limits.logs.concurrent) {
      this.counters.throttled.logsConcurrent++;
      return {
        refused: {
          ...logsError(
            429,
            "ThrottledError",
            `Your request was throttled: more than ${this.limits.logs.concurrent} queries of one user at once.`,
          ),
          headers: { "Retry-After": "1" },
        },
      };
    }
    const taken = this.logsWindow.take();
    if (!taken.ok) {
      this.counters.throttled.logsWindow++;
      return {
        refused: {
          ...logsError(
            429,
            "ThrottledError",
            `Your request was throttled: more than ${this.limits.logs.perWindow} requests in ${this.limits.logs.windowMs / 1000} seconds.`,
          ),
          headers: { "Retry-After": retryAfter(taken.waitMs) },
        },
      };
    }
    this.logsInFlight++;
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        this.logsInFlight--;
      },
    };
  }
}
