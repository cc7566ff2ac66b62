// Log Analytics query API routes (`/v1/...`): workspace and resource-centric queries, and `$batch`.
import { logsError, type Route, type SimRequest, type SimResponse } from "../http.js";
import { runKql, KqlError, type KqlTable } from "../kql/index.js";
import { databaseOf } from "../tables.js";
import { parseTimespan } from "../../util/duration.js";
import { armIdKey, type Estate } from "../estate.js";
import { findRoute, type RouteEntry } from "./route.js";

export interface LogsContext {
  estate: Estate;
  /** Workspace ARM id (lower-cased) -> its tables. */
  tables: Map<string, Map<string, KqlTable>>;
  /** The simulator's clock. */
  now(): Date;
}

interface QueryBody {
  query?: unknown;
  timespan?: unknown;
  workspaces?: unknown;
}

/** Runs one query against the tables of the given workspaces (or of one resource) and answers as the API does. */
function execute(
  ctx: LogsContext,
  body: QueryBody,
  scope: { workspaceTables: Map<string, KqlTable>[]; resourceId?: string },
  partialError: boolean,
): SimResponse {
  if (typeof body.query !== "string" || body.query.trim() === "") {
    return logsError(400, "BadArgumentError", "The request had some invalid properties", {
      code: "QueryValidationError",
      message: "The query parameter is required and must be a non-empty string.",
    });
  }
  const now = ctx.now();
  let timespan: { start: Date; end: Date } | undefined;
  if (body.timespan !== undefined && body.timespan !== null) {
    timespan = typeof body.timespan === "string" ? parseTimespan(body.timespan, now) : undefined;
    if (!timespan) {
      return logsError(400, "BadArgumentError", "The request had some invalid properties", {
        code: "InvalidTimespanError",
        message: `The timespan '${String(body.timespan)}' is not a valid ISO 8601 duration or interval.`,
      });
    }
  }
  const resourceId = scope.resourceId?.toLowerCase();
  const db = databaseOf(
    scope.workspaceTables,
    resourceId ? (row) => String(row._ResourceId).toLowerCase() === resourceId : undefined,
  );
  try {
    const result = runKql(body.query, db, { now, ...(timespan ? { timespan } : {}) });
    const answer: Record<string, unknown> = {
      tables: [{ name: "PrimaryResult", columns: result.columns, rows: result.rows }],
    };
    if (partialError) {
      answer.error = {
        message: "Partial query failure",
        code: "PartialError",
        correlationId: "00000000-0000-0000-0000-00000000fa17",
        details: [
          {
            code: "EngineError",
            message: "Query execution has exceeded the allowed limits (80DA0003): the results may be incomplete.",
            target: "query",
          },
        ],
      };
    }
    return { status: 200, body: answer };
  } catch (error) {
    if (error instanceof KqlError) return kqlErrorResponse(error);
    throw error;
  }
}

/** A KqlError in the query API's shape: a syntax or semantic error nested under BadArgumentError. */
function kqlErrorResponse(error: KqlError): SimResponse {
  const position = error.line !== undefined ? { line: error.line, pos: error.column ?? 0 } : {};
  const inner =
    error.kind === "syntax"
      ? {
          code: "SyntaxError",
          message: "A recognition error occurred in the query.",
          innererror: { code: "SYN0002", message: error.message, ...position },
        }
      : {
          code: "SemanticError",
          message: "A semantic error occurred.",
          innererror: {
            code: error.kind === "unsupported" ? "SEM0001" : "SEM0100",
            message: error.message,
            ...position,
          },
        };
  return logsError(400, "BadArgumentError", "The request had some invalid properties", inner);
}

function workspaceTablesById(ctx: LogsContext, id: string): Map<string, KqlTable> | undefined {
  const wanted = id.toLowerCase();
  for (const s of ctx.estate.subscriptions) {
    // Azure accepts the workspace's customerId (the usual form) or its ARM id.
    const w = s.workspaces.find((x) => x.customerId === wanted || armIdKey(x.id) === armIdKey(id));
    if (w) return ctx.tables.get(w.id.toLowerCase());
  }
  return undefined;
}

function workspaceNotFound(id: string): SimResponse {
  return logsError(404, "WorkspaceNotFoundError", `The workspace '${id}' could not be found`);
}

/** Runs a query addressed to a workspace, plus any additional workspaces the body names. */
function queryWorkspace(ctx: LogsContext, workspaceId: string, body: QueryBody, partialError: boolean): SimResponse {
  const ids = [workspaceId, ...(Array.isArray(body.workspaces) ? body.workspaces.map(String) : [])];
  const sources: Map<string, KqlTable>[] = [];
  for (const id of ids) {
    const tables = workspaceTablesById(ctx, id);
    if (!tables) return workspaceNotFound(id);
    sources.push(tables);
  }
  return execute(ctx, body, { workspaceTables: sources }, partialError);
}

/** Resource-centric query: the records of one resource, in every workspace that receives them. */
function queryResource(ctx: LogsContext, resourceId: string, body: QueryBody, partialError: boolean): SimResponse {
  const id = `/${resourceId.replace(/^\/+/, "")}`.toLowerCase();
  const exists = ctx.estate.subscriptions.some((s) =>
    [...s.hsms, ...s.workspaces, ...s.storageAccounts].some((r) => r.id.toLowerCase() === id),
  );
  if (!exists) {
    return logsError(404, "ResourceNotFoundError", `The resource '${id}' could not be found`);
  }
  return execute(ctx, body, { workspaceTables: [...ctx.tables.values()], resourceId: id }, partialError);
}

function queryFromRequest(req: SimRequest): QueryBody {
  if (req.method === "GET") {
    return { query: req.query.get("query") ?? undefined, timespan: req.query.get("timespan") ?? undefined };
  }
  return (req.body && typeof req.body === "object" ? req.body : {}) as QueryBody;
}

/** A logs request: the context, and whether an injected fault adds a partial error to the answer. */
interface LogsRequest {
  ctx: LogsContext;
  partialError: boolean;
}

/** The query API under `/v1`: `$batch`, a workspace query, a resource-centric query. */
const LOGS_ROUTES: RouteEntry<LogsRequest>[] = [
  {
    methods: ["POST"],
    pattern: /^\/v1\/\$batch$/i,
    handler: (_m, { ctx, partialError }) => ({
      name: "logsBatch",
      family: "logs",
      handle: (req) => batch(ctx, req, partialError),
    }),
  },
  {
    methods: ["POST", "GET"],
    pattern: /^\/v1\/workspaces\/([^/]+)\/query$/i,
    handler: (workspace, { ctx, partialError }) => ({
      name: "logsQuery",
      family: "logs",
      handle: (req) => queryWorkspace(ctx, workspace[1]!, queryFromRequest(req), partialError),
    }),
  },
  {
    methods: ["POST", "GET"],
    pattern: /^\/v1\/(subscriptions\/.+)\/query$/i,
    handler: (resource, { ctx, partialError }) => {
      const subscriptionId = /^subscriptions\/([^/]+)/i.exec(resource[1]!)?.[1];
      return {
        name: "logsQuery",
        family: "logs",
        ...(subscriptionId ? { subscriptionId } : {}),
        handle: (req) => queryResource(ctx, resource[1]!, queryFromRequest(req), partialError),
      };
    },
  },
];

/** Matches a request under `/v1`, or returns undefined. */
export function matchLogsRoute(ctx: LogsContext, method: string, path: string): Route | undefined {
  return findRoute(LOGS_ROUTES, method, path.replace(/\/+$/, ""), { ctx, partialError: false });
}

/** Re-runs a logs route with a partial error added to its answer (the `partialError` fault). */
export function withPartialError(ctx: LogsContext, req: SimRequest): SimResponse | undefined {
  const route = findRoute(LOGS_ROUTES, req.method, req.path.replace(/\/+$/, ""), { ctx, partialError: true });
  return route?.handle(req) as SimResponse | undefined;
}

interface BatchItem {
  id?: unknown;
  workspace?: unknown;
  path?: unknown;
  method?: unknown;
  body?: unknown;
}

/** `POST /v1/$batch`: each request answered on its own, with its own status. */
function batch(ctx: LogsContext, req: SimRequest, partialError: boolean): SimResponse {
  const requests = (req.body as { requests?: unknown } | undefined)?.requests;
  if (
    !Array.isArray(requests) ||
    requests.length === 0 ||
    requests.some((item) => item === null || typeof item !== "object")
  ) {
    return logsError(400, "BadArgumentError", "The request had some invalid properties", {
      code: "BatchValidationError",
      message: "The batch request must contain a non-empty 'requests' array of objects.",
    });
  }
  const responses = (requests as BatchItem[]).map((item, i) => {
    const id = typeof item.id === "string" ? item.id : String(i);
    const body = (item.body && typeof item.body === "object" ? item.body : {}) as QueryBody;
    // The query API's batch items name a workspace; there is no resource-centric form in a batch.
    const answer =
      typeof item.workspace === "string"
        ? queryWorkspace(ctx, item.workspace, body, partialError)
        : logsError(400, "BadArgumentError", "Each batch request needs a 'workspace'");
    return {
      id,
      status: answer.status,
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: answer.body,
    };
  });
  return { status: 200, body: { responses } };
}
