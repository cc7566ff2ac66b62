// The exit-code matrix: every --fail-on threshold × every severity × every status × no waiver, an applied one, an
// expired one (with and without --fail-on-expired-waivers). The code comes from the one place that computes it, and
// summary.compliant agrees with it.
import { summarise } from "../../src/engine/evaluate.js";
import { applyWaivers, type Waiver } from "../../src/engine/waivers.js";
import {
  earnedExitCode,
  FAIL_ON_VALUES,
  resultExitCode,
  SEVERITIES,
  STATUSES,
  type FailOn,
  type Finding,
  type Severity,
  type Status,
} from "../../src/model/result.js";

const RUN = Date.parse("2025-06-08T12:00:00.000Z");
const ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/m";
const WAIVER: Waiver = {
  index: 1,
  line: 1,
  policy: "p",
  resource: ID,
  reason: "accepted",
  owner: "o",
  ticket: "",
  expires: "2025-12-31",
};
const WAIVER_CASES = ["none", "applied", "expired", "expired+gate"] as const;

/** What DESIGN.md says, severity by severity: the rank of a threshold counts it and everything above. */
function expected(status: Status, severity: Severity, failOn: FailOn, waiver: (typeof WAIVER_CASES)[number]): number {
  const rank = (s: string) => ["critical", "high", "medium", "low", "info", "never"].indexOf(s);
  // A waiver accepts a failure, or a manual finding (the documented compensating control); never an error.
  const waived = (status === "fail" || status === "manual") && waiver === "applied";
  const counted = status === "fail" && !waived && failOn !== "never" && rank(severity) <= rank(failOn);
  if (counted) return 1;
  if (waiver === "expired+gate") return 1;
  if (status === "error" || (status === "manual" && !waived)) return 3;
  return 0;
}

const rows = FAIL_ON_VALUES.flatMap((failOn) =>
  SEVERITIES.flatMap((severity) =>
    STATUSES.filter((s) => s !== "waived").flatMap((status) =>
      WAIVER_CASES.map((waiver) => [failOn, severity, status, waiver] as const),
    ),
  ),
);

test(`the matrix has every combination (${rows.length})`, () => {
  expect(rows).toHaveLength(FAIL_ON_VALUES.length * SEVERITIES.length * 5 * WAIVER_CASES.length);
});

test.each(rows)("fail-on %s, a %s finding that is %s, waiver %s", (failOn, severity, status, waiver) => {
  const finding: Finding = {
    policyId: "p",
    resourceId: ID,
    status,
    severity,
    message: "m",
    evidence: [],
    remediation: { azCli: "", powershell: "" },
    title: "t",
  };
  const list = waiver === "none" ? [] : [{ ...WAIVER, expires: waiver === "applied" ? "2025-12-31" : "2025-06-01" }];
  const applied = applyWaivers([finding], list, RUN);
  const failOnExpiredWaivers = waiver === "expired+gate";
  const code = resultExitCode({ findings: applied.findings, failOn, waivers: applied.waivers, failOnExpiredWaivers });
  expect(code).toBe(expected(status, severity, failOn, waiver));
  const summary = summarise(applied.findings, failOn, applied.waivers, failOnExpiredWaivers);
  expect(summary.compliant).toBe(code === 0);
  expect(summary.exitCode).toBe(code);
  // A result states its code; one of an earlier version, which does not, earns the same from its findings.
  const result = { findings: applied.findings, failOn, waivers: applied.waivers, failOnExpiredWaivers };
  expect(earnedExitCode({ ...result, summary })).toBe(code);
  expect(earnedExitCode({ ...result, summary: {} })).toBe(code);
});

test("spelled out: a high failure under --fail-on medium is 1, waived it is 0, and an error beside it stays 3", () => {
  const base = {
    policyId: "p",
    resourceId: ID,
    message: "m",
    evidence: [],
    remediation: { azCli: "", powershell: "" },
    title: "t",
  };
  const fail: Finding = { ...base, status: "fail", severity: "high" };
  const error: Finding = { ...base, policyId: "q", status: "error", severity: "low" };
  expect(resultExitCode({ findings: [fail], failOn: "medium" })).toBe(1);
  expect(resultExitCode({ findings: [fail], failOn: "critical" })).toBe(0);
  const waived = applyWaivers([fail, error], [WAIVER], RUN);
  expect(resultExitCode({ findings: waived.findings, failOn: "medium", waivers: waived.waivers })).toBe(3);
  expect(resultExitCode({ findings: [waived.findings[0]!], failOn: "medium", waivers: waived.waivers })).toBe(0);
});

test("the code a result states is the one renderers and the CLI read", () => {
  const finding: Finding = {
    policyId: "p",
    resourceId: ID,
    status: "error",
    severity: "low",
    message: "m",
    evidence: [],
    remediation: { azCli: "", powershell: "" },
    title: "t",
  };
  expect(earnedExitCode({ findings: [finding], failOn: "low", summary: {} })).toBe(3);
  expect(earnedExitCode({ findings: [finding], failOn: "low", summary: { exitCode: 3 } })).toBe(3);
  expect(earnedExitCode({ findings: [], failOn: "low", summary: { exitCode: 1 } })).toBe(1);
});
