// Clock skew end to end: the simulator's services run on a clock set apart from the scanner's (the estate's
// `clockSkew`: its Date headers and its records follow it); the CLI's scan reads the skew from the answers' Date headers,
// and every finding that depends on the log window is an error saying by how much the clocks disagree.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Snapshot } from "../../src/model/snapshot.js";
import { cleanUp, findingOf, startScanTarget, statusOf, tempDir, type ScanRun } from "../helpers/cli.js";
import { scanInProcess } from "../helpers/scan-in-process.js";
import { readPdf } from "../helpers/pdf.js";

import { jest } from "@jest/globals";
jest.setTimeout(180_000);
afterAll(cleanUp);

const SUB = "aaaaaaaa-0000-4000-8000-000000000031";
const HSM = "mhsm-skewed";
const WINDOW_POLICIES = [
  "logs-flowing",
  "activity-mass-retrieval",
  "activity-failed-access",
  "activity-new-callers",
  "activity-sensitive-operations",
  "activity-trail-gap",
];

/**
 * A Managed HSM whose trail stopped 25 days ago by the services' clock (a record every hour for the 35 days before),
 * in an estate whose services run `skew` ahead of the scanner.
 */
const estate = (skew: string | undefined) => `tenantId: 00000000-0000-4000-8000-0000000000aa
${skew ? `clockSkew: ${skew}\n` : ""}subscriptions:
  - subscriptionId: ${SUB}
    displayName: Skewed
    workspaces:
      - { name: law-audit, resourceGroup: rg-mon, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000031, retentionInDays: 400 }
    managedHsms:
      - name: ${HSM}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law-audit
            logs: [{ category: AuditEvent, enabled: true }]
        activity:
          - { every: 1h, from: 60d, to: 25d, operations: [KeyGet, KeySign], callers: [10.0.0.4], identities: [svc@contoso.example] }
`;

async function scanWith(skew: string | undefined, args: string[] = []): Promise<ScanRun & { snapshot: Snapshot }> {
  const target = await startScanTarget(estate(skew));
  try {
    const snapshotFile = join(tempDir(), "snapshot.json");
    const run = await scanInProcess(target, ["--snapshot-out", snapshotFile, ...args]);
    expect(run.stderr).toBe("");
    return { ...run, snapshot: JSON.parse(readFileSync(snapshotFile, "utf8")) as Snapshot };
  } finally {
    await target.close();
  }
}

describe("services' clock 30 days ahead of the scanner's", () => {
  let run: ScanRun & { snapshot: Snapshot };
  beforeAll(async () => {
    run = await scanWith("30d", ["--format", "html,pdf"]);
  });

  test("the trail that stopped 25 days ago (service time) does not pass: every window-dependent finding is an error", () => {
    expect(run.code).toBe(3);
    for (const policy of WINDOW_POLICIES) {
      const finding = findingOf(run.result, policy, HSM);
      expect({ policy, status: finding?.status }).toEqual({ policy, status: "error" });
      expect(finding!.message).toMatch(/clocks disagree by 30 days/);
    }
    expect(run.result!.summary.compliant).toBe(false);
    // What does not depend on the window is judged as usual.
    expect(statusOf(run.result, "diagnostic-setting-present", HSM)).toBe("pass");
  });

  test("the skew is recorded: per answer (its Date), in the snapshot and in result.json", () => {
    const day = 86_400_000;
    // Every answer that arrived over HTTP carries its Date (an inner answer of ARM's batch has its carrier's).
    const direct = run.snapshot.evidence.filter((e) => e.status !== 0 && !e.via);
    expect(direct.length).toBeGreaterThan(5);
    expect(direct.filter((e) => typeof e.serviceTime !== "string")).toEqual([]);
    expect(Math.abs(run.snapshot.clock!.skewMs - 30 * day)).toBeLessThan(60_000);
    const clock = run.result!.clock!;
    expect(clock).toMatchObject({
      toleranceMs: 300_000,
      beyondTolerance: true,
      evidence: run.snapshot.clock!.evidence,
    });
    expect(Math.abs(clock.skewMs - 30 * day)).toBeLessThan(60_000);
    expect(run.result!.evidence.find((e) => e.id === clock.evidence)?.serviceTime).toBe(clock.serviceTime);
  });

  test("the terminal, the HTML and the PDF say that the clocks disagree", async () => {
    expect(run.stdout).toMatch(/clocks disagree by 30 days/);
    const html = readFileSync(join(run.out, "report.html"), "utf8");
    expect(html).toMatch(/data-testid="clock-skew"[^>]*>[^<]*clocks disagree by 30 days/);
    const pdf = await readPdf(join(run.out, "report.pdf"));
    expect(pdf.pages[0]!.replace(/\s+/g, " ")).toMatch(/clocks disagree by 30 days/);
  });
});

test("without skew the same trail fails logs-flowing (nothing in the window), and the clocks agree", async () => {
  const run = await scanWith(undefined);
  expect(statusOf(run.result, "logs-flowing", HSM)).toBe("fail");
  expect(run.result!.clock).toMatchObject({ beyondTolerance: false, toleranceMs: 300_000 });
  expect(Math.abs(run.result!.clock!.skewMs)).toBeLessThan(5_000);
});

test("a skew within the tolerance is tolerated; --clock-skew-tolerance narrows it", async () => {
  const tolerated = await scanWith("-2m");
  expect(statusOf(tolerated.result, "logs-flowing", HSM)).toBe("fail");
  expect(tolerated.result!.clock!.beyondTolerance).toBe(false);
  expect(tolerated.result!.clock!.skewMs).toBeLessThan(-100_000);
  const strict = await scanWith("-2m", ["--clock-skew-tolerance", "1m"]);
  expect(strict.code).toBe(3);
  expect(strict.result!.clock).toMatchObject({ toleranceMs: 60_000, beyondTolerance: true });
  const finding = findingOf(strict.result, "logs-flowing", HSM)!;
  expect(finding.status).toBe("error");
  expect(finding.message).toMatch(
    /clocks disagree by 2 minutes( \d+ seconds?)?: the services. clock runs 2 minutes( \d+ seconds?)? behind/,
  );
});
