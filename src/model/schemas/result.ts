// The JSON schema of result.json, the contract with the outside (DESIGN.md), written to docs/result.schema.json. It is
// closed (`closed()`): a field it does not name is refused; and the compiler holds it to result.ts (FieldDrift).
import type { Result } from "../result.js";
import type { FieldDrift, FromSchema } from "../schema-type.js";
import { SEVERITIES, STATUSES, FAIL_ON_VALUES, WAIVER_STATES, FINDING_CHANGE_KINDS } from "../result.js";
import { closed, type NoDrift } from "./closed.js";
import {
  clockReading,
  collectionRecord,
  diagnosticSetting,
  evidenceRecord,
  HSM_IDENTITY_KEYS,
  hsmIdentity,
  instant,
  inventorySource,
  logWindow,
  perDay,
  principal,
  str,
  strings,
} from "./shared.js";

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

const hsmChanges = {
  type: "array",
  items: {
    type: "object",
    required: ["id", "name", "kind", "subscriptionId", "unresolved"],
    properties: {
      id: str,
      name: str,
      kind: str,
      subscriptionId: str,
      reason: { enum: ["out-of-scope", "excluded", "not-found"] },
      unresolved: { type: "integer", minimum: 0 },
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
        managementGroups: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["id"],
            properties: { id: str, subscriptions: { type: "integer", minimum: 0 } },
          },
        },
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
          appliance: {
            type: "object",
            required: ["name", "matchedBy"],
            properties: {
              name: str,
              matchedBy: { enum: ["resourceId", "privateIp"] },
              privateIp: str,
              networkInterface: str,
            },
          },
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
    changes: {
      type: "object",
      required: [
        "previous",
        "comparable",
        "differences",
        "failOn",
        "findings",
        "newHsms",
        "removedHsms",
        "expiredWaivers",
        "newReadErrors",
        "gating",
      ],
      properties: {
        previous: {
          type: "object",
          required: ["startedAt", "finishedAt", "resultSha256"],
          properties: {
            runId: str,
            startedAt: instant,
            finishedAt: instant,
            period: str,
            resultSha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
          },
        },
        comparable: { type: "boolean" },
        differences: {
          type: "array",
          items: {
            type: "object",
            required: ["field", "before", "after"],
            properties: {
              field: { enum: ["cloud", "tenants", "subscriptions", "policyPack", "failOn"] },
              before: str,
              after: str,
            },
          },
        },
        failOn: { enum: [...FAIL_ON_VALUES] },
        findings: {
          type: "array",
          items: {
            type: "object",
            required: ["kind", "policyId", "resourceId", "severity", "message", "gating"],
            properties: {
              kind: { enum: [...FINDING_CHANGE_KINDS] },
              policyId: str,
              resourceId: str,
              severity: { enum: [...SEVERITIES] },
              before: { enum: [...STATUSES] },
              after: { enum: [...STATUSES] },
              message: str,
              gating: { type: "boolean" },
            },
          },
        },
        newHsms: hsmChanges,
        removedHsms: hsmChanges,
        expiredWaivers: {
          type: "array",
          items: {
            type: "object",
            required: ["index", "policy", "resource", "owner", "ticket", "expires"],
            properties: {
              index: { type: "integer", minimum: 1 },
              policy: str,
              resource: str,
              owner: str,
              ticket: str,
              expires: date,
            },
          },
        },
        newReadErrors: {
          type: "array",
          items: {
            type: "object",
            required: ["for", "message"],
            properties: { for: str, resourceId: str, message: str },
          },
        },
        gating: { type: "integer", minimum: 0 },
      },
    },
    principal,
    readAccess: {
      type: "array",
      items: {
        type: "object",
        required: ["subscriptionId", "resourceGroup", "needed", "access", "evidence"],
        properties: {
          subscriptionId: str,
          resourceGroup: str,
          needed: strings,
          access: { enum: ["granted", "missing", "unknown"] },
          missing: strings,
          reason: str,
          evidence: strings,
        },
      },
    },
  },
} as const);

/** result.ts and the result schema name the same fields, at every depth. */
export type ResultSchemaHoldsResult = NoDrift<FieldDrift<Result, FromSchema<typeof RESULT_SCHEMA>>>;
