// The demo's verdicts do not depend on the time of day: the Contoso estate is collected, through the real SDK clients
// and the simulator, at fixed instants around a UTC midnight (the simulator and the collector share the injected
// clock), and every finding has the same status each time.
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicies } from "../../src/engine/policy.js";
import { CONTOSO, collectFrom, startTestSimulator } from "../helpers/simulator.js";

import { jest } from "@jest/globals";
jest.setTimeout(300_000);

/** Around the midnight of 2026-03-15 UTC, including 00:22 to 00:37, when the mass retrieval once straddled it. */
const INSTANTS = [
  "2026-03-14T12:00:00Z",
  "2026-03-14T23:40:00Z",
  "2026-03-15T00:00:00Z",
  "2026-03-15T00:05:00Z",
  "2026-03-15T00:22:30Z",
  "2026-03-15T00:30:00Z",
  "2026-03-15T00:37:00Z",
  "2026-03-15T01:10:00Z",
];

async function verdictsAt(instant: string): Promise<Record<string, string>> {
  const at = new Date(instant);
  const clock = () => at;
  const t = await startTestSimulator(CONTOSO, { now: at, clock });
  try {
    const snapshot = await collectFrom(t, { clock, runId: `day-boundary-${instant}` });
    expect(snapshot.clock?.skewMs).toBe(0);
    const result = evaluate(snapshot, loadPolicies(), { failOn: "low" });
    return Object.fromEntries(result.findings.map((f) => [`${f.policyId} ${f.resourceId}`, f.status]));
  } finally {
    await t.close();
  }
}

test("the demo estate earns the same verdicts at every time of day around a UTC day boundary", async () => {
  const reference = await verdictsAt(INSTANTS[0]!);
  // What the demo is made to show: a mass retrieval, failed access, new callers, a trail gap, each found.
  for (const policy of [
    "activity-mass-retrieval",
    "activity-failed-access",
    "activity-new-callers",
    "activity-trail-gap",
  ]) {
    expect(Object.entries(reference).some(([key, status]) => key.startsWith(`${policy} `) && status === "fail")).toBe(
      true,
    );
  }
  for (const instant of INSTANTS.slice(1)) {
    const verdicts = await verdictsAt(instant);
    const differing = Object.keys(reference).filter((key) => verdicts[key] !== reference[key]);
    expect({ instant, differing: differing.map((key) => `${key}: ${reference[key]} -> ${verdicts[key]}`) }).toEqual({
      instant,
      differing: [],
    });
  }
});
