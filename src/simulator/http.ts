// Shapes shared by the simulator's route handlers: requests, responses, and the two error families of Azure.
import { randomUUID } from "node:crypto";

export interface SimRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** `https://host:port` as the client addressed it, for nextLink. */
  origin: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body sent as is (the blob data plane answers XML and blob content), instead of `body` as JSON. */
  raw?: { contentType: string; data: Buffer };
  /** A list answer that the server pages with `nextLink` (items under `value`). */
  page?: { items: unknown[]; extra?: Record<string, unknown> };
}

/** Names of routes, as faults and the request log refer to them. */
export type RouteName =
  | "subscriptions"
  | "provider"
  | "hsmList"
  | "resources"
  | "resource"
  | "diagnosticSettings"
  | "diagnosticSettingsCategories"
  | "sentinelOnboarding"
  | "sentinelRules"
  | "armBatch"
  | "resourceGraph"
  | "logsQuery"
  | "logsBatch"
  | "storageContainers"
  | "immutabilityPolicy"
  | "managementPolicy"
  | "workspaceTables"
  | "blobList"
  | "blobGet"
  | "activityLog"
  | "permissions"
  | "managementGroupDescendants"
  | "keyGet"
  | "keyVersions"
  | "keySign"
  | "unknown";

export interface Route {
  name: RouteName;
  family: "arm" | "logs" | "blob" | "keyvault";
  /** The subscription the request reads, when it reads one. */
  subscriptionId?: string;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
}

/** An ARM error (`{ error: { code, message } }`, the Azure Resource Manager common error shape). */
export function armError(status: number, code: string, message: string): SimResponse {
  return { status, body: { error: { code, message } } };
}

/** A Log Analytics query API error (`{ error: { message, code, correlationId, innererror? } }`). */
export function logsError(status: number, code: string, message: string, innererror?: unknown): SimResponse {
  return {
    status,
    body: { error: { message, code, correlationId: randomUUID(), ...(innererror ? { innererror } : {}) } },
  };
}

/**
 * A Key Vault / Managed HSM data plane error (`{ error: { code, message, innererror? } }`, the KeyVaultError shape of
 * the Key Vault REST specification).
 */
export function keyVaultError(status: number, code: string, message: string, innerCode?: string): SimResponse {
  return { status, body: { error: { code, message, ...(innerCode ? { innererror: { code: innerCode } } : {}) } } };
}

/** A blob service error: XML `<Error><Code/><Message/></Error>` and the `x-ms-error-code` header. */
export function blobError(status: number, code: string, message: string): SimResponse {
  const requestId = randomUUID();
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  return {
    status,
    headers: { "x-ms-error-code": code, "x-ms-request-id": requestId },
    raw: { contentType: "application/xml", data: Buffer.from(xml) },
  };
}

/**
 * The error body a route family answers with for a given status, used by injected faults. A `code` replaces the
 * family's own code for that status (a 404 that does not say the resource is gone, for one), with a message that says
 * a gateway answered.
 */
export function faultError(
  family: Route["family"],
  status: number,
  subscriptionId?: string,
  code?: string,
  route?: RouteName,
): SimResponse {
  const given = (usual: [string, string] | undefined, fallback: [string, string]): [string, string] =>
    code === undefined
      ? (usual ?? fallback)
      : code === usual?.[0]
        ? usual
        : [code, `A gateway answered ${status} ${code}: the request did not reach the service.`];
  if (family === "blob") {
    const codes: Record<number, [string, string]> = {
      403: [
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
      ],
      404: ["BlobNotFound", "The specified blob does not exist."],
      500: ["InternalError", "The server encountered an internal error. Please retry the request."],
      503: ["ServerBusy", "The server is currently unable to receive requests. Please retry your request."],
    };
    const [errorCode, message] = given(codes[status], ["ServiceError", `The service answered ${status}.`]);
    return blobError(status, errorCode, message);
  }
  if (family === "keyvault") {
    const action =
      route === "keySign"
        ? "Microsoft.KeyVault/managedHsm/keys/sign/action"
        : "Microsoft.KeyVault/managedHsm/keys/read/action";
    const codes: Record<number, [string, string]> = {
      400: ["BadParameter", "The request is not valid."],
      401: ["Unauthorized", "The access token is invalid."],
      403: [
        "Forbidden",
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=00000000-0000-0000-0000-00000000c11e\r\nAction: '${action}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'`,
      ],
      404: ["KeyNotFound", "A key with (name/id) was not found in this key vault."],
      429: [
        "Throttled",
        "Request was not processed because too many requests were received. Reason: Managed HSM throttling.",
      ],
      500: ["InternalServerError", "The service encountered an internal error."],
      503: ["ServiceUnavailable", "The service is temporarily unavailable."],
    };
    const [errorCode, message] = given(codes[status], ["ServiceError", `The service answered ${status}.`]);
    return keyVaultError(
      status,
      errorCode,
      message,
      status === 403 && code === undefined ? "ForbiddenByRbac" : undefined,
    );
  }
  if (family === "logs") {
    const codes: Record<number, [string, string]> = {
      400: ["BadArgumentError", "The request had some invalid properties"],
      401: ["AuthorizationRequiredError", "Valid authentication was not provided"],
      403: [
        "InsufficientAccessError",
        "The provided credentials have insufficient access to perform the requested operation",
      ],
      404: ["WorkspaceNotFoundError", "The workspace could not be found"],
      409: ["ConflictError", "The request conflicts with the current state"],
      429: ["ThrottledError", "Your request was throttled: too many requests in a short time. Retry later."],
      500: ["InternalServerError", "An internal error occurred"],
      502: ["BadGatewayError", "The gateway did not receive a valid response"],
      503: ["ServiceUnavailableError", "The service is temporarily unavailable"],
      504: ["GatewayTimeout", "The query did not complete in time"],
    };
    const [errorCode, message] = given(codes[status], ["ServiceError", `The service answered ${status}`]);
    return logsError(status, errorCode, message);
  }
  const scope = subscriptionId ? `/subscriptions/${subscriptionId}` : "/";
  const codes: Record<number, [string, string]> = {
    400: ["BadRequest", "The request is not valid."],
    401: ["InvalidAuthenticationToken", "The access token is invalid."],
    403: [
      "AuthorizationFailed",
      `The client '00000000-0000-0000-0000-00000000c11e' with object id '00000000-0000-0000-0000-00000000c11e' does not have authorization to perform action 'read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ],
    404: ["ResourceNotFound", "The resource was not found."],
    409: ["Conflict", "The request conflicts with the current state of the resource."],
    429: [
      "SubscriptionRequestsThrottled",
      `Number of 'read' requests for subscription '${subscriptionId ?? "unknown"}' actor '00000000-0000-0000-0000-00000000c11e' exceeded. Please try again after some time.`,
    ],
    500: [
      "InternalServerError",
      "Encountered internal server error. Diagnostic information: timestamp '', tracking id ''.",
    ],
    502: ["BadGateway", "The gateway did not receive a response in time."],
    503: ["ServiceUnavailable", "The service is temporarily unavailable."],
    504: ["GatewayTimeout", "The gateway did not receive a response within the specified time period."],
  };
  const [errorCode, message] = given(codes[status], ["ServiceError", `The service answered ${status}.`]);
  return armError(status, errorCode, message);
}

/** The path decoded, or as it is when it is not valid percent-encoding. */
export function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
