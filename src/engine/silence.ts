// Silences in an HSM's trail from the records counted per bin: the spans between two bins that hold records.
/**
 * The silences between records, longest first: from the end of a bin with records to the start of the next one,
 * in whole hours. Only silences with records on both sides count: before the first record or after the last one,
 * the HSM may not have existed or logged yet.
 */
export function longestSilences(
  series: readonly { bin: string; records: number }[],
  bin: "1h" | "1d",
): { from: string; to: string; hours: number }[] {
  const size = bin === "1h" ? 3_600_000 : 86_400_000;
  const times = [...new Set(series.filter((s) => s.records > 0).map((s) => Date.parse(s.bin)))].sort((a, b) => a - b);
  const silences: { from: string; to: string; hours: number }[] = [];
  for (let i = 1; i < times.length; i++) {
    const from = times[i - 1]! + size;
    const to = times[i]!;
    if (to > from) {
      silences.push({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        hours: Math.round((to - from) / 3_600_000),
      });
    }
  }
  return silences.sort((a, b) => b.hours - a.hours || (a.from < b.from ? -1 : 1));
}
