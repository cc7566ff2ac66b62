// ARM's undocumented batch API (`POST /batch`, used by the portal): each inner GET is routed as if it came alone,
// with the limits and faults of its own route, and answered in the batch's `responses`.
import { randomUUID } from "node:crypto";
import { armError, faultError, safeDecode, type Route, type SimRequest, type SimResponse } from "../http.js";
import type { FaultSpec } from "../estate.js";
import { describeFault, type Faults } from "../faults.js";
import type { EnforcedLimits } from "../limits.js";

const ARM_BATCH_API_VERSION = "2020-06-01";

/** Whether a request is an ARM batch (the server answers it: it re-enters the ARM routes for each inner request). */
export function isArmBatch(method: string, path: string): boolean {
  return method === "POST" && /^\/batch\/?$/i.test(path);
}

/** One inner request of a batch, as the request log records it. */
export interface BatchInnerEntry {
  url: string;
  route: string;
  status: number;
  faults: string[];
}

/** What a batch uses of the server: the ARM routes, the enforced limits, the faults, and the paging of answers. */
export interface BatchServer {
  route(method: string, path: string): Route | undefined;
  enforced: EnforcedLimits | undefined;
  faults: Faults;
  finish(r: Route, req: SimRequest, answer: SimResponse, endless: boolean): { status: number; body: unknown };
}

/** ARM's undocumented batch API (used by the portal): each inner GET is routed as if it came alone. */
export async function armBatch(
  req: SimRequest,
  server: BatchServer,
): Promise<{ answer: SimResponse; inner: BatchInnerEntry[]; carried?: FaultSpec[] }> {
  const version = req.query.get("api-version");
  if (!version) {
    return {
      answer: armError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      ),
      inner: [],
    };
  }
  if (version !== ARM_BATCH_API_VERSION) {
    return {
      answer: armError(
        400,
        "InvalidApiVersionParameter",
        `The api-version '${version}' is invalid. The supported versions are '${ARM_BATCH_API_VERSION}'.`,
      ),
      inner: [],
    };
  }
  const list = (req.body as { requests?: unknown } | undefined)?.requests;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > 20 ||
    list.some(
      (item) => item === null || typeof item !== "object" || typeof (item as { url?: unknown }).url !== "string",
    )
  ) {
    return {
      answer: armError(
        400,
        "InvalidBatchRequest",
        "A batch request must contain between 1 and 20 requests, each an object with a 'url'.",
      ),
      inner: [],
    };
  }
  const inner: BatchInnerEntry[] = [];
  const responses = [];
  // Faults on the connection (latency, a reset, a body cut short) of an inner request befall the batch carrying it.
  const carried: FaultSpec[] = [];
  for (const [i, item] of (list as { httpMethod?: unknown; url?: unknown; name?: unknown }[]).entries()) {
    const name = typeof item.name === "string" ? item.name : String(i);
    const method = typeof item.httpMethod === "string" ? item.httpMethod.toUpperCase() : "GET";
    let target: URL;
    try {
      target = new URL(String(item.url ?? ""), req.origin);
    } catch {
      responses.push({
        name,
        httpStatusCode: 400,
        headers: {},
        content: armError(400, "InvalidRequestUri", "The request URL is not valid.").body,
      });
      continue;
    }
    const path = safeDecode(target.pathname);
    const innerRoute = method === "GET" ? server.route(method, path) : undefined;
    const innerReq: SimRequest = { ...req, method, path, query: target.searchParams, body: undefined };
    let status: number;
    let content: unknown;
    let innerFaults: string[] = [];
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=utf-8",
      "x-ms-request-id": randomUUID(),
    };
    if (!innerRoute) {
      ({ status, body: content } = armError(
        404,
        "NoRegisteredProviderFound",
        `No route for '${method} ${target.pathname}'.`,
      ) as { status: number; body: unknown });
    } else {
      const limited = server.enforced?.armRead(innerRoute.subscriptionId);
      if (limited && "refused" in limited) {
        inner.push({
          url: target.pathname + target.search,
          route: innerRoute.name,
          status: limited.refused.status,
          faults: ["limit:armReads"],
        });
        responses.push({
          name,
          httpStatusCode: limited.refused.status,
          headers: { ...headers, ...limited.refused.headers },
          content: limited.refused.body,
          contentLength: Buffer.byteLength(JSON.stringify(limited.refused.body ?? "")),
        });
        continue;
      }
      if (limited) Object.assign(headers, limited.headers);
      const applied = server.faults.take(innerRoute, method, target.pathname + target.search);
      innerFaults = applied.flatMap(describeFault);
      carried.push(...applied.filter((f) => f.latencyMs || f.drop || f.truncate));
      const failing = applied.find((f) => f.status);
      if (failing?.retryAfter !== undefined) headers["Retry-After"] = String(failing.retryAfter);
      const answer = failing
        ? faultError("arm", failing.status!, innerRoute.subscriptionId, failing.code)
        : await innerRoute.handle(innerReq);
      ({ status, body: content } = server.finish(
        innerRoute,
        innerReq,
        answer,
        applied.some((f) => f.endlessNextLink),
      ));
    }
    inner.push({
      url: target.pathname + target.search,
      route: innerRoute?.name ?? "unknown",
      status,
      faults: innerFaults,
    });
    responses.push({
      name,
      httpStatusCode: status,
      headers,
      content,
      contentLength: Buffer.byteLength(JSON.stringify(content ?? "")),
    });
  }
  return { answer: { status: 200, body: { responses } }, inner, carried };
}
