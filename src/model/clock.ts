// How far the services' clock is from the scanning machine's, read from the `Date` headers of the answers. The log
// window is counted on the scanner's clock and the records carry the services' times: when the two disagree by more
// than a tolerance, no verdict that depends on the window is proven. One measure, shared by collect and evaluate.
import type { ClockReading, EvidenceRecord } from "./snapshot.js";

/** The disagreement tolerated by default (`clockSkewTolerance`): five minutes. */
export const DEFAULT_CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

/**
 * The reading of the evidence records that carry a service time. Each answer's `Date` was written between the request
 * and the answer, and counts whole seconds: it bounds the disagreement to an interval, whose middle is that answer's
 * estimate. The reading is the answer whose interval lies farthest from agreement (so that a slow answer cannot make
 * a skew of its own, while any service whose clock is off shows), given by its estimate. Undefined when no record has
 * a service time.
 */
export function measureClock(evidence: readonly EvidenceRecord[]): ClockReading | undefined {
  let worst: { skewMs: number; provenMs: number; record: EvidenceRecord; local: number; service: number } | undefined;
  let samples = 0;
  for (const record of evidence) {
    if (!record.serviceTime) continue;
    const service = Date.parse(record.serviceTime);
    const captured = Date.parse(record.capturedAt);
    if (!Number.isFinite(service) || !Number.isFinite(captured)) continue;
    samples++;
    const duration = Math.max(0, record.durationMs ?? 0);
    const low = service - (captured + duration);
    const high = service + 1000 - captured;
    const provenMs = low > 0 ? low : high < 0 ? -high : 0;
    const local = captured + duration / 2;
    const skewMs = Math.round((service + 500 - local) / 1000) * 1000;
    if (
      !worst ||
      provenMs > worst.provenMs ||
      (provenMs === worst.provenMs && Math.abs(skewMs) > Math.abs(worst.skewMs))
    )
      worst = { skewMs, provenMs, record, local, service };
  }
  if (!worst) return undefined;
  return {
    skewMs: worst.skewMs === 0 ? 0 : worst.skewMs,
    samples,
    evidence: worst.record.id,
    serviceTime: new Date(worst.service).toISOString(),
    localTime: new Date(Math.round(worst.local)).toISOString(),
  };
}

/** Whether a reading is beyond the tolerance. */
export function beyondTolerance(reading: ClockReading | undefined, toleranceMs: number): boolean {
  return reading !== undefined && Math.abs(reading.skewMs) > toleranceMs;
}

/** "3 days 4 hours", "12 minutes", "40 seconds": a disagreement as a reader says it (two largest units). */
export function describeSkew(ms: number): string {
  const units: Array<[string, number]> = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ];
  let rest = Math.abs(Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
    if (parts.length === 2) break;
  }
  const text = parts.filter((p) => !p.startsWith("0 ")).join(" ");
  return text || "0 seconds";
}

/** One sentence: how the services' clock stands to the scanner's ("the services' clock runs 30 days ahead of ..."). */
export function clockSentence(reading: ClockReading): string {
  if (reading.skewMs === 0) return "the services' clock agrees with this machine's";
  return `the services' clock runs ${describeSkew(reading.skewMs)} ${reading.skewMs > 0 ? "ahead of" : "behind"} the scanner's`;
}

/** The run's clock comparison in one sentence, for the reports and the terminal. */
export function clockSummary(clock: ClockReading & { toleranceMs: number; beyondTolerance: boolean }): string {
  const tolerance = describeSkew(clock.toleranceMs);
  if (clock.beyondTolerance) {
    const cited = clock.evidence
      ? ` (answer ${clock.evidence} was dated ${clock.serviceTime ?? "?"}, read here at ${clock.localTime ?? "?"})`
      : "";
    return (
      `The clocks disagree by ${describeSkew(clock.skewMs)}: ${clockSentence(clock)}${cited}, beyond the tolerance of ` +
      `${tolerance}: every finding that depends on the log window is an error.`
    );
  }
  return (
    `The services' clock and the scanner's agree within ${describeSkew(clock.skewMs)} (tolerance ${tolerance}; ` +
    `${clock.samples} answer${clock.samples === 1 ? "" : "s"} compared).`
  );
}
