// The reading order both reports share: labels, groupings and the settings as marked JSON.
import { anchorOf, buildView, settingLines, STATUS_LABEL } from "../../src/report/view.js";
import { humanDuration } from "../../src/report/view-scope.js";
import { STATUSES, type Result } from "../../src/model/result.js";
import { summarise } from "../../src/engine/evaluate.js";
import { sampleResult } from "../helpers/results.js";
import { category, group, setting, WORKSPACE } from "../helpers/snapshots.js";
import { hostileResult, XSS_NAME } from "./fixtures.js";

describe("settingLines", () => {
  test("marks exactly the entries that carry the audit category, one entry a line", () => {
    const s = setting({
      logs: [category("HsmServiceOperations"), group("allLogs", false), category("Other")],
      workspaceId: WORKSPACE,
    });
    const lines = settingLines(s, [0]);
    expect(lines.filter((l) => l.audit).map((l) => l.text.trim())).toEqual([
      '{"category":"HsmServiceOperations","enabled":true},',
    ]);
    // Read back, the lines are the setting itself.
    expect(JSON.parse(lines.map((l) => l.text).join("\n"))).toEqual(s);
  });
});

describe("labels", () => {
  test("every status has a word and a symbol, never colour alone", () => {
    for (const status of STATUSES) {
      expect(STATUS_LABEL[status].word).toMatch(/^[A-Z/]+$/);
      expect(STATUS_LABEL[status].symbol).not.toBe("");
    }
    expect(new Set(STATUSES.map((s) => STATUS_LABEL[s].symbol)).size).toBe(STATUSES.length);
  });

  test.each([
    ["P7D", "7 days"],
    ["PT24H", "24 hours"],
    ["P1DT12H", "1 day 12 hours"],
    ["PT90M", "90 minutes"],
    ["P31D", "31 days"],
    ["nonsense", "nonsense"],
  ])("%s reads as %s", (iso, words) => expect(humanDuration(iso)).toBe(words));

  test("anchors are made of safe characters only, and differ for ids that differ only in case-free ways", () => {
    const a = anchorOf("hsm", `/subscriptions/x/providers/y/${XSS_NAME}`);
    expect(a).toMatch(/^hsm-[a-z0-9-]+$/);
    expect(anchorOf("hsm", "/a/b/c-1")).not.toBe(anchorOf("hsm", "/a/b/c_1"));
    expect(anchorOf("hsm", "/A/B")).toBe(anchorOf("hsm", "/a/b"));
  });
});

describe("buildView", () => {
  const result = hostileResult();
  const view = buildView(result, "00".repeat(32));

  test("needs attention lists exactly the counted failures and the errors, fails first; the rest is for review", () => {
    const counted = (f: (typeof result.findings)[number]) => f.status !== "fail" || f.severity !== "info";
    const expected = result.findings.filter((f) => (f.status === "fail" || f.status === "error") && counted(f));
    expect(view.review.map((v) => v.finding)).toEqual(
      expect.arrayContaining(result.findings.filter((f) => f.status === "fail" && !counted(f))),
    );
    expect(view.review.length).toBe(result.findings.filter((f) => f.status === "fail" && !counted(f)).length);
    expect(view.attention).toHaveLength(expected.length);
    const order = view.attention.map((v) => v.finding.status);
    expect(order).toEqual([...order].sort((a, b) => (a === b ? 0 : a === "fail" ? -1 : 1)));
  });

  test("every finding is placed exactly once: under its HSM, its subscription, or the tenant", () => {
    const placed =
      view.tenantFindings.length +
      view.sections.reduce((n, s) => n + s.findings.length + s.hsms.reduce((m, h) => m + h.findings.length, 0), 0);
    expect(placed).toBe(result.findings.length);
  });

  test("status counts equal the result's summary", () => {
    const count = (key: string) => view.statusCounts.find((c) => c.key === key)!.count;
    expect(count("pass")).toBe(result.summary.pass);
    // A failure below the fail-on threshold is counted as REVIEW, the rest as FAIL: together, the summary's fails.
    const review = result.findings.filter((f) => f.status === "fail" && f.severity === "info").length;
    expect(review).toBeGreaterThan(0);
    expect(count("review")).toBe(review);
    // The tables by severity and by kind count them the same way: REVIEW apart from FAIL.
    expect(view.severityRows.find((r) => r.severity === "info")).toMatchObject({ fail: 0, review });
    expect(view.severityRows.reduce((n, r) => n + r.fail, 0)).toBe(result.summary.fail - review);
    expect(count("fail")).toBe(result.summary.fail - review);
    expect(count("manual")).toBe(result.summary.manual);
    expect(count("not_applicable")).toBe(result.summary.notApplicable);
  });

  test("the activity chart has one bar per UTC day of the window, zero where no row came back", () => {
    const good = view.sections.flatMap((s) => s.hsms).find((h) => h.resource.name === XSS_NAME)!;
    const days = good.activity[0]!.days;
    expect(days.map((d) => d.day)).toEqual([
      "2025-06-01",
      "2025-06-02",
      "2025-06-03",
      "2025-06-04",
      "2025-06-05",
      "2025-06-06",
      "2025-06-07",
      "2025-06-08",
    ]);
    expect(days.map((d) => d.records)).toEqual([0, 4, 0, 0, 9, 0, 0, 2]);
    expect(good.activity[0]!.maxPerDay).toBe(9);
  });

  test("the Dedicated HSM carries the manual evidence it needs, the others do not", () => {
    const hsms = view.sections.flatMap((s) => s.hsms);
    for (const h of hsms) expect(Boolean(h.manualEvidence)).toBe(h.resource.kind === "dedicatedHsm");
  });

  test("the evidence index says which findings cite each record", () => {
    const cited = result.findings.flatMap((f) => f.evidence);
    for (const id of cited) expect(view.evidence.find((e) => e.id === id)!.citedBy.length).toBeGreaterThan(0);
  });
});

describe("how the evidence was gathered", () => {
  test("says where the HSMs were listed from, and why when Resource Graph gave way", () => {
    const base = hostileResult();
    const said = (inventory?: NonNullable<typeof base.scope.inventory>) =>
      buildView({ ...base, scope: { ...base.scope, ...(inventory ? { inventory } : {}) } }, "0".repeat(64))
        .collection[0];
    expect(said({ source: "resource-graph" })).toMatch(/one Azure Resource Graph query/);
    expect(said({ source: "arm" })).toMatch(/per subscription from Azure Resource Manager\.$/);
    expect(said({ source: "arm", fallbackFrom: "resource-graph", reason: "HTTP 403 AuthorizationFailed" })).toMatch(
      /Resource Graph was asked first but could not be used \(HTTP 403 AuthorizationFailed\)/,
    );
  });

  test("says the settings came through ARM's batch exactly when an exchange was carried inside another", () => {
    const base = hostileResult();
    const batched = {
      ...base,
      evidence: [...base.evidence, { ...base.evidence[0]!, id: "ev-99999", via: base.evidence[0]!.id }],
    };
    expect(buildView(batched, "0".repeat(64)).collection[1]).toMatch(/20 at a time through ARM's batch API/);
    expect(
      buildView({ ...base, evidence: base.evidence.map(({ via: _via, ...e }) => e) }, "0".repeat(64)).collection[1],
    ).toMatch(/one request each/);
  });
});

describe("how the evidence was gathered, as the result records it", () => {
  const base = hostileResult();
  const said = (collection: NonNullable<Result["scope"]["collection"]>) =>
    buildView({ ...base, scope: { ...base.scope, collection } }, "0".repeat(64)).collection;
  const quiet = {
    concurrency: 16,
    armBatch: { size: 20, batches: 3, answered: 41, readAlone: 0 },
    logQueries: { workspacesPerQuery: 100, askedAgainAlone: 0 },
    retries: 0,
  };

  test("states what happened: the batch's size and answers, and that nothing was asked again", () => {
    const [, reads, queries, pacing] = said(quiet);
    expect(reads).toMatch(/up to 20 at a time through ARM's batch API \(3 batches, 41 answers\)/);
    expect(reads).not.toMatch(/read again alone/);
    expect(queries).toMatch(/up to 100 workspaces together/);
    expect(queries).toMatch(/no workspace was asked again alone\.$/);
    expect(pacing).toMatch(/^At most 16 requests were in flight at once; no request had to be sent again\.$/);
  });

  test("counts the reads the batch declined, the workspaces asked again alone and the retries", () => {
    const [, reads, queries, pacing] = said({
      ...quiet,
      armBatch: { ...quiet.armBatch, readAlone: 2 },
      logQueries: { workspacesPerQuery: 100, askedAgainAlone: 3 },
      retries: 1,
    });
    expect(reads).toMatch(/2 reads the batch declined .* were read again alone\./);
    expect(queries).toMatch(/3 workspaces whose shared answer failed were asked again alone\./);
    expect(pacing).toMatch(/1 request was sent again after a throttle/);
  });

  test("says when the batch was not used, or answered nothing", () => {
    const { armBatch: _armBatch, ...unbatched } = quiet;
    expect(said(unbatched)[1]).toMatch(/one request each \(ARM's batch API was not used\)/);
    expect(said({ ...quiet, armBatch: { size: 20, batches: 1, answered: 0, readAlone: 5 } })[1]).toMatch(
      /answered none of them \(5 reads read alone\)/,
    );
  });
});

describe("the manual evidence an HSM waits for", () => {
  test("is the policy of its manual finding, or of the waiver that accepted one; an earlier result's is its kind's", () => {
    const base = sampleResult(["chsm-ok"]);
    const hsmId = base.resources[0]!.id;
    const policy = base.policies![0]!;
    const manualOf = (result: Result) =>
      buildView(result, "0".repeat(64)).sections.flatMap((s) => s.hsms)[0]!.manualEvidence?.id;
    const withFindings = (findings: Result["findings"], exitCode?: 0 | 1 | 3): Result => {
      const { exitCode: _exitCode, ...summary } = summarise(findings, "low");
      return { ...base, findings, summary: exitCode === undefined ? summary : { ...summary, exitCode } };
    };
    const finding = { ...base.findings.find((f) => f.resourceId === hsmId)!, policyId: policy.id };
    expect(manualOf(withFindings([{ ...finding, status: "manual" }], 3))).toBe(policy.id);
    const waiver = { index: 1, reason: "r", owner: "o", ticket: "t", expires: "2026-12-31" };
    expect(
      manualOf(withFindings([{ ...finding, status: "waived", waiver: { ...waiver, accepted: "manual" } }], 0)),
    ).toBe(policy.id);
    expect(manualOf(withFindings([{ ...finding, status: "waived", waiver: { ...waiver, accepted: "fail" } }], 0))).toBe(
      undefined,
    );
    expect(manualOf(withFindings([{ ...finding, status: "pass" }], 0))).toBe(undefined);
  });
});

describe("whether all evidence was gathered", () => {
  /** A result that exits 0 (every finding passes), with the given failed reads. */
  const passing = (errors: Result["errors"]): Result => {
    const base = sampleResult(["chsm-ok"]);
    const findings = base.findings.map((f) => ({ ...f, status: "pass" as const, evidence: ["ev-00001"] }));
    return { ...base, findings, summary: summarise(findings, "low"), errors };
  };

  test.each([
    ["no read failed", [], true],
    [
      "a read of an excluded HSM failed",
      [{ for: "the diagnostic settings of x", resourceId: "/subscriptions/s/x", message: "HTTP 403", status: 403 }],
      false,
    ],
  ] as const)("%s: the verdict's sentence and the errors section say the same", (_name, errors, complete) => {
    const view = buildView(passing([...errors]), "");
    expect(view.exitCode).toBe(0);
    expect(/and all evidence was gathered/.test(view.meaning)).toBe(complete);
    expect(/not all evidence was gathered/.test(view.meaning)).toBe(!complete);
    expect(/the pack is complete/.test(view.completeness)).toBe(complete);
    if (!complete) expect(view.meaning).toContain(view.completeness);
    expect(view.errors).toHaveLength(errors.length);
  });
});
