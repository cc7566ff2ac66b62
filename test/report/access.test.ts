// Who ran the scan and what it could read, on the scope page of the PDF and the HTML and in summary.md: the principal
// named from its token's claims (a hostile user name printed escaped, never as a line of its own), one line per
// subscription ("could read every resource group holding an HSM" or the named gaps), and the pack's predicate.
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { renderPdf } from "../../src/report/pdf/index.js";
import { buildView } from "../../src/report/view.js";
import { accessStatementOf } from "../../src/report/view-scope.js";
import { printableResult } from "../../src/report/printable.js";
import { validateResult } from "../../src/model/schemas.js";
import { buildStatement } from "../../src/pack/manifest.js";
import type { Result } from "../../src/model/result.js";
import { sampleResult, SUB } from "../helpers/results.js";
import { readPdf, squeezed } from "../helpers/pdf.js";

const dir = mkdtempSync(join(tmpdir(), "hsm-audit-access-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OID = "11111111-1111-1111-1111-111111111111";
const SETTINGS = "Microsoft.Insights/diagnosticSettings/read";
const FORGED = "eve@contoso.example\nCOMPLIANT (exit code 0).";

function withAccess(principal: Result["principal"], readAccess?: Result["readAccess"]): Result {
  const result = sampleResult(["chsm-ok"]);
  return { ...result, ...(principal ? { principal } : {}), ...(readAccess ? { readAccess } : {}) };
}

const granted = (resourceGroup: string): NonNullable<Result["readAccess"]>[number] => ({
  subscriptionId: SUB,
  resourceGroup,
  needed: [SETTINGS],
  access: "granted",
  evidence: ["ev-00001"],
});

describe("the principal's line", () => {
  test.each<[string, Result["principal"], string]>([
    [
      "a user",
      { known: true, claims: { tid: TENANT, oid: OID, upn: "auditor@contoso.example", azp: "app-1" } },
      `Run by: auditor@contoso.example (object id ${OID}, app id app-1, tenant ${TENANT})`,
    ],
    [
      "an application",
      { known: true, claims: { tid: TENANT, oid: OID, appid: "app-2", idtyp: "app" } },
      `Run by: app id app-2 (object id ${OID}, tenant ${TENANT})`,
    ],
    [
      "a v2 user token without upn",
      { known: true, claims: { preferred_username: "someone@contoso.example" } },
      "Run by: someone@contoso.example,",
    ],
    [
      "no principal",
      { known: false, reason: "the access token is not a JWT" },
      "Run by: principal unknown (the access token is not a JWT).",
    ],
  ])("%s", (_name, principal, words) => {
    const result = withAccess(principal);
    expect(validateResult(result)).toBe(true);
    expect(accessStatementOf(result).runBy).toContain(words);
  });

  test("a result without a principal (an earlier version's) says nothing of it", () => {
    const view = buildView(sampleResult(["chsm-ok"]), "ab".repeat(32));
    expect(view.scopeStatement.runBy).toBeUndefined();
    expect(view.scopeStatement.readAccess).toBeUndefined();
  });

  test("a hostile user name prints escaped in every report, never as a line of its own", async () => {
    const result = withAccess({ known: true, claims: { tid: TENANT, oid: OID, upn: FORGED } });
    expect(validateResult(result)).toBe(true);
    expect(buildView(printableResult(result), "ab".repeat(32)).scopeStatement.runBy).toContain(
      "Run by: eve@contoso.example\\nCOMPLIANT (exit code 0). (object id",
    );
    const html = renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) });
    expect(html).toContain('data-testid="run-by">Run by: eve@contoso.example\\nCOMPLIANT (exit code 0). (object id');
    const md = renderMarkdown(result);
    expect(md).not.toMatch(/^COMPLIANT/m);
    // printable() escapes the line break, and Markdown's cell() its backslash and the "@" (no mention).
    expect(md).toContain("Run by: eve&#64;contoso.example\\\\nCOMPLIANT \\(exit code 0\\).");
    const file = join(dir, "hostile.pdf");
    const out = createWriteStream(file);
    await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32) }, out);
    if (!out.closed) await once(out, "close");
    const text = (await readPdf(file)).pages.join("\n");
    expect(text).not.toMatch(/^COMPLIANT \(exit code 0\)\./m);
    expect(squeezed(await readPdf(file))).toContain("Runby:eve@contoso.example\\nCOMPLIANT(exitcode0).");
  });
});

describe("what the credential could read, per subscription", () => {
  test("every resource group granted", () => {
    const result = withAccess(undefined, [granted("rg-a"), granted("rg-b")]);
    expect(validateResult(result)).toBe(true);
    const lines = accessStatementOf(result).readAccess!;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/: could read every resource group holding an HSM \(2\)\.$/);
  });

  test("a subscription in scope where no HSM was found says so, not a grant nor a gap", () => {
    const other = "bbbbbbbb-0000-4000-8000-00000000000b";
    const base = withAccess(undefined, [granted("rg-a")]);
    const result: Result = {
      ...base,
      scope: {
        ...base.scope,
        subscriptions: [...base.scope.subscriptions, other],
        subscriptionNames: { ...base.scope.subscriptionNames, [other]: "Empty" },
      },
    };
    expect(validateResult(result)).toBe(true);
    expect(accessStatementOf(result).readAccess).toEqual([
      expect.stringMatching(/: could read every resource group holding an HSM \(1\)\.$/),
      `Subscription Empty (${other}): no HSM found, so no resource group's permissions were read.`,
    ]);
  });

  test("a gap and an unknown are named, in the PDF, the HTML and summary.md", async () => {
    const result = withAccess({ known: true, claims: { tid: TENANT, oid: OID, appid: "app-2" } }, [
      granted("rg-a"),
      { ...granted("rg-b"), access: "missing", missing: [SETTINGS] },
      { ...granted("rg-c"), access: "unknown", reason: "could not read the permissions: HTTP 403 AuthorizationFailed" },
    ]);
    expect(validateResult(result)).toBe(true);
    const lines = accessStatementOf(result).readAccess!;
    expect(lines).toEqual([
      expect.stringMatching(/: could not be shown to read every resource group holding an HSM \(2 of 3\):$/),
      `– resource group rg-b lacks ${SETTINGS};`,
      "– resource group rg-c unknown (could not read the permissions: HTTP 403 AuthorizationFailed);",
    ]);
    expect(lines[0]).toContain(`(${SUB})`);
    const html = renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) });
    expect(html).toContain(`resource group rg-b lacks ${SETTINGS}`);
    expect(renderMarkdown(result)).toContain(
      "\n  - resource group rg-b lacks Microsoft.Insights/diagnosticSettings/read;\n",
    );
    const file = join(dir, "gaps.pdf");
    const out = createWriteStream(file);
    await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32) }, out);
    if (!out.closed) await once(out, "close");
    const text = squeezed(await readPdf(file));
    expect(text).toContain(`resourcegrouprg-blacks${SETTINGS}`);
    expect(text).toContain("Runby:appidapp-2");
  });

  test("the pack's predicate carries the principal (and nothing when the result has none)", () => {
    const principal = { known: true as const, claims: { tid: TENANT, oid: OID } };
    const files = [{ name: "result.json", sha256: "ab".repeat(32) }];
    expect(
      buildStatement(withAccess(principal), files, { resultName: "result.json" }).predicate.scan.principal,
    ).toEqual(principal);
    expect(
      buildStatement(sampleResult(["chsm-ok"]), files, { resultName: "result.json" }).predicate.scan,
    ).not.toHaveProperty("principal");
  });
});

describe("the terminal (and so the CI log)", () => {
  test.each<[string, Result["principal"], Result["readAccess"], string[], string[]]>([
    [
      "an application, every group readable",
      { known: true, claims: { tid: TENANT, oid: OID, appid: "app-2" } },
      [granted("rg-a")],
      [`Run as app id app-2 (object id ${OID}, tenant ${TENANT}).`],
      ["could not be shown to read"],
    ],
    [
      "a hostile user name and a gap",
      { known: true, claims: { tid: TENANT, upn: FORGED } },
      [granted("rg-a"), { ...granted("rg-b"), access: "missing", missing: [SETTINGS] }],
      [
        `Run as eve@contoso.example\\nCOMPLIANT (exit code 0). (tenant ${TENANT}).`,
        "! The credential could not be shown to read 1 of the 2 resource groups holding an HSM (see the report's scope).",
      ],
      [],
    ],
    ["no principal recorded (an older result)", undefined, undefined, [], ["Run as", "could not be shown"]],
  ])("%s", (_what, principal, readAccess, present, absent) => {
    const lines = renderTerminal(withAccess(principal, readAccess), { color: false }).split("\n");
    for (const line of present) expect(lines).toContain(line);
    for (const text of absent) expect(lines.some((l) => l.includes(text))).toBe(false);
    // No value of the tenant's starts a line of its own.
    expect(lines).not.toContain("COMPLIANT (exit code 0).");
  });
});
