// Silences in an HSM's trail from the records counted per bin (an hour, or a day).

export interface Silence {
  /** Where the silence surely begins: the end of the last bin that holds records. */
  from: string;
  /** Where it surely ends: the start of the next bin with records, or the end of the window. */
  to: string;
  /** Hours it surely lasted (records may sit anywhere inside their bins). */
  hours: number;
  /** Hours it may have lasted: from the start of the bin before to the end of the bin after. */
  atMostHours: number;
  /** True for the silence from the last record to the end of the window: the trail stopped. */
  trailing?: true;
  /** True for the silence from the start of the window to the first record: the trail began late. */
  leading?: true;
}

/**
 * The silences of a trail, the longest possible first. Between two bins with records the silence lies between
 * their edges; counted by the hour or the day, the exact length is not known, so both bounds are given and a check
 * judges on the upper one (a highlight may then fire on a silence a little shorter, never miss a longer one). With
 * `windowEnd`, the silence from the last record to the end of the window counts too; with `windowStart`, the silence
 * from the start of the window to the first record: a trail of a few records at one end of the window does not
 * cover the period, whatever the reason (an HSM that did not log yet is a silence in the trail all the same).
 */
export function longestSilences(
  series: readonly { bin: string; records: number }[],
  bin: "1h" | "1d",
  windowEnd?: string,
  windowStart?: string,
): Silence[] {
  const size = bin === "1h" ? 3_600_000 : 86_400_000;
  const times = [...new Set(series.filter((s) => s.records > 0).map((s) => Date.parse(s.bin)))]
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const hours = (ms: number) => Math.max(0, Math.round(ms / 3_600_000));
  const silences: Silence[] = [];
  for (let i = 1; i < times.length; i++) {
    const before = times[i - 1]!;
    const after = times[i]!;
    if (after > before + size) {
      silences.push({
        from: new Date(before + size).toISOString(),
        to: new Date(after).toISOString(),
        hours: hours(after - before - size),
        atMostHours: hours(after + size - before),
      });
    }
  }
  const first = times[0];
  const start = windowStart ? Date.parse(windowStart) : NaN;
  if (first !== undefined && Number.isFinite(start) && first > start) {
    // The first bin may hold its records anywhere inside it: silent surely until its start, at most until its end.
    silences.push({
      from: new Date(start).toISOString(),
      to: new Date(first).toISOString(),
      hours: hours(first - start),
      atMostHours: hours(first + size - start),
      leading: true,
    });
  }
  const last = times[times.length - 1];
  const end = windowEnd ? Date.parse(windowEnd) : NaN;
  if (last !== undefined && Number.isFinite(end) && end > last + size) {
    silences.push({
      from: new Date(last + size).toISOString(),
      to: new Date(end).toISOString(),
      hours: hours(end - last - size),
      atMostHours: hours(end - last),
      trailing: true,
    });
  }
  return silences.sort((a, b) => b.atMostHours - a.atMostHours || (a.from < b.from ? -1 : 1));
}
