// The Azure simulator: an HTTPS server on loopback that answers the ARM and Log Analytics routes hsm-audit uses,
// from an estate, with injectable faults and an optional request log.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createWriteStream, openSync, type WriteStream } from "node:fs";
import { randomUUID } from "node:crypto";
import { matchArmRoute, type ArmContext } from "./arm.js";
import { archiveBlobs } from "./storage.js";
import { prepareTable } from "./kql/index.js";
import { armBatch, isArmBatch as isArmBatchRequest, type BatchInnerEntry } from "./routes/batch.js";
import { matchLogsRoute, withPartialError, type LogsContext } from "./routes/logs.js";
import { findRoute } from "./routes/route.js";
import { BLOB_ROUTES } from "./routes/storage.js";
import { KEY_VAULT_ROUTES, keyVaultChallenge, SimulatedKeys } from "./routes/keyvault.js";
import { buildWorkspaceTables } from "./tables.js";
import { generateCertificates, type SimulatorCertificates } from "./certs.js";
import { describeFault, Faults } from "./faults.js";
import {
  armError,
  blobError,
  faultError,
  logsError,
  safeDecode,
  type Route,
  type SimRequest,
  type SimResponse,
} from "./http.js";
import type { Estate } from "./estate.js";
import {
  AZURE_PUBLISHED_LIMITS,
  EnforcedLimits,
  type LimitCounters,
  type LimitsClock,
  type SimulatorLimits,
} from "./limits.js";

export interface SimulatorOptions {
  estate: Estate;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  certificates?: SimulatorCertificates;
  /** Appends one JSON line per request to this file. */
  requestLog?: string;
  /** Default page size of list answers when the estate sets none. */
  pageSize?: number;
  /** Enforce Azure's limits (429 when exceeded): `true` for the published ones. */
  limits?: SimulatorLimits | boolean;
  /** The clock the enforced limits refill by, in milliseconds (the machine's unless a test shares a virtual one). */
  limitsClock?: LimitsClock;
  /** Hold every answer this long, as a network round trip would. */
  latencyMs?: number;
  /**
   * The reference clock (a test's injected one): the services' clock is it plus the estate's `clockSkew`. Without it,
   * the services' clock runs on in real time from the estate's `now`.
   */
  clock?: () => Date;
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  /** Path and query string as received. */
  url: string;
  route: string;
  subscriptionId?: string;
  status: number;
  /** Effects of injected faults applied to this request. */
  faults: string[];
  durationMs: number;
  /** For `POST /batch`: the routes of the inner requests, and the faults applied to each. */
  inner?: BatchInnerEntry[];
  /** For Resource Graph's `resources`: the scope the query named (its `subscriptions` or `managementGroups`). */
  graphScope?: { subscriptions?: string[]; managementGroups?: string[] };
}

export interface RunningSimulator {
  /** `https://127.0.0.1:PORT`: both the ARM endpoint and the logs endpoint (without `/v1`). */
  url: string;
  port: number;
  /** PEM of the CA that signed the server certificate. */
  caCert: string;
  /** The bearer token the simulator accepts. */
  token: string;
  /** Every request served so far, in order. */
  requests: RequestLogEntry[];
  /** Requests the enforced limits turned away (all zero when no limits are enforced). */
  limitCounters: LimitCounters;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;
const TOO_LARGE = "body too large";
const MAX_REMEMBERED_REQUESTS = 100_000;
const DEFAULT_PAGE_SIZE = 1000;

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { estate } = options;
  const certificates = options.certificates ?? generateCertificates();
  const logs: LogsContext = {
    estate,
    tables: buildWorkspaceTables(estate),
    // The services' clock: the injected reference clock shifted by the estate's skew, or else the estate's clock
    // running on from the moment the estate was loaded.
    now: options.clock
      ? () => new Date(options.clock!().getTime() + estate.clockSkewMs)
      : () => new Date(estate.now.getTime() + (Date.now() - estate.loadedAt)),
  };
  const armContext: ArmContext = { archives: archiveBlobs(estate), tables: logs.tables, now: logs.now };
  for (const tables of logs.tables.values()) for (const table of tables.values()) prepareTable(table);
  const faults = new Faults(estate.faults);
  const keys = new SimulatedKeys(estate);
  const enforced = options.limits
    ? new EnforcedLimits(options.limits === true ? AZURE_PUBLISHED_LIMITS : options.limits, options.limitsClock)
    : undefined;
  const latencyMs = options.latencyMs ?? 0;
  const requests: RequestLogEntry[] = [];
  let logStream: WriteStream | undefined;
  const sockets = new Set<Socket>();
  /** Handlers still running (a latency fault may hold one for minutes): close() waits for them. */
  const inFlight = new Set<Promise<void>>();
  let seq = 0;

  const route = (method: string, path: string): Route | undefined =>
    matchArmRoute(estate, method, path, armContext) ?? matchLogsRoute(logs, method, path);

  const pageSizeFor = (r: Route) => {
    const sub = r.subscriptionId
      ? estate.subscriptions.find((s) => s.subscriptionId === r.subscriptionId!.toLowerCase())
      : undefined;
    return sub?.pageSize ?? estate.pageSize ?? options.pageSize ?? DEFAULT_PAGE_SIZE;
  };

  /** Turns a handler's answer into status, headers and body, paging lists with `nextLink`. */
  const finish = (
    r: Route,
    req: SimRequest,
    answer: SimResponse,
    endless: boolean,
  ): { status: number; headers: Record<string, string>; body: unknown; raw?: SimResponse["raw"] } => {
    const headers = { ...(answer.headers ?? {}) };
    if (answer.raw) return { status: answer.status, headers, body: undefined, raw: answer.raw };
    if (!answer.page) return { status: answer.status, headers, body: answer.body };
    const size = pageSizeFor(r);
    const skip = Number(req.query.get("$skiptoken") ?? "0") || 0;
    const items = answer.page.items.slice(endless ? 0 : skip, (endless ? 0 : skip) + size);
    const more = endless || skip + size < answer.page.items.length;
    const body: Record<string, unknown> = { value: items, ...(answer.page.extra ?? {}) };
    if (more) {
      const next = new URLSearchParams(req.query);
      next.set("$skiptoken", String(endless ? skip + 1 : skip + size));
      body.nextLink = `${req.origin}${encodePath(req.path)}?${next.toString()}`;
    }
    return { status: answer.status, headers, body };
  };

  const handler = async (message: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const method = (message.method ?? "GET").toUpperCase();
    const rawUrl = message.url ?? "/";
    // Not `new URL(rawUrl, base)`: a path that starts with `//` would be read as a host name.
    const queryAt = rawUrl.indexOf("?");
    const parsed = {
      pathname: queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt),
      search: queryAt < 0 ? "" : rawUrl.slice(queryAt),
      searchParams: new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1)),
    };
    // The query API takes `/v1//subscriptions/...` (a resource id passed with its leading '/') as one slash.
    const path = safeDecode(parsed.pathname).replace(/^\/v1\/\/+/i, "/v1/");
    const origin = `https://${message.headers.host ?? "127.0.0.1"}`;
    const entry: RequestLogEntry = {
      seq: ++seq,
      time: new Date().toISOString(),
      method,
      url: rawUrl,
      route: "unknown",
      status: 0,
      faults: [],
      durationMs: 0,
    };
    const record = (status: number) => {
      entry.status = status;
      entry.durationMs = Date.now() - started;
      requests.push(entry);
      // Long runs keep the most recent entries in memory; the request log file keeps them all.
      if (requests.length > MAX_REMEMBERED_REQUESTS) requests.splice(0, requests.length - MAX_REMEMBERED_REQUESTS);
      if (logStream?.writable) logStream.write(`${JSON.stringify(entry)}\n`);
    };
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      truncate = false,
      raw?: SimResponse["raw"],
    ) => {
      const payload = raw ? raw.data : Buffer.from(body === undefined ? "" : JSON.stringify(body));
      res.writeHead(status, {
        "content-type": raw ? raw.contentType : "application/json; charset=utf-8",
        "content-length": String(payload.length),
        "x-ms-request-id": randomUUID(),
        "x-ms-correlation-request-id": randomUUID(),
        // The estate's clock, which a pinned `now` sets apart from the machine's.
        date: logs.now().toUTCString(),
        ...headers,
      });
      record(status);
      if (truncate) {
        // Promise the whole body, send half of it, and cut the connection.
        res.write(payload.subarray(0, Math.floor(payload.length / 2)));
        res.socket?.destroy();
        return;
      }
      res.end(payload);
    };

    const rawBody = await readBody(message).catch((error: Error) => error);
    const isLogs = /^\/v1\//i.test(path);
    if (rawBody instanceof Error && rawBody.message !== TOO_LARGE) {
      // The client gave up while sending: there is nobody to answer.
      return record(0);
    }
    if (rawBody instanceof Error) {
      const e = isLogs
        ? logsError(413, "PayloadTooLargeError", "The request body is too large")
        : armError(413, "RequestEntityTooLarge", "The request body is too large.");
      return send(e.status, e.body);
    }

    const blobRoute = findRoute(BLOB_ROUTES, method, path, {
      estate,
      archives: armContext.archives,
      req: { query: parsed.searchParams, headers: message.headers },
    });
    // The keys data plane of the Managed HSMs (`/keys/...`), which authenticates by challenge (below).
    const keyRoute = blobRoute
      ? undefined
      : findRoute(KEY_VAULT_ROUTES, method, path.replace(/\/+$/, ""), { estate, keys });
    const auth = message.headers.authorization ?? "";
    if (auth !== `Bearer ${estate.token}` && keyRoute) {
      // Key Vault answers a request without a valid token with a challenge naming the tenant and the token audience.
      entry.route = "auth";
      const e = keyVaultChallenge(estate, auth !== "");
      return send(e.status, e.body, e.headers);
    }
    if (auth !== `Bearer ${estate.token}` && blobRoute) {
      entry.route = "auth";
      const e = blobError(
        401,
        "InvalidAuthenticationInfo",
        auth ? "Server failed to authenticate the request." : "Authentication information is not given.",
      );
      return send(e.status, undefined, e.headers, false, e.raw);
    }
    if (auth !== `Bearer ${estate.token}`) {
      const reason = auth ? "The access token is invalid." : "The 'Authorization' header is missing.";
      const e = isLogs
        ? auth
          ? logsError(403, "InvalidAuthenticationToken", "The provided authentication is not valid for this resource")
          : logsError(401, "AuthorizationRequiredError", "Valid authentication was not provided")
        : armError(
            401,
            auth ? "InvalidAuthenticationToken" : "AuthenticationFailed",
            `Authentication failed. ${reason}`,
          );
      entry.route = "auth";
      return send(e.status, e.body, {
        "www-authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/${estate.tenantId}", error="invalid_token", error_description="${reason}"`,
      });
    }

    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch {
        const e = isLogs
          ? logsError(400, "BadArgumentError", "The request body is not valid JSON")
          : armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
        return send(e.status, e.body);
      }
    }
    const req: SimRequest = { method, path, query: parsed.searchParams, headers: message.headers, body, origin };

    if (/\/\//.test(path)) {
      // ARM ids start with `/`; a client that puts one after the endpoint's `/` asks for an empty path segment.
      const e = isLogs
        ? logsError(404, "PathNotFoundError", `The requested path '${parsed.pathname}' does not exist`)
        : armError(
            400,
            "InvalidRequestUri",
            `The request URI path '${parsed.pathname}' has an empty segment ('//'). Pass resource ids to the SDK without their leading '/'.`,
          );
      return send(e.status, e.body);
    }

    const isArmBatch = isArmBatchRequest(method, path);
    const r: Route | undefined = isArmBatch
      ? { name: "armBatch", family: "arm", handle: () => ({ status: 200 }) }
      : (blobRoute ?? keyRoute ?? route(method, path));
    if (!r) {
      const e = isLogs
        ? logsError(404, "PathNotFoundError", `The requested path '${parsed.pathname}' does not exist`)
        : armError(
            404,
            "NoRegisteredProviderFound",
            `The hsm-audit simulator has no route for '${method} ${parsed.pathname}'.`,
          );
      return send(e.status, e.body);
    }
    entry.route = r.name;
    if (r.name === "resourceGraph" && body && typeof body === "object") {
      const { subscriptions, managementGroups } = body as { subscriptions?: unknown; managementGroups?: unknown };
      const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
      entry.graphScope = {
        ...(strings(subscriptions) ? { subscriptions: strings(subscriptions)! } : {}),
        ...(strings(managementGroups) ? { managementGroups: strings(managementGroups)! } : {}),
      };
    }
    if (r.subscriptionId) entry.subscriptionId = r.subscriptionId.toLowerCase();

    if (latencyMs > 0) await sleep(latencyMs, res);
    if (res.destroyed || !res.socket || res.socket.destroyed) return record(0);
    let limitHeaders: Record<string, string> = {};
    if (enforced) {
      const limited =
        r.name === "resourceGraph"
          ? enforced.graphQuery()
          : r.family === "logs"
            ? enforced.logsQuery()
            : r.family === "arm" && !isArmBatch
              ? enforced.armRead(r.subscriptionId)
              : undefined;
      if (limited && "refused" in limited) {
        entry.faults.push(`limit:${r.name === "resourceGraph" ? "graph" : r.family === "logs" ? "logs" : "armReads"}`);
        return send(limited.refused.status, limited.refused.body, limited.refused.headers);
      }
      if (limited && "done" in limited) res.once("close", limited.done);
      if (limited && "headers" in limited) limitHeaders = limited.headers;
    }

    // A query that spans several workspaces names the others in its body: a fault on any of them applies to it.
    const others = (body as { workspaces?: unknown } | undefined)?.workspaces;
    const addressed = r.family === "logs" && Array.isArray(others) ? ` workspaces=${others.map(String).join(",")}` : "";
    const applied = faults.take(r, method, parsed.pathname + parsed.search + addressed);
    entry.faults.push(...applied.flatMap(describeFault));
    const latency = applied.reduce((max, f) => Math.max(max, f.latencyMs ?? 0), 0);
    if (latency > 0) await sleep(latency, res);
    if (res.destroyed || !res.socket || res.socket.destroyed) return record(0);
    if (applied.some((f) => f.drop)) {
      record(0);
      message.socket.destroy();
      return;
    }
    const failing = applied.find((f) => f.status);
    const truncate = applied.some((f) => f.truncate);
    if (failing) {
      const e = faultError(r.family, failing.status!, r.subscriptionId, failing.code, r.name);
      const headers: Record<string, string> = {
        ...(e.headers ?? {}),
        ...(failing.retryAfter !== undefined ? { "retry-after": String(failing.retryAfter) } : {}),
      };
      return send(e.status, e.body, headers, truncate, e.raw);
    }

    try {
      if (isArmBatch) {
        const {
          answer,
          inner,
          carried = [],
        } = await armBatch(req, {
          route: (innerMethod, innerPath) => matchArmRoute(estate, innerMethod, innerPath, armContext),
          enforced,
          faults,
          finish,
        });
        entry.inner = inner;
        const latency = carried.reduce((max, f) => Math.max(max, f.latencyMs ?? 0), 0);
        if (latency > 0) await sleep(latency, res);
        if (res.destroyed || !res.socket || res.socket.destroyed) return record(0);
        if (carried.some((f) => f.drop)) {
          record(0);
          message.socket.destroy();
          return;
        }
        return send(answer.status, answer.body, answer.headers, truncate || carried.some((f) => f.truncate));
      }
      const answer =
        applied.some((f) => f.partialError) && r.family === "logs"
          ? (withPartialError(logs, req) ?? (await r.handle(req)))
          : await r.handle(req);
      const out = finish(
        r,
        req,
        answer,
        applied.some((f) => f.endlessNextLink),
      );
      return send(out.status, out.body, { ...limitHeaders, ...out.headers }, truncate, out.raw);
    } catch (error) {
      const e = isLogs
        ? logsError(500, "InternalServerError", `Simulator failure: ${(error as Error).message}`)
        : armError(500, "InternalServerError", `Simulator failure: ${(error as Error).message}`);
      return send(e.status, e.body);
    }
  };

  const server: Server = createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
    const running = handler(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "InternalServerError", message: String(error) } }));
        }
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A client that drops the connection mid-handshake is not the simulator's problem.
  server.on("tlsClientError", () => undefined);

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (options.requestLog) {
    // Opened only once the port is taken, and synchronously, so that a failed start leaves no file behind and a
    // path that cannot be written fails the start instead of a later write.
    try {
      logStream = createWriteStream("", { fd: openSync(options.requestLog, "a") });
      logStream.on("error", () => undefined);
    } catch (error) {
      await new Promise((resolve) => server.close(resolve));
      throw error;
    }
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const shownHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `https://${shownHost}:${port}`,
    port,
    caCert: certificates.caCert,
    token: estate.token,
    requests,
    limitCounters: enforced?.counters ?? {
      throttled: { armReads: 0, logsConcurrent: 0, logsWindow: 0, graph: 0 },
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Cutting the connections ends latency waits and body reads, so every handler settles promptly.
      for (const socket of sockets) socket.destroy();
      await closed;
      await Promise.allSettled([...inFlight]);
      if (logStream) {
        const stream = logStream;
        await new Promise<void>((resolve) => stream.end(() => resolve()));
      }
    },
  };
}

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    message.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(TOO_LARGE));
        message.resume();
        return;
      }
      chunks.push(chunk);
    });
    message.on("end", () => resolve(Buffer.concat(chunks)));
    message.on("close", () => {
      if (!message.complete) reject(new Error("aborted"));
    });
    message.on("error", reject);
  });
}

/** Waits, unless the client gives up first. */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%24/g, "$"))
    .join("/");
}
