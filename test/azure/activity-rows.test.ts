// How a Log Analytics answer to an activity question becomes snapshot rows: each column read by its type, and the
// evidence records of a sensitive operation cut to exactly the keys the query packs, whatever else the answer holds,
// so that a scan never writes a snapshot its own `evaluate` would refuse (the snapshot's schema is closed).
import { activityRows } from "../../src/azure/collectors/log-queries.js";
import { MalformedAnswer } from "../../src/azure/derive/common.js";

const HSM = "/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/managedhsms/m1";
const COLUMNS = ["TenantId", "_ResourceId", "OperationName", "Records", "Rows"].map((name) => ({ name }));
const answer = (rows: unknown) => [{ columnDescriptors: COLUMNS, rows: [["t", HSM, "KeyDelete", 1, rows]] }];

describe("the evidence records of a sensitive operation", () => {
  test.each([
    {
      case: "the four packed keys, the time made an ISO instant",
      rows: [{ time: "2026-12-01T10:00:00Z", caller: "10.0.0.4", identity: "alice", outcome: "success" }],
      expected: [{ time: "2026-12-01T10:00:00.000Z", caller: "10.0.0.4", identity: "alice", outcome: "success" }],
    },
    {
      case: "keys the query did not pack are dropped",
      rows: [{ time: "2026-12-01T10:00:00Z", caller: "c", identity: "i", outcome: "o", injected: "x", __proto__x: 1 }],
      expected: [{ time: "2026-12-01T10:00:00.000Z", caller: "c", identity: "i", outcome: "o" }],
    },
    {
      case: "a key the record lacks (a null Caller) is empty text",
      rows: [{ time: "2026-12-01T10:00:00Z", identity: "i", outcome: null }],
      expected: [{ time: "2026-12-01T10:00:00.000Z", caller: "", identity: "i", outcome: "" }],
    },
    {
      case: "the rows as JSON text, as Log Analytics may send a dynamic column",
      rows: JSON.stringify([{ time: "2026-12-01T10:00:00Z", caller: "c", identity: "i", outcome: "o", more: 1 }]),
      expected: [{ time: "2026-12-01T10:00:00.000Z", caller: "c", identity: "i", outcome: "o" }],
    },
  ])("$case", ({ rows, expected }) => {
    const [row] = activityRows("sensitive", answer(rows));
    expect(row).toEqual({ hsmId: HSM, operation: "KeyDelete", records: 1, rows: expected });
  });

  test.each([
    { case: "an item that is not a record", rows: ["text"] },
    { case: "a list nested in the list", rows: [[{ time: "t" }]] },
    { case: "not a list", rows: { time: "t" } },
    { case: "JSON text that does not parse", rows: "[{" },
  ])("$case makes the answer malformed", ({ rows }) => {
    expect(() => activityRows("sensitive", answer(rows))).toThrow(MalformedAnswer);
  });
});
