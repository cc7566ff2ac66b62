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
    { expr: "7 / 2.0", type: "real", value: 3.5 },
    { expr: "2 + 3 * 4 - (1 + 1)", type: "long", value: 12 },
    { expr: "1 / 0", type: "long", value: null },
    { expr: "1.0 / 0", type: "real", value: "Infinity" },
    { expr: "toint(5) + toint(2)", type: "int", value: 7 },
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
    { expr: "not(1 > 2)", type: "bool", value: true },
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
    { expr: "floor(17, 5)", type: "long", value: 15 },
    {
      expr: "bin_at(datetime(2026-11-22T05:00:00Z), 1d, datetime(2026-11-22T06:00:00Z))",
      type: "datetime",
      value: dt("2026-11-21T06:00:00"),
    },
    { expr: "startofday(datetime(2026-11-22T13:47:10Z))", type: "datetime", value: dt("2026-11-22T00:00:00") },
    { expr: "startofday(datetime(2026-11-22T13:47:10Z), -1)", type: "datetime", value: dt("2026-11-21T00:00:00") },
    { expr: "endofday(datetime(2026-11-22T13:47:10Z))", type: "datetime", value: "2026-11-22T23:59:59.9990000Z" },
    { expr: "startofweek(datetime(2026-11-25))", type: "datetime", value: dt("2026-11-22T00:00:00") },
    { expr: "startofmonth(datetime(2026-11-25T10:00:00Z))", type: "datetime", value: dt("2026-11-01T00:00:00") },
    { expr: "startofmonth(datetime(2026-01-25), -1)", type: "datetime", value: dt("2025-12-01T00:00:00") },
    { expr: "startofyear(datetime(2026-11-25))", type: "datetime", value: dt("2026-01-01T00:00:00") },
    { expr: "endofmonth(datetime(2026-02-10))", type: "datetime", value: "2026-02-28T23:59:59.9990000Z" },
    { expr: `datetime_diff("day", datetime(2026-11-22), datetime(2026-11-01))`, type: "long", value: 21 },
    { expr: `datetime_diff("month", datetime(2026-11-01), datetime(2025-12-31))`, type: "long", value: 11 },
    {
      expr: `datetime_diff("hour", datetime(2026-11-22T10:59:00Z), datetime(2026-11-22T09:01:00Z))`,
      type: "long",
      value: 1,
    },
    { expr: `datetime_diff("year", datetime(2026-01-01), datetime(2027-12-31))`, type: "long", value: -1 },
    { expr: `datetime_add("month", 1, datetime(2026-01-31))`, type: "datetime", value: dt("2026-02-28T00:00:00") },
    { expr: `datetime_add("hour", -2, datetime(2026-01-01))`, type: "datetime", value: dt("2025-12-31T22:00:00") },
    { expr: `datetime_part("hour", datetime(2026-11-22T13:47:00Z))`, type: "int", value: 13 },
    { expr: "getyear(datetime(2026-11-22))", type: "int", value: 2026 },
    { expr: "getmonth(datetime(2026-11-22))", type: "int", value: 11 },
    { expr: "dayofmonth(datetime(2026-11-22))", type: "int", value: 22 },
    { expr: "hourofday(datetime(2026-11-22T13:47:00Z))", type: "int", value: 13 },
    { expr: "dayofweek(datetime(2026-11-24))", type: "timespan", value: "2.00:00:00" },
    { expr: "dayofyear(datetime(2026-02-01))", type: "int", value: 32 },
    { expr: "weekofyear(datetime(2026-01-01))", type: "int", value: 1 },
    { expr: `format_datetime(datetime(2026-03-04T05:06:07.123Z), "yyyy-MM-dd")`, type: "string", value: "2026-03-04" },
    {
      expr: `format_datetime(datetime(2026-03-04T05:06:07.123Z), "dd/MM/yy HH:mm:ss.fff")`,
      type: "string",
      value: "04/03/26 05:06:07.123",
    },
    {
      expr: `format_datetime(datetime(2026-03-04T15:06:07Z), "M/d/yyyy h:mm tt")`,
      type: "string",
      value: "3/4/2026 3:06 PM",
    },
    { expr: `format_timespan(time(1.02:03:04.5), "d.hh:mm:ss.f")`, type: "string", value: "1.02:03:04.5" },
    { expr: "make_datetime(2026, 11, 22, 10, 30, 0)", type: "datetime", value: dt("2026-11-22T10:30:00") },
    { expr: "unixtime_seconds_todatetime(1700000000)", type: "datetime", value: dt("2023-11-14T22:13:20") },
  ])("$expr", (c) => check(c));
});

describe("conversions", () => {
  test.each<Case>([
    { expr: `todatetime("2026-11-22 10:00:00")`, type: "datetime", value: dt("2026-11-22T10:00:00") },
    { expr: `todatetime("2026-11-22T10:00:00+02:00")`, type: "datetime", value: dt("2026-11-22T08:00:00") },
    { expr: `todatetime("Sun, 22 Nov 2026 10:00:00 GMT")`, type: "datetime", value: dt("2026-11-22T10:00:00") },
    { expr: `todatetime("garbage")`, type: "datetime", value: null },
    { expr: `totimespan("01:30:00")`, type: "timespan", value: "01:30:00" },
    { expr: `totimespan("2.00:00:00.25")`, type: "timespan", value: "2.00:00:00.2500000" },
    { expr: "tostring(123)", type: "string", value: "123" },
    { expr: "tostring(1.5)", type: "string", value: "1.5" },
    { expr: "tostring(true)", type: "string", value: "true" },
    { expr: "tostring(datetime(2026-01-01))", type: "string", value: dt("2026-01-01T00:00:00") },
    { expr: "tostring(1h)", type: "string", value: "01:00:00" },
    { expr: `tostring(dynamic({"a": 1}))`, type: "string", value: '{"a":1}' },
    { expr: `tostring(dynamic({"a": "x"}).a)`, type: "string", value: "x" },
    { expr: `tostring(dynamic({"a": "x"}).missing)`, type: "string", value: "" },
    { expr: `toint("42")`, type: "int", value: 42 },
    { expr: "toint(4.9)", type: "int", value: 4 },
    { expr: `tolong("x")`, type: "long", value: null },
    { expr: `tolong(1h)`, type: "long", value: 36_000_000_000 },
    { expr: `toreal("1.5")`, type: "real", value: 1.5 },
    { expr: "todouble(3)", type: "real", value: 3 },
    { expr: `tobool("TRUE")`, type: "bool", value: true },
    { expr: `tobool("no")`, type: "bool", value: null },
    { expr: "tobool(0)", type: "bool", value: false },
    { expr: `parse_json('{"a": {"b": [10, 20]}}').a.b[1]`, type: "dynamic", value: "20" },
    { expr: `todynamic("[1, 2]")[0]`, type: "dynamic", value: "1" },
    { expr: `parse_json("not json")`, type: "dynamic", value: '"not json"' },
    { expr: `parse_json('{"k": "v"}')["k"]`, type: "dynamic", value: '"v"' },
    { expr: "gettype(1)", type: "string", value: "long" },
    { expr: "gettype(dynamic([1]))", type: "string", value: "array" },
    { expr: `gettype(dynamic({"a": 1}).a)`, type: "string", value: "long" },
  ])("$expr", (c) => check(c));
});

describe("string functions", () => {
  test.each<Case>([
    { expr: `tolower("ABC")`, type: "string", value: "abc" },
    { expr: `toupper("abc")`, type: "string", value: "ABC" },
    { expr: `strlen("héllo")`, type: "long", value: 5 },
    { expr: `strcat("a", "-", 1, true)`, type: "string", value: "a-1true" },
    { expr: `strcat_delim("|", "a", "b", 3)`, type: "string", value: "a|b|3" },
    { expr: `substring("abcdef", 2, 3)`, type: "string", value: "cde" },
    { expr: `substring("abcdef", 4)`, type: "string", value: "ef" },
    { expr: `trim(@"\\s+", "  x y  ")`, type: "string", value: "x y" },
    { expr: `trim_start("x", "xxabcxx")`, type: "string", value: "abcxx" },
    { expr: `trim_end("x", "xxabcxx")`, type: "string", value: "xxabc" },
    { expr: `split("a,b,c", ",")`, type: "dynamic", value: '["a","b","c"]' },
    { expr: `split("a,b,c", ",", 1)`, type: "dynamic", value: '["b"]' },
    { expr: `tostring(split("/subscriptions/x/resourceGroups/rg", "/")[4])`, type: "string", value: "rg" },
    { expr: `replace_string("a.b.c", ".", "-")`, type: "string", value: "a-b-c" },
    { expr: `replace_regex("key-123-456", @"(\\d+)", @"<\\1>")`, type: "string", value: "key-<123>-<456>" },
    { expr: `extract(@"hsm(\\d+)", 1, "cluster hsm42 ok")`, type: "string", value: "42" },
    { expr: `extract(@"nomatch(\\d+)", 1, "cluster hsm42 ok")`, type: "string", value: "" },
    { expr: `indexof("hello", "l")`, type: "long", value: 2 },
    { expr: `indexof("hello", "z")`, type: "long", value: -1 },
    { expr: `countof("a-a-a", "a")`, type: "long", value: 3 },
    { expr: `reverse("abc")`, type: "string", value: "cba" },
    { expr: `strrep("ab", 3, ",")`, type: "string", value: "ab,ab,ab" },
    { expr: `base64_encode_tostring("hsm")`, type: "string", value: "aHNt" },
  ])("$expr", (c) => check(c));
});

describe("null, conditionals, dynamic and math", () => {
  test.each<Case>([
    { expr: `isempty("")`, type: "bool", value: true },
    { expr: `isempty(" ")`, type: "bool", value: false },
    { expr: `isempty(long(null))`, type: "bool", value: true },
    { expr: `isnotempty("a")`, type: "bool", value: true },
    { expr: `isnull(long(null))`, type: "bool", value: true },
    { expr: `isnull("")`, type: "bool", value: false },
    { expr: `isnotnull(1)`, type: "bool", value: true },
    { expr: `iff(1 > 2, "a", "b")`, type: "string", value: "b" },
    { expr: `iif(true, 1, 2.5)`, type: "real", value: 1 },
    { expr: `iff(false, datetime(2026-01-01), datetime(null))`, type: "datetime", value: null },
    { expr: `case(false, 1, true, 2, 3)`, type: "long", value: 2 },
    { expr: `case(false, "x", "fallback")`, type: "string", value: "fallback" },
    { expr: `coalesce(long(null), 5)`, type: "long", value: 5 },
    { expr: `coalesce("", "x")`, type: "string", value: "x" },
    { expr: "array_length(dynamic([1, 2, 3]))", type: "long", value: 3 },
    { expr: "array_length(dynamic({}))", type: "long", value: null },
    { expr: `pack("k", 1, "t", "x")`, type: "dynamic", value: '{"k":1,"t":"x"}' },
    {
      expr: `bag_pack("when", datetime(2026-01-01))`,
      type: "dynamic",
      value: `{"when":"${dt("2026-01-01T00:00:00")}"}`,
    },
    { expr: `pack_array(1, "a")`, type: "dynamic", value: '[1,"a"]' },
    { expr: `bag_keys(dynamic({"a": 1, "b": 2}))`, type: "dynamic", value: '["a","b"]' },
    { expr: `set_has_element(dynamic(["a", "b"]), "b")`, type: "bool", value: true },
    { expr: `array_index_of(dynamic(["a", "b"]), "b")`, type: "long", value: 1 },
    { expr: `dynamic([1, 2, 3])[-1]`, type: "dynamic", value: "3" },
    { expr: "abs(-3)", type: "long", value: 3 },
    { expr: "round(3.14159, 2)", type: "real", value: 3.14 },
    { expr: "round(2.5)", type: "real", value: 3 },
    { expr: "ceiling(1.2)", type: "real", value: 2 },
    { expr: "sqrt(16)", type: "real", value: 4 },
    { expr: "pow(2, 10)", type: "real", value: 1024 },
    { expr: "log10(1000)", type: "real", value: 3 },
    { expr: "exp(0)", type: "real", value: 1 },
    { expr: "min_of(3, 1, 2)", type: "long", value: 1 },
    { expr: "max_of(datetime(2026-01-01), datetime(2026-02-01))", type: "datetime", value: dt("2026-02-01T00:00:00") },
    { expr: "isnan(real(nan))", type: "bool", value: true },
  ])("$expr", (c) => check(c));
});
