// Where Azure Monitor archives a resource's logs in a storage account, and how to find and read the newest hour of
// them without listing a whole container (DOMAIN.md §5): one prefix a UTC day, newest day first.
import { createHash } from "node:crypto";
import type { ArchiveArrival } from "../model/snapshot.js";

/** What the collector needs of the blob data plane, so that the walk can be tested without one. */
export interface ArchiveReader {
  /** Every blob under `prefix` (paged by the SDK), with its last-modified time; undefined when the container is missing. */
  list(prefix: string): Promise<{ name: string; lastModified?: string }[] | undefined>;
  /** The first `bytes` of a blob. */
  head(name: string, bytes: number): Promise<Buffer>;
}

/** How much of a blob is read to find its first record: one record is a few kilobytes at most. */
export const HEAD_BYTES = 64 * 1024;

const pad = (n: number) => String(n).padStart(2, "0");

/** The prefix of one UTC day: `...NAME/y=YYYY/m=MM/d=DD/`. */
export function dayPrefix(prefix: string, day: Date): string {
  return `${prefix}y=${day.getUTCFullYear()}/m=${pad(day.getUTCMonth() + 1)}/d=${pad(day.getUTCDate())}/`;
}

const HOUR_BLOB = /y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\/m=(\d{2})\/PT1H\.json$/;

/** The hour a blob's path names, or undefined when the name is not an hourly log blob. */
export function hourOf(name: string): Date | undefined {
  const m = HOUR_BLOB.exec(name);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

type Newest = NonNullable<Extract<ArchiveArrival["result"], { value: unknown }>["value"]["newest"]>;

/**
 * Walks back one UTC day at a time from the window's end to its start, listing only that day's prefix, and reads the
 * first record of the newest hourly blob it finds.
 */
export async function newestArchivedHour(
  reader: ArchiveReader,
  where: { container: string; prefix: string; start: Date; end: Date },
): Promise<{ daysListed: string[]; containerMissing?: true; newest?: Newest }> {
  const daysListed: string[] = [];
  const first = Date.UTC(where.start.getUTCFullYear(), where.start.getUTCMonth(), where.start.getUTCDate());
  // The last instant of the window: a window that ends at midnight ends on the day before.
  const last = new Date(where.end.getTime() - 1);
  for (
    let day = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate()));
    day.getTime() >= first;
    day = new Date(day.getTime() - 86_400_000)
  ) {
    const prefix = dayPrefix(where.prefix, day);
    daysListed.push(prefix);
    const listed = await reader.list(prefix);
    // No container: Azure Monitor has never written a log of this category to the account.
    if (listed === undefined) return { daysListed, containerMissing: true };
    const hours = listed
      .map((blob) => ({ ...blob, hour: hourOf(blob.name) }))
      // Hours that begin after the window belong to another period (a scan of last month, say).
      .filter((blob): blob is typeof blob & { hour: Date } => blob.hour !== undefined && blob.hour < where.end)
      .sort((a, b) => b.hour.getTime() - a.hour.getTime());
    const blob = hours[0];
    if (!blob) continue;
    const newest: Newest = {
      name: blob.name,
      hour: blob.hour.toISOString(),
      ...(blob.lastModified ? { lastModified: blob.lastModified } : {}),
    };
    const head = await reader.head(blob.name, HEAD_BYTES);
    const digest = { headSha256: createHash("sha256").update(head).digest("hex"), headBytes: head.length };
    return { daysListed, newest: { ...newest, ...digest, ...firstRecord(head.toString("utf8")) } };
  }
  return { daysListed };
}

/** The first record of an hourly blob: JSON lines, or the older `{"records":[...]}` document. */
export function firstRecord(text: string): Pick<Newest, "format" | "record" | "problem"> {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (trimmed === "") return { problem: "the blob is empty" };
  let record: unknown;
  let format: "jsonLines" | "records";
  if (/^\{\s*"records"\s*:/.test(trimmed)) {
    format = "records";
    // Only the head of the blob was read: the first element of the array is cut out of it.
    const start = trimmed.indexOf("[");
    const element = start >= 0 ? firstJsonObject(trimmed, start + 1) : undefined;
    if (element === undefined) return { format, problem: "the records array holds no complete record" };
    record = element;
  } else {
    format = "jsonLines";
    const line = trimmed.split("\n", 1)[0]!.trim();
    try {
      record = JSON.parse(line);
    } catch {
      return { format, problem: "its first line is not a JSON record" };
    }
  }
  if (!record || typeof record !== "object" || Array.isArray(record))
    return { format, problem: "its first record is not an object" };
  const r = record as Record<string, unknown>;
  // Whoever can write to a mutable archive chooses these: kept short, and shown only as text.
  const field = (key: string) => (typeof r[key] === "string" ? { [key]: (r[key] as string).slice(0, 1000) } : {});
  return {
    format,
    record: { ...field("resourceId"), ...field("category"), ...field("time"), ...field("operationName") },
  };
}

/** Parses the JSON object that starts at or after `from`, by balancing braces outside strings. */
function firstJsonObject(text: string, from: number): unknown {
  const start = text.indexOf("{", from);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        return JSON.parse(text.slice(start, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
