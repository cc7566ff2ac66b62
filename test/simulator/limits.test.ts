// The simulator's enforcement of Azure's published limits, on a clock the test moves: a bucket refills by it, a
// window forgets by it, and what is turned away says how long to wait.
import { AZURE_PUBLISHED_LIMITS, EnforcedLimits } from "../../src/simulator/limits.js";

function clocked() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const SUB = "aaaaaaaa-0000-4000-8000-000000000001";

describe("ARM reads per subscription", () => {
  test.each([
    { case: "the bucket's capacity is served at once", advanceMs: 0, extra: 0, refused: false },
    { case: "one more read than the capacity is refused", advanceMs: 0, extra: 1, refused: true },
    { case: "40 ms later (25 reads a second) one token is back", advanceMs: 40, extra: 1, refused: false },
    { case: "39 ms later it is not yet", advanceMs: 39, extra: 1, refused: true },
  ])("$case", ({ advanceMs, extra, refused }) => {
    const clock = clocked();
    const limits = new EnforcedLimits(AZURE_PUBLISHED_LIMITS, clock.now);
    for (let i = 0; i < AZURE_PUBLISHED_LIMITS.armReads.capacity; i++) {
      expect("headers" in limits.armRead(SUB)).toBe(true);
    }
    clock.advance(advanceMs);
    const answers = Array.from({ length: extra }, () => limits.armRead(SUB));
    expect(answers.some((a) => "refused" in a)).toBe(refused);
    expect(limits.counters.throttled.armReads).toBe(refused ? 1 : 0);
  });

  test("a refused read carries Retry-After in whole seconds and says none remain; another subscription is apart", () => {
    const clock = clocked();
    const limits = new EnforcedLimits(
      { ...AZURE_PUBLISHED_LIMITS, armReads: { capacity: 1, refillPerSecond: 0.5 } },
      clock.now,
    );
    expect(limits.armRead(SUB)).toEqual({ headers: { "x-ms-ratelimit-remaining-subscription-reads": "0" } });
    const refused = limits.armRead(SUB);
    expect("refused" in refused && refused.refused).toMatchObject({
      status: 429,
      headers: { "Retry-After": "2", "x-ms-ratelimit-remaining-subscription-reads": "0" },
    });
    expect("headers" in limits.armRead("bbbbbbbb-0000-4000-8000-000000000002")).toBe(true);
  });
});

describe("Resource Graph's window", () => {
  test("15 queries in 5 s, the 16th refused until the first leaves the window", () => {
    const clock = clocked();
    const limits = new EnforcedLimits(AZURE_PUBLISHED_LIMITS, clock.now);
    for (let i = 0; i < 15; i++) expect("headers" in limits.graphQuery()).toBe(true);
    expect("refused" in limits.graphQuery()).toBe(true);
    clock.advance(4_999);
    expect("refused" in limits.graphQuery()).toBe(true);
    clock.advance(1);
    expect("headers" in limits.graphQuery()).toBe(true);
    expect(limits.counters.throttled.graph).toBe(2);
  });
});
