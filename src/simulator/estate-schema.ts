// JSON schema of an estate file (docs/estate.md describes it for people). Unknown keys are errors, to catch typos.
import { GUID_PATTERN } from "../domain/guid.js";
import { MANAGEMENT_GROUP_ID_PATTERN } from "../domain/management-groups.js";

const duration = { type: "string", pattern: "^(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)|P[0-9WDTHMS.]+)$" } as const;
const name = { type: "string", minLength: 1, maxLength: 260 } as const;
/** An ARM resource name as the HSM, workspace and storage providers allow them: letters, digits and hyphens. */
const resourceName = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9-]{0,62}$" } as const;
/** A resource group name: letters, digits, `-_.()`, up to 90 characters, not ending in a period. */
const resourceGroup = { type: "string", pattern: "^[-\\w.()]{0,89}[-\\w()]$" } as const;
const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;
const freeObject = { type: "object" } as const;
const guid = { type: "string", pattern: GUID_PATTERN } as const;

const logSetting = {
  type: "object",
  additionalProperties: false,
  properties: {
    category: name,
    categoryGroup: name,
    enabled: { type: "boolean" },
    retentionPolicy: {
      type: "object",
      additionalProperties: false,
      required: ["enabled", "days"],
      properties: { enabled: { type: "boolean" }, days: { type: "integer", minimum: 0 } },
    },
  },
  required: ["enabled"],
  oneOf: [{ required: ["category"] }, { required: ["categoryGroup"] }],
} as const;

const diagnosticSetting = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name,
    workspace: name,
    storageAccount: name,
    eventHubAuthorizationRuleId: name,
    eventHubName: name,
    marketplacePartnerId: name,
    serviceBusRuleId: name,
    logAnalyticsDestinationType: { type: "string", enum: ["Dedicated", "AzureDiagnostics"] },
    logs: { type: "array", items: logSetting },
    metrics: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["category", "enabled"],
        properties: { category: name, enabled: { type: "boolean" }, timeGrain: { type: "string" } },
      },
    },
  },
} as const;

const category = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name,
    categoryType: { type: "string", enum: ["Logs", "Metrics"] },
    categoryGroups: { type: "array", items: name },
  },
} as const;

const activityFields = {
  operation: name,
  caller: name,
  identity: name,
  resultType: { type: "string" },
  httpStatusCode: { type: "integer", minimum: 100, maximum: 599 },
  durationMs: { type: "integer", minimum: 0 },
  fields: freeObject,
} as const;

const activity = {
  type: "object",
  additionalProperties: false,
  properties: {
    ago: duration,
    at: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" },
    every: duration,
    from: duration,
    to: duration,
    anchor: { enum: ["now", "day"] },
    operations: { type: "array", minItems: 1, items: name },
    callers: { type: "array", minItems: 1, items: name },
    identities: { type: "array", minItems: 1, items: name },
    ...activityFields,
  },
  oneOf: [
    { required: ["ago", "operation"], not: { anyOf: [{ required: ["every"] }, { required: ["at"] }] } },
    { required: ["at", "operation"], not: { anyOf: [{ required: ["every"] }, { required: ["ago"] }] } },
    { required: ["every", "from", "operations"], not: { anyOf: [{ required: ["ago"] }, { required: ["at"] }] } },
  ],
} as const;

/** An administrative event of the Activity Log on one of the HSM's diagnostic settings. */
const settingEvent = {
  type: "object",
  additionalProperties: false,
  required: ["operation", "setting"],
  properties: {
    ago: duration,
    at: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" },
    operation: { type: "string", enum: ["write", "delete"] },
    setting: name,
    status: { type: "string", enum: ["Started", "Accepted", "Succeeded", "Failed"] },
    caller: name,
    correlationId: name,
    resourceId: name,
  },
  oneOf: [{ required: ["ago"] }, { required: ["at"] }],
} as const;

const hsmCommon = {
  name: resourceName,
  resourceGroup,
  location: name,
  sku: name,
  tags: stringMap,
  properties: freeObject,
} as const;

const monitoredHsm = {
  type: "object",
  additionalProperties: false,
  required: ["name", "resourceGroup", "location"],
  properties: {
    ...hsmCommon,
    diagnosticSettings: { type: "array", maxItems: 5, items: diagnosticSetting },
    categories: { type: "array", items: category },
    activity: { type: "array", items: activity },
    settingEvents: { type: "array", items: settingEvent },
  },
} as const;

const dedicatedHsm = {
  type: "object",
  additionalProperties: false,
  required: ["name", "resourceGroup", "location"],
  properties: { ...hsmCommon, stampId: name, zones: { type: "array", items: name } },
} as const;

const workspace = {
  type: "object",
  additionalProperties: false,
  required: ["name", "resourceGroup", "location", "customerId"],
  properties: {
    name: resourceName,
    resourceGroup,
    location: name,
    customerId: guid,
    retentionInDays: { type: "integer", minimum: 4, maximum: 730 },
    sku: name,
    tags: stringMap,
    tables: { type: "array", items: name },
    sentinel: {
      type: "object",
      additionalProperties: false,
      required: ["onboarded"],
      properties: {
        onboarded: { type: "boolean" },
        rules: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            properties: {
              name: resourceName,
              displayName: { type: "string", minLength: 1 },
              kind: { enum: ["Scheduled", "NRT", "Fusion", "MicrosoftSecurityIncidentCreation"] },
              enabled: { type: "boolean" },
              query: { type: "string", minLength: 1 },
            },
          },
        },
      },
    },
    tableRetention: {
      type: "object",
      description: "Retention set on single tables (workspaces/tables), overriding the workspace default.",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          retentionInDays: { type: "integer", minimum: 4, maximum: 730 },
          totalRetentionInDays: { type: "integer", minimum: 4, maximum: 4383 },
        },
      },
    },
    records: {
      type: "array",
      items: {
        type: "object",
        required: ["table", "ago"],
        properties: { table: name, ago: duration },
      },
    },
  },
} as const;

const storageAccount = {
  type: "object",
  additionalProperties: false,
  required: ["name", "resourceGroup", "location"],
  properties: {
    name: { type: "string", pattern: "^[a-z0-9]{3,24}$" },
    resourceGroup,
    location: name,
    sku: name,
    kind: name,
    tags: stringMap,
    properties: freeObject,
    containers: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$" },
          legalHold: { type: "boolean" },
          immutabilityPolicy: {
            type: "object",
            additionalProperties: false,
            required: ["days", "state"],
            properties: {
              days: { type: "integer", minimum: 0, maximum: 146000 },
              state: { enum: ["Locked", "Unlocked"] },
              allowProtectedAppendWrites: { type: "boolean" },
            },
          },
        },
      },
    },
    lifecycle: {
      type: "object",
      additionalProperties: false,
      required: ["rules"],
      description: "The account's lifecycle management policy, as the REST API's `properties.policy`.",
      properties: {
        rules: {
          type: "array",
          items: {
            type: "object",
            required: ["name", "definition"],
            properties: {
              name,
              enabled: { type: "boolean" },
              type: { const: "Lifecycle" },
              definition: {
                type: "object",
                required: ["actions"],
                properties: {
                  actions: freeObject,
                  filters: {
                    type: "object",
                    properties: {
                      blobTypes: { type: "array", items: { enum: ["blockBlob", "appendBlob"] } },
                      prefixMatch: { type: "array", items: { type: "string" } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    archive: {
      type: "object",
      additionalProperties: false,
      description: "How the account's blob data plane holds the archived logs.",
      properties: {
        format: { enum: ["jsonLines", "records"] },
        blobEndpoint: { type: "string", pattern: "^https://" },
        dataAccess: { enum: ["allowed", "denied"] },
      },
    },
  },
} as const;

const subscription = {
  type: "object",
  additionalProperties: false,
  required: ["subscriptionId", "displayName"],
  properties: {
    subscriptionId: guid,
    displayName: name,
    state: { type: "string", enum: ["Enabled", "Warned", "PastDue", "Disabled", "Deleted"] },
    access: {
      enum: ["read", "denied", "notFound"],
      description:
        "What the scanning credential may read: read (default), denied (ARM answers 403 AuthorizationFailed), notFound (ARM answers 404 SubscriptionNotFound). An unreadable subscription is left out of the subscription list and, silently, of Resource Graph.",
    },
    pageSize: { type: "integer", minimum: 1 },
    providers: { type: "object", additionalProperties: { type: "string" } },
    cloudHsmClusters: { type: "array", items: monitoredHsm },
    managedHsms: { type: "array", items: monitoredHsm },
    dedicatedHsms: { type: "array", items: dedicatedHsm },
    workspaces: { type: "array", items: workspace },
    storageAccounts: { type: "array", items: storageAccount },
  },
} as const;

/**
 * A management group: its id (`name`), the subscriptions placed directly under it and its nested groups, at any
 * depth (`#/definitions/managementGroup` refers to this very shape).
 */
const managementGroup = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", pattern: MANAGEMENT_GROUP_ID_PATTERN },
    displayName: name,
    subscriptions: { type: "array", items: guid },
    managementGroups: { type: "array", items: { $ref: "#/definitions/managementGroup" } },
  },
} as const;

const fault = {
  type: "object",
  additionalProperties: false,
  required: ["route"],
  properties: {
    route: {
      type: "string",
      enum: [
        "*",
        "subscriptions",
        "provider",
        "hsmList",
        "resources",
        "resource",
        "diagnosticSettings",
        "diagnosticSettingsCategories",
        "sentinelOnboarding",
        "sentinelRules",
        "armBatch",
        "resourceGraph",
        "logsQuery",
        "logsBatch",
        "storageContainers",
        "immutabilityPolicy",
        "managementPolicy",
        "workspaceTables",
        "blobList",
        "blobGet",
        "activityLog",
        "managementGroupDescendants",
      ],
    },
    match: { type: "string" },
    method: { type: "string", enum: ["GET", "POST"] },
    after: { type: "integer", minimum: 0 },
    times: { type: "integer", minimum: 1 },
    status: { type: "integer", minimum: 400, maximum: 599 },
    code: { type: "string", minLength: 1, pattern: "^[A-Za-z][A-Za-z0-9_.]*$" },
    retryAfter: { type: "integer", minimum: 0 },
    latencyMs: { type: "integer", minimum: 0, maximum: 600000 },
    drop: { const: true },
    truncate: { const: true },
    endlessNextLink: { const: true },
    partialError: { const: true },
  },
  dependencies: { retryAfter: ["status"], code: ["status"] },
  anyOf: [
    { required: ["status"] },
    { required: ["latencyMs"] },
    { required: ["drop"] },
    { required: ["truncate"] },
    { required: ["endlessNextLink"] },
    { required: ["partialError"] },
  ],
} as const;

export const estateSchema = {
  type: "object",
  additionalProperties: false,
  required: ["tenantId", "subscriptions"],
  properties: {
    $schema: { type: "string" },
    description: { type: "string" },
    tenantId: guid,
    now: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" },
    clockSkew: { type: "string", pattern: "^[-+]?(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)|P[0-9WDTHMS.]+)$" },
    token: { type: "string", minLength: 8 },
    pageSize: { type: "integer", minimum: 1 },
    subscriptions: { type: "array", items: subscription },
    managementGroups: {
      type: "array",
      description:
        "Management groups under the tenant root group (whose id is the tenantId), nested at any depth; a subscription placed in none is directly under the root.",
      items: { $ref: "#/definitions/managementGroup" },
    },
    faults: { type: "array", items: fault },
  },
  definitions: { managementGroup },
} as const;
