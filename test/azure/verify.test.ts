// The snapshot verifier (src/azure/verify.ts): bodies against hashes, batch answers against their batch, facts against
// their bodies re-derived with the collector's mappings. End to end through the CLI: test/e2e/tamper.test.ts.
import { createHash } from "node:crypto";
import { verifySnapshot, firstDifference } from "../../src/azure/verify.js";
import { isKnown, type Snapshot } from "../../src/model/snapshot.js";
import { cloudHsm, sealed, setting, snapshot } from "../helpers/snapshots.js";

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const base = () =>
  sealed(
    snapshot({
      hsms: [
        cloudHsm({ name: "chsm-1", settings: [setting({ category: "HsmServiceOperations", workspaceId: "/x" })] }),
      ],
    }),
  );
const settingsRecord = (s: Snapshot) => {
  const fact = s.hsms[0]!.diagnosticSettings!;
  return s.evidence.find((e) => e.id === fact.evidence[0])!;
};

describe("verifySnapshot", () => {
  test("a sealed snapshot verifies, unchanged", () => {
    const s = base();
    const v = verifySnapshot(s);
    expect(v.tampered).toEqual([]);
    expect(v.unverifiable).toEqual([]);
    expect(v.verified).toBeGreaterThanOrEqual(2);
    expect(v.snapshot).toEqual(s);
  });

  test.each([
    [
      "enabled flipped",
      (s: Snapshot) =>
        void ((
          s.hsms[0]!.diagnosticSettings as { value: { logs: { enabled: boolean }[] }[] }
        ).value[0]!.logs[0]!.enabled = false),
      /value\[0\]\.logs\[0\]\.enabled: the fact says false, the evidence true/,
    ],
    [
      "registration edited",
      (s: Snapshot) =>
        void ((
          s.subscriptions[0]!.insightsProvider as { value: { registrationState: string } }
        ).value.registrationState = "NotRegistered"),
      /registrationState: the fact says "NotRegistered", the evidence "Registered"/,
    ],
    [
      "a setting added",
      (s: Snapshot) =>
        void (s.hsms[0]!.diagnosticSettings as { value: unknown[] }).value.push(setting({ name: "extra" })),
      /the fact lists 2 item\(s\), the evidence 1/,
    ],
  ])("a fact that is not what its body says (%s) is tampered, naming the record", (_, edit, problem) => {
    const s = base();
    edit(s);
    const v = verifySnapshot(s);
    expect(v.tampered).toHaveLength(1);
    expect(v.tampered[0]!.problem).toMatch(problem);
    expect(v.tampered[0]!.evidence).toMatch(/^ev-sealed-/);
  });

  test("a body that does not hash to its sha256 is tampered; a redacted one is not hash-checked", () => {
    const s = base();
    const record = settingsRecord(s);
    record.body = record.body!.replace('"enabled":true', '"enabled":true ');
    expect(verifySnapshot(s).tampered).toEqual([
      { evidence: record.id, fact: "evidence", problem: "its body does not hash to its sha256" },
    ]);
    record.redacted = true;
    expect(verifySnapshot(s).tampered).toEqual([]);
  });

  test("a body not kept: the fact becomes an Unverifiable error, never a value", () => {
    const s = base();
    const record = settingsRecord(s);
    delete record.body;
    const v = verifySnapshot(s);
    expect(v.tampered).toEqual([]);
    expect(v.unverifiable).toHaveLength(1);
    expect(v.unverifiable[0]!.reason).toContain(`evidence ${record.id}`);
    const fact = v.snapshot.hsms[0]!.diagnosticSettings!;
    expect(isKnown(fact)).toBe(false);
    expect(fact).toMatchObject({ error: { code: "Unverifiable" }, evidence: [record.id] });
    expect(v.snapshot.errors.some((e) => e.code === "Unverifiable")).toBe(true);
    // The input is not changed.
    expect(isKnown(s.hsms[0]!.diagnosticSettings)).toBe(true);
  });

  test("a fact citing no answer to its GET, or another resource's, cannot be verified", () => {
    const s = base();
    s.hsms[0]!.diagnosticSettings!.evidence = [];
    expect(verifySnapshot(s).unverifiable[0]!.reason).toContain("none of its evidence records is an answer to GET");
    const other = base();
    settingsRecord(other).url = settingsRecord(other).url.replace("chsm-1", "chsm-2");
    expect(verifySnapshot(other).unverifiable).toHaveLength(1);
  });

  test("a failed answer cannot be the source of a value", () => {
    const s = base();
    const record = settingsRecord(s);
    record.status = 403;
    expect(verifySnapshot(s).tampered[0]!.problem).toContain("HTTP 403");
  });

  test("a batch's inner answer must be one the batch carried", () => {
    const s = base();
    const record = settingsRecord(s);
    const content = JSON.parse(record.body!) as unknown;
    const carrierBody = JSON.stringify({ responses: [{ name: "a", httpStatusCode: 200, content }] });
    s.evidence.push({
      ...record,
      id: "ev-batch",
      method: "POST",
      url: "https://management.azure.com/batch?api-version=2020-06-01",
      body: carrierBody,
      sha256: sha(carrierBody),
    });
    record.via = "ev-batch";
    record.body = JSON.stringify(content);
    record.sha256 = sha(record.body);
    expect(verifySnapshot(s).tampered).toEqual([]);
    const edited = record.body.replace('"enabled":true', '"enabled":false');
    record.body = edited;
    record.sha256 = sha(edited);
    expect(verifySnapshot(s).tampered.map((t) => t.problem)).toContain(
      "the batch exchange ev-batch carried no such answer",
    );
  });
});

test("firstDifference names the first differing path", () => {
  expect(firstDifference({ a: [1, { b: true }] }, { a: [1, { b: false }] }, "value")).toBe(
    "value.a[1].b: the fact says true, the evidence false",
  );
  expect(firstDifference({ a: 1 }, { a: 1 })).toBeUndefined();
  expect(firstDifference({ a: 1 }, {}, "value")).toBe("value.a: the fact says 1, the evidence nothing");
});
