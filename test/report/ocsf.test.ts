// findings.ocsf.jsonl: every line an OCSF 1.3.0 Compliance Finding that validates against the schema in
// vendor/ocsf/1.3.0; one line per finding whatever the names hold; waived findings Suppressed; only a pass is a Pass.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { OCSF_VERSION, ocsfFindingUid, renderOcsf } from "../../src/report/ocsf.js";
import { FORMAT_FILES, RENDERERS } from "../../src/report/outputs.js";
import type { Result } from "../../src/model/result.js";
import { HOSTILE_NAMES, hsmId, sampleResult, SUB } from "../helpers/results.js";
import { ROOT } from "../helpers/simulator.js";
import { tempDir, cleanUp } from "../helpers/cli.js";
import type { Parsed } from "../helpers/consumers.js";

afterAll(cleanUp);

const SCHEMA_FILE = join(ROOT, "vendor/ocsf/1.3.0/compliance_finding.schema.json");
const SCHEMA = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(SCHEMA);

/** The lines as a JSON-lines reader takes them: split on line feeds only, the last one ending the file. */
function events(text: string): Parsed[] {
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .slice(0, -1)
    .map((l) => JSON.parse(l) as Parsed);
}

function expectValid(text: string): Parsed[] {
  const parsed = events(text);
  for (const e of parsed) expect(validate(e) || validate.errors).toBe(true);
  return parsed;
}

const result = sampleResult();
const text = renderOcsf(result);
const lines = expectValid(text);

test("the format is registered: --format ocsf writes findings.ocsf.jsonl", () => {
  expect(FORMAT_FILES.ocsf).toBe("findings.ocsf.jsonl");
  expect(RENDERERS.ocsf).toBeDefined();
});

test("one valid Compliance Finding per finding, in order, with the run's time and the tool as product", () => {
  expect(lines).toHaveLength(result.findings.length);
  expect(lines.length).toBeGreaterThan(30);
  result.findings.forEach((f, i) => {
    const e = lines[i];
    expect(e).toMatchObject({ category_uid: 2, class_uid: 2003, activity_id: 1, type_uid: 200301 });
    expect(e.time).toBe(Date.parse(result.startedAt));
    expect(e.metadata.version).toBe(OCSF_VERSION);
    expect(e.metadata.product).toEqual({ name: "hsm-audit", vendor_name: "hsm-audit", version: "0.1.0" });
    expect(e.compliance.control).toBe(f.policyId);
    expect(e.compliance.standards).toEqual(["PCI DSS 4.0"]);
    expect(e.compliance.requirements).toEqual(["PCI DSS 4.0 10.2.1"]);
    expect(e.compliance.status_code).toBe(f.status);
    expect(e.resources).toEqual([expect.objectContaining({ uid: f.resourceId, region: "eastus" })]);
    expect(e.cloud).toEqual({
      provider: "Azure",
      region: "eastus",
      account: { uid: SUB, name: "Payments | =prod", type_id: 13, type: "Azure Subscription" },
    });
    expect(e.message).toBe(f.message);
    expect(e.finding_info.title).toBe(f.title);
    expect(e.unmapped.hsm_audit.status).toBe(f.status);
    expect(e.unmapped.hsm_audit.evidence).toEqual(f.evidence);
    expect(e.unmapped.hsm_audit.log_window).toEqual(result.logWindow);
  });
});

test("severity: info, low, medium, high, critical are OCSF 1 to 5", () => {
  const expected = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
  result.findings.forEach((f, i) => expect(lines[i].severity_id).toBe(expected[f.severity]));
  expect(new Set(lines.map((e) => e.severity_id))).toEqual(new Set([1, 2, 3, 4, 5]));
});

test("a waived finding is Suppressed, with its waiver; every other finding is New", () => {
  const waived = result.findings.map((f, i) => [f, lines[i]] as const).filter(([f]) => f.status === "waived");
  expect(waived.length).toBeGreaterThan(0);
  for (const [f, e] of waived) {
    expect([e.status_id, e.status]).toEqual([3, "Suppressed"]);
    expect(e.status_detail).toContain(f.waiver!.reason);
    expect(e.unmapped.hsm_audit.waiver).toEqual(f.waiver);
    // The waiver accepted a failure: the check still failed.
    expect([e.compliance.status_id, e.compliance.status]).toEqual([3, "Fail"]);
  }
  result.findings.forEach((f, i) => {
    if (f.status !== "waived") expect([lines[i].status_id, lines[i].status]).toEqual([1, "New"]);
  });
});

test("only a pass is a compliance Pass: error and manual are Warning, fail Fail, not_applicable Other", () => {
  const expected = {
    pass: [1, "Pass"],
    error: [2, "Warning"],
    manual: [2, "Warning"],
    fail: [3, "Fail"],
    waived: [3, "Fail"],
    not_applicable: [99, "Not Applicable"],
  };
  result.findings.forEach((f, i) => {
    expect([lines[i].compliance.status_id, lines[i].compliance.status]).toEqual(expected[f.status]);
  });
  for (const status of ["error", "manual"]) {
    const some = result.findings.map((f, i) => [f, lines[i]] as const).filter(([f]) => f.status === status);
    expect(some.length).toBeGreaterThan(0);
    for (const [, e] of some) expect(e.compliance.status_id).not.toBe(1);
  }
  // A waiver over a manual finding (a compensating control) suppresses it, and it is still no Pass.
  const manual = sampleResult(["chsm-ok"]);
  const f = manual.findings.find((x) => x.status === "waived")!;
  f.waiver = { ...f.waiver!, accepted: "manual" };
  const [e] = expectValid(renderOcsf({ ...manual, findings: [f] }));
  expect([e.status_id, e.compliance.status_id, e.compliance.status]).toEqual([3, 2, "Warning"]);
});

test("a finding's uid is the same in every run and for any case of its ARM id; each event's uid is unique", () => {
  const again = sampleResult();
  again.runId = "another-run";
  again.startedAt = "2026-12-01T10:00:00.000Z";
  const next = events(renderOcsf(again));
  expect(next.map((e) => e.finding_info.uid)).toEqual(lines.map((e) => e.finding_info.uid));
  expect(next.map((e) => e.metadata.uid)).not.toContain(lines[0].metadata.uid);
  expect(new Set(lines.map((e) => e.metadata.uid)).size).toBe(lines.length);
  expect(new Set(lines.map((e) => e.finding_info.uid)).size).toBe(lines.length);
  const f = result.findings[0]!;
  expect(ocsfFindingUid({ ...f, resourceId: f.resourceId.toUpperCase() })).toBe(ocsfFindingUid(f));
});

test("hostile names stay inside one line: line feeds, carriage returns, U+2028, U+2029, U+0085, lone surrogates", () => {
  const names = [
    ...HOSTILE_NAMES,
    "line\nfeed",
    "carriage\rreturn\r\n",
    "separator\u2028line\u2029para\u0085nel",
    "vertical\u000btab\u000cform\u001cfs",
    "lone\ud800surrogate",
  ];
  const hostile = sampleResult(names);
  const out = renderOcsf(hostile);
  // Every way a reader might split lines (Python's splitlines too) gives one line per finding.
  // eslint-disable-next-line no-control-regex
  expect(out.split(/\r\n|[\n\r\u2028\u2029\u0085\u000b\u000c\u001c-\u001e]/)).toHaveLength(hostile.findings.length + 1);
  const parsed = expectValid(out);
  expect(parsed).toHaveLength(hostile.findings.length);
  const shown = new Set(parsed.map((e) => e.resources[0].name as string));
  for (const name of names.filter((n) => !n.includes("\ud800"))) expect(shown).toContain(name);
  // A lone surrogate is escaped by JSON.stringify; it reads back as itself.
  expect([...shown].some((n) => n.startsWith("lone") && n.includes("\ud800"))).toBe(true);
  expect(out).toContain("\\u2028");
});

test("a subscription's finding, a result without policies or run id, and no findings at all", () => {
  const r: Result = sampleResult(["chsm-ok"]);
  const sub = { ...r.findings[0]!, resourceId: `/subscriptions/${SUB}`, policyId: "subscription-policy" };
  const bare: Result = { ...r, findings: [...r.findings, sub] };
  delete bare.policies;
  delete bare.runId;
  const parsed = expectValid(renderOcsf(bare));
  expect(parsed).toHaveLength(bare.findings.length);
  const last = parsed.at(-1);
  expect(last.resources[0]).toMatchObject({ uid: `/subscriptions/${SUB}`, name: "Payments | =prod" });
  expect(last.resources[0].type).toBe("Microsoft.Resources/subscriptions");
  expect(last.cloud.account.uid).toBe(SUB);
  expect(last.compliance.standards).toBeUndefined();
  expect(last.metadata.uid).toContain(r.startedAt);
  expect(renderOcsf({ ...r, findings: [] })).toBe("");
  expect(hsmId("x")).toContain(SUB);
});

test("the schema is not vacuous: a wrong caption, a missing attribute, an unknown one are refused", () => {
  const good = lines[0];
  const broken: Parsed[] = [
    { ...good, compliance: { ...good.compliance, status_id: 1, status: "Fail" } },
    { ...good, severity_id: 7 },
    { ...good, type_uid: 200302 },
    { ...good, status: "Open" },
    { ...good, metadata: { ...good.metadata, version: "1.0.0" } },
    { ...good, time: "2026-11-01T10:00:00Z" },
    { ...good, findingInfo: good.finding_info },
    Object.fromEntries(Object.entries(good).filter(([k]) => k !== "finding_info")),
    { ...good, compliance: Object.fromEntries(Object.entries(good.compliance).filter(([k]) => k !== "control")) },
    { ...good, cloud: { region: "eastus" } },
  ];
  expect(validate(good)).toBe(true);
  for (const e of broken) expect(validate(e)).toBe(false);
});

test("the committed schema is what scripts/ocsf-json-schema.mjs writes", () => {
  const copy = join(tempDir(), "schema.json");
  execFileSync(process.execPath, [join(ROOT, "scripts/ocsf-json-schema.mjs"), copy]);
  expect(JSON.parse(readFileSync(copy, "utf8"))).toEqual(SCHEMA);
});
