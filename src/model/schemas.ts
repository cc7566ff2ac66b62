// JSON schemas of the snapshot and of result.json, used to validate files read back (evaluate, render) and, in the
// tests, everything the tool writes. `npm run schemas` writes them to docs/ for other tools.
import { LUNA_COMMAND_KEYS } from "../domain/luna.js";
import type { Result } from "./result.js";
import type { FieldDrift, FromSchema } from "./schema-type.js";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { HSM_KINDS } from "../domain/hsm-kinds.js";
import { SEVERITIES, STATUSES, FAIL_ON_VALUES, WAIVER_STATES } from "./result.js";

const str = { type: "string" } as const;
const strings = { type: "array", items: str } as const;
const instant = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$" } as const;
const kind = { enum: [...HSM_KINDS] } as const;
const date = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } as const;
const findingKey = {
  type: "object",
  required: ["policyId", "resourceId"],
  properties: { policyId: str, resourceId: str },
} as const;
const waiverReference = {
  index: { type: "integer", minimum: 1 },
  reason: str,
  owner: str,
  ticket: str,
  expires: date,
} as const;

/** What identifies an HSM, in the snapshot and in result.json alike. */
const HSM_IDENTITY_KEYS = ["id", "type", "kind", "name", "subscriptionId", "resourceGroup", "location"] as const;
const hsmIdentity = { id: str, type: str, kind, name: str, subscriptionId: str, resourceGroup: str, location: str };

const collectionError = {
  type: "object",
  required: ["message"],
  properties: { message: str, status: { type: "integer" }, code: str },
} as const;

/** A Fact<T>: `{ value, evidence }` or `{ error, evidence }`. */
const fact = <const V extends object>(value: V) =>
  ({
    oneOf: [
      { type: "object", required: ["value", "evidence"], properties: { value, evidence: strings } },
      { type: "object", required: ["error", "evidence"], properties: { error: collectionError, evidence: strings } },
    ],
  }) as const;

const existence = <const E extends object>(extra: E) =>
  ({
    oneOf: [
      { type: "object", required: ["exists", "reason"], properties: { exists: { const: false }, reason: str } },
      { type: "object", required: ["exists"], properties: { exists: { const: true }, ...extra } },
    ],
  }) as const;

const evidenceRecord = {
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

/** A remote log receiver of a Luna appliance. */
const remoteHost = {
  type: "object",
  required: ["host"],
  properties: {
    host: str,
    port: { type: "integer", minimum: 1, maximum: 65535 },
    protocol: str,
    tls: { type: "boolean" },
  },
} as const;

/** The clock reading of the snapshot (`clock`); the result's adds the tolerance and the verdict on it. */
const clockReading = {
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
const inventorySource = {
  type: "object",
  required: ["source"],
  properties: {
    source: { enum: ["arm", "resource-graph"] },
    fallbackFrom: { enum: ["resource-graph"] },
    reason: str,
  },
} as const;

/** How the evidence was gathered (the snapshot's `collection`, the result's `scope.collection`). */
const collectionRecord = {
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

const logWindow = {
  type: "object",
  required: ["duration", "start", "end"],
  properties: { duration: str, start: instant, end: instant, period: str },
} as const;

const diagnosticSetting = {
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

const perDay = {
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

const count = { type: "integer", minimum: 0 } as const;

/** An answer to an activity question: its query, and its rows (each with every column but `optional`). */
const answer = (columns: Record<string, object>, optional: string[] = []) => ({
  type: "object",
  required: ["query", "result"],
  properties: {
    query: str,
    result: fact({
      type: "object",
      required: ["rows"],
      properties: {
        rows: {
          type: "array",
          items: {
            type: "object",
            required: ["hsmId", ...Object.keys(columns).filter((c) => !optional.includes(c))],
            properties: { hsmId: str, ...columns },
          },
        },
        partial: collectionError,
      },
    }),
  },
});

export const SNAPSHOT_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "hsm-audit snapshot",
  type: "object",
  required: [
    "schemaVersion",
    "kind",
    "tool",
    "startedAt",
    "finishedAt",
    "scope",
    "logWindow",
    "subscriptions",
    "hsms",
    "workspaces",
    "storageAccounts",
    "logSamples",
    "errors",
    "evidence",
  ],
  properties: {
    schemaVersion: { const: 1 },
    kind: { const: "hsm-audit-snapshot" },
    tool: { type: "object", required: ["name", "version"], properties: { name: str, version: str } },
    startedAt: instant,
    finishedAt: instant,
    scope: {
      type: "object",
      required: ["cloud", "subscriptions", "armEndpoint", "logsEndpoint"],
      properties: {
        cloud: str,
        subscriptions: strings,
        armEndpoint: str,
        logsEndpoint: str,
        inventory: inventorySource,
      },
    },
    collection: collectionRecord,
    logWindow,
    clock: clockReading,
    subscriptionList: fact({ type: "object", required: ["count"], properties: { count: { type: "integer" } } }),
    subscriptions: {
      type: "array",
      items: {
        type: "object",
        required: ["subscriptionId", "inventory"],
        properties: {
          subscriptionId: str,
          displayName: str,
          tenantId: str,
          insightsProvider: fact({
            type: "object",
            required: ["registrationState"],
            properties: { registrationState: str },
          }),
          inventory: {
            type: "object",
            additionalProperties: fact({
              type: "object",
              required: ["count"],
              properties: { count: { type: "integer" }, unregistered: str },
            }),
          },
        },
      },
    },
    hsms: {
      type: "array",
      items: {
        type: "object",
        required: [...HSM_IDENTITY_KEYS],
        properties: {
          ...hsmIdentity,
          sku: str,
          provisioningState: str,
          diagnosticSettings: fact({
            type: "array",
            items: diagnosticSetting,
          }),
          categories: fact({
            type: "array",
            items: {
              type: "object",
              required: ["name", "categoryType", "categoryGroups"],
              properties: { name: str, categoryType: str, categoryGroups: strings },
            },
          }),
        },
      },
    },
    workspaces: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "info"],
        properties: {
          id: str,
          info: fact(existence({ customerId: str, retentionInDays: { type: "integer" } })),
          sentinel: fact({
            type: "object",
            required: ["onboarded", "rules"],
            properties: {
              onboarded: { type: "boolean" },
              rules: {
                type: "array",
                items: {
                  type: "object",
                  required: ["name", "displayName", "kind", "enabled"],
                  properties: { name: str, displayName: str, kind: str, enabled: { type: "boolean" }, query: str },
                },
              },
            },
          }),
          tables: fact({
            type: "array",
            items: {
              type: "object",
              required: ["name", "exists"],
              properties: {
                name: str,
                exists: { type: "boolean" },
                retentionInDays: { type: "integer" },
                totalRetentionInDays: { type: "integer" },
                retentionInDaysAsDefault: { type: "boolean" },
              },
            },
          }),
        },
      },
    },
    storageAccounts: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "info"],
        properties: {
          id: str,
          info: fact(
            existence({
              location: str,
              kind: str,
              sku: str,
              skuTier: str,
              minimumTlsVersion: str,
              allowBlobPublicAccess: { type: "boolean" },
              allowSharedKeyAccess: { type: "boolean" },
              immutableStorageWithVersioning: { type: "boolean" },
              accountImmutabilityPolicy: {
                type: "object",
                required: ["periodDays", "state"],
                properties: {
                  periodDays: { type: "integer", minimum: 0 },
                  state: str,
                  allowProtectedAppendWrites: { type: "boolean" },
                },
              },
              blobEndpoint: str,
            }),
          ),
          containers: fact({
            type: "array",
            items: {
              type: "object",
              required: ["name"],
              properties: {
                name: str,
                hasLegalHold: { type: "boolean" },
                immutabilityPolicy: {
                  type: "object",
                  required: ["periodDays", "state"],
                  properties: {
                    periodDays: { type: "integer", minimum: 0 },
                    state: str,
                    allowProtectedAppendWrites: { type: "boolean" },
                  },
                },
              },
            },
          }),
          lifecycle: fact({
            type: "object",
            required: ["policy", "rules"],
            properties: {
              policy: { type: "boolean" },
              rules: {
                type: "array",
                items: {
                  type: "object",
                  required: ["name", "enabled", "prefixMatch", "blobTypes", "deletes"],
                  properties: {
                    name: str,
                    enabled: { type: "boolean" },
                    prefixMatch: strings,
                    blobTypes: strings,
                    deletes: {
                      type: "array",
                      items: {
                        type: "object",
                        required: ["target", "after", "days"],
                        properties: {
                          target: { enum: ["baseBlob", "snapshot", "version"] },
                          after: { enum: ["modification", "creation", "lastAccess"] },
                          days: { type: "number", minimum: 0 },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
          arrivals: {
            type: "array",
            items: {
              type: "object",
              required: ["hsmId", "category", "container", "prefix", "result"],
              properties: {
                hsmId: str,
                category: str,
                container: str,
                prefix: str,
                result: fact({
                  type: "object",
                  required: ["daysListed"],
                  properties: {
                    daysListed: strings,
                    containerMissing: { const: true },
                    newest: {
                      type: "object",
                      required: ["name", "hour"],
                      properties: {
                        name: str,
                        hour: instant,
                        lastModified: instant,
                        headSha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
                        headBytes: { type: "integer", minimum: 0 },
                        format: { enum: ["jsonLines", "records"] },
                        record: {
                          type: "object",
                          properties: { resourceId: str, category: str, time: str, operationName: str },
                        },
                        problem: str,
                      },
                    },
                  },
                }),
              },
            },
          },
        },
      },
    },
    logSamples: {
      type: "array",
      items: {
        type: "object",
        required: ["workspaceId", "hsmIds", "result"],
        properties: {
          workspaceId: str,
          customerId: str,
          hsmIds: strings,
          query: str,
          result: fact({
            type: "object",
            required: ["rows"],
            properties: {
              rows: {
                type: "array",
                items: {
                  type: "object",
                  required: ["hsmId", "records"],
                  properties: {
                    hsmId: str,
                    records: { type: "number", minimum: 0 },
                    lastRecord: instant,
                    perDay,
                  },
                },
              },
              partial: collectionError,
            },
          }),
        },
      },
    },
    activitySamples: {
      type: "array",
      items: {
        type: "object",
        required: ["workspaceId", "hsmIds", "bin", "questions"],
        properties: {
          workspaceId: str,
          hsmIds: strings,
          bin: { enum: ["1h", "1d"] },
          questions: {
            type: "object",
            required: ["operations", "callers", "series", "sensitive", "keyGets", "failures"],
            properties: {
              operations: answer({
                operation: str,
                records: count,
                failures: count,
                first: instant,
                last: instant,
              }),
              callers: answer(
                {
                  caller: str,
                  identity: str,
                  records: count,
                  failures: count,
                  first: instant,
                  last: instant,
                  firstLogin: instant,
                },
                ["firstLogin"],
              ),
              series: answer({ bin: instant, records: count }),
              sensitive: answer({
                operation: str,
                records: count,
                rows: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["time", "caller", "identity", "outcome"],
                    properties: { time: str, caller: str, identity: str, outcome: str },
                  },
                },
              }),
              keyGets: answer({ caller: str, identity: str, day: instant, gets: count }),
              failures: answer({ caller: str, identity: str, bin: instant, failures: count, operations: strings }),
            },
          },
        },
      },
    },
    activityLogs: {
      type: "array",
      items: {
        type: "object",
        required: ["subscriptionId", "resourceGroup", "start", "end", "filter", "result"],
        properties: {
          subscriptionId: str,
          resourceGroup: str,
          start: instant,
          end: instant,
          filter: str,
          result: fact({
            type: "object",
            required: ["events", "settingEvents", "outside"],
            properties: {
              events: count,
              settingEvents: {
                type: "array",
                items: {
                  type: "object",
                  required: ["id", "time", "operation", "status", "resourceId"],
                  properties: {
                    id: str,
                    time: instant,
                    operation: str,
                    status: str,
                    resourceId: str,
                    caller: str,
                    correlationId: str,
                  },
                },
              },
              outside: count,
              outsideExample: str,
            },
          }),
        },
      },
    },
    applianceEvidence: {
      type: "object",
      required: ["transport"],
      properties: { transport: { enum: ["file", "ssh"] }, directory: str },
    },
    appliances: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "hsmId", "readings"],
        properties: {
          name: str,
          hsmId: str,
          host: str,
          readings: {
            type: "object",
            additionalProperties: false,
            properties: Object.fromEntries(
              LUNA_COMMAND_KEYS.map((key) => [
                key,
                fact(key.endsWith("RemoteHosts") ? { type: "array", items: remoteHost } : { type: "object" }),
              ]),
            ),
          },
        },
      },
    },
    errors: {
      type: "array",
      items: {
        ...collectionError,
        required: ["message", "for"],
        properties: { ...collectionError.properties, for: str, resourceId: str },
      },
    },
    evidence: {
      type: "array",
      items: {
        ...evidenceRecord,
        required: [...evidenceRecord.required, "durationMs", "purpose"],
        properties: {
          ...evidenceRecord.properties,
          durationMs: { type: "number" },
          networkError: str,
          body: str,
          redacted: { type: "boolean" },
        },
      },
    },
  },
} as const;

export const RESULT_SCHEMA = closed({
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "hsm-audit result.json (schemaVersion 1)",
  type: "object",
  required: [
    "schemaVersion",
    "tool",
    "startedAt",
    "finishedAt",
    "scope",
    "summary",
    "resources",
    "findings",
    "evidence",
  ],
  properties: {
    schemaVersion: { const: 1 },
    tool: { type: "object", required: ["name", "version"], properties: { name: { const: "hsm-audit" }, version: str } },
    runId: str,
    startedAt: instant,
    finishedAt: instant,
    scope: {
      type: "object",
      required: ["cloud", "subscriptions"],
      properties: {
        cloud: str,
        subscriptions: strings,
        subscriptionNames: { type: "object", additionalProperties: str },
        tenantIds: strings,
        inventory: inventorySource,
        collection: collectionRecord,
      },
    },
    logWindow,
    clock: {
      ...clockReading,
      required: [...clockReading.required, "toleranceMs", "beyondTolerance"],
      properties: {
        ...clockReading.properties,
        toleranceMs: { type: "number", minimum: 0 },
        beyondTolerance: { type: "boolean" },
      },
    },
    policyPack: {
      type: "object",
      required: ["version", "sha256"],
      properties: { version: str, sha256: { type: "string", pattern: "^[0-9a-f]{64}$" } },
    },
    failOn: { enum: [...FAIL_ON_VALUES] },
    summary: {
      type: "object",
      required: ["pass", "fail", "error", "waived", "notApplicable", "manual", "compliant"],
      properties: {
        pass: { type: "integer", minimum: 0 },
        fail: { type: "integer", minimum: 0 },
        error: { type: "integer", minimum: 0 },
        waived: { type: "integer", minimum: 0 },
        notApplicable: { type: "integer", minimum: 0 },
        manual: { type: "integer", minimum: 0 },
        compliant: { type: "boolean" },
        exitCode: { enum: [0, 1, 3] },
      },
    },
    resources: {
      type: "array",
      items: {
        type: "object",
        required: [...HSM_IDENTITY_KEYS],
        properties: {
          ...hsmIdentity,
          sku: str,
          provisioningState: str,
          auditCategories: strings,
          diagnosticSettings: {
            oneOf: [
              {
                type: "object",
                required: ["settings", "evidence"],
                properties: {
                  settings: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["setting", "auditEntries"],
                      properties: {
                        setting: diagnosticSetting,
                        auditEntries: { type: "array", items: { type: "integer", minimum: 0 } },
                      },
                    },
                  },
                  evidence: strings,
                },
              },
              { type: "object", required: ["error", "evidence"], properties: { error: str, evidence: strings } },
            ],
          },
          destinations: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "kind", "carriesAudit", "settings", "state", "detail"],
              properties: {
                id: str,
                kind: { enum: ["workspace", "storageAccount", "eventHub", "partner"] },
                carriesAudit: { type: "boolean" },
                settings: strings,
                state: { enum: ["exists", "missing", "unreadable", "not-checked"] },
                detail: str,
                evidence: strings,
              },
            },
          },
          activity: {
            type: "array",
            items: {
              type: "object",
              required: ["workspaceId", "state", "evidence"],
              properties: {
                workspaceId: str,
                state: { enum: ["ok", "partial", "error", "not-queried"] },
                message: str,
                records: { type: "number", minimum: 0 },
                lastRecord: instant,
                perDay,
                evidence: strings,
                details: {
                  type: "object",
                  required: ["state", "operations", "callers", "outcomesKnown", "bin"],
                  properties: {
                    state: { enum: ["ok", "partial", "error"] },
                    message: str,
                    firstRecord: instant,
                    lastRecord: instant,
                    operations: {
                      type: "array",
                      items: {
                        type: "object",
                        required: ["name", "records"],
                        properties: {
                          name: str,
                          command: str,
                          description: str,
                          records: { type: "number", minimum: 0 },
                          failures: { type: "number", minimum: 0 },
                        },
                      },
                    },
                    callers: {
                      type: "array",
                      items: {
                        type: "object",
                        required: ["address", "records", "first", "last"],
                        properties: {
                          address: str,
                          identity: str,
                          records: { type: "number", minimum: 0 },
                          failures: { type: "number", minimum: 0 },
                          first: instant,
                          last: instant,
                        },
                      },
                    },
                    failedRequests: { type: "number", minimum: 0 },
                    outcomesKnown: { type: "boolean" },
                    longestSilence: {
                      type: "object",
                      required: ["from", "to", "hours"],
                      properties: {
                        from: instant,
                        to: instant,
                        hours: { type: "number", minimum: 0 },
                        atMostHours: { type: "number", minimum: 0 },
                        trailing: { type: "boolean" },
                      },
                    },
                    bin: { enum: ["1h", "1d"] },
                  },
                },
              },
            },
          },
        },
      },
    },
    findings: {
      type: "array",
      items: {
        type: "object",
        required: ["policyId", "resourceId", "status", "severity", "message", "evidence", "remediation"],
        properties: {
          policyId: str,
          resourceId: str,
          status: { enum: [...STATUSES] },
          severity: { enum: [...SEVERITIES] },
          message: { type: "string", minLength: 1 },
          evidence: strings,
          remediation: {
            type: "object",
            required: ["azCli", "powershell"],
            properties: { azCli: str, powershell: str, bicep: str },
          },
          title: str,
          waiver: {
            type: "object",
            required: ["index", "reason", "owner", "ticket", "expires"],
            properties: { ...waiverReference, accepted: { enum: ["fail", "manual"] } },
          },
          details: {
            type: "object",
            required: ["rows", "total", "queries"],
            properties: {
              rows: {
                type: "array",
                items: {
                  type: "object",
                  required: ["time", "operation", "caller"],
                  properties: {
                    time: str,
                    operation: str,
                    caller: str,
                    identity: str,
                    count: { type: "number" },
                    note: str,
                  },
                },
              },
              total: { type: "integer", minimum: 0 },
              queries: strings,
            },
          },
        },
      },
    },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["for", "message"],
        properties: { for: str, resourceId: str, message: str, status: { type: "integer" }, code: str },
      },
    },
    evidence: { type: "array", items: evidenceRecord },
    policies: {
      type: "array",
      items: {
        type: "object",
        required: [
          "id",
          "title",
          "description",
          "severity",
          "check",
          "appliesTo",
          "rationale",
          "references",
          "frameworks",
        ],
        properties: {
          id: str,
          title: str,
          description: str,
          severity: { enum: [...SEVERITIES] },
          check: str,
          appliesTo: strings,
          rationale: str,
          references: {
            type: "array",
            items: { type: "object", required: ["title", "url"], properties: { title: str, url: str } },
          },
          frameworks: {
            type: "array",
            items: {
              type: "object",
              required: ["framework", "control"],
              properties: { framework: str, control: str, title: str },
            },
          },
          source: str,
          sha256: str,
        },
      },
    },
    waivers: {
      type: "array",
      items: {
        type: "object",
        required: ["index", "policy", "resource", "reason", "owner", "ticket", "expires", "state", "findings"],
        properties: {
          ...waiverReference,
          policy: str,
          resource: str,
          state: { enum: [...WAIVER_STATES] },
          findings: { type: "array", items: findingKey },
        },
      },
    },
    failOnExpiredWaivers: { type: "boolean" },
    excluded: {
      type: "array",
      items: {
        type: "object",
        required: ["resourceId", "pattern"],
        properties: { resourceId: str, pattern: str },
      },
    },
  },
} as const);

/**
 * The schema with every object that names its properties closed to others (`additionalProperties: false`), one
 * `oneOf` branch as much as a plain object: a field the contract does not name is refused, so a field written into
 * result.json without its schema fails validation (and the tests) instead of passing unnoticed.
 */
function closed<T>(schema: T): T {
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] =
        key === "properties"
          ? Object.fromEntries(Object.entries(value as object).map(([name, s]) => [name, close(s)]))
          : key === "const" || key === "enum" || key === "default"
            ? value
            : close(value);
    }
    if ("properties" in out && !("additionalProperties" in out)) out.additionalProperties = false;
    return out;
  };
  return close(schema) as T;
}

/**
 * A validator compiled on first use: a scan validates neither a snapshot nor a result, and compiling both costs a
 * noticeable part of the start-up. Called as Ajv's own; `errors` holds the last call's errors.
 */
function lazyValidator(schema: object): ((value: unknown) => boolean) & { errors?: ErrorObject[] | null } {
  let compiled: ValidateFunction | undefined;
  const validate = ((value: unknown) => {
    compiled ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
    const ok = compiled(value) as boolean;
    validate.errors = compiled.errors;
    return ok;
  }) as ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
  return validate;
}
export const validateSnapshot = lazyValidator(SNAPSHOT_SCHEMA);
export const validateResult = lazyValidator(RESULT_SCHEMA);

/** The first schema error as `path: message`. */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "it does not match the schema";
  return `${e.instancePath || "(document)"}: ${e.message ?? "is invalid"}${
    e.keyword === "enum" ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""
  }`;
}

/** Compiles only when `Drift` is `never`; otherwise the error names the fields that drifted. */
type NoDrift<Drift extends never> = Drift;
/** result.ts and the result schema name the same fields, at every depth. */
export type ResultSchemaHoldsResult = NoDrift<FieldDrift<Result, FromSchema<typeof RESULT_SCHEMA>>>;
