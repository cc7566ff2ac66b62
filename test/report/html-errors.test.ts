// The errors section renders every kind of failed read: one with an HTTP status and code, and one that got no answer
// at all (a reset or a timeout has neither), whose cells stay empty rather than failing the whole report.
import { renderHtml } from "../../src/report/html.js";
import { sampleResult } from "../helpers/results.js";

test("a read that failed with no status, code or resource renders, and so does one with all of them", () => {
  const result = sampleResult(["chsm-ok"]);
  result.errors = [
    { for: "diagnosticSettings chsm-ok", message: "could not read it: ECONNRESET" },
    {
      for: "workspace law-audit",
      resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law-audit",
      status: 403,
      code: "AuthorizationFailed",
      message: "could not read it: HTTP 403 AuthorizationFailed",
    },
  ];
  const html = renderHtml(result, { paper: "a4", resultSha256: "0".repeat(64) });
  expect(html).toContain("could not read it: ECONNRESET");
  expect(html).toContain("403 AuthorizationFailed");
});
