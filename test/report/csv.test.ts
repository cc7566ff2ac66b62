// findings.csv, read back by an RFC 4180 parser: a row per finding, every column, and no cell a spreadsheet would
// run as a formula.
import { CSV_COLUMNS, field, renderCsv, UTF8_BOM } from "../../src/report/csv.js";
import { parseCsv } from "../helpers/consumers.js";
import { HOSTILE_NAMES, sampleResult } from "../helpers/results.js";

const result = sampleResult();
const text = renderCsv(result);
const [header, ...rows] = parseCsv(text);

test("a header and one row per finding, RFC 4180 line ends, UTF-8 with a byte-order mark for Excel", () => {
  expect(text.startsWith(UTF8_BOM)).toBe(true);
  expect(text.startsWith(`${UTF8_BOM}policyId,`)).toBe(true);
  expect(header).toEqual([...CSV_COLUMNS]);
  expect(rows).toHaveLength(result.findings.length);
  expect(text.endsWith("\r\n")).toBe(true);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  result.findings.forEach((f, i) => {
    const row = rows[i]!;
    expect(row[col("policyId")]).toBe(f.policyId);
    expect(row[col("status")]).toBe(f.status);
    expect(row[col("resourceId")]).toBe(f.resourceId);
    expect(row[col("azCli")]).toBe(f.remediation.azCli);
    expect(row[col("evidence")]).toBe(f.evidence.join(" "));
    expect(row[col("waiverTicket")]).toBe(f.waiver?.ticket ?? "");
    expect(row[col("runId")]).toBe("5f0c1d2e-0000-4000-8000-00000000a11d");
    expect(row[col("scannedAt")]).toBe(result.startedAt);
  });
});

test("no cell starts with a formula character; hostile names read back behind an apostrophe", () => {
  for (const row of rows) for (const value of row) expect(value).not.toMatch(/^\s*[=+\-@\t\r]/);
  const names = rows.map((r) => r[CSV_COLUMNS.indexOf("resourceName")]);
  for (const name of HOSTILE_NAMES) {
    const expected = /^\s*[=+\-@\t\r]/.test(name) ? `'${name}` : name;
    expect(names).toContain(expected);
  }
  // The waiver owner "=owner" too.
  expect(rows.some((r) => r[CSV_COLUMNS.indexOf("waiverOwner")] === "'=owner")).toBe(true);
});

test.each([
  ["plain", "plain"],
  ["=1+1", "'=1+1"],
  ["+1", "'+1"],
  ["-2", "'-2"],
  ["@SUM(A1)", "'@SUM(A1)"],
  ["\t=1", "'\t=1"],
  ["\r=1", '"\'\r=1"'],
  ["a,b", '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ["two\nlines", '"two\nlines"'],
  ["", ""],
])("field(%j) is %j", (input, expected) => {
  expect(field(input)).toBe(expected);
});
