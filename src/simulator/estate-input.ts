// The shape of an estate file once its schema has validated it, and how a place in it is named in a problem.
import type { ApplianceStateInput } from "./lunash-render.js";
import type {
  DiagnosticSetting,
  FaultSpec,
  LogSetting,
  SettingEvent,
  StorageAccount,
  StorageContainerSpec,
  SubscriptionAccess,
  Workspace,
} from "./estate-model.js";

export interface ActivityInput {
  ago?: string;
  at?: string;
  every?: string;
  from?: string;
  to?: string;
  anchor?: "now" | "day";
  operation?: string;
  operations?: string[];
  caller?: string;
  callers?: string[];
  identity?: string;
  identities?: string[];
  resultType?: string;
  httpStatusCode?: number;
  durationMs?: number;
  fields?: Record<string, unknown>;
}

export interface DiagnosticSettingInput extends Omit<
  DiagnosticSetting,
  "workspaceId" | "storageAccountId" | "logs" | "metrics"
> {
  workspace?: string;
  storageAccount?: string;
  logs?: LogSetting[];
  metrics?: DiagnosticSetting["metrics"];
}

export interface HsmInput {
  name: string;
  resourceGroup: string;
  location: string;
  sku?: string;
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
  diagnosticSettings?: DiagnosticSettingInput[];
  categories?: { name: string; categoryType?: "Logs" | "Metrics"; categoryGroups?: string[] }[];
  activity?: ActivityInput[];
  settingEvents?: {
    ago?: string;
    at?: string;
    operation: "write" | "delete";
    setting: string;
    status?: SettingEvent["status"];
    caller?: string;
    correlationId?: string;
    resourceId?: string;
  }[];
  stampId?: string;
  /** Dedicated HSM: the private IP of its network interface (default 10.2.0.4). */
  privateIp?: string;
  /** Dedicated HSM: the state of its Luna appliance (lunash-render.ts), served by the LunaSH double. */
  appliance?: ApplianceStateInput;
  zones?: string[];
  signingKeys?: {
    name: string;
    kty?: "EC" | "RSA";
    curve?: "P-256" | "P-384";
    versions?: number;
    enabled?: boolean;
    operations?: string[];
  }[];
}

export interface SubscriptionInput {
  subscriptionId: string;
  displayName: string;
  state?: string;
  access?: SubscriptionAccess;
  pageSize?: number;
  providers?: Record<string, string>;
  permissions?: Record<string, { actions: string[]; notActions?: string[] }[]>;
  cloudHsmClusters?: HsmInput[];
  managedHsms?: HsmInput[];
  dedicatedHsms?: HsmInput[];
  workspaces?: {
    name: string;
    resourceGroup: string;
    location: string;
    customerId: string;
    retentionInDays?: number;
    sku?: string;
    tags?: Record<string, string>;
    tables?: string[];
    sentinel?: {
      onboarded: boolean;
      rules?: { name: string; displayName?: string; kind?: string; enabled?: boolean; query?: string }[];
    };
    tableRetention?: Workspace["tableRetention"];
    records?: ({ table: string; ago: string } & Record<string, unknown>)[];
  }[];
  storageAccounts?: {
    name: string;
    resourceGroup: string;
    location: string;
    sku?: string;
    kind?: string;
    tags?: Record<string, string>;
    properties?: Record<string, unknown>;
    containers?: StorageContainerSpec[];
    lifecycle?: { rules: Record<string, unknown>[] };
    archive?: Partial<StorageAccount["archive"]>;
  }[];
}

export interface ManagementGroupInput {
  name: string;
  displayName?: string;
  subscriptions?: string[];
  managementGroups?: ManagementGroupInput[];
}

export interface EstateInput {
  tenantId: string;
  managementGroups?: ManagementGroupInput[];
  now?: string;
  clockSkew?: string;
  token?: string;
  pageSize?: number;
  subscriptions: SubscriptionInput[];
  faults?: FaultSpec[];
}

/** A place in an estate file as a problem names it: `subscriptions[0].managedHsms[1].name`. */
export function formatPath(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
