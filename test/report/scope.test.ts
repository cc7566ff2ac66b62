// A scan scoped to management groups says so wherever the reports state the scope: "management group X (N
// subscriptions)", or "management groups A (3 subscriptions), B (2 subscriptions)", on the PDF and HTML cover, in
// summary.md and on the terminal; or that a group's subscriptions could not be listed. A scan not scoped to one states its scope as before.
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderPdf } from "../../src/report/pdf/index.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { buildView } from "../../src/report/view.js";
import { managementGroupScope } from "../../src/report/words.js";
import { validateResult } from "../../src/model/schemas.js";
import type { Result } from "../../src/model/result.js";
import { sampleResult } from "../helpers/results.js";
import { readPdf } from "../helpers/pdf.js";

const dir = mkdtempSync(join(tmpdir(), "hsm-audit-scope-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Groups = NonNullable<Result["scope"]["managementGroups"]>;
const scoped = (...managementGroups: Groups): Result => {
  const result = sampleResult(["chsm-ok"]);
  return { ...result, scope: { ...result.scope, managementGroups } };
};

test.each<[Groups, string]>([
  [[{ id: "mg-payments", subscriptions: 3 }], "management group mg-payments (3 subscriptions)"],
  [[{ id: "mg-payments", subscriptions: 1 }], "management group mg-payments (1 subscription)"],
  [[{ id: "mg-empty", subscriptions: 0 }], "management group mg-empty (0 subscriptions)"],
  [[{ id: "mg-locked" }], "management group mg-locked (its subscriptions could not be listed)"],
  [
    [
      { id: "A", subscriptions: 3 },
      { id: "B", subscriptions: 2 },
    ],
    "management groups A (3 subscriptions), B (2 subscriptions)",
  ],
  [
    [{ id: "A", subscriptions: 1 }, { id: "mg-locked" }],
    "management groups A (1 subscription), mg-locked (its subscriptions could not be listed)",
  ],
])("%j reads '%s'", (groups, words) => {
  expect(managementGroupScope({ managementGroups: groups })).toBe(words);
  const result = scoped(...groups);
  expect(validateResult(result)).toBe(true);
  expect(buildView(result, "ab".repeat(32)).scope).toBe(words);
});

test("the HTML cover, summary.md and the terminal state several management groups", () => {
  const result = scoped({ id: "A", subscriptions: 3 }, { id: "B", subscriptions: 2 });
  const words = "management groups A (3 subscriptions), B (2 subscriptions)";
  expect(renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) })).toContain(
    `data-testid="scope">${words}</dd>`,
  );
  expect(renderTerminal(result, { color: false })).toContain(`· AzureCloud · ${words} · `);
});

test("the HTML cover, summary.md and the terminal state the management group", () => {
  const result = scoped({ id: "mg-payments", subscriptions: 2 });
  const html = renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) });
  expect(html).toContain('<dt>Scope</dt><dd data-testid="scope">management group mg-payments (2 subscriptions)</dd>');
  expect(renderMarkdown(result)).toMatch(
    /HSM\(s\) in management group mg-payments \\\(2 subscriptions\\\), AzureCloud;/,
  );
  expect(renderTerminal(result, { color: false })).toMatch(
    /· AzureCloud · management group mg-payments \(2 subscriptions\) · \d+ HSM\(s\)/,
  );
});

test("the PDF cover states the management group", async () => {
  const file = join(dir, "scoped.pdf");
  const result = scoped({ id: "mg-payments", subscriptions: 2 });
  await renderPdf(result, { paper: "a4", resultSha256: "cd".repeat(32) }, createWriteStream(file));
  const cover = (await readPdf(file)).pages[0]!.replace(/\s+/g, "");
  expect(cover).toContain("Scopemanagementgroupmg-payments(2subscriptions)");
});

test("a scan not scoped to a management group states its scope as before", () => {
  const result = sampleResult(["chsm-ok"]);
  expect(result.scope.managementGroups).toBeUndefined();
  expect(buildView(result, "ab".repeat(32)).scope).toBeUndefined();
  expect(renderHtml(result, { paper: "a4", resultSha256: "ab".repeat(32) })).not.toContain("<dt>Scope</dt>");
  expect(renderMarkdown(result)).toContain(`HSM(s) in ${result.scope.subscriptions.length} subscription(s), `);
});
