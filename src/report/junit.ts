// junit.xml: a testsuite per policy, a testcase per resource it judged. `fail` is a failure, `error` an error (the
// evidence could not be gathered), and not applicable, waived and manual findings are skipped with the reason, as is a
// failure below the fail-on threshold: the test results agree with the exit code.
import { failCounts, type Finding, type Result } from "../model/result.js";
import { printable, printableFix } from "./printable.js";
import { lookup } from "./lookup.js";
import { xmlAttribute as attr, xmlText as text } from "./lookup.js";

export function renderJunit(result: Result): string {
  const look = lookup(result);
  const failOn = result.failOn ?? "low";
  const isFailure = (f: Finding) => f.status === "fail" && failCounts(f.severity, failOn);
  const isSkipped = (f: Finding) =>
    f.status === "not_applicable" ||
    f.status === "waived" ||
    f.status === "manual" ||
    (f.status === "fail" && !isFailure(f));
  const skipReason = (f: Finding) =>
    f.status === "fail" ? `below the fail-on threshold (${f.severity}; fail-on ${failOn}): ${f.message}` : reasonOf(f);
  const order = look.policies.map((p) => p.id);
  for (const f of result.findings) if (!order.includes(f.policyId)) order.push(f.policyId);
  const suites = order
    .map((policyId) => ({ policyId, findings: result.findings.filter((f) => f.policyId === policyId) }))
    .filter((s) => s.findings.length > 0);
  const count = (findings: Finding[]) => ({
    tests: findings.length,
    failures: findings.filter(isFailure).length,
    errors: findings.filter((f) => f.status === "error").length,
    skipped: findings.filter((f) => isSkipped(f)).length,
  });
  const totals = count(result.findings);
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="hsm-audit" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="0" timestamp="${attr(result.startedAt)}">`,
  ];
  suites.forEach((suite, id) => {
    const c = count(suite.findings);
    const title = look.policies.find((p) => p.id === suite.policyId)?.title;
    lines.push(
      `  <testsuite name="${attr(suite.policyId)}" id="${id}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="0" timestamp="${attr(result.startedAt)}">`,
    );
    if (title) {
      lines.push(`    <properties>`, `      <property name="title" value="${attr(title)}"/>`, `    </properties>`);
    }
    for (const f of suite.findings) {
      // Values from Azure as printed: a line break in a name or message must not forge a line in the CI log.
      const name = printable(look.displayName(f.resourceId));
      const message = printable(f.message);
      const fix = printableFix(f.remediation.azCli);
      lines.push(
        `    <testcase classname="hsm-audit.${attr(f.policyId)}" name="${attr(`${name} (${printable(f.resourceId)})`)}" time="0">`,
      );
      const body = [message, fix ? `Fix (az CLI):\n${fix}` : ""].filter(Boolean).join("\n\n");
      if (isFailure(f)) {
        lines.push(`      <failure message="${attr(message)}" type="${f.severity}">${text(body)}</failure>`);
      } else if (f.status === "error") {
        lines.push(`      <error message="${attr(message)}" type="evidence-missing">${text(body)}</error>`);
      } else if (isSkipped(f)) {
        lines.push(`      <skipped message="${attr(printable(skipReason(f)))}"/>`);
      }
      lines.push(`    </testcase>`);
    }
    lines.push(`  </testsuite>`);
  });
  lines.push(`</testsuites>`);
  return `${lines.join("\n")}\n`;
}

function reasonOf(f: Finding): string {
  if (f.status === "waived" && f.waiver) {
    const w = f.waiver;
    return `waived until ${w.expires} by ${w.owner}${w.ticket ? ` (${w.ticket})` : ""}: ${w.reason}. ${f.message}`;
  }
  if (f.status === "manual") return `needs manual review: ${f.message}`;
  return `not applicable: ${f.message}`;
}
