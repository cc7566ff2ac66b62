// Results for the renderer tests, evaluated from snapshots by the real engine and policies: a small estate whose
// names are hostile (markup, script, formula, control characters), and an estate of any size for the PDF's limits.
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicies } from "../../src/engine/policy.js";
import { loadFrameworks } from "../../src/engine/frameworks.js";
import type { Result } from "../../src/model/result.js";
import type { Waiver } from "../../src/engine/waivers.js";
import type { HsmFacts, LogSampleRow } from "../../src/model/snapshot.js";
import {
  cloudHsm,
  dedicatedHsm,
  managedHsm,
  sample,
  setting,
  snapshot,
  storageAccount,
  STORAGE,
  subscription,
  SUBSCRIPTION_ID,
  workspace,
  WORKSPACE,
  workspaceId,
} from "../helpers/snapshots.js";

export const XSS_NAME = "<img src=x onerror=alert(1)>";
export const SCRIPT_NAME = "</script><script>alert(2)</script>";
export const HOSTILE_SUBSCRIPTION = `Pay"ments <b onmouseover=alert(3)>`;

const policies = loadPolicies();
const frameworks = loadFrameworks();

/** A row with a per-day series: `days` maps `YYYY-MM-DD` to records. */
export function seriesRow(hsm: HsmFacts, days: Record<string, number>): LogSampleRow {
  const perDay = Object.entries(days)
    .sort()
    .map(([day, records]) => ({ day, records }));
  const last = perDay[perDay.length - 1]!.day;
  return {
    hsmId: hsm.id.toLowerCase(),
    records: perDay.reduce((sum, d) => sum + d.records, 0),
    lastRecord: `${last}T10:00:00.000Z`,
    perDay,
  };
}

export const WAIVER_OWNER = "<b>platform-team</b>";

/**
 * Four HSMs: a compliant Cloud HSM named like markup, a failing Managed HSM, a script-named one, a Dedicated HSM.
 * With `waivers`, the failing Managed HSM's missing setting is waived, and an expired waiver is on file.
 */
export function hostileResult(options: { waivers?: boolean } = {}): Result {
  const good = cloudHsm({
    name: XSS_NAME,
    settings: [
      setting({
        name: `audit"<i>`,
        category: "HsmServiceOperations",
        workspaceId: WORKSPACE,
        storageAccountId: STORAGE,
      }),
    ],
  });
  const bad = managedHsm({ name: "mhsm-no-settings" });
  const scripted = managedHsm({
    name: SCRIPT_NAME,
    settings: [setting({ name: "to-missing", category: "AuditEvent", workspaceId: workspaceId("law-gone") })],
  });
  const luna = dedicatedHsm({ name: "dhsm-luna-01" });
  const snap = snapshot({
    subscriptions: [
      subscription({ displayName: HOSTILE_SUBSCRIPTION, inventory: { cloudHsm: 1, managedHsm: 2, dedicatedHsm: 1 } }),
    ],
    hsms: [good, bad, scripted, luna],
    workspaces: [workspace(WORKSPACE, { retentionInDays: 400 }), workspace(workspaceId("law-gone"), { exists: false })],
    storageAccounts: [storageAccount(STORAGE)],
    logSamples: [
      sample(WORKSPACE, { rows: [seriesRow(good, { "2025-06-02": 4, "2025-06-05": 9, "2025-06-08": 2 })] }, [good.id]),
    ],
  });
  const waivers: Waiver[] = [
    {
      index: 1,
      line: 1,
      policy: "diagnostic-setting-present",
      resource: bad.id,
      reason: "Decommissioned on <2025-07-01>",
      owner: WAIVER_OWNER,
      ticket: "CHG-1234",
      expires: "2025-06-30",
    },
    {
      index: 2,
      line: 7,
      policy: "logs-flowing",
      resource: "/subscriptions/*/resourceGroups/*/providers/Microsoft.KeyVault/managedHSMs/*",
      reason: "Migration window",
      owner: "secops",
      ticket: "CHG-1000",
      expires: "2025-05-31",
    },
  ];
  return evaluate(snap, policies, { failOn: "low", frameworks, ...(options.waivers ? { waivers } : {}) });
}

/** `count` Cloud HSMs over `subscriptions` subscriptions, every other one failing, all sending to one workspace. */
export function largeResult(count: number, subscriptions = Math.max(1, Math.ceil(count / 5))): Result {
  const subIds = Array.from(
    { length: subscriptions },
    (_, i) => `${String(i).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  const hsms = Array.from({ length: count }, (_, i) =>
    cloudHsm({
      name: `chsm-${String(i).padStart(5, "0")}`,
      subscriptionId: subIds[i % subscriptions]!,
      settings:
        i % 2 === 0
          ? [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })]
          : [setting({ group: "audit", workspaceId: WORKSPACE })],
    }),
  );
  const snap = snapshot({
    subscriptions: subIds.map((subscriptionId, i) =>
      subscription({
        subscriptionId,
        displayName: `Subscription ${i}`,
        inventory: { cloudHsm: hsms.filter((h) => h.subscriptionId === subscriptionId).length },
      }),
    ),
    hsms,
    workspaces: [workspace(WORKSPACE, { retentionInDays: 400 })],
    logSamples: [
      sample(
        WORKSPACE,
        { rows: hsms.filter((_, i) => i % 2 === 0).map((h) => seriesRow(h, { "2025-06-03": 5, "2025-06-07": 7 })) },
        hsms.map((h) => h.id),
      ),
    ],
  });
  return evaluate(snap, policies, { failOn: "low", frameworks });
}

export { SUBSCRIPTION_ID };
