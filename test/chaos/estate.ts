// A seeded random estate and a seeded fault plan for it, both through the estate input format (docs/estate.md), so
// that one seed always describes the same tenant and the same misbehaviour of Azure.
import type { FaultSpec } from "../../src/simulator/estate.js";

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [w, value] of choices) {
      if ((r -= w) < 0) return value;
    }
    return choices[choices.length - 1]![1];
  }
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}

/** The estate's pinned clock: both scans of a seed read the same records at the same instants. */
export const CHAOS_NOW = "2026-03-02T12:00:00Z";
export const CHAOS_TENANT = "00000000-0000-4000-8000-00000000c4a0";
export const CHAOS_TOKEN = "chaos-simulator-token";

type Kind = "cloudHsm" | "managedHsm" | "dedicatedHsm";
const AUDIT: Record<Exclude<Kind, "dedicatedHsm">, string> = {
  cloudHsm: "HsmServiceOperations",
  managedHsm: "AuditEvent",
};
const TYPES: Record<Kind, string> = {
  cloudHsm: "Microsoft.HardwareSecurityModules/cloudHsmClusters",
  managedHsm: "Microsoft.KeyVault/managedHSMs",
  dedicatedHsm: "Microsoft.HardwareSecurityModules/dedicatedHSMs",
};
const LIST_KEY: Record<Kind, string> = {
  cloudHsm: "cloudHsmClusters",
  managedHsm: "managedHsms",
  dedicatedHsm: "dedicatedHsms",
};

/** What a fault can aim at: a route, and the text of the URLs it should hit (`match`). */
export interface FaultTarget {
  route: FaultSpec["route"];
  match?: string;
  method?: "GET" | "POST";
  family: "arm" | "logs" | "blob";
  /** A list answer, paged with `nextLink` (so `endlessNextLink` applies). */
  list: boolean;
}

export interface ChaosEstate {
  seed: number;
  /** The estate document without faults (JSON, which is YAML). */
  document: Record<string, unknown>;
  /** Everything in the estate a fault can aim at. */
  targets: FaultTarget[];
  /** Subscriptions a scan of this seed names with `--subscription` (empty: every subscription it can list). */
  scope: string[];
  hsmCount: number;
}

interface WorkspaceInfo {
  sub: string;
  name: string;
  id: string;
  customerId: string;
}
interface StorageInfo {
  sub: string;
  name: string;
  id: string;
  served: boolean;
}

const guid = (rng: Rng, tail: string) =>
  `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-8${rng.hex(3)}-${tail.padStart(12, "0").slice(-12)}`;

/** A random estate of 1 to 4 subscriptions and at most 12 HSMs of all three kinds. */
export function generateEstate(seed: number): ChaosEstate {
  const rng = new Rng(seed);
  const tag = (seed >>> 0).toString(36).slice(-6).padStart(4, "0");
  const subCount = rng.int(1, 4);
  const subIds = Array.from({ length: subCount }, (_, i) => guid(rng, `c4a05${i}`));
  const workspaces: WorkspaceInfo[] = [];
  const storage: StorageInfo[] = [];
  const targets: FaultTarget[] = [{ route: "subscriptions", family: "arm", list: true }];
  const base = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers`;

  // Destinations first, so that settings can name those of other subscriptions by id.
  const subDocs: Record<string, unknown>[] = subIds.map((sub, si) => {
    const doc: Record<string, unknown> = { subscriptionId: sub, displayName: `Chaos ${tag} ${si + 1}` };
    if (rng.chance(0.3)) doc.pageSize = rng.int(1, 2);
    const wsDocs: Record<string, unknown>[] = [];
    for (
      let wi = 0;
      wi <
      rng.weighted([
        [2, 0],
        [5, 1],
        [2, 2],
      ] as const);
      wi++
    ) {
      const name = `law-${tag}-${si}${wi}`;
      const customerId = guid(rng, `${si}${wi}c4a0`);
      const ws: Record<string, unknown> = {
        name,
        resourceGroup: "rg-mon",
        location: "eastus",
        customerId,
        retentionInDays: rng.pick([30, 90, 180, 365, 400, 730]),
      };
      if (rng.chance(0.2)) {
        ws.tableRetention = {
          [rng.pick(["CloudHsmServiceOperationAuditLogs", "AZKVAuditLogs", "AzureDiagnostics"])]: rng.chance(0.5)
            ? { retentionInDays: rng.pick([30, 90, 400]) }
            : { totalRetentionInDays: rng.pick([180, 730]) },
        };
      }
      const sentinel = rng.weighted([
        [6, "none"],
        [1, "off"],
        [3, "on"],
      ] as const);
      if (sentinel !== "none") ws.sentinel = sentinelSetup(rng, sentinel === "on");
      wsDocs.push(ws);
      workspaces.push({
        sub,
        name,
        customerId,
        id: `${base(sub, "rg-mon")}/Microsoft.OperationalInsights/workspaces/${name}`,
      });
      targets.push(
        { route: "resource", match: `/workspaces/${name}?`, family: "arm", list: false },
        { route: "workspaceTables", match: `/workspaces/${name}/`, family: "arm", list: false },
        { route: "sentinelOnboarding", match: `/workspaces/${name}/`, family: "arm", list: false },
        { route: "sentinelRules", match: `/workspaces/${name}/`, family: "arm", list: true },
        { route: "logsQuery", match: customerId, method: "POST", family: "logs", list: false },
      );
    }
    if (wsDocs.length) doc.workspaces = wsDocs;
    const saDocs: Record<string, unknown>[] = [];
    for (
      let ai = 0;
      ai <
      rng.weighted([
        [5, 0],
        [4, 1],
        [1, 2],
      ] as const);
      ai++
    ) {
      const name = `st${tag}${si}${ai}`;
      const sa: Record<string, unknown> = { name, resourceGroup: "rg-mon", location: "eastus" };
      if (rng.chance(0.2)) sa.properties = { allowBlobPublicAccess: true, minimumTlsVersion: "TLS1_0" };
      if (rng.chance(0.4)) {
        sa.containers = (["insights-logs-hsmserviceoperations", "insights-logs-auditevent"] as const).map((c) => ({
          name: c,
          immutabilityPolicy: {
            days: rng.pick([30, 400]),
            state: rng.pick(["Locked", "Unlocked"] as const),
            allowProtectedAppendWrites: true,
          },
        }));
      }
      if (rng.chance(0.5)) {
        sa.lifecycle = {
          rules: [
            {
              name: "expire-audit",
              definition: {
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: rng.pick([30, 400]) } } },
                filters: { blobTypes: ["appendBlob"], prefixMatch: ["insights-logs-"] },
              },
            },
          ],
        };
      }
      if (rng.chance(0.15)) sa.archive = { dataAccess: "denied" };
      saDocs.push(sa);
      storage.push({
        sub,
        name,
        id: `${base(sub, "rg-mon")}/Microsoft.Storage/storageAccounts/${name}`,
        served: true,
      });
      targets.push(
        { route: "resource", match: `/storageAccounts/${name}?`, family: "arm", list: false },
        { route: "storageContainers", match: `/storageAccounts/${name}/`, family: "arm", list: true },
        { route: "immutabilityPolicy", match: `/storageAccounts/${name}/`, family: "arm", list: false },
        { route: "managementPolicy", match: `/storageAccounts/${name}/`, family: "arm", list: false },
        { route: "blobList", match: `/${name}/`, family: "blob", list: false },
        { route: "blobGet", match: `/${name}/`, family: "blob", list: false },
      );
    }
    if (saDocs.length) doc.storageAccounts = saDocs;
    targets.push({
      route: "provider",
      match: `/subscriptions/${sub}/providers/Microsoft.Insights`,
      family: "arm",
      list: false,
    });
    targets.push({
      route: "activityLog",
      match: `/subscriptions/${sub}/providers/Microsoft.Insights/eventtypes`,
      family: "arm",
      list: true,
    });
    for (const kind of ["cloudHsm", "managedHsm", "dedicatedHsm"] as const) {
      targets.push({
        route: "hsmList",
        match: `/subscriptions/${sub}/providers/${TYPES[kind]}`,
        family: "arm",
        list: true,
      });
    }
    return doc;
  });

  // HSMs: at most 12 over the estate, each kind somewhere when the dice allow.
  let hsmCount = 0;
  const maxHsms = rng.int(1, 12);
  subDocs.forEach((doc, si) => {
    const sub = subIds[si]!;
    const own = workspaces.filter((w) => w.sub === sub);
    const ownStorage = storage.filter((s) => s.sub === sub);
    const counts: Record<Kind, number> = { cloudHsm: 0, managedHsm: 0, dedicatedHsm: 0 };
    for (let i = rng.int(0, 4); i > 0 && hsmCount < maxHsms; i--) {
      counts[
        rng.weighted([
          [4, "cloudHsm"],
          [4, "managedHsm"],
          [2, "dedicatedHsm"],
        ] as const)
      ]++;
      hsmCount++;
    }
    if (si === 0 && hsmCount === 0) {
      counts.cloudHsm = 1;
      hsmCount = 1;
    }
    for (const kind of ["cloudHsm", "managedHsm", "dedicatedHsm"] as const) {
      const list: Record<string, unknown>[] = [];
      for (let hi = 0; hi < counts[kind]; hi++) {
        const name = `${kind === "cloudHsm" ? "chsm" : kind === "managedHsm" ? "mhsm" : "dhsm"}-${tag}-${si}${hi}`;
        const hsm: Record<string, unknown> = {
          name,
          resourceGroup: rng.pick(["rg-hsm", "rg-keys"]),
          location: "eastus",
        };
        if (kind !== "dedicatedHsm") {
          Object.assign(hsm, monitoredHsm(rng, kind, name, sub, own, ownStorage, workspaces, storage));
          targets.push(
            { route: "diagnosticSettings", match: `/${name}/`, family: "arm", list: true },
            { route: "diagnosticSettingsCategories", match: `/${name}/`, family: "arm", list: true },
          );
        }
        list.push(hsm);
      }
      if (list.length) doc[LIST_KEY[kind]] = list;
    }
    // Provider states: Microsoft.Insights may be unregistered anywhere; an HSM namespace only where it holds nothing.
    const providers: Record<string, string> = {};
    if (rng.chance(0.2)) providers["Microsoft.Insights"] = rng.pick(["NotRegistered", "Registering"]);
    if (counts.cloudHsm + counts.dedicatedHsm === 0 && rng.chance(0.3))
      providers["Microsoft.HardwareSecurityModules"] = "NotRegistered";
    if (counts.managedHsm === 0 && rng.chance(0.3)) providers["Microsoft.KeyVault"] = "NotRegistered";
    if (Object.keys(providers).length) doc.providers = providers;
  });

  // Now and then the scan names its subscriptions instead of listing them (all, or some).
  const scope = rng.chance(0.25) ? subIds.filter((_, i) => i === 0 || rng.chance(0.6)) : [];
  for (const sub of scope) targets.push({ route: "subscriptions", match: sub, family: "arm", list: false });
  targets.push({ route: "armBatch", method: "POST", family: "arm", list: false });

  const document: Record<string, unknown> = {
    description: `chaos seed ${seed}`,
    tenantId: CHAOS_TENANT,
    now: CHAOS_NOW,
    token: CHAOS_TOKEN,
    ...(rng.chance(0.1) ? { pageSize: 1 } : {}),
    subscriptions: subDocs,
  };
  return { seed, document, targets, scope, hsmCount };
}

function sentinelSetup(rng: Rng, onboarded: boolean) {
  if (!onboarded) return { onboarded: false };
  const rules: Record<string, unknown>[] = [];
  if (rng.chance(0.6))
    rules.push({
      name: "hsm-key-destruction",
      enabled: rng.chance(0.8),
      query:
        'union (AzureDiagnostics | where ResourceType == "MANAGEDHSMS"), CloudHsmServiceOperationAuditLogs | where OperationName in ("KeyDelete", "KeyPurge", "CN_TOMBSTONE_OBJECT")',
    });
  if (rng.chance(0.5))
    rules.push({
      name: "key-vault-operations",
      query: 'AzureDiagnostics | where ResourceType =~ "VAULTS" | where OperationName in~ ("VaultDelete", "KeyDelete")',
    });
  if (rng.chance(0.3))
    rules.push({ name: "mhsm-dedicated", kind: "NRT", query: "AZKVAuditLogs | where OperationName == 'KeyPurge'" });
  if (rng.chance(0.3)) rules.push({ name: "fusion", kind: "Fusion" });
  return { onboarded: true, rules };
}

/** Diagnostic settings and activity of a Cloud or Managed HSM. */
function monitoredHsm(
  rng: Rng,
  kind: Exclude<Kind, "dedicatedHsm">,
  name: string,
  sub: string,
  own: WorkspaceInfo[],
  ownStorage: StorageInfo[],
  allWorkspaces: WorkspaceInfo[],
  allStorage: StorageInfo[],
): Record<string, unknown> {
  const audit = AUDIT[kind];
  const out: Record<string, unknown> = {};
  // Now and then a resource whose `audit` group does not hold the audit category (only `allLogs` does).
  const oddGroups = rng.chance(0.1);
  if (oddGroups) {
    out.categories = [
      { name: audit, categoryType: "Logs", categoryGroups: ["allLogs"] },
      { name: "OperationalLogs", categoryType: "Logs", categoryGroups: ["audit", "allLogs"] },
      { name: "AllMetrics", categoryType: "Metrics", categoryGroups: [] },
    ];
  }
  const gone = (what: "workspace" | "storage") =>
    what === "workspace"
      ? `/subscriptions/${sub}/resourceGroups/rg-gone/providers/Microsoft.OperationalInsights/workspaces/law-gone-${rng.hex(4)}`
      : `/subscriptions/${sub}/resourceGroups/rg-gone/providers/Microsoft.Storage/storageAccounts/stgone${rng.hex(6)}`;
  const pickWorkspace = (): string | undefined => {
    const choice = rng.weighted([
      [6, "own"],
      [2, "other"],
      [1, "gone"],
    ] as const);
    if (choice === "gone") return gone("workspace");
    if (choice === "own" && own.length) return rng.pick(own).name;
    const others = allWorkspaces.filter((w) => w.sub !== sub);
    if (others.length) return rng.pick(others).id;
    return own.length ? rng.pick(own).name : rng.chance(0.5) ? gone("workspace") : undefined;
  };
  const pickStorage = (): string | undefined => {
    const choice = rng.weighted([
      [6, "own"],
      [1, "other"],
      [1, "gone"],
    ] as const);
    if (choice === "gone") return gone("storage");
    if (choice === "own" && ownStorage.length) return rng.pick(ownStorage).name;
    const others = allStorage.filter((s) => s.sub !== sub);
    if (others.length) return rng.pick(others).id;
    return ownStorage.length ? rng.pick(ownStorage).name : undefined;
  };
  const settings: Record<string, unknown>[] = [];
  const used = new Set<string>();
  const count = rng.weighted([
    [2, 0],
    [6, 1],
    [2, 2],
  ] as const);
  for (let i = 0; i < count; i++) {
    const logs = rng.weighted<Record<string, unknown>[]>([
      [5, [{ category: audit, enabled: true }]],
      [2, [{ categoryGroup: "audit", enabled: true }]],
      [2, [{ categoryGroup: "allLogs", enabled: true }]],
      [1, [{ category: audit, enabled: false }]],
      [1, []],
      ...(oddGroups
        ? [[2, [{ category: "OperationalLogs", enabled: true }]] as [number, Record<string, unknown>[]]]
        : []),
    ]);
    const setting: Record<string, unknown> = { name: `diag-${i}-${rng.hex(3)}`, logs };
    if (logs.length === 0 || rng.chance(0.3)) setting.metrics = [{ category: "AllMetrics", enabled: true }];
    // Two settings never send to the same destination (Azure refuses the same category twice to one place).
    const workspace = rng.chance(0.75) ? pickWorkspace() : undefined;
    if (workspace && !used.has(workspace.toLowerCase())) {
      setting.workspace = workspace;
      used.add(workspace.toLowerCase());
      if (kind === "managedHsm" && rng.chance(0.5)) setting.logAnalyticsDestinationType = "Dedicated";
    }
    const account = rng.chance(0.4) ? pickStorage() : undefined;
    if (account && !used.has(account.toLowerCase())) {
      setting.storageAccount = account;
      used.add(account.toLowerCase());
    }
    if (!setting.workspace && !setting.storageAccount) {
      if (!rng.chance(0.3)) continue;
      setting.eventHubAuthorizationRuleId = `/subscriptions/${sub}/resourceGroups/rg-mon/providers/Microsoft.EventHub/namespaces/eh-${rng.hex(4)}/authorizationRules/RootManageSharedAccessKey`;
    }
    settings.push(setting);
  }
  if (settings.length) out.diagnosticSettings = settings;

  // Records inside the 7-day window, only before it, a few, or none; kept at least an hour from its edges.
  const operations =
    kind === "cloudHsm"
      ? ["CN_LOGIN", "CN_FIND_OBJECTS_USING_COUNT", "HASH_SINGLE_CALL", "CN_LOGOUT"]
      : ["KeyGet", "KeySign", "KeyVerify", "KeyUnwrap"];
  const activity: Record<string, unknown>[] = [];
  const pattern = rng.weighted([
    [5, "steady"],
    [2, "stale"],
    [1, "sparse"],
    [2, "none"],
  ] as const);
  const identity = (extra: Record<string, unknown>) =>
    kind === "managedHsm" ? { ...extra, identities: [`svc-${rng.hex(3)}@contoso.example`] } : extra;
  if (pattern === "steady")
    activity.push(
      identity({
        every: rng.pick(["2h", "6h", "12h"]),
        from: rng.pick(["5d", "6d", "20d"]),
        to: "2h",
        operations,
        callers: ["10.0.0.4", "10.0.0.5"],
      }),
    );
  if (pattern === "stale")
    activity.push(identity({ every: "12h", from: "30d", to: "9d", operations, callers: ["10.0.0.4"] }));
  if (pattern === "sparse")
    activity.push({ ago: rng.pick(["3h", "2d", "5d"]), operation: operations[0]!, caller: "10.0.0.4" });
  if (pattern !== "none" && rng.chance(0.4)) {
    // Something a reviewer should see: a sensitive operation from a new address, or a burst of reads.
    if (kind === "cloudHsm") {
      activity.push(
        { ago: "50h", operation: "CN_LOGIN", caller: "10.9.9.9" },
        { ago: "50h", operation: "CN_TOMBSTONE_OBJECT", caller: "10.9.9.9" },
      );
    } else if (rng.chance(0.5)) {
      activity.push({ ago: "30h", operation: "KeyPurge", caller: "10.9.9.9", identity: "admin@contoso.example" });
    } else {
      activity.push({
        every: "90s",
        from: "49h",
        to: "48h",
        operations: ["KeyGet"],
        callers: ["203.0.113.7"],
        identities: ["x@fabrikam.example"],
        resultType: "Unauthorized",
        httpStatusCode: 403,
      });
    }
  }
  if (activity.length) out.activity = activity;
  return out;
}

// ---- faults --------------------------------------------------------------------------------------------------------

export interface ChaosClientOptions {
  /** Per attempt: the client's timeout (ARM and blob; Log Analytics queries wait far longer, see docs/chaos.md). */
  timeoutMs: number;
  maxRetries: number;
  /** A Retry-After longer than this is not waited for. */
  maxRetryAfterMs: number;
}

/**
 * A 404 that does not say the resource is gone: ARM's answer when a request URL could not be routed. `ResourceNotFound`
 * and `ResourceGroupNotFound` (ARM), `NotFound` (a workspace without Sentinel, a table never written),
 * `ManagementPolicyNotFound` and `ContainerNotFound` (storage) do say so: chaos never injects those, which would
 * describe another estate rather than a misbehaving one.
 */
export const GATEWAY_NOT_FOUND = "HttpResourceNotFound";

/** A seeded plan of 1 to 6 faults, each aimed at one route and URL text, with a count. */
export function generateFaults(seed: number, estate: ChaosEstate, client: ChaosClientOptions): FaultSpec[] {
  // Another stream than the estate's, so a change in the estate generator does not reshuffle every plan.
  const rng = new Rng((seed ^ 0x5bd1e995) >>> 0);
  const count = rng.int(1, 6);
  const faults: FaultSpec[] = [];
  for (let i = 0; i < count; i++) {
    // A route first, then one of its targets: routes with few targets (Sentinel, tables) are hit as often as others.
    const routes = [...new Set(estate.targets.map((t) => t.route))];
    const route = rng.chance(0.04) ? "*" : rng.pick(routes);
    const target: FaultTarget =
      route === "*"
        ? { route: "*", family: "arm", list: false }
        : rng.pick(estate.targets.filter((t) => t.route === route));
    const spec: FaultSpec = { route: target.route };
    if (target.match) spec.match = target.match;
    if (target.method) spec.method = target.method;
    if (rng.chance(0.2)) spec.after = rng.int(1, 3);
    spec.times = rng.int(1, client.maxRetries + 2);
    const effect = rng.weighted([
      [2, "403"],
      [2, "404"],
      [3, "429"],
      [3, "5xx"],
      [1, "4xx"],
      [2, "drop"],
      [2, "truncate"],
      [2, "slow"],
      [target.list ? 2 : 0, "endless"],
      [target.route === "logsQuery" ? 3 : 0, "partial"],
    ] as const);
    switch (effect) {
      case "403":
        spec.status = 403;
        break;
      case "404":
        spec.status = 404;
        spec.code = GATEWAY_NOT_FOUND;
        break;
      case "429":
        spec.status = 429;
        {
          const wait = rng.pick([undefined, 0, 1, 2]);
          if (wait !== undefined) spec.retryAfter = wait;
        }
        break;
      case "5xx":
        spec.status = rng.pick([500, 502, 503, 504]);
        if (spec.status === 503 && rng.chance(0.5)) spec.retryAfter = 0;
        break;
      case "4xx":
        spec.status = rng.pick([400, 401, 409]);
        break;
      case "drop":
        spec.drop = true;
        break;
      case "truncate":
        spec.truncate = true;
        break;
      case "slow":
        // Past the client's timeout, except for Log Analytics queries, whose client waits minutes: only slow there.
        spec.latencyMs = target.family === "logs" ? rng.int(50, 300) : client.timeoutMs + rng.int(200, 600);
        break;
      case "endless":
        spec.endlessNextLink = true;
        break;
      case "partial":
        spec.partialError = true;
        break;
    }
    faults.push(spec);
  }
  return faults;
}

/** The estate document with its fault plan. */
export function withFaults(estate: ChaosEstate, faults: FaultSpec[]): Record<string, unknown> {
  return { ...estate.document, faults };
}

/** The HSM resource ids of the estate, for reading a plan. */
export function hsmIds(estate: ChaosEstate): string[] {
  const subs = estate.document.subscriptions as Record<string, unknown>[];
  return subs.flatMap((s) =>
    (["cloudHsm", "managedHsm", "dedicatedHsm"] as const).flatMap((kind) =>
      ((s[LIST_KEY[kind]] as { name: string; resourceGroup: string }[] | undefined) ?? []).map(
        (h) =>
          `/subscriptions/${String(s.subscriptionId)}/resourceGroups/${h.resourceGroup}/providers/${TYPES[kind]}/${h.name}`,
      ),
    ),
  );
}

// ---- clock skew (a fault class of its own: the services' clock, not a route) -----------------------------------

/** The skews chaos sets the services' clock to: each beyond the scanner's default tolerance (five minutes). */
const CLOCK_SKEWS = ["6m", "-10m", "2h", "-1d", "25d", "30d", "-30d"] as const;

/**
 * The seed's clock skew, or undefined: one run in four sets the estate's `clockSkew`, so that the services answer (and
 * date their records) on a clock that is off from the scanner's by more than the tolerance.
 */
export function generateClockSkew(seed: number): string | undefined {
  const rng = new Rng((seed ^ 0x2c1b3c6d) >>> 0);
  return rng.chance(0.25) ? rng.pick([...CLOCK_SKEWS]) : undefined;
}

/** The estate document with the services' clock set apart by `skew`. */
export function withClockSkew(document: Record<string, unknown>, skew: string | undefined): Record<string, unknown> {
  return skew ? { ...document, clockSkew: skew } : document;
}

// ---- unreadable subscriptions, Resource Graph and exclusions --------------------------------------------------------
// Their own random stream, so that the estates and fault plans of earlier seeds stay as they were.

export type Inventory = "arm" | "resource-graph";

export interface ScopePlan {
  /** How both scans list the HSMs. */
  inventory: Inventory;
  /** Subscriptions the credential cannot read in the faulty scan (the estate's `access`: ARM answers 403 or 404). */
  unreadable: { subscriptionId: string; access: "denied" | "notFound" }[];
  /** The configuration's `exclude` patterns, for both evaluations. */
  exclude: string[];
  /**
   * The subscriptions both scans name (empty: every one the credential can list). An unreadable subscription is in
   * scope only when named (the list leaves it out, and then nothing can know of it), so a plan with unreadable
   * subscriptions names every subscription.
   */
  scope: string[];
  /** Faults on Resource Graph's query, added to the seed's plan. */
  faults: FaultSpec[];
}

export function generateScopePlan(seed: number, estate: ChaosEstate, client: ChaosClientOptions): ScopePlan {
  const rng = new Rng((seed ^ 0x1b873593) >>> 0);
  const ids = (estate.document.subscriptions as { subscriptionId: string }[]).map((s) => s.subscriptionId);
  const inventory: Inventory = rng.chance(0.4) ? "resource-graph" : "arm";
  const access = () => rng.pick(["denied", "notFound"] as const);
  const unreadable: ScopePlan["unreadable"] = [];
  if (rng.chance(0.3)) {
    for (const subscriptionId of ids) if (rng.chance(0.4)) unreadable.push({ subscriptionId, access: access() });
    if (unreadable.length === 0) unreadable.push({ subscriptionId: rng.pick(ids), access: access() });
  }
  const exclude: string[] = [];
  if (rng.chance(0.3)) {
    for (let i = rng.int(1, 2); i > 0; i--) {
      const sub = rng.pick(ids);
      exclude.push(
        rng.pick([
          `/subscriptions/${sub}`,
          `/subscriptions/${sub}/**`,
          "/subscriptions/*",
          "/**",
          "/subscriptions/*/resourceGroups/rg-keys/**",
        ]),
      );
    }
  }
  const faults: FaultSpec[] = [];
  if (inventory === "resource-graph" && rng.chance(0.25)) {
    const spec: FaultSpec = { route: "resourceGraph", method: "POST", times: rng.int(1, client.maxRetries + 2) };
    const effect = rng.pick(["403", "429", "5xx", "drop", "truncate"] as const);
    if (effect === "403") spec.status = 403;
    if (effect === "429") spec.status = 429;
    if (effect === "5xx") spec.status = rng.pick([500, 503]);
    if (effect === "drop") spec.drop = true;
    if (effect === "truncate") spec.truncate = true;
    faults.push(spec);
  }
  return { inventory, unreadable, exclude, scope: unreadable.length > 0 ? ids : estate.scope, faults };
}

/** The estate document with the plan's unreadable subscriptions marked as the credential sees them. */
export function withUnreadable(document: Record<string, unknown>, plan: ScopePlan): Record<string, unknown> {
  if (plan.unreadable.length === 0) return document;
  const access = new Map(plan.unreadable.map((u) => [u.subscriptionId, u.access]));
  const subs = document.subscriptions as Record<string, unknown>[];
  return {
    ...document,
    subscriptions: subs.map((s) => {
      const a = access.get(String(s.subscriptionId));
      return a ? { ...s, access: a } : s;
    }),
  };
}

// ---- spellings: the same destinations named as ARM also accepts them ---------------------------------------------

/**
 * The estate with every diagnostic setting's workspace and storage account named by a full ARM id spelled otherwise:
 * segments in another case and trailing slashes, as ARM accepts them. Drawn from a stream of its own, so the estate
 * and the fault plan of a seed stay what they were. `respelled` counts the destinations renamed (0: nothing to do).
 */
export function respellDestinations(estate: ChaosEstate): { document: Record<string, unknown>; respelled: number } {
  const rng = new Rng((estate.seed ^ 0x1d5c0de5) >>> 0);
  const document = JSON.parse(JSON.stringify(estate.document)) as Record<string, unknown>;
  const subs = document.subscriptions as Record<string, unknown>[];
  let respelled = 0;
  const idOf = (sub: Record<string, unknown>, list: string, type: string, value: string): string => {
    if (value.startsWith("/")) return value;
    const found = ((sub[list] as { name: string; resourceGroup: string }[] | undefined) ?? []).find(
      (d) => d.name.toLowerCase() === value.toLowerCase(),
    );
    if (!found) throw new Error(`seed ${estate.seed}: no ${list} '${value}' in ${String(sub.subscriptionId)}`);
    return `/subscriptions/${String(sub.subscriptionId)}/resourceGroups/${found.resourceGroup}/providers/${type}/${found.name}`;
  };
  const respell = (id: string): string => {
    const segments = id.split("/").map((segment) => {
      switch (rng.int(0, 3)) {
        case 0:
          return segment.toUpperCase();
        case 1:
          return segment.toLowerCase();
        case 2:
          return [...segment].map((ch) => (rng.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join("");
        default:
          return segment;
      }
    });
    const spelled = `${segments.join("/")}${"/".repeat(
      rng.weighted([
        [1, 0],
        [3, 1],
        [1, 2],
      ] as const),
    )}`;
    return spelled === id ? `${id}/` : spelled;
  };
  for (const sub of subs) {
    for (const kind of ["cloudHsm", "managedHsm"] as const) {
      for (const hsm of (sub[LIST_KEY[kind]] as Record<string, unknown>[] | undefined) ?? []) {
        for (const setting of (hsm.diagnosticSettings as Record<string, unknown>[] | undefined) ?? []) {
          if (typeof setting.workspace === "string") {
            setting.workspace = respell(
              idOf(sub, "workspaces", "Microsoft.OperationalInsights/workspaces", setting.workspace),
            );
            respelled++;
          }
          if (typeof setting.storageAccount === "string") {
            setting.storageAccount = respell(
              idOf(sub, "storageAccounts", "Microsoft.Storage/storageAccounts", setting.storageAccount),
            );
            respelled++;
          }
        }
      }
    }
  }
  return { document, respelled };
}
