// Durations as users and Azure write them: ISO 8601 (`P7D`, `PT24H`, `P1DT2H30M`) and short forms (`7d`, `24h`, `90m`).

const SHORT = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses a duration into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const short = SHORT.exec(trimmed);
  if (short) {
    return Number(short[1]) * (UNIT_MS[short[2]!.toLowerCase()] ?? Number.NaN);
  }
  const iso = ISO.exec(trimmed);
  if (iso && trimmed.length > 1 && !/T$/i.test(trimmed)) {
    const [, w, d, h, m, s] = iso;
    if ([w, d, h, m, s].every((part) => part === undefined)) return undefined;
    return (
      Number(w ?? 0) * UNIT_MS.w! +
      Number(d ?? 0) * UNIT_MS.d! +
      Number(h ?? 0) * UNIT_MS.h! +
      Number(m ?? 0) * UNIT_MS.m! +
      Number(s ?? 0) * UNIT_MS.s!
    );
  }
  return undefined;
}

/** Formats milliseconds as an ISO 8601 duration (`P7D`, `PT1H30M`), the form Azure's APIs take. */
export function formatIsoDuration(ms: number): string {
  if (ms === 0) return "PT0S";
  let rest = ms;
  const days = Math.floor(rest / UNIT_MS.d!);
  rest -= days * UNIT_MS.d!;
  const hours = Math.floor(rest / UNIT_MS.h!);
  rest -= hours * UNIT_MS.h!;
  const minutes = Math.floor(rest / UNIT_MS.m!);
  rest -= minutes * UNIT_MS.m!;
  const seconds = rest / 1000;
  let time = "";
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : ""}`;
}

/**
 * Parses the `timespan` of a Log Analytics query: a duration that ends now, `start/end`, `start/duration` or
 * `duration/end`. Returns undefined when it is none of these.
 */
export function parseTimespan(text: string, now: Date): { start: Date; end: Date } | undefined {
  const parts = text.split("/");
  if (parts.length === 1) {
    const ms = parseIsoOnly(parts[0]!);
    return ms === undefined ? undefined : { start: new Date(now.getTime() - ms), end: now };
  }
  if (parts.length !== 2) return undefined;
  const [a, b] = parts as [string, string];
  const aDate = parseInstant(a);
  const bDate = parseInstant(b);
  if (aDate && bDate) return aDate <= bDate ? { start: aDate, end: bDate } : undefined;
  if (aDate) {
    const ms = parseIsoOnly(b);
    return ms === undefined ? undefined : { start: aDate, end: new Date(aDate.getTime() + ms) };
  }
  if (bDate) {
    const ms = parseIsoOnly(a);
    return ms === undefined ? undefined : { start: new Date(bDate.getTime() - ms), end: bDate };
  }
  return undefined;
}

function parseIsoOnly(text: string): number | undefined {
  return /^P/i.test(text.trim()) ? parseDuration(text) : undefined;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Parses an ISO 8601 instant strictly: the calendar date must exist (no 30 February), and an instant without an
 * offset is UTC, as Azure reads it, whatever the machine's time zone.
 */
export function parseInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", sec = "00", fraction = "", offset = "Z"] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month || probe.getUTCDate() !== day) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${fraction}${offset.toUpperCase()}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
