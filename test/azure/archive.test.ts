// Finding the newest archived hour: one UTC day's prefix at a time, newest first, within the window; and reading the
// first record of either blob layout.
import { createHash } from "node:crypto";
import { archivePrefix } from "../../src/domain/archive-naming.js";
import { dayPrefix, firstRecord, hourOf, newestArchivedHour, type ArchiveReader } from "../../src/azure/archive.js";

const HSM =
  "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/Rg-Hsm/providers/Microsoft.KeyVault/managedHSMs/Mhsm-Keys";
const PREFIX =
  "resourceId=/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG-HSM/PROVIDERS/MICROSOFT.KEYVAULT/MANAGEDHSMS/MHSM-KEYS/";
const record = (time: string) =>
  JSON.stringify({ time, resourceId: HSM.toUpperCase(), category: "AuditEvent", operationName: "KeyGet" });

/** A reader over a fixed set of blobs that records every prefix it was asked to list. */
function reader(blobs: Record<string, string>, missing = false): ArchiveReader & { listed: string[] } {
  const listed: string[] = [];
  return {
    listed,
    async list(prefix) {
      listed.push(prefix);
      if (missing) return undefined;
      return Object.keys(blobs)
        .filter((name) => name.startsWith(prefix))
        .map((name) => ({ name }));
    },
    async head(name, bytes) {
      return Buffer.from(blobs[name]!).subarray(0, bytes);
    },
  };
}

const hourBlob = (iso: string) =>
  `${PREFIX}y=${iso.slice(0, 4)}/m=${iso.slice(5, 7)}/d=${iso.slice(8, 10)}/h=${iso.slice(11, 13)}/m=00/PT1H.json`;
const window = { start: new Date("2025-06-01T12:00:00Z"), end: new Date("2025-06-08T12:00:00Z") };

describe("the archive layout", () => {
  test("the prefix is the ARM id upper-cased, and a day's prefix adds y=/m=/d=", () => {
    expect(archivePrefix(HSM)).toBe(PREFIX);
    expect(dayPrefix(PREFIX, new Date("2025-06-08T23:59:00Z"))).toBe(`${PREFIX}y=2025/m=06/d=08/`);
    expect(hourOf(hourBlob("2025-06-08T07:00:00Z"))?.toISOString()).toBe("2025-06-08T07:00:00.000Z");
    expect(hourOf(`${PREFIX}y=2025/m=06/d=08/notes.txt`)).toBeUndefined();
  });
});

describe("newestArchivedHour", () => {
  test("takes the newest hour of the newest day that has one, listing only the days walked", async () => {
    const r = reader({
      [hourBlob("2025-06-05T03:00:00Z")]: `${record("2025-06-05T03:10:00Z")}\n`,
      [hourBlob("2025-06-05T21:00:00Z")]: `${record("2025-06-05T21:40:00Z")}\n${record("2025-06-05T21:50:00Z")}\n`,
      [hourBlob("2025-06-02T10:00:00Z")]: `${record("2025-06-02T10:00:00Z")}\n`,
    });
    const found = await newestArchivedHour(r, { container: "insights-logs-auditevent", prefix: PREFIX, ...window });
    expect(found.newest).toMatchObject({
      hour: "2025-06-05T21:00:00.000Z",
      format: "jsonLines",
      record: { time: "2025-06-05T21:40:00Z", category: "AuditEvent", resourceId: HSM.toUpperCase() },
      // The hash of the bytes read, which the streamed blob read's evidence record cannot hold.
      headSha256: createHash("sha256")
        .update(`${record("2025-06-05T21:40:00Z")}\n${record("2025-06-05T21:50:00Z")}\n`)
        .digest("hex"),
    });
    expect(r.listed).toEqual(["d=08", "d=07", "d=06", "d=05"].map((d) => `${PREFIX}y=2025/m=06/${d}/`));
    expect(found.daysListed).toEqual(r.listed);
  });

  test("walks back at most the window's days, and finds nothing older", async () => {
    const r = reader({ [hourBlob("2025-05-20T10:00:00Z")]: record("2025-05-20T10:00:00Z") });
    const found = await newestArchivedHour(r, { container: "c", prefix: PREFIX, ...window });
    expect(found.newest).toBeUndefined();
    // 1 June to 8 June: eight calendar days, never the whole container.
    expect(r.listed.length).toBe(8);
    expect(r.listed.every((p) => p.startsWith(PREFIX) && /\/d=\d{2}\/$/.test(p))).toBe(true);
  });

  test("hours after the window are not read as its newest, and a window ending at midnight ends the day before", async () => {
    // A scan of May: the window ends 2025-06-01T00:00Z; June's blobs belong to another period.
    const may = { start: new Date("2025-05-01T00:00:00Z"), end: new Date("2025-06-01T00:00:00Z") };
    const r = reader({
      [hourBlob("2025-06-01T05:00:00Z")]: record("2025-06-01T05:10:00Z"),
      [hourBlob("2025-05-31T20:00:00Z")]: record("2025-05-31T20:10:00Z"),
    });
    const found = await newestArchivedHour(r, { container: "c", prefix: PREFIX, ...may });
    expect(found.newest?.hour).toBe("2025-05-31T20:00:00.000Z");
    expect(r.listed[0]).toBe(`${PREFIX}y=2025/m=05/d=31/`);
    // Inside the day the window ends on, an hour after its end is left out too.
    const r2 = reader({ [hourBlob("2025-06-08T20:00:00Z")]: record("2025-06-08T20:10:00Z") });
    const found2 = await newestArchivedHour(r2, { container: "c", prefix: PREFIX, ...window });
    expect(found2.newest).toBeUndefined();
  });

  test("a missing container stops the walk at once", async () => {
    const r = reader({}, true);
    const found = await newestArchivedHour(r, { container: "c", prefix: PREFIX, ...window });
    expect(found).toEqual({ daysListed: [`${PREFIX}y=2025/m=06/d=08/`], containerMissing: true });
  });
});

describe("firstRecord", () => {
  test("JSON lines", () => {
    expect(firstRecord(`${record("2025-06-05T21:40:00Z")}\n{"time":`)).toMatchObject({
      format: "jsonLines",
      record: { operationName: "KeyGet" },
    });
  });

  test("the older records document, read only in part", () => {
    const doc = `{ "records": [ ${record("2025-06-05T21:40:00Z").replace('"KeyGet"', '"Key}Get"')}, {"time": "2025-06-05T21:4`;
    expect(firstRecord(doc)).toMatchObject({ format: "records", record: { operationName: "Key}Get" } });
  });

  test("a record's text is kept short: whoever can write to a mutable archive chooses it", () => {
    const long = firstRecord(`${JSON.stringify({ operationName: "x".repeat(70_000), category: "AuditEvent" })}\n`);
    expect(long.record?.operationName?.length).toBe(1000);
  });

  test("an empty blob, a line that is not JSON, a record that is not an object", () => {
    expect(firstRecord("")).toEqual({ problem: "the blob is empty" });
    expect(firstRecord("not json\n")).toMatchObject({ problem: "its first line is not a JSON record" });
    expect(firstRecord("[1,2]\n")).toMatchObject({ problem: "its first record is not an object" });
    expect(firstRecord('{"records": []}')).toMatchObject({ problem: "the records array holds no complete record" });
  });
});
