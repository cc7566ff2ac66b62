// Storage accounts: the ARM routes under an account (containers, a container's immutability policy, the lifecycle
// management policy) and the few blob data-plane routes a scan uses (List Blobs by prefix, Get Blob), so that the
// demo needs no other service.
import { createHash } from "node:crypto";
import { armError, blobError, type Route, type SimRequest, type SimResponse } from "../http.js";
import type { Estate, StorageAccount } from "../estate.js";
import { containersOf, type ArchivedBlob } from "../storage.js";
import {
  UNDER_SUBSCRIPTION,
  armRoute,
  get,
  missingSubscription,
  resourceNotFound,
  type ArmRequest,
  type RouteEntry,
} from "./route.js";

export function storageBody(s: StorageAccount, origin: string) {
  const endpoint = (service: string) =>
    service === "blob"
      ? // The simulator serves the archive path-style, as Azurite does, unless the estate names another service.
        (s.archive.blobEndpoint ?? `${origin}/${s.name}/`)
      : `https://${s.name}.${service}.core.windows.net/`;
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    location: s.location,
    tags: s.tags,
    sku: { name: s.sku, tier: s.sku.startsWith("Premium") ? "Premium" : "Standard" },
    kind: s.kind,
    properties: {
      provisioningState: "Succeeded",
      creationTime: "2025-01-15T10:00:00.0000000Z",
      primaryLocation: s.location,
      statusOfPrimary: "available",
      primaryEndpoints: {
        blob: endpoint("blob"),
        queue: endpoint("queue"),
        table: endpoint("table"),
        file: endpoint("file"),
        dfs: endpoint("dfs"),
      },
      accessTier: "Hot",
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      encryption: {
        keySource: "Microsoft.Storage",
        services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
      },
      networkAcls: { bypass: "AzureServices", defaultAction: "Allow", ipRules: [], virtualNetworkRules: [] },
      ...s.properties,
    },
  };
}

function immutabilityBody(account: StorageAccount, container: StorageAccount["containers"][number]) {
  const policy = container.immutabilityPolicy!;
  return {
    id: `${account.id}/blobServices/default/containers/${container.name}/immutabilityPolicies/default`,
    name: "default",
    type: "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
    etag: `"8d${createHash("sha256").update(container.name).digest("hex").slice(0, 13)}"`,
    properties: {
      immutabilityPeriodSinceCreationInDays: policy.days,
      state: policy.state,
      allowProtectedAppendWrites: policy.allowProtectedAppendWrites ?? false,
    },
  };
}

/** `ListContainerItems` of the blob containers API (Microsoft.Storage `blob.json`). */
export function containerListBody(account: StorageAccount, blobs: ArchivedBlob[]) {
  return containersOf(account, blobs).map((c) => ({
    id: `${account.id}/blobServices/default/containers/${c.name}`,
    name: c.name,
    type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    etag: `"0x8DD${createHash("sha256").update(c.name).digest("hex").slice(0, 12).toUpperCase()}"`,
    properties: {
      deleted: false,
      remainingRetentionDays: 0,
      defaultEncryptionScope: "$account-encryption-key",
      denyEncryptionScopeOverride: false,
      publicAccess: "None",
      leaseStatus: "Unlocked",
      leaseState: "Available",
      lastModifiedTime: "2025-06-01T10:00:00.0000000Z",
      ...(c.immutabilityPolicy
        ? (() => {
            const policy = immutabilityBody(account, c);
            return { immutabilityPolicy: { properties: policy.properties, etag: policy.etag, updateHistory: [] } };
          })()
        : {}),
      legalHold: { hasLegalHold: c.legalHold === true, tags: [] },
      hasImmutabilityPolicy: c.immutabilityPolicy !== undefined,
      hasLegalHold: c.legalHold === true,
    },
  }));
}

// ---- ARM routes under a storage account ---------------------------------------------------------------------------

const ACCOUNT = String.raw`${UNDER_SUBSCRIPTION}\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)`;

/** The account a path under `ACCOUNT` names, and its archived blobs. */
function accountOf({ context, sub }: ArmRequest, m: RegExpExecArray) {
  const [, rg, accountName] = m as unknown as [string, string, string];
  const account = sub?.storageAccounts.find(
    (a) => a.name === accountName.toLowerCase() && a.resourceGroup.toLowerCase() === rg.toLowerCase(),
  );
  return { rg, accountName, account, blobs: account ? (context.archives.get(account.name) ?? []) : [] };
}

/** A route under a storage account; an account the subscription does not have is a `resource` route's 404. */
function underAccount(
  tail: string,
  name: Route["name"],
  handle: (account: StorageAccount, blobs: ArchivedBlob[], m: RegExpExecArray) => SimResponse,
): RouteEntry<ArmRequest> {
  return get(new RegExp(`${ACCOUNT}${tail}$`, "i"), (m, request) => {
    const { subscriptionId, sub } = request;
    if (!sub) return missingSubscription("resource", subscriptionId!);
    const { rg, accountName, account, blobs } = accountOf(request, m);
    return armRoute(
      account ? name : "resource",
      subscriptionId,
      () =>
        account
          ? handle(account, blobs, m)
          : resourceNotFound(sub, rg, `Microsoft.Storage/storageAccounts/${accountName}`),
      "microsoft.storage/storageaccounts",
    );
  });
}

/** Containers, a container's immutability policy, the lifecycle management policy; other paths of a known account are not served. */
export const STORAGE_ROUTES: RouteEntry<ArmRequest>[] = [
  underAccount(String.raw`\/blobServices\/default\/containers`, "storageContainers", (account, blobs) => ({
    status: 200,
    page: { items: containerListBody(account, blobs) },
  })),
  underAccount(
    String.raw`\/blobServices\/default\/containers\/([^/]+)\/immutabilityPolicies\/default`,
    "immutabilityPolicy",
    (account, blobs, m) => {
      const container = containersOf(account, blobs).find((c) => c.name === m[3]!.toLowerCase());
      if (!container) return armError(404, "ContainerNotFound", "The specified container does not exist.");
      if (!container.immutabilityPolicy) {
        // A container without a policy answers an empty, unlocked policy of zero days (the service's own shape).
        return {
          status: 200,
          body: {
            ...immutabilityBody(account, { ...container, immutabilityPolicy: { days: 0, state: "Unlocked" } }),
          },
        };
      }
      return { status: 200, body: immutabilityBody(account, container) };
    },
  ),
  underAccount(String.raw`\/managementPolicies\/default`, "managementPolicy", (account) =>
    account.lifecycle
      ? {
          status: 200,
          body: {
            id: `${account.id}/managementPolicies/default`,
            name: "DefaultManagementPolicy",
            type: "Microsoft.Storage/storageAccounts/managementPolicies",
            properties: {
              lastModifiedTime: "2025-06-01T10:00:00.0000000Z",
              policy: {
                rules: account.lifecycle.rules.map((r) => ({ enabled: true, type: "Lifecycle", ...r })),
              },
            },
          },
        }
      : armError(404, "ManagementPolicyNotFound", `No ManagementPolicy found for account ${account.name}`),
  ),
  get(new RegExp(`${ACCOUNT}\\/.+$`, "i"), (m, request) => {
    const { subscriptionId, sub } = request;
    if (!sub) return missingSubscription("resource", subscriptionId!);
    const { rg, accountName, account } = accountOf(request, m);
    if (account) return undefined;
    return armRoute(
      "resource",
      subscriptionId,
      () => resourceNotFound(sub, rg, `Microsoft.Storage/storageAccounts/${accountName}`),
      "microsoft.storage/storageaccounts",
    );
  }),
];

// ---- blob data plane ---------------------------------------------------------------------------------------------

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const etagOf = (blob: ArchivedBlob) =>
  `"0x8DD${createHash("sha256").update(blob.content).digest("hex").slice(0, 12).toUpperCase()}"`;

/** What a blob route reads beside its path: the estate, the archived blobs, and the request's query and headers. */
export interface BlobRequest {
  estate: Estate;
  archives: Map<string, ArchivedBlob[]>;
  req: Pick<SimRequest, "query" | "headers">;
}

/**
 * The blob routes, addressed path-style as Azurite is (`/{account}/{container}[/{blob}]`), for accounts whose archive
 * the simulator serves. A request is a blob request when it names such an account and carries `x-ms-version`.
 */
export const BLOB_ROUTES: RouteEntry<BlobRequest>[] = [
  {
    methods: ["GET"],
    pattern: /^\/([a-z0-9]{3,24})\/([^/]+)(?:\/(.+))?$/,
    handler: (m, { estate, archives, req }) => {
      if (!req.headers["x-ms-version"]) return undefined;
      const account = estate.subscriptions
        .flatMap((s) => s.storageAccounts)
        .find((a) => a.name === m[1] && !a.archive.blobEndpoint);
      if (!account) return undefined;
      const containerName = m[2]!;
      const blobName = m[3];
      const blobs = archives.get(account.name) ?? [];
      const exists = containersOf(account, blobs).some((c) => c.name === containerName);
      const inContainer = blobs.filter((b) => b.container === containerName);
      const denied = () =>
        account.archive.dataAccess === "denied"
          ? blobError(
              403,
              "AuthorizationPermissionMismatch",
              "This request is not authorized to perform this operation using this permission.",
            )
          : undefined;
      const noContainer = () => blobError(404, "ContainerNotFound", "The specified container does not exist.");
      if (blobName === undefined) {
        if (req.query.get("restype") !== "container" || req.query.get("comp") !== "list") return undefined;
        return {
          name: "blobList",
          family: "blob",
          handle: (r) => denied() ?? (exists ? listBlobs(r, account, containerName, inContainer) : noContainer()),
        };
      }
      return {
        name: "blobGet",
        family: "blob",
        handle: (r) => {
          const refused = denied();
          if (refused) return refused;
          if (!exists) return noContainer();
          const blob = inContainer.find((b) => b.name === blobName);
          if (!blob) return blobError(404, "BlobNotFound", "The specified blob does not exist.");
          return getBlob(r, blob);
        },
      };
    },
  },
];

function listBlobs(req: SimRequest, account: StorageAccount, container: string, blobs: ArchivedBlob[]): SimResponse {
  const prefix = req.query.get("prefix") ?? "";
  const max = Math.min(Number(req.query.get("maxresults") ?? "5000") || 5000, 5000);
  const marker = req.query.get("marker") ?? "";
  const matching = blobs.filter((b) => b.name.startsWith(prefix) && b.name > marker);
  const page = matching.slice(0, max);
  const next = matching.length > max ? page[page.length - 1]!.name : "";
  const items = page
    .map(
      (b) =>
        `<Blob><Name>${xmlEscape(b.name)}</Name><Properties><Creation-Time>${b.lastModified.toUTCString()}</Creation-Time>` +
        `<Last-Modified>${b.lastModified.toUTCString()}</Last-Modified><Etag>${etagOf(b)}</Etag>` +
        `<Content-Length>${b.content.length}</Content-Length><Content-Type>application/json</Content-Type>` +
        `<BlobType>AppendBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>` +
        `<ServerEncrypted>true</ServerEncrypted></Properties><OrMetadata /></Blob>`,
    )
    .join("");
  const xml =
    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${xmlEscape(`${req.origin}/${account.name}/`)}" ` +
    `ContainerName="${xmlEscape(container)}"><Prefix>${xmlEscape(prefix)}</Prefix>` +
    (marker ? `<Marker>${xmlEscape(marker)}</Marker>` : "") +
    `<MaxResults>${max}</MaxResults><Blobs>${items}</Blobs>` +
    (next ? `<NextMarker>${xmlEscape(next)}</NextMarker>` : "<NextMarker />") +
    `</EnumerationResults>`;
  return { status: 200, raw: { contentType: "application/xml", data: Buffer.from(xml) } };
}

function getBlob(req: SimRequest, blob: ArchivedBlob): SimResponse {
  const header = req.headers["x-ms-range"] ?? req.headers.range;
  const range = typeof header === "string" ? /^bytes=(\d+)-(\d*)$/.exec(header) : null;
  const size = blob.content.length;
  const common = {
    "last-modified": blob.lastModified.toUTCString(),
    etag: etagOf(blob),
    "x-ms-blob-type": "AppendBlob",
    "x-ms-blob-committed-block-count": "1",
    "accept-ranges": "bytes",
    "x-ms-server-encrypted": "true",
  };
  if (!range) return { status: 200, headers: common, raw: { contentType: "application/json", data: blob.content } };
  const start = Number(range[1]);
  if (start >= size)
    return blobError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.");
  const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
  return {
    status: 206,
    headers: { ...common, "content-range": `bytes ${start}-${end}/${size}` },
    raw: { contentType: "application/json", data: blob.content.subarray(start, end + 1) },
  };
}
