// The demo's sample appliance evidence brought to the present: every date the judges read moves by one amount, the
// newest capture an hour before now, and nothing else in the folder changes.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { rebasedApplianceEvidence } from "../../src/simulator/appliance-evidence.js";
import { loadApplianceIndex } from "../../src/azure/luna/evidence-dir.js";
import { DEMO_APPLIANCE_EVIDENCE } from "../../src/cli/commands/demo.js";
import { cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

const NOW = new Date("2027-03-15T12:30:00.000Z");

test("the demo's evidence: capturedAt an hour before now, audit log file dates moved alike, other files the same", () => {
  const rebased = rebasedApplianceEvidence(DEMO_APPLIANCE_EVIDENCE, NOW);
  try {
    const index = loadApplianceIndex(rebased.directory);
    expect(index.appliances.map((e) => e.capturedAt)).toEqual(["2027-03-15T11:30:00.000Z", "2027-03-15T11:30:00.000Z"]);
    const list = readFileSync(join(rebased.directory, "dhsm-payments-luna-01", "audit-log-list.txt"), "utf8");
    // Saved 2026-12-04T09:00Z; its files dated 2026-12-03 23:00:01 and 2026-12-04 08:00:00: the same hours apart.
    expect(list).toContain("2027-03-15 01:30:01    1048576 bytes    hsm_1288734_0000002a.log");
    expect(list).toContain("2027-03-15 10:30:00      20480 bytes    hsm_1288734_0000002b.log");
    expect(list).not.toContain("2026-");
    for (const folder of ["dhsm-payments-luna-01", "dhsm-payments-luna-02"]) {
      for (const file of readdirSync(join(DEMO_APPLIANCE_EVIDENCE, folder)).filter((f) => f !== "audit-log-list.txt")) {
        expect([folder, file, readFileSync(join(rebased.directory, folder, file), "utf8")]).toEqual([
          folder,
          file,
          readFileSync(join(DEMO_APPLIANCE_EVIDENCE, folder, file), "utf8"),
        ]);
      }
    }
  } finally {
    rebased.remove();
  }
  expect(existsSync(rebased.directory)).toBe(false);
});

test("an index without capturedAt is copied unchanged (its readings are dated by the copies' times)", () => {
  const source = tempDir();
  mkdirSync(join(source, "luna"));
  const index =
    "appliances:\n  - name: luna\n    resourceId: /subscriptions/s/resourceGroups/g/providers/Microsoft.HardwareSecurityModules/dedicatedHSMs/d\n";
  writeFileSync(join(source, "appliances.yaml"), index);
  const list = "   2026-12-04 08:00:00      20480 bytes    hsm_1_0000002b.log\n";
  writeFileSync(join(source, "luna", "audit-log-list.txt"), list);
  const rebased = rebasedApplianceEvidence(source, NOW);
  try {
    expect(readFileSync(join(rebased.directory, "appliances.yaml"), "utf8")).toBe(index);
    expect(readFileSync(join(rebased.directory, "luna", "audit-log-list.txt"), "utf8")).toBe(list);
  } finally {
    rebased.remove();
  }
});
