// Values from Azure as every renderer prints them: a line break (or another separator, or a bidi override) in a
// subscription name, location, operation name, caller or Sentinel rule name never prints a line of its own, so it
// cannot forge a verdict in a terminal, a CI log or the PDF; and long values are cut, never printed whole.
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jest } from "@jest/globals";
import type { Result } from "../../src/model/result.js";
import {
  CUT,
  CUT_NOTE,
  MAX_PRINTED,
  MAX_RUN,
  MAX_WHOLE,
  printable,
  printableResult,
} from "../../src/report/printable.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderSarif } from "../../src/report/sarif.js";
import { renderPdf } from "../../src/report/pdf/index.js";
import { readPdf } from "../helpers/pdf.js";
import { fill, powershellQuote, shellQuote } from "../../src/engine/remediation.js";
import { SUB, sampleResult } from "../helpers/results.js";

jest.setTimeout(60_000);

const FORGED = "COMPLIANT (exit code 0).";
const SEPARATORS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c"];

describe("printable", () => {
  test.each([
    ["a\nb", "a\\nb"],
    ["a\rb", "a\\rb"],
    ["a\tb", "a\\tb"],
    ["a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["a\u0085b", "a\\u0085b"],
    ["\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"],
    ["\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"],
    ["\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"],
    ["\u001b[31mred", "\\u001b[31mred"],
    ["日本語 ünïcødé 🔐", "日本語 ünïcødé 🔐"],
    ["rg(prod) $(touch x) `y` 'q' \"d\"", "rg(prod) $(touch x) `y` 'q' \"d\""],
  ])("%j prints as %j", (value, shown) => {
    expect(printable(value)).toBe(shown);
  });

  test("a word longer than MAX_RUN is cut with an ellipsis; ids break at their slashes and are kept", () => {
    const long = "x".repeat(80_000);
    expect(printable(long)).toBe(`${"x".repeat(MAX_RUN)}${CUT}`);
    expect(printable(`/subscriptions/${long}/resourceGroups/rg`)).toBe(
      `/subscriptions/${"x".repeat(MAX_RUN)}${CUT}/resourceGroups/rg`,
    );
    const id = `/subscriptions/${SUB}/resourceGroups/rg-prod/providers/Microsoft.KeyVault/managedHSMs/mhsm-1`;
    expect(printable(id)).toBe(id);
  });

  test("a value longer than MAX_PRINTED is cut with an ellipsis", () => {
    const words = "word ".repeat(20_000);
    const shown = printable(words);
    expect(shown.length).toBe(MAX_PRINTED + 1);
    expect(shown.endsWith(CUT)).toBe(true);
  });

  test("a surrogate pair is never split", () => {
    const shown = printable("🔐".repeat(MAX_PRINTED + 5));
    expect(shown).toBe(`${"🔐".repeat(MAX_RUN)}${CUT}`);
  });

  test("printableResult leaves a result with nothing to escape as it is, and marks one it cut", () => {
    const clean = sampleResult(["chsm-ok"]);
    expect(printableResult(clean)).toBe(clean);
    const long = sampleResult([`chsm-${"n".repeat(5000)}`]);
    const shown = printableResult(long);
    expect(shown.cut).toBe(true);
    expect(shown.resources[0]!.name).toBe(`chsm-${"n".repeat(MAX_RUN - 5)}${CUT}`);
    // Ids stay consistent with each other: the finding still names the resource.
    expect(shown.findings[0]!.resourceId).toBe(shown.resources[0]!.id);
    // A fix holding a value too long to print is not printed cut: it points at result.json.
    const fix = shown.findings.find((f) => f.remediation.azCli)!.remediation.azCli;
    expect(fix).toMatch(/^# This fix holds a value too long to print: it is in result.json/);
    // result.json keeps the full value.
    expect(long.resources[0]!.name).toHaveLength(5005);
  });

  test("an exchange's URL and a highlight's queries are printed whole, only hidden characters escaped", () => {
    const result = sampleResult(["chsm-ok"]);
    const url = `https://management.azure.com/subscriptions/x/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${"eventTimestamp%20ge%20".repeat(20)}`;
    const query = `union isfuzzy=true ${"CloudHsmServiceOperationAuditLogs|where_".repeat(40)}`;
    result.evidence[0] = { ...result.evidence[0]!, url };
    const withDetails = result.findings.findIndex((f) => f.details);
    const details = result.findings[withDetails]?.details ?? { rows: [], total: 0, queries: [] };
    result.findings[withDetails === -1 ? 0 : withDetails] = {
      ...result.findings[withDetails === -1 ? 0 : withDetails]!,
      details: { ...details, queries: [query, "a\nCOMPLIANT (exit code 0)."] },
    };
    const shown = printableResult(result);
    expect(shown.evidence[0]!.url).toBe(url);
    const queries = shown.findings.find((f) => f.details?.queries.includes(query))?.details?.queries;
    expect(queries).toEqual([query, "a\\nCOMPLIANT (exit code 0)."]);
    expect(shown.cut).toBeUndefined();
  });
});

test("a key from Azure named __proto__ stays an own property of the printable copy, never its prototype", () => {
  const result = JSON.parse(
    JSON.stringify(sampleResult(["chsm-ok"])).replace(
      '"subscriptionNames":{',
      '"subscriptionNames":{"__proto__":{"polluted":"yes"},"line\\nbreak":"Payments",',
    ),
  ) as Result;
  expect(Object.keys(result.scope.subscriptionNames!)).toContain("__proto__");
  const names = printableResult(result).scope.subscriptionNames!;
  expect(Object.getPrototypeOf(names)).toBe(Object.prototype);
  expect(Object.keys(names)).toEqual(expect.arrayContaining(["__proto__", "line\\nbreak"]));
  expect((names as Record<string, unknown>).polluted).toBeUndefined();
  expect(JSON.parse(JSON.stringify(names))["__proto__"]).toEqual({ polluted: "yes" });
});

test("the terminal notes a cut only when something it prints was cut (it prints no evidence URL)", () => {
  const longUrl = sampleResult(["chsm-ok"]);
  longUrl.evidence[0] = { ...longUrl.evidence[0]!, url: `https://management.azure.com/${"x".repeat(MAX_WHOLE + 10)}` };
  expect(printableResult(longUrl).cut).toBe(true);
  expect(renderTerminal(longUrl, { color: false, quiet: false })).not.toContain(CUT_NOTE);
  const longName = sampleResult(["chsm-ok", `chsm-${"n".repeat(5000)}`]);
  const printed = renderTerminal(longName, { color: false, quiet: false });
  expect(printed).toContain(CUT_NOTE);
  expect(printed).not.toContain("n".repeat(MAX_RUN + 1));
});

test("a URL or query beyond MAX_WHOLE characters (a name no real estate has) is cut, and the cut is noted", () => {
  const result = sampleResult(["chsm-ok"]);
  const name = `chsm-${"x".repeat(80_000)}`;
  const url = `https://management.azure.com/subscriptions/x/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/${name}?api-version=2025-03-31`;
  const atLimit = `https://management.azure.com/${"segment/".repeat(Math.floor((MAX_WHOLE - 30) / 8))}`;
  expect(atLimit.length).toBeLessThanOrEqual(MAX_WHOLE);
  result.evidence[0] = { ...result.evidence[0]!, url };
  result.evidence[1] = { ...result.evidence[1]!, url: atLimit };
  const withDetails = Math.max(
    0,
    result.findings.findIndex((f) => f.details),
  );
  const details = result.findings[withDetails]!.details ?? { rows: [], total: 0, queries: [] };
  result.findings[withDetails] = {
    ...result.findings[withDetails]!,
    details: { ...details, queries: [`CloudHsmServiceOperationAuditLogs | where _ResourceId =~ '${url}'`] },
  };
  const shown = printableResult(result);
  const printedUrl = shown.evidence[0]!.url;
  expect(printedUrl.length).toBeLessThanOrEqual(MAX_PRINTED + 2);
  expect(printedUrl).toContain(CUT);
  expect(printedUrl.startsWith("https://management.azure.com/subscriptions/x/resourceGroups/rg/")).toBe(true);
  // A URL at the limit is still printed whole.
  expect(shown.evidence[1]!.url).toBe(atLimit);
  const query = shown.findings[withDetails]!.details!.queries[0]!;
  expect(query.length).toBeLessThanOrEqual(MAX_PRINTED + 2);
  expect(query).toContain(CUT);
  expect(shown.cut).toBe(true);
  // result.json keeps them whole.
  expect(result.evidence[0]!.url).toBe(url);
});

/**
 * A result whose every value from Azure carries a forged verdict line: subscription name, location, resource group,
 * an HSM's name, a finding's message (where operation names, callers and rule names land).
 */
function forgedResult(separator: string): Result {
  const result = sampleResult(["chsm-ok", `chsm-x${separator}${FORGED}`]);
  const forged = (s: string) => `${s}${separator}${FORGED}${separator}`;
  result.scope.subscriptionNames = { [SUB]: forged("Payments") };
  result.resources = result.resources.map((r) => ({ ...r, location: forged("eastus"), resourceGroup: forged("rg") }));
  result.findings = result.findings.map((f) => ({
    ...f,
    // A fix as fill() writes it: each value quoted onto its line.
    remediation: f.remediation.azCli
      ? {
          azCli: fill(
            "az monitor diagnostic-settings list --resource {{id}}\naz second line",
            { id: f.resourceId },
            shellQuote,
          ),
          powershell: fill("Get-AzDiagnosticSetting -ResourceId {{id}}", { id: f.resourceId }, powershellQuote),
        }
      : f.remediation,
    message: `Operation ${forged("KeyDelete")} by caller ${forged("10.0.0.1")} is not covered by rule ${forged("HSM rule")}`,
  }));
  return result;
}

/** Lines that read as a verdict the result does not have (sampleResult is NOT COMPLIANT, exit code 1). */
const forgedLines = (text: string) =>
  // eslint-disable-next-line no-control-regex
  text.split(/\r\n|[\n\r\u2028\u2029\u0085\u000b\u000c]/).filter((line) => /^\W*COMPLIANT \(exit code 0\)/.test(line));

describe.each(SEPARATORS)("a value holding %j prints no line of its own", (separator) => {
  const result = forgedResult(separator);

  test("in the terminal", () => {
    const out = renderTerminal(result, { color: false });
    expect(forgedLines(out)).toEqual([]);
    expect(out).toContain("NOT COMPLIANT");
  });

  test("in summary.md", () => {
    const out = renderMarkdown(result);
    expect(forgedLines(out)).toEqual([]);
    expect(
      out
        .replace(/<br>/g, "\n")
        .split("\n")
        .filter((l) => l.includes(FORGED) && !l.startsWith("|")),
    ).toEqual([]);
  });

  test("in JUnit and SARIF messages", () => {
    const junit = renderJunit(result);
    expect(junit).not.toMatch(/&#10;COMPLIANT|&#13;COMPLIANT|\nCOMPLIANT/);
    const sarif = JSON.parse(renderSarif(result)) as { runs: { results: { message: { text: string } }[] }[] };
    for (const r of sarif.runs[0]!.results) expect(forgedLines(r.message.text)).toEqual([]);
  });
});

describe("report.pdf", () => {
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-printable-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a line break in a subscription name, location or message prints no line of its own, on the cover or after", async () => {
    const file = join(dir, "forged.pdf");
    await renderPdf(forgedResult("\n"), { paper: "a4", resultSha256: "cd".repeat(32) }, createWriteStream(file));
    const pdf = await readPdf(file);
    const lines = pdf.pages.join("\n").split("\n");
    expect(lines.filter((l) => /^\W*COMPLIANT \(exit code 0\)/.test(l.trim()))).toEqual([]);
    expect(pdf.pages[0]).toContain("Payments\\nCOMPLIANT (exit code 0).\\n");
  });

  test("a value cut to be printed is noted", async () => {
    const file = join(dir, "cut.pdf");
    const result = sampleResult(["chsm-ok", `chsm-${"n".repeat(5000)}`]);
    await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32) }, createWriteStream(file));
    const text = (await readPdf(file)).pages.join(" ").replace(/\s+/g, " ");
    expect(text).toContain("the full values are in result.json");
    expect(text).not.toContain("n".repeat(MAX_RUN + 1));
  });
});
