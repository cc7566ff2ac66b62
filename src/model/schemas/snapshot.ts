// The JSON schema of a snapshot (scan --snapshot-out, read back by evaluate), written to docs/snapshot.schema.json. It
// is closed (`closed()`): a field it does not name is refused, so a snapshot holds nothing evaluate does not know of;
// and the compiler holds it to snapshot.ts (FieldDrift), so every field the collector writes is named.
import type { FieldDrift, FromSchema } from "../schema-type.js";
import type { Snapshot } from "../snapshot.js";
import { applianceRecord } from "./appliance.js";
import { closed, type NoDrift } from "./closed.js";
import {
  clockReading,
  collectionError,
  collectionRecord,
  diagnosticSetting,
  evidenceRecord,
  existence,
  fact,
  HSM_IDENTITY_KEYS,
  hsmIdentity,
  instant,
  inventorySource,
  kind,
  logWindow,
  perDay,
  principal,
  str,
  strings,
} from "./shared.js";

const count = { type: "integer", minimum: 0 } as const;

/** An answer to an activity question: its query, and its rows (each with every column but `optional`). */
const answer = <const C extends Record<string, object>, const O extends keyof C & string = never>(
  columns: C,
  optional: readonly O[] = [],
) =>
  ({
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
              required: [
                "hsmId",
                ...Object.keys(columns).filter((c) => !(optional as readonly string[]).includes(c)),
              ] as ("hsmId" | Exclude<keyof C & string, O>)[],
              properties: { hsmId: str, ...columns },
            },
          },
          partial: collectionError,
        },
      }),
    },
  }) as const;

export const SNAPSHOT_SCHEMA = closed({
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
    runId: str,
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
        managementGroups: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["id", "descendants"],
            properties: {
              id: str,
              descendants: fact({
                type: "object",
                required: ["subscriptions", "managementGroups"],
                properties: { subscriptions: strings, managementGroups: strings },
              }),
            },
          },
        },
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
            propertyNames: kind,
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
          networkInterfaces: {
            type: "array",
            items: { type: "object", required: ["privateIpAddress"], properties: { id: str, privateIpAddress: str } },
          },
          subnetId: str,
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
              keyGets: answer({ caller: str, identity: str, bin: instant, gets: count }),
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
    principal,
    permissions: {
      type: "array",
      items: {
        type: "object",
        required: ["subscriptionId", "resourceGroup", "kinds", "result"],
        properties: {
          subscriptionId: str,
          resourceGroup: str,
          kinds: { type: "array", items: kind },
          result: fact({
            type: "object",
            required: ["permissions"],
            properties: {
              permissions: {
                type: "array",
                items: {
                  type: "object",
                  required: ["actions", "notActions"],
                  properties: { actions: strings, notActions: strings },
                },
              },
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
    appliances: { type: "array", items: applianceRecord },
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
} as const);

/** snapshot.ts and the snapshot schema name the same fields, at every depth. */
export type SnapshotSchemaHoldsSnapshot = NoDrift<FieldDrift<Snapshot, FromSchema<typeof SNAPSHOT_SCHEMA>>>;
