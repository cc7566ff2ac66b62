// The scan's pipeline policies on their own: which answers are retried and after how long, what a request that never
// succeeds becomes, what the evidence recorder keeps, and what it redacts.
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { jest } from "@jest/globals";
import { bodyEvidence, EvidenceLog, redactUrl, retryPolicy, type RetryOptions } from "../../src/azure/pipeline.js";

const OPTIONS: RetryOptions = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 5000,
  timeoutMs: 200,
};

type Step = { status: number; headers?: Record<string, string>; body?: string } | { error: RestError | Error };

/** Runs the retry policy over a scripted server; returns what the caller got, the attempts and the waits. */
async function retried(steps: Step[], options: RetryOptions = OPTIONS) {
  const waits: number[] = [];
  let attempts = 0;
  const request = createPipelineRequest({ url: "https://127.0.0.1/x" });
  const next = async (req: PipelineRequest): Promise<PipelineResponse> => {
    const step = steps[Math.min(attempts++, steps.length - 1)]!;
    if ("error" in step) throw step.error;
    return {
      request: req,
      status: step.status,
      headers: createHttpHeaders(step.headers ?? {}),
      bodyAsText: step.body ?? "{}",
    };
  };
  const policy = retryPolicy(options, async (ms) => {
    waits.push(ms);
  });
  try {
    const response = await policy.sendRequest(request, next);
    return { outcome: response.status as number | string, attempts, waits };
  } catch (error) {
    return { outcome: (error as RestError).code ?? (error as Error).message, attempts, waits };
  }
}

const reset = () => new RestError("socket hang up", { code: "ECONNRESET" });

describe("retry policy", () => {
  test.each([
    [
      "429 with Retry-After: waits the seconds asked",
      [{ status: 429, headers: { "retry-after": "2" } }, { status: 200 }],
      200,
      [2000],
    ],
    [
      "429 without Retry-After: backs off (the SDK's own policy would give up)",
      [{ status: 429 }, { status: 200 }],
      200,
      ["backoff"],
    ],
    ["503 with retry-after-ms", [{ status: 503, headers: { "retry-after-ms": "250" } }, { status: 200 }], 200, [250]],
    [
      "500, 502, 504 and 408 are retried",
      [{ status: 500 }, { status: 502 }, { status: 504 }, { status: 408 }],
      408,
      ["backoff", "backoff", "backoff"],
    ],
    ["a reset connection", [{ error: reset() }, { status: 200 }], 200, ["backoff"]],
    [
      "a body that could not be read",
      [{ error: new RestError("aborted", { code: RestError.PARSE_ERROR }) }, { status: 200 }],
      200,
      ["backoff"],
    ],
    [
      "a body shorter than its Content-Length",
      [{ status: 200, headers: { "content-length": "100" }, body: '{"value":[' }, { status: 200 }],
      200,
      ["backoff"],
    ],
    ["403 is an answer, not a failure to retry", [{ status: 403 }, { status: 200 }], 403, []],
    ["404 is an answer", [{ status: 404 }], 404, []],
    ["400 is an answer", [{ status: 400 }], 400, []],
  ] as [string, Step[], number, (number | "backoff")[]][])("%s", async (_name, steps, outcome, waits) => {
    const run = await retried(steps);
    expect(run.outcome).toBe(outcome);
    expect(run.waits).toHaveLength(waits.length);
    run.waits.forEach((ms, i) => {
      const expected = waits[i]!;
      if (expected === "backoff") {
        // Exponential with ±20% jitter, capped.
        const base = Math.min(OPTIONS.maxDelayMs, OPTIONS.baseDelayMs * 2 ** i);
        expect(ms).toBeGreaterThanOrEqual(base * 0.8);
        expect(ms).toBeLessThanOrEqual(base * 1.2);
      } else {
        expect(ms).toBe(expected);
      }
    });
  });

  test("gives up after maxRetries and hands back the last answer", async () => {
    const run = await retried([{ status: 429 }]);
    expect(run).toMatchObject({ outcome: 429, attempts: OPTIONS.maxRetries + 1 });
  });

  test("a Retry-After longer than the scan will wait is not waited for", async () => {
    const run = await retried([{ status: 429, headers: { "retry-after": "3600" } }, { status: 200 }]);
    expect(run).toMatchObject({ outcome: 429, attempts: 1, waits: [] });
  });

  test("a connection reset every time ends as the network error", async () => {
    expect(await retried([{ error: reset() }])).toMatchObject({ outcome: "ECONNRESET", attempts: 4 });
  });

  test("a body cut short every time is an error, never the half answer", async () => {
    const run = await retried([{ status: 200, headers: { "content-length": "100" }, body: '{"value":[' }]);
    expect(run).toMatchObject({ outcome: "TruncatedBody", attempts: 4 });
  });

  test("an answer that does not come in time is a Timeout, retried, and the timer never outlives the request", async () => {
    // On jest's fake clock: each attempt's timer fires at exactly its timeout.
    jest.useFakeTimers();
    let attempts = 0;
    const policy = retryPolicy({ ...OPTIONS, maxRetries: 1, timeoutMs: 50 }, async () => {});
    const request = createPipelineRequest({ url: "https://127.0.0.1/slow" });
    const started = Date.now();
    const pending = policy
      .sendRequest(request, (req) => {
        attempts++;
        // A server that never answers: only the abort ends the attempt.
        return new Promise((_resolve, reject) =>
          req.abortSignal!.addEventListener("abort", () =>
            reject(Object.assign(new Error("aborted"), { name: "AbortError" })),
          ),
        );
      })
      .catch((e: RestError) => e);
    try {
      await jest.advanceTimersByTimeAsync(50);
      await jest.advanceTimersByTimeAsync(50);
      const failure = await pending;
      expect((failure as RestError).code).toBe("Timeout");
      expect(attempts).toBe(2);
      // Two attempts of 50 ms, and no timer left behind.
      expect(Date.now() - started).toBe(100);
      expect(jest.getTimerCount()).toBe(0);
      expect(request.abortSignal).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("evidence recorder", () => {
  test("records each attempt with status, hash and purpose, and ties it to the read it was for", async () => {
    const log = new EvidenceLog(() => new Date("2026-01-01T00:00:00Z"));
    const recorder = log.recorder();
    const body = '{"value":[]}';
    const outcome = await log.attribute("the diagnostic settings of X", async () => {
      const request = createPipelineRequest({ url: "https://127.0.0.1/a?api-version=1" });
      request.headers.set("authorization", "Bearer secret-token");
      await recorder.sendRequest(request, async (req) => ({
        request: req,
        status: 200,
        headers: createHttpHeaders(),
        bodyAsText: body,
      }));
      return "done";
    });
    expect(outcome).toMatchObject({ ok: true, value: "done", evidence: ["ev-00001"] });
    const [record] = log.all();
    expect(record).toMatchObject({
      id: "ev-00001",
      method: "GET",
      status: 200,
      purpose: "the diagnostic settings of X",
      capturedAt: "2026-01-01T00:00:00.000Z",
      body,
    });
    expect(record!.sha256).toBe(sha256(body));
    expect(JSON.stringify(record)).not.toContain("secret-token");
  });

  test("two logs, one read inside the other's: each exchange is tied to its own log's read", async () => {
    const outer = new EvidenceLog();
    const inner = new EvidenceLog();
    const answer = async (req: PipelineRequest) => ({
      request: req,
      status: 200,
      headers: createHttpHeaders(),
      bodyAsText: "{}",
    });
    const send = (log: EvidenceLog, url: string) => log.recorder().sendRequest(createPipelineRequest({ url }), answer);
    const outcome = await outer.attribute("the outer read", async () => {
      await send(outer, "https://127.0.0.1/outer-1");
      const nested = await inner.attribute("the inner read", async () => {
        await send(inner, "https://127.0.0.1/inner");
        await send(outer, "https://127.0.0.1/outer-2");
      });
      expect(nested.evidence).toEqual(["ev-00001"]);
    });
    expect(outcome.evidence).toEqual(["ev-00001", "ev-00002"]);
    expect(outer.all().map((r) => [r.url, r.purpose])).toEqual([
      ["https://127.0.0.1/outer-1", "the outer read"],
      ["https://127.0.0.1/outer-2", "the outer read"],
    ]);
    expect(inner.all().map((r) => [r.url, r.purpose])).toEqual([["https://127.0.0.1/inner", "the inner read"]]);
  });

  test("logs made one after another share one async context (Node keeps every one that has run)", async () => {
    // On Node 20 an AsyncLocalStorage that has run once stays registered, and every promise visits each one: a log
    // of its own for each collection made a long-lived process slower with every collection.
    const used = new Set<unknown>();
    const run = AsyncLocalStorage.prototype.run;
    AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: unknown[]) {
      used.add(this);
      return (run as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof run;
    try {
      for (let i = 0; i < 20; i++) await new EvidenceLog().attribute(`read ${i}`, async () => i);
    } finally {
      AsyncLocalStorage.prototype.run = run;
    }
    expect(used.size).toBe(1);
  });

  test("a request that got no answer is recorded with status 0 and the network error", async () => {
    const log = new EvidenceLog();
    const recorder = log.recorder();
    await log.attribute("x", () =>
      recorder.sendRequest(createPipelineRequest({ url: "https://127.0.0.1/b" }), async () => {
        throw reset();
      }),
    );
    expect(log.all()[0]).toMatchObject({ status: 0, networkError: "ECONNRESET: socket hang up" });
  });

  test("the paging guard stops a nextLink that comes back to a page already read", async () => {
    const log = new EvidenceLog();
    const guard = log.pagingGuard();
    const ok = async (req: PipelineRequest): Promise<PipelineResponse> => ({
      request: req,
      status: 200,
      headers: createHttpHeaders(),
    });
    const outcome = await log.attribute("a list", async () => {
      await guard.sendRequest(createPipelineRequest({ url: "https://127.0.0.1/list" }), ok);
      await guard.sendRequest(createPipelineRequest({ url: "https://127.0.0.1/list?$skiptoken=1" }), ok);
      await guard.sendRequest(createPipelineRequest({ url: "https://127.0.0.1/list" }), ok);
    });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && (outcome.error as RestError).code).toBe("EndlessNextLink");
  });
});

describe("redaction", () => {
  test.each([
    ["https://acct.blob.core.windows.net/c/b?sv=2024&sig=abc%2Bdef&se=2026", "sig=REDACTED"],
    ["https://login/x?code=123&state=4", "code=REDACTED"],
  ])("URL %s", (url, expected) => {
    const redacted = redactUrl(url);
    expect(redacted).toContain(expected);
    expect(redacted).not.toMatch(/abc|123/);
  });

  test("a URL without secrets is kept as it is", () => {
    const url = "https://127.0.0.1/subscriptions/s/providers/Microsoft.Insights?api-version=2021-04-01";
    expect(redactUrl(url)).toBe(url);
  });

  test("keys, tokens and SAS signatures in a body are redacted; the hash stays that of the original", () => {
    const original = JSON.stringify({
      keys: [{ value: "k1" }],
      primaryKey: "pk",
      access_token: "tok",
      connectionString: "DefaultEndpointsProtocol=https;AccountKey=abc123;",
      nested: { sasUrl: "https://x/y?sig=zzz", note: "see https://x/y?sv=1&sig=qqq" },
      keySource: "Microsoft.Storage",
      name: "keeps-its-name",
    });
    const kept = bodyEvidence(original);
    expect(kept.redacted).toBe(true);
    expect(kept.sha256).toBe(sha256(original));
    for (const secret of ["k1", "pk", "tok", "abc123", "zzz", "qqq"]) expect(kept.body).not.toContain(`"${secret}`);
    expect(kept.body).not.toMatch(/abc123|zzz|qqq/);
    expect(JSON.parse(kept.body!)).toMatchObject({ keySource: "Microsoft.Storage", name: "keeps-its-name" });
  });

  test("a secret deep in a list is redacted and everything around it kept, in order", () => {
    const original =
      '{"value":[{"name":"a","properties":{"storageAccountId":"/s/1"}},' +
      '{"name":"b","properties":{"note":"https://x/y?sv=1&sig=secret1","list":[1,"two",{"sharedKey":"secret2"}]}},' +
      '{"name":"c"}],"nextLink":null}';
    const kept = bodyEvidence(original);
    expect(kept.redacted).toBe(true);
    expect(JSON.parse(kept.body!)).toEqual({
      value: [
        { name: "a", properties: { storageAccountId: "/s/1" } },
        {
          name: "b",
          properties: { note: "https://x/y?sv=1&sig=REDACTED", list: [1, "two", { sharedKey: "REDACTED" }] },
        },
        { name: "c" },
      ],
      nextLink: null,
    });
  });

  test("a body without secrets is kept byte for byte", () => {
    const original = '{"value":[{"name":"audit","properties":{"workspaceId":"/subscriptions/x"}}]}';
    expect(bodyEvidence(original)).toEqual({ sha256: sha256(original), body: original });
  });
});

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
