// A validated estate file resolved into the model the simulator serves: its subscriptions with their HSMs, workspaces
// and storage accounts, the names unique across the estate, and the management group hierarchy. Every problem found is
// collected, then thrown at once as an EstateError.
import { resolveApplianceState } from "./lunash-render.js";
import { parseDuration, parseInstant } from "../util/duration.js";
import {
  EstateError,
  HSM_TYPES,
  ROOT_GROUP_DISPLAY_NAME,
  checkDiagnosticSettings,
  defaultCategories,
  defaultProperties,
  type ArmResource,
  type DiagnosticSetting,
  type Estate,
  type EstateProblem,
  type Hsm,
  type HsmKind,
  type ManagementGroup,
  type SettingEvent,
  type StorageAccount,
  type Subscription,
  type Workspace,
} from "./estate-model.js";
import {
  formatPath,
  type EstateInput,
  type HsmInput,
  type ManagementGroupInput,
  type SubscriptionInput,
} from "./estate-input.js";
import { expandActivity } from "./estate-activity.js";
import { simulatorToken } from "./token.js";

/** The estate of a validated file (`now` overridden when given); throws EstateError listing every problem found. */
export function resolveEstate(
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
