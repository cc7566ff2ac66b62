// An HSM's `activity` entries of an estate file expanded into its audit records: one record, or a series.
import { parseInstant } from "../util/duration.js";
import type { ActivityRecord } from "./estate-model.js";
import type { ActivityInput } from "./estate-input.js";

/** Every series may generate at most this many records, so that a typo cannot exhaust memory. */
const MAX_SERIES_RECORDS = 200_000;

/** Columns every row carries from its HSM and workspace: `fields` may not set them. */
const RESERVED_COLUMNS = ["TimeGenerated", "_ResourceId", "_SubscriptionId", "TenantId", "Type", "SourceSystem"];

/**
 * The records of one `activity` entry at the clock `now`; a problem is reported through `problem` (the entry's field,
 * or none for the entry itself) and leaves the entry without records.
 */
export function expandActivity(
  a: ActivityInput,
  now: Date,
  ms: (text: string, field: string) => number,
  problem: (field: string | undefined, message: string) => void,
): ActivityRecord[] {
  const reserved = Object.keys(a.fields ?? {}).filter((k) => RESERVED_COLUMNS.includes(k));
  if (reserved.length > 0) {
    problem(
      "fields",
      `${reserved.join(", ")} ${reserved.length > 1 ? "are" : "is"} set by the simulator, not by fields`,
    );
    return [];
  }
  // `anchor: day`: relative times count back from the start of the clock's UTC day, not from the clock itself, so that
  // what falls on which UTC day does not depend on the hour the estate is loaded.
  if (a.anchor === "day") now = new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000);
  const common = {
    ...(a.resultType !== undefined ? { resultType: a.resultType } : {}),
    ...(a.httpStatusCode !== undefined ? { httpStatusCode: a.httpStatusCode } : {}),
    ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
    ...(a.fields ? { fields: a.fields } : {}),
  };
  if (a.operation !== undefined && !a.every) {
    let time: Date;
    if (a.at) {
      const at = parseInstant(a.at);
      if (!at) {
        problem("at", `'${a.at}' is not a date and time that exists`);
        return [];
      }
      time = at;
    } else {
      time = new Date(now.getTime() - ms(a.ago ?? "0s", "ago"));
    }
    return [
      {
        time,
        operation: a.operation,
        ...(a.caller ? { caller: a.caller } : {}),
        ...(a.identity ? { identity: a.identity } : {}),
        ...common,
      },
    ];
  }
  const every = ms(a.every ?? "1h", "every");
  const from = ms(a.from ?? "0s", "from");
  const to = ms(a.to ?? "0s", "to");
  if (every <= 0) {
    problem("every", "must be longer than zero");
    return [];
  }
  if (from < to) {
    problem("to", `ends before the series starts: \`from\` (${a.from}) must be at least \`to\` (${a.to})`);
    return [];
  }
  const count = Math.floor((from - to) / every) + 1;
  if (count > MAX_SERIES_RECORDS) {
    problem(undefined, `a series may hold at most ${MAX_SERIES_RECORDS} records; this one would hold ${count}`);
    return [];
  }
  const operations = a.operations ?? [a.operation ?? "unknown"];
  const callers = a.callers ?? (a.caller ? [a.caller] : []);
  const identities = a.identities ?? (a.identity ? [a.identity] : []);
  const records: ActivityRecord[] = [];
  for (let i = 0; i < count; i++) {
    const caller = callers.length ? callers[i % callers.length] : undefined;
    const identity = identities.length ? identities[i % identities.length] : undefined;
    records.push({
      time: new Date(now.getTime() - from + i * every),
      operation: operations[i % operations.length]!,
      ...(caller ? { caller } : {}),
      ...(identity ? { identity } : {}),
      ...common,
    });
  }
  return records;
}
