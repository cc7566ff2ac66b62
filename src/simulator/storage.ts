// Storage accounts as destinations of diagnostic settings: the archived hourly log blobs that Azure Monitor writes
// (built from the HSMs' activity), the ARM routes of containers, immutability and lifecycle policies, and the few
// blob data-plane routes a scan uses (List Blobs by prefix, Get Blob), so that the demo needs no other service.
import { createHash } from "node:crypto";
import { armError, blobError, type Route, type SimRequest, type SimResponse } from "./http.js";
import { AUDIT_CATEGORY, armIdKey, settingCarries, type Estate, type Hsm, type StorageAccount } from "./estate.js";

export interface ArchivedBlob {
  container: string;
  name: string;
  content: Buffer;
  lastModified: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The hourly blob an HSM's record of `time` lands in (DOMAIN.md §5: ARM id upper-cased, UTC). */
export function archiveBlobName(hsmId: string, time: Date): string {
  return (
    `resourceId=/${hsmId.replace(/^\/+/, "").toUpperCase()}/y=${time.getUTCFullYear()}/m=${pad(time.getUTCMonth() + 1)}` +
    `/d=${pad(time.getUTCDate())}/h=${pad(time.getUTCHours())}/m=00/PT1H.json`
  );
}

/** One archived record, in the common schema of Azure Monitor resource logs. */
function archiveRecord(hsm: Hsm, category: string, r: Hsm["activity"][number]): Record<string, unknown> {
  return {
    time: r.time.toISOString(),
    resourceId: hsm.id.toUpperCase(),
    category,
    operationName: r.operation,
    ...(r.resultType ? { resultType: r.resultType } : {}),
    ...(r.caller ? { callerIpAddress: r.caller } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    properties: {
      ...(r.httpStatusCode !== undefined ? { httpStatusCode: r.httpStatusCode } : {}),
      ...(r.identity ? { identity: { claim: { upn: r.identity } } } : {}),
      ...(r.fields ?? {}),
    },
  };
}

/**
 * Every archived blob of every storage account, by account name (lower-cased): one blob per HSM and hour that has
 * records, for each setting that sends the HSM's audit category to the account. Records after the estate's `now`
 * are not written yet.
 */
export function archiveBlobs(estate: Estate): Map<string, ArchivedBlob[]> {
  const byAccount = new Map<string, ArchivedBlob[]>();
  const accounts = estate.subscriptions.flatMap((s) => s.storageAccounts);
  for (const hsm of estate.subscriptions.flatMap((s) => s.hsms)) {
    if (hsm.kind === "dedicatedHsm") continue;
    const category = AUDIT_CATEGORY[hsm.kind];
    for (const setting of hsm.diagnosticSettings) {
      if (!setting.storageAccountId || !settingCarries(hsm, setting, category)) continue;
      const account = accounts.find((a) => armIdKey(a.id) === armIdKey(setting.storageAccountId!));
      if (!account) continue;
      const hours = new Map<string, Hsm["activity"]>();
      for (const record of hsm.activity) {
        if (record.time.getTime() > estate.now.getTime()) continue;
        const name = archiveBlobName(hsm.id, record.time);
        hours.set(name, [...(hours.get(name) ?? []), record]);
      }
      const blobs = byAccount.get(account.name.toLowerCase()) ?? [];
      for (const [name, records] of hours) {
        const sorted = [...records].sort((a, b) => a.time.getTime() - b.time.getTime());
        const lines = sorted.map((r) => archiveRecord(hsm, category, r));
        const text =
          account.archive.format === "records"
            ? JSON.stringify({ records: lines })
            : lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
        blobs.push({
          container: `insights-logs-${category.toLowerCase()}`,
          name,
          content: Buffer.from(text),
          lastModified: sorted[sorted.length - 1]!.time,
        });
      }
      byAccount.set(account.name.toLowerCase(), blobs);
    }
  }
  for (const blobs of byAccount.values()) blobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return byAccount;
}

/** The containers of an account: those declared, and those that archived logs were written to. */
export function containersOf(account: StorageAccount, blobs: ArchivedBlob[]): StorageAccount["containers"] {
  const all = new Map(account.containers.map((c) => [c.name, c]));
  for (const blob of blobs) if (!all.has(blob.container)) all.set(blob.container, { name: blob.container });
  return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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

/** The ARM routes under a storage account: containers, a container's immutability policy, the management policy. */
export function storageArmRoute(
  account: StorageAccount,
  blobs: ArchivedBlob[],
  rest: string,
): { name: Route["name"]; handle: (req: SimRequest) => SimResponse } | undefined {
  if (/^\/blobServices\/default\/containers$/i.test(rest)) {
    return {
      name: "storageContainers",
      handle: () => ({ status: 200, page: { items: containerListBody(account, blobs) } }),
    };
  }
  const policy = /^\/blobServices\/default\/containers\/([^/]+)\/immutabilityPolicies\/default$/i.exec(rest);
  if (policy) {
    return {
      name: "immutabilityPolicy",
      handle: () => {
        const container = containersOf(account, blobs).find((c) => c.name === policy[1]!.toLowerCase());
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
    };
  }
  if (/^\/managementPolicies\/default$/i.test(rest)) {
    return {
      name: "managementPolicy",
      handle: () =>
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
    };
  }
  return undefined;
}

// ---- blob data plane ---------------------------------------------------------------------------------------------

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const etagOf = (blob: ArchivedBlob) =>
  `"0x8DD${createHash("sha256").update(blob.content).digest("hex").slice(0, 12).toUpperCase()}"`;

/**
 * The blob routes, addressed path-style as Azurite is (`/{account}/{container}[/{blob}]`), for accounts whose archive
 * the simulator serves. A request is a blob request when it names such an account and carries `x-ms-version`.
 */
export function matchBlobRoute(
  estate: Estate,
  archives: Map<string, ArchivedBlob[]>,
  req: Pick<SimRequest, "method" | "path" | "query" | "headers">,
): Route | undefined {
  if (req.method !== "GET" || !req.headers["x-ms-version"]) return undefined;
  const m = /^\/([a-z0-9]{3,24})\/([^/]+)(?:\/(.+))?$/.exec(req.path);
  if (!m) return undefined;
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
}

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
