// The definitions the snapshot's and result.json's schemas share: scalars, a Fact<T>, an HSM's identity, the evidence,
// the clock reading, where the HSMs were listed from, how the evidence was gathered, the log window, a diagnostic
// setting and a per-day count.
import { HSM_KINDS } from "../../domain/hsm-kinds.js";

export const str = { type: "string" } as const;
export const strings = { type: "array", items: str } as const;
export const instant = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$" } as const;
export const kind = { enum: [...HSM_KINDS] } as const;

/** What identifies an HSM, in the snapshot and in result.json alike. */
export const HSM_IDENTITY_KEYS = ["id", "type", "kind", "name", "subscriptionId", "resourceGroup", "location"] as const;
export const hsmIdentity = {
  id: str,
  type: str,
  kind,
  name: str,
  subscriptionId: str,
  resourceGroup: str,
  location: str,
};

export const collectionError = {
  type: "object",
  required: ["message"],
  properties: { message: str, status: { type: "integer" }, code: str },
} as const;

/** A Fact<T>: `{ value, evidence }` or `{ error, evidence }`. */
export const fact = <const V extends object>(value: V) =>
  ({
    oneOf: [
      { type: "object", required: ["value", "evidence"], properties: { value, evidence: strings } },
      { type: "object", required: ["error", "evidence"], properties: { error: collectionError, evidence: strings } },
    ],
  }) as const;

export const existence = <const E extends object>(extra: E) =>
  ({
    oneOf: [
      { type: "object", required: ["exists", "reason"], properties: { exists: { const: false }, reason: str } },
      { type: "object", required: ["exists"], properties: { exists: { const: true }, ...extra } },
    ],
  }) as const;

export const evidenceRecord = {
  type: "object",
  required: ["id", "method", "url", "status", "capturedAt", "sha256"],
  properties: {
    id: str,
    method: str,
    url: str,
    status: { type: "integer", minimum: 0 },
    capturedAt: instant,
    sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
    purpose: str,
    via: str,
    serviceTime: instant,
    transport: { enum: ["https", "file", "ssh"] },
    command: str,
    user: str,
    host: str,
    hostKey: str,
  },
} as const;

/** The clock reading of the snapshot (`clock`); the result's adds the tolerance and the verdict on it. */
export const clockReading = {
  type: "object",
  required: ["skewMs", "samples"],
  properties: {
    skewMs: { type: "number" },
    samples: { type: "integer", minimum: 0 },
    evidence: str,
    serviceTime: instant,
    localTime: instant,
  },
} as const;

/** Where the HSMs were listed from (the snapshot's and the result's `scope.inventory`). */
export const inventorySource = {
  type: "object",
  required: ["source"],
  properties: {
    source: { enum: ["arm", "resource-graph"] },
    fallbackFrom: { enum: ["resource-graph"] },
    reason: str,
    managementGroups: { type: "array", items: str, minItems: 1 },
    beyondDescendants: { type: "array", items: str, minItems: 1 },
  },
} as const;

/** How the evidence was gathered (the snapshot's `collection`, the result's `scope.collection`). */
export const collectionRecord = {
  type: "object",
  required: ["concurrency", "logQueries", "retries"],
  properties: {
    concurrency: { type: "integer", minimum: 1 },
    armBatch: {
      type: "object",
      required: ["size", "batches", "answered", "readAlone"],
      properties: {
        size: { type: "integer", minimum: 1 },
        batches: { type: "integer", minimum: 0 },
        answered: { type: "integer", minimum: 0 },
        readAlone: { type: "integer", minimum: 0 },
      },
    },
    logQueries: {
      type: "object",
      required: ["workspacesPerQuery", "askedAgainAlone"],
      properties: {
        workspacesPerQuery: { type: "integer", minimum: 1 },
        askedAgainAlone: { type: "integer", minimum: 0 },
      },
    },
    retries: { type: "integer", minimum: 0 },
  },
} as const;

export const logWindow = {
  type: "object",
  required: ["duration", "start", "end"],
  properties: { duration: str, start: instant, end: instant, period: str },
} as const;

export const diagnosticSetting = {
  type: "object",
  required: ["id", "name", "logs"],
  properties: {
    id: str,
    name: str,
    workspaceId: str,
    storageAccountId: str,
    eventHubAuthorizationRuleId: str,
    eventHubName: str,
    marketplacePartnerId: str,
    serviceBusRuleId: str,
    logAnalyticsDestinationType: str,
    logs: {
      type: "array",
      items: {
        type: "object",
        required: ["enabled"],
        properties: {
          category: str,
          categoryGroup: str,
          enabled: { type: "boolean" },
          retentionDays: { type: "integer" },
        },
      },
    },
  },
} as const;

export const perDay = {
  type: "array",
  items: {
    type: "object",
    required: ["day", "records"],
    properties: {
      day: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      records: { type: "number", minimum: 0 },
    },
  },
} as const;

/** Who ran the scan (the snapshot's and result.json's `principal`): the kept claims of its ARM token, or why not. */
export const principal = {
  oneOf: [
    {
      type: "object",
      required: ["known", "claims"],
      properties: {
        known: { const: true },
        claims: {
          type: "object",
          properties: {
            tid: str,
            oid: str,
            appid: str,
            azp: str,
            upn: str,
            unique_name: str,
            preferred_username: str,
            idtyp: str,
            iss: str,
          },
        },
      },
    },
    { type: "object", required: ["known", "reason"], properties: { known: { const: false }, reason: str } },
  ],
} as const;
