import type { KqlType } from "../../src/simulator/kql/index.js";
import { run } from "./fixture.js";

interface Case {
  expr: string;
  type: KqlType;
  /** The value in wire form. */
  value: unknown;
}

/** Evaluates `expr` with print and checks the type and the wire value of the single cell. */
function check({ expr, type, value }: Case): void {
  const result = run(`print v = ${expr}`);
  expect(result.columns).toEqual([{ name: "v", type }]);
  expect(result.rows).toEqual([[value]]);
}

const dt = (iso: string): string => `${iso}.0000000Z`;

describe("literals", () => {
  test.each<Case>([
    { expr: `'single' "double"`, type: "string", value: "singledouble" },
    { expr: `"tab\\tquote\\"end"`, type: "string", value: 'tab\tquote"end' },
    { expr: `@"C:\\temp\\x"`, type: "string", value: "C:\\temp\\x" },
    { expr: `@'it''s'`, type: "string", value: "it's" },
    { expr: "42", type: "long", value: 42 },
    { expr: "-42", type: "long", value: -42 },
    { expr: "1.5e3", type: "real", value: 1500 },
    { expr: "0x1F", type: "long", value: 31 },
    { expr: "true", type: "bool", value: true },
    { expr: "datetime(2026-01-01)", type: "datetime", value: dt("2026-01-01T00:00:00") },
    { expr: "datetime(2026-01-01T10:20:30Z)", type: "datetime", value: dt("2026-01-01T10:20:30") },
    { expr: "datetime(2026-01-01 10:20:30.5)", type: "datetime", value: "2026-01-01T10:20:30.5000000Z" },
    { expr: "datetime(null)", type: "datetime", value: null },
    { expr: "1d + 2h + 30m + 10s + 100ms", type: "timespan", value: "1.02:30:10.1000000" },
    { expr: "1tick", type: "timespan", value: "00:00:00.0000001" },
    { expr: "-1h", type: "timespan", value: "-01:00:00" },
    { expr: "1.5h", type: "timespan", value: "01:30:00" },
    { expr: "time(1.02:03:04)", type: "timespan", value: "1.02:03:04" },
    { expr: "timespan(00:30:00)", type: "timespan", value: "00:30:00" },
    { expr: "time(2)", type: "timespan", value: "2.00:00:00" },
    {
      expr: `dynamic({"a": [1, "x", {"b": null}], "c": true})`,
      type: "dynamic",
      value: '{"a":[1,"x",{"b":null}],"c":true}',
    },
    { expr: "dynamic([])", type: "dynamic", value: "[]" },
    { expr: "dynamic(null)", type: "dynamic", value: null },
    { expr: "long(null)", type: "long", value: null },
    { expr: "real(nan)", type: "real", value: "NaN" },
    { expr: "int(7)", type: "int", value: 7 },
    { expr: "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", type: "guid", value: "74be27de-1e4e-49d9-b579-fe0b331d3642" },
  ])("$expr", (c) => check(c));
});

describe("arithmetic", () => {
  test.each<Case>([
    { expr: "7 / 2", type: "long", value: 3 },
    { expr: "-7 / 2", type: "long", value: -3 },
    { expr: "7 % 3", type: "long", value: 1 },
    { expr: "int(5) + int(2)", type: "int", value: 7 },
    { expr: "7 / 2.0", type: "real", value: 3.5 },
    { expr: "2 + 3 * 4 - (1 + 1)", type: "long", value: 12 },
    { expr: "1 / 0", type: "long", value: null },
    { expr: "1.0 / 0", type: "real", value: "Infinity" },
    { expr: "2 * 1h", type: "timespan", value: "02:00:00" },
    { expr: "90m / 2", type: "timespan", value: "00:45:00" },
    { expr: "1d / 1h", type: "real", value: 24 },
    { expr: "datetime(2026-11-22) - datetime(2026-11-20T12:00:00Z)", type: "timespan", value: "1.12:00:00" },
    { expr: "datetime(2026-11-22) + 1h", type: "datetime", value: dt("2026-11-22T01:00:00") },
    { expr: "datetime(2026-11-22) - 1d", type: "datetime", value: dt("2026-11-21T00:00:00") },
    { expr: "1h + datetime(2026-11-22)", type: "datetime", value: dt("2026-11-22T01:00:00") },
    { expr: "long(null) + 1", type: "long", value: null },
    { expr: "-(3)", type: "long", value: -3 },
  ])("$expr", (c) => check(c));
});

describe("comparison and logic", () => {
  test.each<Case>([
    { expr: "1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3", type: "bool", value: true },
    { expr: "1 == 1.0", type: "bool", value: true },
    { expr: "1 != 1 or false", type: "bool", value: false },
    { expr: "long(null) == long(null)", type: "bool", value: false },
    { expr: "long(null) != 1", type: "bool", value: false },
    { expr: "datetime(2026-01-01) < datetime(2026-01-02)", type: "bool", value: true },
    { expr: "1h > 30m", type: "bool", value: true },
    { expr: "5 between (1 .. 5)", type: "bool", value: true },
    { expr: "6 between (1 .. 5)", type: "bool", value: false },
    { expr: "6 !between (1 .. 5)", type: "bool", value: true },
    { expr: "datetime(2026-01-01T12:00:00Z) between (datetime(2026-01-01) .. 1d)", type: "bool", value: true },
    { expr: "datetime(2026-01-03) between (datetime(2026-01-01) .. datetime(2026-01-02))", type: "bool", value: false },
  ])("$expr", (c) => check(c));
});

describe("string operators", () => {
  const text = `"Invalid credentials for user CU_admin"`;
  test.each<Case>([
    { expr: `"KeyGet" == "keyget"`, type: "bool", value: false },
    { expr: `"KeyGet" =~ "keyget"`, type: "bool", value: true },
    { expr: `"KeyGet" !~ "KEYGET"`, type: "bool", value: false },
    { expr: `"a" != "b"`, type: "bool", value: true },
    { expr: `${text} has "CREDENTIALS"`, type: "bool", value: true },
    { expr: `${text} has "cred"`, type: "bool", value: false },
    { expr: `${text} !has "cred"`, type: "bool", value: true },
    { expr: `${text} has_cs "credentials"`, type: "bool", value: true },
    { expr: `${text} has_cs "Credentials"`, type: "bool", value: false },
    { expr: `${text} !has_cs "Credentials"`, type: "bool", value: true },
    { expr: `"microsoft.keyvault/managedhsms" has "keyvault"`, type: "bool", value: true },
    { expr: `"10.0.0.4" has "10.0.0.4"`, type: "bool", value: true },
    { expr: `"10.0.0.45" has "10.0.0.4"`, type: "bool", value: false },
    { expr: `${text} hasprefix "inval"`, type: "bool", value: true },
    { expr: `${text} hasprefix "valid"`, type: "bool", value: false },
    { expr: `${text} hassuffix "ials"`, type: "bool", value: true },
    { expr: `${text} contains "DENTIAL"`, type: "bool", value: true },
    { expr: `${text} contains_cs "DENTIAL"`, type: "bool", value: false },
    { expr: `${text} !contains "xyz"`, type: "bool", value: true },
    { expr: `${text} !contains_cs "user"`, type: "bool", value: false },
    { expr: `${text} startswith "invalid"`, type: "bool", value: true },
    { expr: `${text} startswith_cs "invalid"`, type: "bool", value: false },
    { expr: `${text} !startswith "user"`, type: "bool", value: true },
    { expr: `${text} endswith "ADMIN"`, type: "bool", value: true },
    { expr: `${text} endswith_cs "ADMIN"`, type: "bool", value: false },
    { expr: `${text} !endswith "admin"`, type: "bool", value: false },
    { expr: `"b" in ("a", "b")`, type: "bool", value: true },
    { expr: `"B" in ("a", "b")`, type: "bool", value: false },
    { expr: `"B" in~ ("a", "b")`, type: "bool", value: true },
    { expr: `"c" !in ("a", "b")`, type: "bool", value: true },
    { expr: `"A" !in~ ("a")`, type: "bool", value: false },
    { expr: `2 in (1, 2)`, type: "bool", value: true },
    { expr: `"x" in (dynamic(["x", "y"]))`, type: "bool", value: true },
    { expr: `"the key vault" has_any ("vault", "hsm")`, type: "bool", value: true },
    { expr: `"the key vault" has_any ("vau", "hsm")`, type: "bool", value: false },
    { expr: `"the key vault" has_all ("key", "VAULT")`, type: "bool", value: true },
    { expr: `"the key vault" has_all ("key", "hsm")`, type: "bool", value: false },
    { expr: `"pkcs11/5.9" matches regex @"^pkcs\\d+/"`, type: "bool", value: true },
    { expr: `"pkcs11/5.9" matches regex "^PKCS"`, type: "bool", value: false },
    { expr: `"pkcs11/5.9" matches regex "(?i)^PKCS"`, type: "bool", value: true },
  ])("$expr", (c) => check(c));
});

describe("date and time functions", () => {
  test.each<Case>([
    { expr: "now()", type: "datetime", value: dt("2026-11-22T12:00:00") },
    { expr: "now(-1h)", type: "datetime", value: dt("2026-11-22T11:00:00") },
    { expr: "ago(1d)", type: "datetime", value: dt("2026-11-21T12:00:00") },
    { expr: "ago(90m)", type: "datetime", value: dt("2026-11-22T10:30:00") },
    { expr: "bin(datetime(2026-11-22T13:47:10Z), 1h)", type: "datetime", value: dt("2026-11-22T13:00:00") },
    { expr: "bin(datetime(2026-11-22T13:47:10Z), 1d)", type: "datetime", value: dt("2026-11-22T00:00:00") },
    { expr: "bin(datetime(2026-11-22T13:47:10Z), 7d)", type: "datetime", value: dt("2026-11-19T00:00:00") },
    { expr: "bin(7, 5)", type: "long", value: 5 },
    { expr: "bin(-7, 5)", type: "long", value: -10 },
    { expr: "bin(7.5, 2)", type: "real", value: 6 },
    { expr: "bin(90m, 1h)", type: "timespan", value: "01:00:00" },
  ])("$expr", (c) => check(c));
});

describe("conversions", () => {
  test.each<Case>([
    { expr: "tostring(123)", type: "string", value: "123" },
    { expr: "tostring(1.5)", type: "string", value: "1.5" },
    { expr: "tostring(true)", type: "string", value: "true" },
    { expr: "tostring(datetime(2026-01-01))", type: "string", value: dt("2026-01-01T00:00:00") },
    { expr: "tostring(1h)", type: "string", value: "01:00:00" },
    { expr: `tostring(dynamic({"a": 1}))`, type: "string", value: '{"a":1}' },
    { expr: `tostring(dynamic({"a": "x"}).a)`, type: "string", value: "x" },
    { expr: `tostring(dynamic({"a": "x"}).missing)`, type: "string", value: "" },
  ])("$expr", (c) => check(c));
});

describe("string functions", () => {
  test.each<Case>([{ expr: `tolower("ABC")`, type: "string", value: "abc" }])("$expr", (c) => check(c));
});

describe("null, conditionals, dynamic and math", () => {
  test.each<Case>([
    { expr: `iff(1 > 2, "a", "b")`, type: "string", value: "b" },
    { expr: `iff(false, datetime(2026-01-01), datetime(null))`, type: "datetime", value: null },
    {
      expr: `bag_pack("when", datetime(2026-01-01))`,
      type: "dynamic",
      value: `{"when":"${dt("2026-01-01T00:00:00")}"}`,
    },
    { expr: `dynamic([1, 2, 3])[-1]`, type: "dynamic", value: "3" },
  ])("$expr", (c) => check(c));
});
