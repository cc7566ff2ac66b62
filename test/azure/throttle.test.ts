// The scheduler's pieces on a virtual clock: time only moves when something sleeps, so every wait is exact.
import { describe, expect, test } from "@jest/globals";
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import {
  retryAfterOf,
  Scheduler,
  Semaphore,
  SlidingWindow,
  subscriptionOfUrl,
  TokenBucket,
  headerReader,
  type Limits,
} from "../../src/azure/throttle.js";

/** A clock whose sleeps resolve in time order, each advancing `now` to its deadline. */
function virtualClock() {
  let now = 0;
  const sleepers: { until: number; resolve: () => void }[] = [];
  let draining = false;
  const drain = () => {
    if (draining) return;
    draining = true;
    // Let every pending microtask queue its sleep before the earliest one wakes.
    setImmediate(() => {
      draining = false;
      sleepers.sort((a, b) => a.until - b.until);
      const next = sleepers.shift();
      if (!next) return;
      now = Math.max(now, next.until);
      next.resolve();
      drain();
    });
  };
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleepers.push({ until: now + Math.max(0, ms), resolve });
        drain();
      }),
  };
}

const request = (url: string, method = "GET") => ({ url, method }) as PipelineRequest;
const headers = (h: Record<string, string>) => headerReader(h);

const SUB_A = "11111111-1111-4111-8111-111111111111";
const SUB_B = "22222222-2222-4222-8222-222222222222";

describe("token bucket", () => {
  test("hands out its capacity at once, then one token per refill interval, in order", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(3, 1 / 100, clock); // 3 tokens, one every 100 ms
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  test("a service that counts fewer remaining reads lowers the bucket; a higher count never raises it", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(10, 1 / 100, clock);
    bucket.correct(2);
    expect(bucket.available()).toBe(2);
    bucket.correct(9);
    expect(bucket.available()).toBe(2);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => bucket.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([0, 0, 100]);
  });

  test("a throttled answer empties the bucket and holds every taker until its Retry-After has passed", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(10, 1 / 100, clock);
    bucket.block(2_000);
    let at = -1;
    await bucket.take().then(() => (at = clock.now()));
    // Blocked for 2 s, by which time the refill has brought 10 tokens back (capped at the capacity).
    expect(at).toBe(2_000);
  });
});

describe("sliding window", () => {
  test("allows at most N starts in any window, in order", async () => {
    const clock = virtualClock();
    const window = new SlidingWindow(2, 1_000, clock);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => window.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([0, 0, 1_000, 1_000, 2_000]);
  });
});

describe("semaphore", () => {
  test("never lets more than its size run, and hands slots over first come first served", async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const release = await semaphore.acquire();
        order.push(i);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        release();
        release(); // a second release is ignored
      }),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe("scheduler", () => {
  const limits: Limits = {
    sockets: 100,
    armReads: { capacity: 2, refillPerSecond: 10 },
    logs: { concurrent: 2, perWindow: 3, windowMs: 1_000 },
    graph: { perWindow: 1, windowMs: 5_000 },
  };

  test.each([
    [`https://arm/subscriptions/${SUB_A}/providers/Microsoft.Insights?api-version=1`, SUB_A],
    [`https://arm/subscriptions/${SUB_A.toUpperCase()}/resourceGroups/rg/providers/x/y/z`, SUB_A],
    [`https://arm/subscriptions/${SUB_B}`, SUB_B],
    ["https://arm/subscriptions?api-version=2022-12-01", undefined],
    ["https://arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", undefined],
    ["https://arm/subscriptions/not-a-guid/x", undefined],
  ])("the bucket of %s is %s", (url, sub) => {
    expect(subscriptionOfUrl(url)).toBe(sub);
  });

  test("ARM reads wait on their own subscription's bucket: another subscription is not held up", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler(limits, clock);
    const times: Record<string, number[]> = { a: [], b: [] };
    const read = async (which: "a" | "b", sub: string) => {
      const done = await scheduler.admit("arm", request(`https://arm/subscriptions/${sub}/x`));
      times[which]!.push(clock.now());
      done();
    };
    await Promise.all([read("a", SUB_A), read("a", SUB_A), read("a", SUB_A), read("a", SUB_A), read("b", SUB_B)]);
    expect(times.a).toEqual([0, 0, 100, 200]);
    expect(times.b).toEqual([0]);
    expect(scheduler.stats.admitted.arm).toBe(5);
  });

  test("the remaining-reads header of an answer slows the next reads before any 429", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler({ ...limits, armReads: { capacity: 100, refillPerSecond: 10 } }, clock);
    const url = `https://arm/subscriptions/${SUB_A}/x`;
    const first = await scheduler.admit("arm", request(url));
    first({ status: 200, headers: headers({ "x-ms-ratelimit-remaining-subscription-reads": "0" }) } as never);
    const done = await scheduler.admit("arm", request(url));
    expect(clock.now()).toBe(100);
    done();
    expect(scheduler.stats.throttled).toBe(0);
  });

  test("a 429 holds the subscription for its Retry-After, and is counted", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler({ ...limits, armReads: { capacity: 100, refillPerSecond: 1000 } }, clock);
    const url = `https://arm/subscriptions/${SUB_A}/x`;
    const first = await scheduler.admit("arm", request(url));
    first({ status: 429, headers: headers({ "Retry-After": "3" }) } as never);
    const done = await scheduler.admit("arm", request(url));
    expect(clock.now()).toBe(3_000);
    done();
    expect(scheduler.stats.throttled).toBe(1);
  });

  test("a batch takes no read of its own: its inner reads are taken per subscription", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler(limits, clock);
    const batch = await scheduler.admit("arm", request("https://arm/batch?api-version=2020-06-01", "POST"));
    batch();
    expect(scheduler.bucket(undefined).available()).toBe(2);
    await scheduler.takeReads(SUB_A, 2);
    expect(scheduler.bucket(SUB_A).available()).toBe(0);
  });

  test("Log Analytics: at most 2 in flight and 3 in any second", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler(limits, clock);
    let inFlight = 0;
    let most = 0;
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const done = await scheduler.admit("logs", request("https://logs/v1/workspaces/w/query", "POST"));
        starts.push(clock.now());
        inFlight++;
        most = Math.max(most, inFlight);
        await clock.sleep(10);
        inFlight--;
        done();
      }),
    );
    expect(most).toBe(2);
    // At 1 s the two starts at 0 leave the window; the one at 10 ms is still in it: two more may start.
    expect(starts).toEqual([0, 0, 10, 1_000, 1_000]);
  });

  test("Resource Graph queries keep to their window", async () => {
    const clock = virtualClock();
    const scheduler = new Scheduler(limits, clock);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        const done = await scheduler.admit("graph", request("https://arm/providers/Microsoft.ResourceGraph/x"));
        starts.push(clock.now());
        done();
      }),
    );
    expect(starts).toEqual([0, 5_000, 10_000]);
  });

  test("the socket cap holds every service together", async () => {
    const scheduler = new Scheduler({ ...limits, sockets: 1 });
    const first = await scheduler.admit("blob", request("https://blob/x"));
    let second = false;
    const waiting = scheduler.admit("blob", request("https://blob/y")).then((done) => {
      second = true;
      done();
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(second).toBe(false);
    first();
    await waiting;
    expect(second).toBe(true);
  });
});

describe("Retry-After", () => {
  test.each([
    [{ "Retry-After": "7" }, 7_000],
    [{ "retry-after-ms": "250" }, 250],
    [{ "x-ms-retry-after-ms": "40" }, 40],
    [{ "Retry-After": new Date(60_000).toUTCString() }, 60_000],
    [{ "Retry-After": "soon" }, undefined],
    [{}, undefined],
  ])("%j waits %s ms", (h, ms) => {
    expect(retryAfterOf(headers(h as Record<string, string>), 0)).toBe(ms);
  });
});
