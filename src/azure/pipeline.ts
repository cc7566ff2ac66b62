// The pipeline policies every Azure SDK client of a scan carries: the evidence recorder (one record per HTTP
// exchange, attributed to what it was for), the retry policy, the per-request timeout and the paging guard.
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import {
  RestError,
  isRestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { EvidenceRecord } from "../model/snapshot.js";
import { retryAfterOf } from "./throttle.js";

interface Attribution {
  purpose: string;
  evidence: string[];
  /** GET URLs already requested for this purpose: asking for one again means a `nextLink` went round in a circle. */
  urls: Set<string>;
}

/** Bodies larger than this are hashed but not kept in the snapshot. */
const MAX_KEPT_BODY = 1_000_000;

/**
 * The read in progress and the log it records into: one context for the process, shared by every log. An
 * AsyncLocalStorage, once it has run something, stays registered until disabled, and on Node 20 every promise created
 * anywhere visits each one registered; one per log made a process that collects again and again (a service using
 * the library, the test suite) slower with every collection.
 */
const attributionContext = new AsyncLocalStorage<ReadonlyMap<EvidenceLog, Attribution>>();

/** Collects the evidence records of one collection run. */
export class EvidenceLog {
  private readonly records: EvidenceRecord[] = [];
  private next = 1;

  /** The attribution of this log's read in progress, if any (another log's, around or inside it, is its own). */
  private current(): Attribution | undefined {
    return attributionContext.getStore()?.get(this);
  }

  constructor(
    private readonly clock: () => Date = () => new Date(),
    private readonly maxRequestsPerPurpose = 500,
  ) {}

  /**
   * Runs `fn` with every HTTP exchange it causes attributed to `purpose`; returns its value (or error) and the ids
   * of those evidence records.
   */
  async attribute<T>(
    purpose: string,
    fn: () => Promise<T>,
  ): Promise<{ ok: true; value: T; evidence: string[] } | { ok: false; error: unknown; evidence: string[] }> {
    const attribution: Attribution = { purpose, evidence: [], urls: new Set() };
    try {
      const value = await attributionContext.run(new Map(attributionContext.getStore()).set(this, attribution), fn);
      return { ok: true, value, evidence: attribution.evidence };
    } catch (error) {
      return { ok: false, error, evidence: attribution.evidence };
    }
  }

  /**
   * Records an answer that arrived inside another exchange (an inner answer of ARM's batch), tied to the read in
   * progress together with the exchange that carried it. Its hash is of the inner content serialised as JSON.
   */
  derive(answer: { method: string; url: string; status: number; content: unknown; via: string[] }): string {
    const attribution = this.current();
    const id = `ev-${String(this.next++).padStart(5, "0")}`;
    const text = answer.content === undefined ? "" : JSON.stringify(answer.content);
    this.records.push({
      id,
      method: answer.method,
      url: redactUrl(answer.url),
      status: answer.status,
      capturedAt: this.clock().toISOString(),
      durationMs: 0,
      purpose: attribution?.purpose ?? "unattributed",
      ...(answer.via.length > 0 ? { via: answer.via[answer.via.length - 1]! } : {}),
      ...bodyEvidence(text),
    });
    attribution?.evidence.push(...answer.via, id);
    return id;
  }

  /** Ties evidence records made elsewhere (a batch attempt that was declined) to the read in progress. */
  cite(ids: string[]): void {
    this.current()?.evidence.push(...ids);
  }

  all(): EvidenceRecord[] {
    return [...this.records];
  }

  /** Records every attempt, retries included: placed after the retry policy. */
  recorder(): PipelinePolicy {
    return {
      name: "hsmAuditEvidence",
      sendRequest: async (request, next) => {
        const attribution = this.current();
        const capturedAt = this.clock();
        const started = performance.now();
        const id = `ev-${String(this.next++).padStart(5, "0")}`;
        const base = {
          id,
          method: request.method,
          url: redactUrl(request.url),
          capturedAt: capturedAt.toISOString(),
          purpose: attribution?.purpose ?? "unattributed",
        };
        attribution?.evidence.push(id);
        try {
          const response = await next(request);
          this.records.push({
            ...base,
            status: response.status,
            durationMs: Math.round(performance.now() - started),
            ...bodyEvidence(response.bodyAsText),
            ...(truncated(response) ? { networkError: "body shorter than its Content-Length" } : {}),
            ...serviceTimeOf(response),
          });
          return response;
        } catch (error) {
          const response = isRestError(error) ? error.response : undefined;
          this.records.push({
            ...base,
            status: response?.status ?? 0,
            durationMs: Math.round(performance.now() - started),
            ...bodyEvidence(response?.bodyAsText),
            ...(response ? serviceTimeOf(response) : { networkError: describeNetworkError(error) }),
          });
          throw error;
        }
      },
    };
  }

  /** Stops a `nextLink` that never ends: a URL asked for twice, or too many requests for one purpose. */
  pagingGuard(): PipelinePolicy {
    return {
      name: "hsmAuditPagingGuard",
      sendRequest: async (request, next) => {
        const attribution = this.current();
        if (attribution && request.method === "GET") {
          if (attribution.urls.has(request.url)) {
            throw new RestError(`the service returned a nextLink to a page already read (${redactUrl(request.url)})`, {
              code: "EndlessNextLink",
              request,
            });
          }
          if (attribution.urls.size >= this.maxRequestsPerPurpose) {
            throw new RestError(`the list did not end after ${this.maxRequestsPerPurpose} pages`, {
              code: "EndlessNextLink",
              request,
            });
          }
          attribution.urls.add(request.url);
        }
        return next(request);
      },
    };
  }
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off delay; it doubles with each retry (with jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call fails with the throttling error. */
  maxRetryAfterMs: number;
  /** Per attempt: the time allowed for the whole exchange. */
  timeoutMs: number;
  /** Called before each retry (the scan counts them). */
  onRetry?: () => void;
  /** How a back-off is waited (a timer unless given: tests inject one that advances a virtual clock). */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 60_000,
};

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  RestError.REQUEST_SEND_ERROR,
  RestError.PARSE_ERROR,
]);

/**
 * One retry policy for every client (the SDK's own is switched off, so attempts do not multiply): it honours
 * `Retry-After` on 429 and 503, backs off exponentially on a 429 without it, on 408 and 5xx, on resets, timeouts and
 * bodies cut short, and gives up after `maxRetries`.
 */
export function retryPolicy(
  options: RetryOptions,
  sleep = defaultSleep,
  admit?: (request: PipelineRequest) => Promise<(response?: PipelineResponse) => void>,
): PipelinePolicy {
  return {
    name: "hsmAuditRetry",
    sendRequest: async (request, next) => {
      const callerSignal = request.abortSignal;
      for (let attempt = 0; ; attempt++) {
        let response: PipelineResponse | undefined;
        let failure: unknown;
        // Each attempt waits for the scheduler's leave before its timer starts: time in the queue is not a timeout.
        const done = admit ? await admit(request) : undefined;
        // The timeout is ours, not the HTTP client's `request.timeout`, whose timer outlives a failed request and
        // keeps the process alive. It covers the whole exchange, body included.
        const attemptController = new AbortController();
        const onCallerAbort = () => attemptController.abort();
        callerSignal?.addEventListener("abort", onCallerAbort);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          attemptController.abort();
        }, options.timeoutMs);
        request.abortSignal = attemptController.signal;
        try {
          response = await next(request);
        } catch (error) {
          failure = error;
        } finally {
          clearTimeout(timer);
          callerSignal?.removeEventListener("abort", onCallerAbort);
          request.abortSignal = callerSignal;
          done?.(response ?? (isRestError(failure) ? failure.response : undefined));
        }
        if (callerSignal?.aborted) throw failure ?? new Error("aborted");
        if (timedOut && failure !== undefined) failure = timeoutError(request, options);
        const decision = shouldRetry(response, failure, request, options, attempt);
        if (decision === undefined || attempt >= options.maxRetries) {
          if (failure !== undefined) throw failure;
          if (response && truncated(response)) {
            throw new RestError("the answer was cut short: its body is shorter than its Content-Length", {
              code: "TruncatedBody",
              statusCode: response.status,
              request,
            });
          }
          return response!;
        }
        options.onRetry?.();
        await (options.sleep ?? sleep)(decision);
      }
    },
  };
}

function shouldRetry(
  response: PipelineResponse | undefined,
  failure: unknown,
  request: PipelineRequest,
  options: RetryOptions,
  attempt: number,
): number | undefined {
  const backoff = () => {
    const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  };
  const status = response?.status ?? (isRestError(failure) ? failure.statusCode : undefined);
  const headers = response ?? (isRestError(failure) ? failure.response : undefined);
  if (status !== undefined && RETRY_STATUSES.has(status)) {
    const retryAfter = headers ? retryAfterMs(headers) : undefined;
    if (retryAfter !== undefined) return retryAfter > options.maxRetryAfterMs ? undefined : retryAfter;
    return backoff();
  }
  if (response && truncated(response)) return backoff();
  if (failure !== undefined && !response) {
    if (isRestError(failure) && failure.code === "EndlessNextLink") return undefined;
    if (isRestError(failure) && failure.code && NETWORK_CODES.has(failure.code)) return backoff();
    if (isRestError(failure) && failure.code === "Timeout") return backoff();
    if (isRestError(failure) && failure.statusCode === undefined && !failure.code) return backoff();
  }
  return undefined;
}

function retryAfterMs(response: PipelineResponse): number | undefined {
  return retryAfterOf(response.headers);
}

/** The service's clock as its `Date` header gives it (an HTTP date), when it gives one that parses. */
function serviceTimeOf(response: PipelineResponse): Pick<EvidenceRecord, "serviceTime"> {
  const date = response.headers.get("date");
  const at = date ? Date.parse(date) : Number.NaN;
  return Number.isFinite(at) ? { serviceTime: new Date(at).toISOString() } : {};
}

function truncated(response: PipelineResponse): boolean {
  const length = Number(response.headers.get("content-length"));
  if (!response.headers.get("content-length") || !Number.isFinite(length) || response.bodyAsText == null) return false;
  // Only an identity-encoded body can be measured against its Content-Length.
  const encoding = response.headers.get("content-encoding");
  if (encoding && encoding !== "identity") return false;
  return Buffer.byteLength(response.bodyAsText, "utf8") < length;
}

function timeoutError(request: PipelineRequest, options: RetryOptions): RestError {
  return new RestError(`no complete answer within ${Math.round(options.timeoutMs / 1000)} s`, {
    code: "Timeout",
    request,
  });
}

function describeNetworkError(error: unknown): string {
  if ((error as Error).name === "AbortError") return "Timeout: no answer in time";
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- redaction ---------------------------------------------------------------------------------------------------

const SECRET_QUERY_PARAMS = /^(sig|signature|code|token|access_token|client_secret|skoid|sktid|skt|ske|sks|skv)$/i;
const SECRET_KEYS =
  /^(access_?token|refresh_?token|id_?token|token|.*(?<!public)key|.*keys|.*secret|password|connection_?string|.*sas.*|sig|signature)$/i;
const NOT_SECRET_KEYS = /^(keySource|keyName|keyVersion|keyVaultUri|keyUri|keyType|keyVaultProperties)$/i;

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    let changed = false;
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_QUERY_PARAMS.test(name)) {
        parsed.searchParams.set(name, "REDACTED");
        changed = true;
      }
    }
    return changed ? parsed.toString() : url;
  } catch {
    return url;
  }
}

/** Strings that may hold a secret contain one of these; the rest (nearly all) are kept without running the rules. */
const MAY_HOLD_SECRET = /sig=|signature=|skoid=|sktid=|bearer|accountkey=|sharedaccess/i;

function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(/([?&](?:sig|signature|skoid|sktid)=)[^&"\s]+/gi, "$1REDACTED")
    .replace(/(Bearer\s+)[A-Za-z0-9\-_.~+/]+=*/g, "$1REDACTED")
    .replace(/(AccountKey|SharedAccessKey|SharedAccessSignature)=([^;"\s]+)/gi, "$1=REDACTED");
}

/** The value with its secrets redacted: the value itself when it holds none (nothing is copied then). */
function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const inner: unknown = value[i];
      const kept = redactValue(inner);
      if (kept !== inner) (out ??= value.slice())[i] = kept;
    }
    return out ?? value;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    let changed = false;
    const kept = entries.map(([key, inner]): [string, unknown] => {
      const redacted =
        SECRET_KEYS.test(key) && !NOT_SECRET_KEYS.test(key) && (typeof inner === "string" || Array.isArray(inner))
          ? "REDACTED"
          : redactValue(inner);
      if (redacted !== inner) changed = true;
      return [key, redacted];
    });
    return changed ? Object.fromEntries(kept) : value;
  }
  return typeof value === "string" ? redactText(value) : value;
}

/** The body as kept in the snapshot: secrets redacted, its hash that of the original. */
export function bodyEvidence(body: string | null | undefined): Pick<EvidenceRecord, "sha256" | "body" | "redacted"> {
  const text = body ?? "";
  const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
  if (!text) return { sha256 };
  if (text.length > MAX_KEPT_BODY) return { sha256 };
  let kept: string;
  try {
    const parsed: unknown = JSON.parse(text);
    const redacted = redactValue(parsed);
    // Nothing redacted: the text as received. Something redacted always serialises differently (a value that
    // changed is another string, or "REDACTED" in place of a list).
    kept = redacted === parsed ? text : JSON.stringify(redacted);
  } catch {
    kept = redactText(text);
  }
  return kept === text ? { sha256, body: text } : { sha256, body: kept, redacted: true };
}
