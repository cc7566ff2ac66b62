// The specification of the activity highlights and of Sentinel coverage, as a table (run by checks.test.ts with the
// other check kinds): the HSM's activity rows as the workspace answered them, and the verdict expected.
import type { HsmFacts } from "../../src/model/snapshot.js";
import type { CheckCase } from "./cases.js";
import {
  WORKSPACE,
  activity,
  cloudHsm,
  failed,
  hsmTarget,
  managedHsm,
  row,
  sample,
  sentinelWorkspace,
  setting,
  snapshot,
  workspace,
  workspaceId,
  type SnapshotSpec,
} from "../helpers/snapshots.js";

const chsm = cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] });
const mhsm = managedHsm({ settings: [setting({ category: "AuditEvent", workspaceId: WORKSPACE })] });
const noWorkspace = managedHsm({
  name: "mhsm-archive-only",
  settings: [
    setting({
      category: "AuditEvent",
      storageAccountId:
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
    }),
  ],
});
const id = (h: HsmFacts) => h.id.toLowerCase();
const twoWorkspaceHsm = managedHsm({
  name: "mhsm-two-workspaces",
  settings: [
    setting({ category: "AuditEvent", workspaceId: WORKSPACE }),
    setting({ name: "second", category: "AuditEvent", workspaceId: workspaceId("law-two") }),
  ],
});

const mhsmMaybeSentinel = managedHsm({
  name: "mhsm-maybe-sentinel",
  settings: [
    setting({ category: "AuditEvent", workspaceId: WORKSPACE }),
    setting({ name: "by-group", group: "audit", workspaceId: workspaceId("law-soc") }),
  ],
  categories: failed("categories API answered 500", 500),
});

function on(hsm: HsmFacts, rest: Omit<SnapshotSpec, "hsms"> = {}): Pick<CheckCase, "target" | "snapshot"> {
  return {
    target: hsmTarget(hsm),
    snapshot: snapshot({ hsms: [hsm], workspaces: [workspace(WORKSPACE, { retentionInDays: 400 })], ...rest }),
  };
}

const op = (hsm: HsmFacts, operation: string, records: number, failures = 0) => ({
  hsmId: id(hsm),
  operation,
  records,
  failures,
  first: "2025-06-02T10:00:00.000Z",
  last: "2025-06-07T10:00:00.000Z",
});

export const activitySensitiveOperations: CheckCase[] = [
  {
    name: "a Cloud HSM that deleted a key and created a user: fail, each counted, rows listed newest first",
    ...on(chsm, {
      activitySamples: [
        activity(WORKSPACE, [chsm], {
          operations: [op(chsm, "CN_LOGIN", 40), op(chsm, "CN_TOMBSTONE_OBJECT", 2), op(chsm, "CN_CREATE_USER", 1)],
          sensitive: [
            {
              hsmId: id(chsm),
              operation: "CN_TOMBSTONE_OBJECT",
              records: 2,
              rows: [
                { time: "2025-06-03T09:00:00.000Z", caller: "10.0.0.9", identity: "", outcome: "unknown" },
                { time: "2025-06-05T09:00:00.000Z", caller: "10.0.0.9", identity: "", outcome: "unknown" },
              ],
            },
          ],
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /^3 sensitive operations of Chsm-Payments in the window: CN_TOMBSTONE_OBJECT \(deleteKey\) ×2, CN_CREATE_USER \(createUser\) ×1\.$/,
    },
  },
  {
    name: "a Managed HSM whose log shows only signing: pass",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], { operations: [op(mhsm, "KeySign", 300)] })] }),
    expect: { status: "pass", message: /No sensitive operation of Mhsm-Keys was recorded/ },
  },
  {
    name: "an operation added by the policy's params is found from the per-operation counts",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], { operations: [op(mhsm, "KeyRelease", 4)] })] }),
    params: { operations: { cloudHsm: [], managedHsm: ["KeyRelease"] } },
    expect: { status: "fail", message: /KeyRelease \(key release\) ×4/ },
  },
  {
    name: "backup and restore are matched by name",
    ...on(chsm, { activitySamples: [activity(WORKSPACE, [chsm], { operations: [op(chsm, "CN_BACKUP_CLUSTER", 1)] })] }),
    expect: { status: "fail", message: /CN_BACKUP_CLUSTER ×1/ },
  },
  {
    name: "rows of another HSM in the same workspace do not count",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          operations: [{ ...op(mhsm, "KeyPurge", 3), hsmId: "/subscriptions/x/other" }, op(mhsm, "KeySign", 5)],
        }),
      ],
    }),
    expect: { status: "pass" },
  },
  {
    name: "a log with no record of the HSM (only another's): not applicable, never a pass on nothing",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], { operations: [{ ...op(mhsm, "KeyPurge", 3), hsmId: "/subscriptions/x/other" }] }),
      ],
    }),
    expect: {
      status: "not_applicable",
      message: /holds no audit record of Mhsm-Keys in the window .*see logs-flowing/,
    },
  },
  {
    name: "no record of the HSM, but an answer came back in part: error, not 'not applicable'",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], {}, { partial: ["sensitive"] })] }),
    expect: { status: "error", message: /answered only in part/ },
  },
  {
    name: "nothing found but the answer was partial: error, never a pass",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], {}, { partial: ["operations"] })] }),
    expect: { status: "error", message: /answered only in part/ },
  },
  {
    name: "the question failed: error with the reason",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], {}, { failed: ["operations"] })] }),
    expect: { status: "error", message: /could not be read: .*403/ },
  },
  {
    name: "the workspace was never asked: error",
    ...on(mhsm),
    expect: { status: "error", message: /was not asked/ },
  },
  {
    name: "every workspace receiving the audit log is gone: not applicable, never a pass",
    target: hsmTarget(mhsm),
    snapshot: snapshot({ hsms: [mhsm], workspaces: [workspace(WORKSPACE, { exists: false })] }),
    expect: {
      status: "not_applicable",
      message: /workspace law-audit receiving the audit log of Mhsm-Keys does not exist/,
    },
  },
  {
    name: "the workspace receiving the audit log is gone, and a group may send it to another (its members unread): error",
    target: hsmTarget(mhsmMaybeSentinel),
    snapshot: snapshot({
      hsms: [mhsmMaybeSentinel],
      workspaces: [
        workspace(WORKSPACE, { exists: false }),
        workspace(workspaceId("law-soc"), { retentionInDays: 400 }),
      ],
    }),
    expect: {
      status: "error",
      message: /workspace law-audit does not exist; workspace law-soc, which setting 'by-group' may send it to/,
    },
  },
  {
    name: "the answers hold fewer records than the log query counted (a table left out): error",
    ...on(mhsm, {
      logSamples: [sample(WORKSPACE, { rows: [row(mhsm, 40)] }, [mhsm.id])],
      activitySamples: [activity(WORKSPACE, [mhsm], { operations: [op(mhsm, "KeySign", 12)] })],
    }),
    expect: { status: "error", message: /counted 40 audit records but its activity answers hold 12/ },
  },
  {
    name: "the records query failed and the activity answers hold nothing of the HSM: error, never a pass on nothing",
    ...on(mhsm, {
      logSamples: [sample(WORKSPACE, failed("the query answered 503", 503), [mhsm.id])],
      activitySamples: [activity(WORKSPACE, [mhsm], {})],
    }),
    expect: {
      status: "error",
      message:
        /Whether the log holds any audit record of \S+ could not be read: workspace law-audit did not answer the records query/,
    },
  },
  {
    name: "the records query answered in part and the activity answers hold nothing of the HSM: error",
    ...on(mhsm, {
      logSamples: [sample(WORKSPACE, { rows: [], partial: "PartialError: a table timed out" }, [mhsm.id])],
      activitySamples: [activity(WORKSPACE, [mhsm], {})],
    }),
    expect: { status: "error", message: /answered only in part \(the records query\)/ },
  },
  {
    name: "no workspace receives the audit log: not applicable, saying why",
    ...on(noWorkspace),
    expect: { status: "not_applicable", message: /No Log Analytics workspace receives the audit log/ },
  },
  {
    name: "a setting that may send the audit log to a workspace (its group unresolved): error, never not applicable",
    ...on(
      managedHsm({
        name: "mhsm-maybe",
        settings: [
          ...(noWorkspace.diagnosticSettings as { value: ReturnType<typeof setting>[] }).value,
          setting({ name: "by-group", group: "audit", workspaceId: WORKSPACE }),
        ],
        categories: failed("categories API answered 429", 429),
      }),
    ),
    expect: { status: "error", message: /'by-group' .* could not be resolved \(categories API answered 429\)/ },
  },
];

const gets = (caller: string, bin: string, n: number, identity = "") => ({
  hsmId: id(mhsm),
  caller,
  identity,
  bin,
  gets: n,
});

export const activityMassRetrieval: CheckCase[] = [
  {
    name: "26 KeyGets by one caller in an hour: fail, naming the caller",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          keyGets: [
            gets("10.1.1.1", "2025-06-03T00:00:00.000Z", 26, "app@contoso.com"),
            gets("10.1.1.2", "2025-06-03T00:00:00.000Z", 25),
          ],
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /^1 caller of Mhsm-Keys made more than 25 successful KeyGet requests within 24 hours \(most 26\): app@contoso\.com\.$/,
    },
  },
  {
    name: "a burst across a UTC midnight (15 before, 15 after) is counted whole: fail at 30",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          keyGets: [
            gets("203.0.113.5", "2025-06-03T23:00:00.000Z", 15, "harvest@contoso.com"),
            gets("203.0.113.5", "2025-06-04T00:00:00.000Z", 15, "harvest@contoso.com"),
          ],
        }),
      ],
    }),
    expect: { status: "fail", message: /within 24 hours \(most 30\): harvest@contoso\.com\.$/ },
  },
  {
    name: "gets in hours 24 hours apart are one day at worst (25 hourly bins): fail at 26",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          keyGets: [gets("10.1.1.3", "2025-06-03T10:00:00.000Z", 13), gets("10.1.1.3", "2025-06-04T10:00:00.000Z", 13)],
        }),
      ],
    }),
    expect: { status: "fail", message: /most 26\)/ },
  },
  {
    name: "gets 25 hours apart are two days: pass",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          keyGets: [gets("10.1.1.3", "2025-06-03T10:00:00.000Z", 13), gets("10.1.1.3", "2025-06-04T11:00:00.000Z", 13)],
        }),
      ],
    }),
    expect: { status: "pass" },
  },
  {
    name: "the busiest 24 hours of a steady caller, not its whole window: 20 a day for a week passes",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          keyGets: Array.from({ length: 7 * 24 }, (_, h) =>
            gets("10.1.1.4", new Date(Date.UTC(2025, 5, 1) + h * 3_600_000).toISOString(), h % 6 === 0 ? 5 : 0),
          ).filter((r) => r.gets > 0),
        }),
      ],
    }),
    expect: { status: "pass" },
  },
  {
    name: "exactly 25 is the threshold, not over it: pass",
    ...on(mhsm, {
      activitySamples: [activity(WORKSPACE, [mhsm], { keyGets: [gets("10.1.1.2", "2025-06-03T00:00:00.000Z", 25)] })],
    }),
    expect: { status: "pass" },
  },
  {
    name: "a lower threshold from params",
    ...on(mhsm, {
      activitySamples: [activity(WORKSPACE, [mhsm], { keyGets: [gets("10.1.1.2", "2025-06-03T00:00:00.000Z", 6)] })],
    }),
    params: { maxPerCallerPerDay: 5 },
    expect: { status: "fail", message: /more than 5 successful KeyGet/ },
  },
  {
    name: "the same records reaching two workspaces are counted once, not twice",
    ...(() => {
      const h = twoWorkspaceHsm;
      const row = { hsmId: id(h), caller: "10.1.1.1", identity: "", bin: "2025-06-03T00:00:00.000Z", gets: 26 };
      return {
        target: hsmTarget(h),
        snapshot: snapshot({
          hsms: [h],
          workspaces: [
            workspace(WORKSPACE, { retentionInDays: 400 }),
            workspace(workspaceId("law-two"), { retentionInDays: 400 }),
          ],
          activitySamples: [
            activity(WORKSPACE, [h], { keyGets: [row] }),
            activity(workspaceId("law-two"), [h], { keyGets: [row] }),
          ],
        }),
      };
    })(),
    // 26 in each workspace is 26, not 52: one caller over the threshold, at 26.
    expect: { status: "fail", message: /most 26\)/ },
  },
  {
    name: "the key retrieval question failed: error",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], {}, { failed: ["keyGets"] })] }),
    expect: { status: "error", message: /could not be read/ },
  },
];

const failures = (caller: string, bin: string, n: number) => ({
  hsmId: id(mhsm),
  caller,
  identity: "",
  bin,
  failures: n,
  operations: ["KeyGet", "KeyDecrypt"],
});

export const activityFailedAccess: CheckCase[] = [
  {
    name: "12 failures from one caller in five minutes: fail",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          failures: [
            failures("203.0.113.7", "2025-06-04T03:00:00.000Z", 12),
            failures("10.0.0.4", "2025-06-04T05:00:00.000Z", 2),
          ],
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /^Mhsm-Keys had 1 burst of 10 or more failed requests from one caller within an hour \(most 12\) from 203\.0\.113\.7; 14 failed requests in the window\.$/,
    },
  },
  {
    name: "failures in the first and the last five minutes of an hour (bins 10:00 and 11:00) are one burst",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          failures: [
            failures("203.0.113.7", "2025-06-04T10:00:00.000Z", 5),
            failures("203.0.113.7", "2025-06-04T11:00:00.000Z", 5),
          ],
        }),
      ],
    }),
    expect: { status: "fail", message: /most 10/ },
  },
  {
    name: "a burst across a clock hour still falls within one hour: 6 at 03:40 and 6 at 04:05",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          failures: [
            failures("203.0.113.7", "2025-06-04T03:40:00.000Z", 6),
            failures("203.0.113.7", "2025-06-04T04:05:00.000Z", 6),
          ],
        }),
      ],
    }),
    expect: { status: "fail", message: /most 12/ },
  },
  {
    name: "the same failures more than an hour apart are no burst: pass, counted",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], {
          failures: [
            failures("203.0.113.7", "2025-06-04T03:00:00.000Z", 6),
            failures("203.0.113.7", "2025-06-04T04:10:00.000Z", 6),
          ],
        }),
      ],
    }),
    expect: { status: "pass", message: /\(12 failed requests in the window\)/ },
  },
  {
    name: "failures spread thin stay under the burst threshold: pass, counted",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], { failures: [failures("10.0.0.4", "2025-06-04T05:00:00.000Z", 9)] }),
      ],
    }),
    expect: { status: "pass", message: /\(9 failed requests in the window\)/ },
  },
  {
    name: "the failures question came back in part and shows no burst: error",
    ...on(mhsm, { activitySamples: [activity(WORKSPACE, [mhsm], {}, { partial: ["failures"] })] }),
    expect: { status: "error", message: /answered only in part/ },
  },
];

const caller = (hsm: HsmFacts, address: string, first: string, firstLogin?: string) => ({
  hsmId: id(hsm),
  caller: address,
  identity: "",
  records: 10,
  failures: 0,
  first,
  last: "2025-06-08T00:00:00.000Z",
  ...(firstLogin ? { firstLogin } : {}),
});

export const activityNewCallers: CheckCase[] = [
  {
    name: "a Cloud HSM sign-in from an address first seen on day 4: fail (the window starts 2025-06-01T12:00Z)",
    ...on(chsm, {
      activitySamples: [
        activity(WORKSPACE, [chsm], {
          callers: [
            caller(chsm, "10.0.0.4", "2025-06-01T12:30:00.000Z", "2025-06-01T12:30:00.000Z"),
            caller(chsm, "198.51.100.23", "2025-06-04T02:00:00.000Z", "2025-06-04T02:00:00.000Z"),
          ],
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /^1 address first signed in to Chsm-Payments after the first 24 hours of the window: 198\.51\.100\.23\.$/,
    },
  },
  {
    name: "a Cloud HSM caller seen early that never signed in is not a new sign-in",
    ...on(chsm, {
      activitySamples: [
        activity(WORKSPACE, [chsm], { callers: [caller(chsm, "10.0.0.5", "2025-06-05T00:00:00.000Z")] }),
      ],
    }),
    expect: { status: "pass" },
  },
  {
    name: "a Managed HSM caller first seen inside the baseline: pass",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], { callers: [caller(mhsm, "10.0.0.4", "2025-06-02T11:00:00.000Z")] }),
      ],
    }),
    expect: { status: "pass", message: /was seen in its first 24 hours/ },
  },
  {
    name: "a window no longer than the baseline: not applicable, since nothing can be new in it",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], { callers: [caller(mhsm, "10.0.0.4", "2025-06-02T11:00:00.000Z")] }),
      ],
    }),
    params: { baselineHours: 24 * 7 },
    expect: { status: "not_applicable", message: /no longer than the 168-hour baseline/ },
  },
  {
    name: "a longer baseline from params",
    ...on(mhsm, {
      activitySamples: [
        activity(WORKSPACE, [mhsm], { callers: [caller(mhsm, "10.0.0.4", "2025-06-03T11:00:00.000Z")] }),
      ],
    }),
    params: { baselineHours: 72 },
    expect: { status: "pass" },
  },
  {
    name: "the callers question failed: error",
    ...on(chsm, { activitySamples: [activity(WORKSPACE, [chsm], {}, { failed: ["callers"] })] }),
    expect: { status: "error", message: /could not be read/ },
  },
];

const bins = (hsm: HsmFacts, times: string[]) => times.map((bin) => ({ hsmId: id(hsm), bin, records: 3 }));
/** Bins every `stepHours` from `from` to `to` (inclusive). */
function every(from: string, to: string, stepHours: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepHours * 3_600_000) out.push(new Date(t).toISOString());
  return out;
}
/** The window of the fixtures is 2025-06-01T12:00Z to 2025-06-08T12:00Z: records until its last hour. */
const untilTheEnd = (from: string) => every(from, "2025-06-08T11:00:00.000Z", 6);
const series = (times: string[], bin: "1h" | "1d" = "1h") => ({
  activitySamples: [activity(WORKSPACE, [chsm], { series: bins(chsm, times) }, { bin })],
});

export const activityTrailGap: CheckCase[] = [
  {
    name: "a silence of 30 to 32 hours between records: fail, with its bounds",
    ...on(
      chsm,
      series(["2025-06-02T10:00:00.000Z", "2025-06-02T11:00:00.000Z", ...untilTheEnd("2025-06-03T18:00:00.000Z")]),
    ),
    expect: {
      status: "fail",
      message: /was silent from 2025-06-02T12:00:00.000Z to 2025-06-03T18:00:00.000Z \(30 to 32 hours\)/,
    },
  },
  {
    name: "a silence that may just exceed the threshold is flagged (23 to 25 hours, counted by the hour)",
    ...on(chsm, series(["2025-06-02T10:00:00.000Z", ...untilTheEnd("2025-06-03T10:00:00.000Z")])),
    expect: { status: "fail", message: /\(23 to 25 hours\)/ },
  },
  {
    name: "silences of at most 24 hours pass, saying the longest",
    ...on(chsm, series(every("2025-06-01T13:00:00.000Z", "2025-06-08T11:00:00.000Z", 23))),
    expect: { status: "pass", message: /longest 22 to 24 hours/ },
  },
  {
    name: "a trail that begins a day before the end of the window: the silence from the window's start counts",
    ...on(chsm, series(untilTheEnd("2025-06-07T11:00:00.000Z"))),
    expect: {
      status: "fail",
      message:
        /wrote nothing from the start of the window \(2025-06-01T12:00:00.000Z\) until 2025-06-07T11:00:00.000Z \(143 to 144 hours\)/,
    },
  },
  {
    name: "four records in the window's last three hours do not cover the window: fail",
    ...on(chsm, series(["2025-06-08T09:00:00.000Z", "2025-06-08T10:00:00.000Z", "2025-06-08T11:00:00.000Z"])),
    expect: { status: "fail", message: /wrote nothing from the start of the window/ },
  },
  {
    name: "records from the window's first hour on: no silence at the start",
    ...on(chsm, series(every("2025-06-01T12:00:00.000Z", "2025-06-08T11:00:00.000Z", 12))),
    expect: { status: "pass", message: /longest 11 to 13 hours/ },
  },
  {
    name: "no record of the HSM at all: not applicable (logs-flowing fails), never 'no silence'",
    ...on(chsm, series([])),
    expect: { status: "not_applicable", message: /holds no audit record of Chsm-Payments/ },
  },
  {
    name: "a trail that stopped on day two: fail, nothing written since",
    ...on(chsm, series(every("2025-06-01T13:00:00.000Z", "2025-06-02T10:00:00.000Z", 1))),
    expect: { status: "fail", message: /has written nothing since 2025-06-02T11:00:00.000Z/ },
  },
  {
    name: "day bins for long windows: a record every day passes",
    ...on(chsm, series(every("2025-06-01T00:00:00.000Z", "2025-06-08T00:00:00.000Z", 24), "1d")),
    expect: { status: "pass", message: /counted by the day/ },
  },
  {
    name: "day bins two days apart may hide up to 72 hours of silence: fail",
    ...on(
      chsm,
      series(["2025-06-02T00:00:00.000Z", ...every("2025-06-04T00:00:00.000Z", "2025-06-08T00:00:00.000Z", 24)], "1d"),
    ),
    expect: { status: "fail", message: /\(24 to 72 hours\)/ },
  },
  {
    name: "the series question failed: error",
    ...on(chsm, { activitySamples: [activity(WORKSPACE, [chsm], {}, { failed: ["series"] })] }),
    expect: { status: "error", message: /could not be read/ },
  },
];

const MHSM_RULE = 'AzureDiagnostics | where ResourceType == "MANAGEDHSMS" | where OperationName == "KeyDelete"';
const VAULT_RULE = 'AzureDiagnostics | where ResourceType =~ "VAULTS" | where OperationName == "KeyDelete"';
const AZKV_RULE = 'AZKVAuditLogs | where OperationName == "KeyDelete"';
/** A Managed HSM whose setting writes AzureDiagnostics (the legacy mode); `mhsm` is in Dedicated mode (AZKVAuditLogs). */
const legacyMhsm = managedHsm({
  name: "mhsm-legacy",
  settings: [
    { ...setting({ category: "AuditEvent", workspaceId: WORKSPACE }), logAnalyticsDestinationType: undefined },
  ],
});
const rulesOn = (hsm: HsmFacts, rules: { name: string; query?: string; enabled?: boolean; kind?: string }[]) => ({
  target: hsmTarget(hsm),
  snapshot: snapshot({ hsms: [hsm], workspaces: [sentinelWorkspace(WORKSPACE, { onboarded: true, rules })] }),
});

export const sentinelCoverage: CheckCase[] = [
  {
    name: "legacy mode, an enabled rule reading AzureDiagnostics/MANAGEDHSMS: pass, naming it",
    ...rulesOn(legacyMhsm, [{ name: "HSM key deleted", query: MHSM_RULE }]),
    expect: { status: "pass", message: /law-audit: 'HSM key deleted'/ },
  },
  {
    name: "Dedicated mode, a rule on AZKVAuditLogs: pass",
    ...rulesOn(mhsm, [{ name: "HSM key deleted", query: AZKV_RULE }]),
    expect: { status: "pass", message: /law-audit: 'HSM key deleted'/ },
  },
  {
    name: "Dedicated mode (AZKVAuditLogs), a rule on AzureDiagnostics/MANAGEDHSMS: fail, it reads a table the HSM does not write",
    ...rulesOn(mhsm, [{ name: "HSM key deleted", query: MHSM_RULE }]),
    expect: {
      status: "fail",
      message:
        /the only analytic rule on workspace law-audit does not read AZKVAuditLogs \(where setting 'audit-trail' writes them, in resource-specific mode\)/,
    },
  },
  {
    name: "legacy mode, a rule on AZKVAuditLogs: fail",
    ...rulesOn(legacyMhsm, [{ name: "HSM key deleted", query: AZKV_RULE }]),
    expect: { status: "fail", message: /does not read AzureDiagnostics rows of ResourceType MANAGEDHSMS/ },
  },
  {
    name: "Dedicated mode, a rule on AZKVAuditLogs that keeps only vaults: fail",
    ...rulesOn(mhsm, [
      { name: "vault ids", query: 'AZKVAuditLogs | where _ResourceId has "/vaults/"' },
      {
        name: "vault hosts",
        query: 'AZKVAuditLogs | where _ResourceId contains "/providers/microsoft.keyvault/vaults/"',
      },
    ]),
    expect: { status: "fail", message: /none of the 2 analytic rules on workspace law-audit reads AZKVAuditLogs/ },
  },
  {
    name: "legacy mode, rules that exclude MANAGEDHSMS by not() and <>: fail",
    ...rulesOn(legacyMhsm, [
      { name: "not", query: 'AzureDiagnostics | where not(ResourceType == "MANAGEDHSMS")' },
      { name: "ltgt", query: 'AzureDiagnostics | where ResourceType <> "MANAGEDHSMS"' },
    ]),
    expect: { status: "fail", message: /none of the 2 analytic rules on workspace law-audit reads AzureDiagnostics/ },
  },
  {
    name: "rules the analysis cannot follow do not count, and the message says so: fail",
    ...rulesOn(mhsm, [
      { name: "stored function", query: "HsmAudit() | where OperationName == 'KeyDelete'" },
      { name: "everything", query: "union * | where OperationName == 'KeyDelete'" },
      { name: "search", query: 'search "KeyDelete"', enabled: false },
      { name: "vaults", query: VAULT_RULE },
    ]),
    expect: {
      status: "fail",
      message:
        /no analytic rule on workspace law-audit is proven to read AZKVAuditLogs .*; 2 enabled rules could not be analysed, so they do not count: 'stored function' \(it calls HsmAudit\(\), whose body is not in the query\); 'everything' \(it uses union with a wildcard/,
    },
  },
  {
    name: "one rule proves it: the others that cannot be analysed do not matter",
    ...rulesOn(mhsm, [
      { name: "stored function", query: "HsmAudit()" },
      { name: "HSM key deleted", query: AZKV_RULE },
    ]),
    expect: { status: "pass", message: /law-audit: 'HSM key deleted'$|law-audit: 'HSM key deleted'\./ },
  },
  {
    name: "no rule on the workspace, but a rule on one that a group may send to (its members unread): error, not fail",
    target: hsmTarget(mhsmMaybeSentinel),
    snapshot: snapshot({
      hsms: [mhsmMaybeSentinel],
      workspaces: [
        sentinelWorkspace(WORKSPACE, { onboarded: true, rules: [] }),
        sentinelWorkspace(workspaceId("law-soc"), {
          onboarded: true,
          rules: [{ name: "HSM key deleted", query: AZKV_RULE }],
        }),
      ],
    }),
    expect: { status: "error", message: /unknown: workspace law-soc, which setting 'by-group' may send it to/ },
  },
  {
    name: "only Sentinel's Key Vault rules (VAULTS): fail",
    target: hsmTarget(legacyMhsm),
    snapshot: snapshot({
      hsms: [legacyMhsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, {
          onboarded: true,
          rules: [
            { name: "Sensitive Azure Key Vault operations", query: VAULT_RULE },
            { name: "Fusion", kind: "Fusion" },
          ],
        }),
      ],
    }),
    expect: {
      status: "fail",
      message:
        /none of the 2 analytic rules on workspace law-audit reads AzureDiagnostics rows of ResourceType MANAGEDHSMS/,
    },
  },
  {
    name: "the rule exists but is disabled: fail",
    target: hsmTarget(legacyMhsm),
    snapshot: snapshot({
      hsms: [legacyMhsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, {
          onboarded: true,
          rules: [{ name: "HSM key deleted", query: MHSM_RULE, enabled: false }],
        }),
      ],
    }),
    expect: { status: "fail", message: /are disabled/ },
  },
  {
    name: "a Managed HSM rule does not cover a Cloud HSM",
    target: hsmTarget(chsm),
    snapshot: snapshot({
      hsms: [chsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, { onboarded: true, rules: [{ name: "HSM key deleted", query: MHSM_RULE }] }),
      ],
    }),
    expect: {
      status: "fail",
      message: /the only analytic rule on workspace law-audit does not read CloudHsmServiceOperationAuditLogs/,
    },
  },
  {
    name: "Sentinel not onboarded: fail",
    target: hsmTarget(chsm),
    snapshot: snapshot({ hsms: [chsm], workspaces: [sentinelWorkspace(WORKSPACE, { onboarded: false })] }),
    expect: { status: "fail", message: /not onboarded on workspace law-audit/ },
  },
  {
    name: "Sentinel could not be read: error",
    target: hsmTarget(chsm),
    snapshot: snapshot({
      hsms: [chsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, failed("could not read Microsoft Sentinel: HTTP 403 AuthorizationFailed", 403)),
      ],
    }),
    expect: { status: "error", message: /is unknown: .*403/ },
  },
  {
    name: "a rule that names MANAGEDHSMS only to exclude it does not watch a Managed HSM",
    target: hsmTarget(legacyMhsm),
    snapshot: snapshot({
      hsms: [legacyMhsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, {
          onboarded: true,
          rules: [
            {
              name: "vaults-only",
              query: 'AzureDiagnostics | where ResourceType =~ "VAULTS" and ResourceType !~ "MANAGEDHSMS"',
            },
            { name: "commented", query: "AzureDiagnostics // TODO: MANAGEDHSMS and AZKVAuditLogs\n| take 1" },
            { name: "not-in", query: 'AzureDiagnostics | where ResourceType !in ("MANAGEDHSMS")' },
          ],
        }),
      ],
    }),
    expect: { status: "fail", message: /none of the 3 analytic rules/ },
  },
  {
    name: "a rule name that mentions the table is not enough: the query must read it",
    target: hsmTarget(chsm),
    snapshot: snapshot({
      hsms: [chsm],
      workspaces: [
        sentinelWorkspace(WORKSPACE, {
          onboarded: true,
          rules: [{ name: "CloudHsmServiceOperationAuditLogs watcher", query: "SecurityEvent | take 1" }],
        }),
      ],
    }),
    expect: { status: "fail" },
  },
];
