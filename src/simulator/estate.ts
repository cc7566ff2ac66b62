// Loads an estate file (YAML or JSON), validates it, and resolves it into the model the simulator serves.
import { randomBytes } from "node:crypto";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isNode } from "yaml";
import { parseYaml, readYamlText } from "../util/yaml.js";
import { estateSchema } from "./estate-schema.js";
import { resolveApplianceState, type ApplianceStateInput } from "./lunash-render.js";
import { parseDuration, parseInstant } from "../util/duration.js";
import {
  EstateError,
  HSM_TYPES,
  ROOT_GROUP_DISPLAY_NAME,
  checkDiagnosticSettings,
  defaultCategories,
  defaultProperties,
  type ActivityRecord,
  type ArmResource,
  type DiagnosticSetting,
  type Estate,
  type EstateProblem,
  type FaultSpec,
  type Hsm,
  type HsmKind,
  type LogSetting,
  type ManagementGroup,
  type SettingEvent,
  type StorageAccount,
  type StorageContainerSpec,
  type Subscription,
  type SubscriptionAccess,
  type Workspace,
} from "./estate-model.js";

export * from "./estate-model.js";

const ajv = new Ajv({ allErrors: true, strict: false });
let compiledEstate: ValidateFunction | undefined;
/** Compiled on first use: the CLI imports this module for its error type without loading an estate. */
const validateEstate = (): ValidateFunction => (compiledEstate ??= ajv.compile(estateSchema));

const estateError = (file: string, line: number | undefined, message: string) =>
  new EstateError(file, [
    { path: "", ...(line ? { line } : {}), message: message.replace(/^cannot read it/, "cannot read the file") },
  ]);

/** Reads and resolves an estate file; throws EstateError naming the file, line, path and reason. */
export function loadEstateFile(file: string, options: { now?: Date } = {}): Estate {
  const text = readYamlText(file, estateError);
  return parseEstate(text, file, options);
}

/** Parses estate text (YAML, of which JSON is a subset). */
export function parseEstate(text: string, file: string, options: { now?: Date } = {}): Estate {
  const { doc, lines: lineCounter, value: data } = parseYaml(text, file, estateError, { syntax: "YAML or JSON" });
  const lineOf = (segments: (string | number)[]): number | undefined => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const validate = validateEstate();
  if (!validate(data)) {
    throw new EstateError(file, schemaProblems(validate.errors ?? [], lineOf));
  }
  return resolveEstate(data as EstateInput, options.now, lineOf, file);
}

function schemaProblems(
  errors: ErrorObject[],
  lineOf: (segments: (string | number)[]) => number | undefined,
): EstateProblem[] {
  // oneOf/anyOf produce one error per branch; keep the most specific ones (deepest path), once each.
  const seen = new Set<string>();
  const problems: EstateProblem[] = [];
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  for (const error of sorted) {
    const segments = pointerSegments(error.instancePath);
    let message = error.message ?? "is invalid";
    if (error.keyword === "additionalProperties") {
      message = `unknown key '${String(error.params.additionalProperty)}'`;
    } else if (error.keyword === "enum") {
      message = `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(", ")}`;
    } else if (error.keyword === "required") {
      message = `missing required key '${String(error.params.missingProperty)}'`;
    } else if (error.keyword === "oneOf" || error.keyword === "anyOf") {
      message = oneOfHint(segments);
    }
    const path = formatPath(segments);
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    // A branch failure under oneOf is noise once the oneOf itself is reported.
    if (
      error.keyword === "required" &&
      sorted.some((e) => e.keyword === "oneOf" && e.instancePath === error.instancePath)
    )
      continue;
    if (error.keyword === "not") continue;
    seen.add(key);
    problems.push({ path, line: lineOf(segments), message });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function oneOfHint(segments: (string | number)[]): string {
  const parent = segments[segments.length - 2];
  if (parent === "activity") {
    return "an activity entry is either one record (`ago` or `at`, with `operation`) or a series (`every`, `from`, `operations`)";
  }
  if (parent === "logs") return "a log entry names exactly one of `category` or `categoryGroup`";
  if (parent === "faults")
    return "a fault needs at least one effect: status, latencyMs, drop, truncate, endlessNextLink or partialError";
  return "does not match any allowed form";
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function formatPath(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

// ---- the input shape (already schema-validated) ----

interface ActivityInput {
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

interface DiagnosticSettingInput extends Omit<
  DiagnosticSetting,
  "workspaceId" | "storageAccountId" | "logs" | "metrics"
> {
  workspace?: string;
  storageAccount?: string;
  logs?: LogSetting[];
  metrics?: DiagnosticSetting["metrics"];
}

interface HsmInput {
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

interface SubscriptionInput {
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

interface ManagementGroupInput {
  name: string;
  displayName?: string;
  subscriptions?: string[];
  managementGroups?: ManagementGroupInput[];
}

interface EstateInput {
  tenantId: string;
  managementGroups?: ManagementGroupInput[];
  now?: string;
  clockSkew?: string;
  token?: string;
  pageSize?: number;
  subscriptions: SubscriptionInput[];
  faults?: FaultSpec[];
}

/** Every series may generate at most this many records, so that a typo cannot exhaust memory. */
const MAX_SERIES_RECORDS = 200_000;

function resolveEstate(
  input: EstateInput,
  nowOverride: Date | undefined,
  lineOf: (segments: (string | number)[]) => number | undefined,
  file: string,
): Estate {
  const problems: EstateProblem[] = [];
  const problem = (segments: (string | number)[], message: string) =>
    problems.push({ path: formatPath(segments), line: lineOf(segments), message });

  const loadedAt = Date.now();
  let now = nowOverride ?? new Date(loadedAt);
  if (input.now) {
    const pinned = parseInstant(input.now);
    if (!pinned) problem(["now"], `'${input.now}' is not a date and time that exists`);
    else if (!nowOverride) now = pinned;
  }
  // The services' clock: the reference clock (the scanner's, in a test) shifted by the estate's skew.
  let clockSkewMs = 0;
  if (input.clockSkew) {
    const sign = input.clockSkew.trim().startsWith("-") ? -1 : 1;
    const magnitude = parseDuration(input.clockSkew.trim().replace(/^[-+]/, ""));
    if (magnitude === undefined) problem(["clockSkew"], `'${input.clockSkew}' is not a duration (use 30d, -2h, PT5M)`);
    else clockSkewMs = sign * magnitude;
  }
  now = new Date(now.getTime() + clockSkewMs);
  const ms = (text: string, at: (string | number)[]): number => {
    const value = parseDuration(text);
    if (value === undefined) {
      problem(at, `'${text}' is not a duration (use 7d, 24h, 30m or ISO 8601 such as P7D)`);
      return 0;
    }
    return value;
  };

  const seenSubscriptions = new Set<string>();
  const subscriptions: Subscription[] = input.subscriptions.map((sub, si) => {
    const at = ["subscriptions", si];
    const subscriptionId = sub.subscriptionId.toLowerCase();
    if (seenSubscriptions.has(subscriptionId)) problem([...at, "subscriptionId"], "appears twice");
    seenSubscriptions.add(subscriptionId);
    const base = (rg: string) => `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers`;
    const providers = new Map<string, { namespace: string; registrationState: string }>();
    for (const namespace of [
      "Microsoft.Insights",
      "Microsoft.KeyVault",
      "Microsoft.HardwareSecurityModules",
      "Microsoft.OperationalInsights",
      "Microsoft.Storage",
    ]) {
      providers.set(namespace.toLowerCase(), { namespace, registrationState: "Registered" });
    }
    for (const [namespace, registrationState] of Object.entries(sub.providers ?? {})) {
      providers.set(namespace.toLowerCase(), { namespace, registrationState });
    }

    const workspaces: Workspace[] = (sub.workspaces ?? []).map((w, wi) => ({
      id: `${base(w.resourceGroup)}/Microsoft.OperationalInsights/workspaces/${w.name}`,
      name: w.name,
      type: "Microsoft.OperationalInsights/workspaces",
      subscriptionId,
      resourceGroup: w.resourceGroup,
      location: w.location,
      tags: w.tags ?? {},
      customerId: w.customerId.toLowerCase(),
      retentionInDays: w.retentionInDays ?? 30,
      sku: w.sku ?? "PerGB2018",
      tables: w.tables ?? [],
      ...(w.sentinel
        ? {
            sentinel: {
              onboarded: w.sentinel.onboarded,
              rules: (w.sentinel.rules ?? []).map((r) => ({
                name: r.name,
                displayName: r.displayName ?? r.name,
                kind: r.kind ?? "Scheduled",
                enabled: r.enabled ?? true,
                ...(r.query !== undefined ? { query: r.query } : {}),
              })),
            },
          }
        : {}),
      tableRetention: w.tableRetention ?? {},
      records: (w.records ?? []).map((r, ri) => {
        const { table, ago, ...row } = r;
        return {
          table,
          row: {
            ...row,
            TimeGenerated: new Date(now.getTime() - ms(ago, [...at, "workspaces", wi, "records", ri, "ago"])),
          },
        };
      }),
    }));
    const storageAccounts: StorageAccount[] = (sub.storageAccounts ?? []).map((s) => ({
      id: `${base(s.resourceGroup)}/Microsoft.Storage/storageAccounts/${s.name}`,
      name: s.name,
      type: "Microsoft.Storage/storageAccounts",
      subscriptionId,
      resourceGroup: s.resourceGroup,
      location: s.location,
      tags: s.tags ?? {},
      sku: s.sku ?? "Standard_LRS",
      kind: s.kind ?? "StorageV2",
      properties: s.properties ?? {},
      containers: s.containers ?? [],
      ...(s.lifecycle ? { lifecycle: s.lifecycle } : {}),
      archive: {
        format: s.archive?.format ?? "jsonLines",
        ...(s.archive?.blobEndpoint ? { blobEndpoint: s.archive.blobEndpoint } : {}),
        dataAccess: s.archive?.dataAccess ?? "allowed",
      },
    }));

    // A destination is a name in this subscription, or a full ARM id (which may point at nothing: a deleted destination).
    const destination = (value: string, list: ArmResource[], what: string, at2: (string | number)[]) => {
      if (value.startsWith("/")) return value;
      const found = list.find((r) => r.name.toLowerCase() === value.toLowerCase());
      if (!found) {
        problem(
          at2,
          `no ${what} named '${value}' in this subscription (give its name, or a full ARM id for one that does not exist)`,
        );
        return value;
      }
      return found.id;
    };

    const hsms: Hsm[] = [];
    const kinds: [HsmKind, keyof SubscriptionInput][] = [
      ["cloudHsm", "cloudHsmClusters"],
      ["managedHsm", "managedHsms"],
      ["dedicatedHsm", "dedicatedHsms"],
    ];
    for (const [kind, key] of kinds) {
      ((sub[key] as HsmInput[] | undefined) ?? []).forEach((h, hi) => {
        const hAt = [...at, key, hi];
        const meta = HSM_TYPES[kind];
        const id = `${base(h.resourceGroup)}/${meta.namespace}/${meta.type}/${h.name}`;
        const state = providers.get(meta.namespace.toLowerCase())?.registrationState;
        if (state !== "Registered" && hi === 0) {
          // Azure refuses to unregister a provider that still has resources.
          problem([...hAt], `the subscription's ${meta.namespace} provider is ${state}, so it cannot hold ${key}`);
        }
        if (hsms.some((other) => other.id.toLowerCase() === id.toLowerCase()))
          problem([...hAt, "name"], "appears twice");
        const diagnosticSettings = (h.diagnosticSettings ?? []).map((d, di): DiagnosticSetting => {
          const dAt = [...hAt, "diagnosticSettings", di];
          const { workspace, storageAccount, logs, metrics, ...rest } = d;
          return {
            ...rest,
            ...(workspace
              ? { workspaceId: destination(workspace, workspaces, "workspace", [...dAt, "workspace"]) }
              : {}),
            ...(storageAccount
              ? {
                  storageAccountId: destination(storageAccount, storageAccounts, "storage account", [
                    ...dAt,
                    "storageAccount",
                  ]),
                }
              : {}),
            logs: logs ?? [],
            metrics: metrics ?? [],
          };
        });
        const common = {
          kind,
          id,
          name: h.name,
          type: `${meta.namespace}/${meta.type}`,
          subscriptionId,
          resourceGroup: h.resourceGroup,
          location: h.location,
          tags: h.tags ?? {},
        };
        if (kind === "dedicatedHsm") {
          hsms.push({
            ...common,
            sku: h.sku ?? "SafeNet Luna Network HSM A790",
            properties: {
              provisioningState: "Succeeded",
              stampId: h.stampId ?? "stamp1",
              networkProfile: {
                subnet: {
                  id: `${base(h.resourceGroup)}/Microsoft.Network/virtualNetworks/vnet-hsm/subnets/hsm-subnet`,
                },
                networkInterfaces: [
                  {
                    id: `${base(h.resourceGroup)}/Microsoft.Network/networkInterfaces/${h.name}-nic`,
                    privateIpAddress: h.privateIp ?? "10.2.0.4",
                  },
                ],
              },
              statusMessage: "The Dedicated HSM device is provisioned successfully and ready to use.",
              ...(h.zones ? { zones: h.zones } : {}),
              ...(h.properties ?? {}),
            },
            diagnosticSettings: [],
            categories: [],
            activity: [],
            settingEvents: [],
            ...(h.appliance
              ? { appliance: resolveApplianceState(h.appliance, h.name, [...hAt, "appliance"], problem) }
              : {}),
          });
          return;
        }
        hsms.push({
          ...common,
          sku: h.sku ?? "Standard_B1",
          properties: { ...defaultProperties(kind, h.name, input.tenantId.toLowerCase()), ...(h.properties ?? {}) },
          diagnosticSettings,
          categories: h.categories
            ? h.categories.map((c) => ({
                name: c.name,
                categoryType: c.categoryType ?? "Logs",
                categoryGroups: c.categoryGroups ?? [],
              }))
            : defaultCategories(kind),
          activity: (h.activity ?? []).flatMap((a, ai) =>
            expandActivity(
              a,
              now,
              (text, field) => ms(text, [...hAt, "activity", ai, field]),
              (field, message) => problem([...hAt, "activity", ai, ...(field ? [field] : [])], message),
            ),
          ),
          settingEvents: [],
          ...(h.signingKeys
            ? {
                signingKeys: h.signingKeys.map((k) => ({
                  name: k.name,
                  kty: k.kty ?? "EC",
                  ...((k.kty ?? "EC") === "EC" ? { curve: k.curve ?? "P-256" } : {}),
                  versions: k.versions ?? 1,
                  enabled: k.enabled ?? true,
                  operations: k.operations ?? ["sign", "verify"],
                })),
              }
            : {}),
        });
        hsms[hsms.length - 1]!.settingEvents = (h.settingEvents ?? []).flatMap((e, ei): SettingEvent[] => {
          const eAt = [...hAt, "settingEvents", ei];
          let time: Date;
          if (e.at) {
            const at = parseInstant(e.at);
            if (!at) {
              problem([...eAt, "at"], `'${e.at}' is not a date and time that exists`);
              return [];
            }
            time = at;
          } else time = new Date(now.getTime() - ms(e.ago ?? "0s", [...eAt, "ago"]));
          return [
            {
              time,
              operation: e.operation,
              setting: e.setting,
              status: e.status ?? "Succeeded",
              caller: e.caller ?? "platform-team@contoso.example",
              ...(e.correlationId ? { correlationId: e.correlationId } : {}),
              ...(e.resourceId ? { resourceId: e.resourceId } : {}),
            },
          ];
        });
        checkDiagnosticSettings(hsms[hsms.length - 1]!, hAt, problem);
      });
    }
    return {
      subscriptionId,
      displayName: sub.displayName,
      state: sub.state ?? "Enabled",
      access: sub.access ?? "read",
      ...(sub.pageSize ? { pageSize: sub.pageSize } : {}),
      providers,
      permissions: new Map(
        Object.entries(sub.permissions ?? {}).map(([rg, entries]) => [
          rg.toLowerCase(),
          entries.map((e) => ({ actions: [...e.actions], notActions: [...(e.notActions ?? [])] })),
        ]),
      ),
      hsms,
      workspaces,
      storageAccounts,
    };
  });

  // Workspace ids and customer ids, and storage account names (global in Azure), are unique across the estate.
  const seen = new Map<string, string>();
  subscriptions.forEach((sub, si) => {
    const unique = (key: string, at: (string | number)[], what: string) => {
      const first = seen.get(key);
      if (first !== undefined) problem(at, `${what} is already used at ${first}`);
      else seen.set(key, formatPath(at));
    };
    sub.workspaces.forEach((w, wi) => {
      const at = ["subscriptions", si, "workspaces", wi];
      unique(`workspace:${w.id.toLowerCase()}`, [...at, "name"], `workspace '${w.name}' in '${w.resourceGroup}'`);
      unique(`customerId:${w.customerId}`, [...at, "customerId"], `customerId ${w.customerId}`);
    });
    // The simulator serves every Managed HSM's keys at its one address: a key's name names one key in the estate.
    const hsmLists: Record<string, string> = { managedHsm: "managedHsms" };
    const indexOf = new Map<string, number>();
    sub.hsms.forEach((h) => {
      const list = hsmLists[h.kind];
      if (!list) return;
      const hi = indexOf.get(list) ?? 0;
      indexOf.set(list, hi + 1);
      (h.signingKeys ?? []).forEach((k, ki) => {
        unique(
          `key:${k.name.toLowerCase()}`,
          ["subscriptions", si, list, hi, "signingKeys", ki, "name"],
          `signing key name '${k.name}'`,
        );
      });
    });
    sub.storageAccounts.forEach((a, ai) => {
      unique(
        `storage:${a.name}`,
        ["subscriptions", si, "storageAccounts", ai, "name"],
        `storage account name '${a.name}'`,
      );
    });
  });
  const managementGroups = resolveManagementGroups(input, subscriptions, problem);
  if (problems.length > 0) throw new EstateError(file, problems);
  return {
    tenantId: input.tenantId.toLowerCase(),
    now,
    clockSkewMs,
    loadedAt,
    token: input.token ?? simulatorToken(input.tenantId.toLowerCase()),
    ...(input.pageSize ? { pageSize: input.pageSize } : {}),
    subscriptions,
    managementGroups,
    faults: input.faults ?? [],
  };
}

/**
 * The management group hierarchy: the tenant root group (id: the tenant id) holds the estate's top-level groups and
 * every subscription placed in none. A group id is used once in the tenant, a subscription has one parent group, and
 * only subscriptions of the estate can be placed.
 */
function resolveManagementGroups(
  input: EstateInput,
  subscriptions: Subscription[],
  problem: (segments: (string | number)[], message: string) => void,
): Map<string, ManagementGroup> {
  const tenantId = input.tenantId.toLowerCase();
  const root: ManagementGroup = { name: tenantId, displayName: ROOT_GROUP_DISPLAY_NAME, groups: [], subscriptions: [] };
  const groups = new Map<string, ManagementGroup>([[tenantId, root]]);
  const where = new Map<string, string>([[tenantId, "the tenant root group"]]);
  const placed = new Map<string, string>();
  const known = new Set(subscriptions.map((s) => s.subscriptionId));
  const visit = (inputs: ManagementGroupInput[], parent: ManagementGroup, at: (string | number)[]) => {
    inputs.forEach((g, gi) => {
      const gAt = [...at, gi];
      const key = g.name.toLowerCase();
      const first = where.get(key);
      if (first !== undefined) {
        problem(
          [...gAt, "name"],
          `management group '${g.name}' is already ${first === "the tenant root group" ? first : `declared at ${first}`}`,
        );
        return;
      }
      where.set(key, formatPath(gAt));
      const group: ManagementGroup = {
        name: g.name,
        displayName: g.displayName ?? g.name,
        groups: [],
        subscriptions: [],
      };
      groups.set(key, group);
      parent.groups.push(key);
      (g.subscriptions ?? []).forEach((id, si) => {
        const sub = id.toLowerCase();
        const sAt = [...gAt, "subscriptions", si];
        if (!known.has(sub)) return problem(sAt, `no subscription ${id} in this estate`);
        const other = placed.get(sub);
        if (other !== undefined)
          return problem(sAt, `subscription ${id} is already placed at ${other}: a subscription has one parent group`);
        placed.set(sub, formatPath(sAt));
        group.subscriptions.push(sub);
      });
      visit(g.managementGroups ?? [], group, [...gAt, "managementGroups"]);
    });
  };
  visit(input.managementGroups ?? [], root, ["managementGroups"]);
  for (const s of subscriptions) if (!placed.has(s.subscriptionId)) root.subscriptions.push(s.subscriptionId);
  return groups;
}

/** Columns every row carries from its HSM and workspace: `fields` may not set them. */
const RESERVED_COLUMNS = ["TimeGenerated", "_ResourceId", "_SubscriptionId", "TenantId", "Type", "SourceSystem"];

function expandActivity(
  a: ActivityInput,
  now: Date,
  ms: (text: string, field: string) => number,
  problem: (field: string | undefined, message: string) => void,
): ActivityRecord[] {
  const reserved = Object.keys(a.fields ?? {}).filter((k) => RESERVED_COLUMNS.includes(k));
  if (reserved.length > 0) {
    problem(
      "fields",
      `${reserved.join(", ")} ${reserved.length > 1 ? "are" : "is"} set by the simulator, not by fields`,
    );
    return [];
  }
  // `anchor: day`: relative times count back from the start of the clock's UTC day, not from the clock itself, so that
  // what falls on which UTC day does not depend on the hour the estate is loaded.
  if (a.anchor === "day") now = new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000);
  const common = {
    ...(a.resultType !== undefined ? { resultType: a.resultType } : {}),
    ...(a.httpStatusCode !== undefined ? { httpStatusCode: a.httpStatusCode } : {}),
    ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
    ...(a.fields ? { fields: a.fields } : {}),
  };
  if (a.operation !== undefined && !a.every) {
    let time: Date;
    if (a.at) {
      const at = parseInstant(a.at);
      if (!at) {
        problem("at", `'${a.at}' is not a date and time that exists`);
        return [];
      }
      time = at;
    } else {
      time = new Date(now.getTime() - ms(a.ago ?? "0s", "ago"));
    }
    return [
      {
        time,
        operation: a.operation,
        ...(a.caller ? { caller: a.caller } : {}),
        ...(a.identity ? { identity: a.identity } : {}),
        ...common,
      },
    ];
  }
  const every = ms(a.every ?? "1h", "every");
  const from = ms(a.from ?? "0s", "from");
  const to = ms(a.to ?? "0s", "to");
  if (every <= 0) {
    problem("every", "must be longer than zero");
    return [];
  }
  if (from < to) {
    problem("to", `ends before the series starts: \`from\` (${a.from}) must be at least \`to\` (${a.to})`);
    return [];
  }
  const count = Math.floor((from - to) / every) + 1;
  if (count > MAX_SERIES_RECORDS) {
    problem(undefined, `a series may hold at most ${MAX_SERIES_RECORDS} records; this one would hold ${count}`);
    return [];
  }
  const operations = a.operations ?? [a.operation ?? "unknown"];
  const callers = a.callers ?? (a.caller ? [a.caller] : []);
  const identities = a.identities ?? (a.identity ? [a.identity] : []);
  const records: ActivityRecord[] = [];
  for (let i = 0; i < count; i++) {
    const caller = callers.length ? callers[i % callers.length] : undefined;
    const identity = identities.length ? identities[i % identities.length] : undefined;
    records.push({
      time: new Date(now.getTime() - from + i * every),
      operation: operations[i % operations.length]!,
      ...(caller ? { caller } : {}),
      ...(identity ? { identity } : {}),
      ...common,
    });
  }
  return records;
}

/** The object id of the simulator's scanning principal (ARM's 403 answers name it too). */
export const SIMULATOR_PRINCIPAL_ID = "00000000-0000-0000-0000-00000000c11e";
/** The application (client) id of the simulator's scanning principal. */
export const SIMULATOR_APP_ID = "00000000-0000-0000-0000-0000000a99d0";
/** The signature every simulator token carries: fixed and fake, for the simulator checks the token byte for byte. */
const FAKE_SIGNATURE = Buffer.from("hsm-audit simulator: not signed").toString("base64url");

/**
 * The simulator's bearer token: shaped as an Entra ID access token for ARM (a JWT naming an application's service
 * principal in the estate's tenant), with a fake signature and a random token id, so no two simulators share one.
 */
export function simulatorToken(tenantId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { typ: "JWT", alg: "RS256", kid: "hsm-audit-simulator" };
  const payload = {
    aud: "https://management.azure.com/",
    iss: `https://sts.windows.net/${tenantId}/`,
    tid: tenantId,
    oid: SIMULATOR_PRINCIPAL_ID,
    sub: SIMULATOR_PRINCIPAL_ID,
    appid: SIMULATOR_APP_ID,
    idtyp: "app",
    uti: randomBytes(16).toString("base64url"),
  };
  return `${part(header)}.${part(payload)}.${FAKE_SIGNATURE}`;
}
