// The evaluation memo answers as a scan of the snapshot's arrays would: the first match in the snapshot's order, ids
// compared ignoring case; it belongs to its snapshot, and a check handed another snapshot's memo does not use it.
import { auditTrail } from "../../src/engine/audit-trail.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../../src/domain/hsm-kinds.js";
import { CHECK_KINDS } from "../../src/engine/checks/index.js";
import { EvaluationMemo, memoFor } from "../../src/engine/memo.js";
import {
  WORKSPACE,
  activity,
  cloudHsm,
  hsmTarget,
  managedHsm,
  row,
  sample,
  setting,
  snapshot,
  subscription,
  workspace,
} from "../helpers/snapshots.js";

const chsm = cloudHsm({ settings: [setting({ category: "HsmServiceOperations", workspaceId: WORKSPACE })] });
const mhsm = managedHsm({ settings: [setting({ category: "AuditEvent", workspaceId: WORKSPACE.toUpperCase() })] });

describe("lookups by id", () => {
  test("a workspace is the first with the id, whatever its case", () => {
    const first = workspace(WORKSPACE.toUpperCase(), { retentionInDays: 30 });
    const second = workspace(WORKSPACE, { retentionInDays: 400 });
    const memo = new EvaluationMemo(snapshot({ workspaces: [first, second] }));
    expect(memo.workspace(WORKSPACE)).toBe(first);
    expect(memo.workspace(WORKSPACE.toLowerCase())).toBe(first);
    expect(memo.workspace(`${WORKSPACE}-other`)).toBeUndefined();
  });

  test("a subscription is the first with the id; it holds an HSM when one of the snapshot's lives there", () => {
    const sub = subscription({ subscriptionId: chsm.subscriptionId.toUpperCase() });
    const memo = new EvaluationMemo(snapshot({ hsms: [chsm], subscriptions: [sub, subscription()] }));
    expect(memo.subscription(chsm.subscriptionId)).toBe(sub);
    expect(memo.holdsHsm(chsm.subscriptionId.toUpperCase())).toBe(true);
    expect(memo.holdsHsm("00000000-0000-4000-8000-000000000000")).toBe(false);
  });

  test("the rows about an HSM are those with its id in any case, in their order; none is an empty list", () => {
    const rows = [row(chsm, 1), row(mhsm, 2), { ...row(chsm, 3), hsmId: chsm.id.toUpperCase() }, row(chsm, 4)];
    const memo = new EvaluationMemo(snapshot());
    expect(memo.rowsOf(rows, chsm.id).map((r) => r.records)).toEqual([1, 3, 4]);
    expect(memo.rowsOf(rows, mhsm.id.toUpperCase()).map((r) => r.records)).toEqual([2]);
    expect(memo.rowsOf(rows, "/subscriptions/x/none")).toEqual([]);
  });

  test("a sample of an HSM is the first of the workspace that covers it; the log sample of a workspace is its first", () => {
    const without = sample(WORKSPACE, { rows: [] }, [mhsm.id]);
    const covering = sample(WORKSPACE.toUpperCase(), { rows: [row(chsm, 5)] }, [chsm.id.toUpperCase()]);
    const later = sample(WORKSPACE, { rows: [row(chsm, 9)] }, [chsm.id]);
    const asked = activity(WORKSPACE, [chsm], {});
    const memo = new EvaluationMemo(
      snapshot({
        hsms: [chsm, mhsm],
        logSamples: [without, covering, later],
        activitySamples: [activity(WORKSPACE, [mhsm], {}), asked],
      }),
    );
    expect(memo.logSampleOf(WORKSPACE, chsm.id)).toBe(covering);
    expect(memo.logSampleOf(WORKSPACE, mhsm.id)).toBe(without);
    expect(memo.logSample(WORKSPACE.toLowerCase())).toBe(without);
    expect(memo.activitySampleOf(WORKSPACE.toUpperCase(), chsm.id)).toBe(asked);
    expect(memo.logSampleOf(`${WORKSPACE}-other`, chsm.id)).toBeUndefined();
  });
});

describe("audit trails", () => {
  test("one per HSM and set of categories, the same as auditTrail computes", () => {
    const memo = new EvaluationMemo(snapshot({ hsms: [chsm] }));
    const trail = memo.auditTrail(chsm, undefined);
    expect(trail).toEqual(auditTrail(chsm, undefined));
    expect(memo.auditTrail(chsm, { ...DEFAULT_AUDIT_CATEGORIES })).toBe(trail);
    const other = memo.auditTrail(chsm, { cloudHsm: ["HsmServiceOperations", "Other"] });
    expect(other).not.toBe(trail);
    expect(other).toEqual(auditTrail(chsm, { cloudHsm: ["HsmServiceOperations", "Other"] }));
  });
});

describe("a memo belongs to its snapshot", () => {
  test("memoFor hands back the memo of the snapshot, and a new one for another snapshot", () => {
    const s = snapshot({ hsms: [chsm] });
    const memo = new EvaluationMemo(s);
    expect(memoFor(s, memo)).toBe(memo);
    const other = memoFor(snapshot({ hsms: [chsm] }), memo);
    expect(other).not.toBe(memo);
    expect(memoFor(s)).not.toBe(memo);
  });

  test("a check handed the memo of another snapshot judges its own", () => {
    const logsFlowing = CHECK_KINDS.get("logs-flowing")!;
    const params = { categories: DEFAULT_AUDIT_CATEGORIES, minimumRecords: 1 };
    const flowing = snapshot({
      hsms: [chsm],
      workspaces: [workspace(WORKSPACE, { retentionInDays: 400 })],
      logSamples: [sample(WORKSPACE, { rows: [row(chsm, 20)] })],
    });
    const silent = snapshot({
      hsms: [chsm],
      workspaces: [workspace(WORKSPACE, { retentionInDays: 400 })],
      logSamples: [sample(WORKSPACE, { rows: [] })],
    });
    const memo = new EvaluationMemo(flowing);
    expect(logsFlowing.evaluate(hsmTarget(chsm), params, flowing, memo).status).toBe("pass");
    expect(logsFlowing.evaluate(hsmTarget(chsm), params, silent, memo).status).toBe("fail");
    expect(logsFlowing.evaluate(hsmTarget(chsm), params, flowing, memo).status).toBe("pass");
  });
});
