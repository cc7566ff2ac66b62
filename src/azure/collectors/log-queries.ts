// Log Analytics queries: the audit records and the activity questions, asked of groups of workspaces at once.
import type { CollectorContext } from "./context.js";
import { answered, read } from "./context.js";
import { LOGS_SERVER_WAIT_S } from "../clients.js";
import type {
  ActivityRows,
  ActivitySample,
  Fact,
  HsmFacts,
  LogSample,
  LogSampleRow,
  WorkspaceFacts,
} from "../../model/snapshot.js";
import { isKnown } from "../../model/snapshot.js";
import { idKey } from "../../domain/ids.js";
import {
  ACTIVITY_QUESTION_NAMES,
  ACTIVITY_QUESTIONS,
  logSampleQuery,
  LOG_SAMPLE_COLUMNS,
  type ActivityQuestion,
  EVIDENCE_ROW_KEYS,
  type CellType,
} from "../queries.js";
import { MalformedAnswer } from "../derive/common.js";

/** The sample of a workspace that was not asked: why not. */
export function notQueried(workspace: WorkspaceFacts, hsms: HsmFacts[]): LogSample {
  const info = workspace.info;
  const why = !isKnown(info)
    ? "the workspace could not be read"
    : !info.value.exists
      ? "the workspace does not exist"
      : "no HSM sends to it";
  return {
    workspaceId: workspace.id,
    hsmIds: hsms.map((h) => h.id).sort(),
    result: { error: { message: `no query was run: ${why}`, code: "NotQueried" }, evidence: [] },
  };
}

/** A workspace to ask, with the id queries address it by and the HSMs that send their audit logs to it. */
export interface QueryTarget {
  workspace: WorkspaceFacts;
  customerId: string;
  hsmIds: string[];
}

/** Log Analytics: one query may span at most 100 workspaces and answer at most 500,000 rows (DOMAIN.md §4). */
export const MAX_WORKSPACES_PER_QUERY = 100;
/** The rows a query is planned for, half the service's limit: the estimate counts HSMs by bins, not records. */
const ROW_BUDGET = 250_000;

/**
 * Workspaces asked together: one query spans a group, so the number of queries does not grow with the workspaces
 * (Log Analytics runs five at a time and 200 in 30 s). A group holds at most 100 workspaces, and at most as many HSMs
 * as keep the largest answer (one row per HSM and hour, or day) within the row budget.
 */
export function queryGroups(targets: QueryTarget[], start: Date, end: Date, bin: "1h" | "1d"): QueryTarget[][] {
  const span = end.getTime() - start.getTime();
  const days = Math.ceil(span / 86_400_000) + 1;
  const rowsPerHsm = Math.max(days, bin === "1h" ? Math.ceil(span / 3_600_000) + 1 : days);
  const groups: QueryTarget[][] = [];
  let current: QueryTarget[] = [];
  let rows = 0;
  for (const target of targets) {
    const cost = target.hsmIds.length * rowsPerHsm;
    if (current.length > 0 && (current.length >= MAX_WORKSPACES_PER_QUERY || rows + cost > ROW_BUDGET)) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(target);
    rows += cost;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

type Tables = { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined;
type Asked<T> = { query: string; result: Fact<{ rows: T; partial?: { message: string; code?: string } }> };

/** Asks every group the audit-record query and the activity questions; per workspace (by `idKey`), the answers. */
export async function askWorkspaces(
  ctx: CollectorContext,
  groups: QueryTarget[][],
  start: Date,
  end: Date,
  bin: "1h" | "1d",
): Promise<{ samples: Map<string, LogSample>; activity: Map<string, ActivitySample> }> {
  const samples = new Map<string, LogSample>();
  const activity = new Map<string, ActivitySample>();
  await Promise.all(
    groups.map(async (group) => {
      const [sample, ...answers] = await Promise.all([
        askGroup(ctx, group, "the audit records", (ids?: string[]) => logSampleQuery(ids), toRows, start, end),
        ...ACTIVITY_QUESTION_NAMES.map((name) =>
          askGroup(
            ctx,
            group,
            `the ${name} of the HSMs`,
            (ids?: string[]) => ACTIVITY_QUESTIONS[name].build(ids, bin),
            (tables) => activityRows(name, tables),
            start,
            end,
          ),
        ),
      ]);
      for (const target of group) {
        const key = idKey(target.workspace.id);
        const base = { workspaceId: target.workspace.id, hsmIds: [...target.hsmIds] };
        samples.set(key, { ...base, customerId: target.customerId, ...sample.get(key)! });
        activity.set(key, {
          ...base,
          bin,
          questions: Object.fromEntries(
            ACTIVITY_QUESTION_NAMES.map((name, i) => [name, answers[i]!.get(key)!]),
          ) as ActivitySample["questions"],
        });
      }
    }),
  );
  return { samples, activity };
}

/**
 * One question, asked of a group of workspaces in one query (the first workspace addressed, the others as
 * `additionalWorkspaces`) about every HSM's records, its rows split by `TenantId` (the workspace's customer id) and
 * kept only for the HSMs that send to that workspace. When the shared query fails, answers only in part or answers rows it should not, each
 * workspace is asked alone, so that one workspace's trouble is not every workspace's. A group of one is asked alone.
 */
async function askGroup<T>(
  ctx: CollectorContext,
  group: QueryTarget[],
  what: string,
  build: (ids?: string[]) => string,
  parse: (tables: Tables) => T,
  start: Date,
  end: Date,
): Promise<Map<string, Asked<T>>> {
  const alone = async (target: QueryTarget): Promise<Asked<T>> => {
    const query = build(target.hsmIds);
    const purpose = `${what} in workspace ${target.workspace.id}`;
    const result = await answered(
      ctx,
      read(ctx, purpose, target.workspace.id, async () => {
        const answer = await logsQuery(ctx, [target.customerId], query, start, end);
        const tables = answer.status === "Success" ? answer.tables : answer.partialTables;
        const rows = parse(splitByWorkspace(tables, [target]).get(idKey(target.workspace.id)));
        if (answer.status === "Success") return { rows };
        const partial = answer.partialError as { message?: string; code?: string };
        return {
          rows,
          partial: {
            message: `the query failed in part: ${partial.code ?? "PartialError"}: ${partial.message ?? ""}`.trim(),
            ...(partial.code ? { code: partial.code } : {}),
          },
        };
      }),
    );
    return { query, result };
  };
  if (group.length === 1) return new Map([[idKey(group[0]!.workspace.id), await alone(group[0]!)]]);

  // The shared query names no HSM: it reads every HSM's records in these workspaces, and the split keeps each
  // workspace's own senders. Its text stays small however many HSMs it covers.
  const query = build();
  const shared = await answered(
    ctx,
    ctx.evidence.attribute(`${what} in ${group.length} workspaces`, async () => {
      const answer = await logsQuery(ctx, distinctCustomerIds(group), query, start, end);
      if (answer.status !== "Success") throw new MalformedAnswer("the query answered only in part");
      const split = splitByWorkspace(answer.tables, group);
      return new Map(group.map((t) => [idKey(t.workspace.id), parse(split.get(idKey(t.workspace.id)))] as const));
    }),
  );
  if (shared.ok) {
    return new Map(
      group.map((t) => [
        idKey(t.workspace.id),
        { query, result: { value: { rows: shared.value.get(idKey(t.workspace.id))! }, evidence: shared.evidence } },
      ]),
    );
  }
  ctx.progress?.queriesToAsk(group.length);
  ctx.counts.askedAgainAlone += group.length;
  const each = await Promise.all(group.map(alone));
  return new Map(
    group.map((t, i) => {
      const asked = each[i]!;
      // The failed shared attempt is part of the record of how the answer was reached.
      return [
        idKey(t.workspace.id),
        { ...asked, result: { ...asked.result, evidence: [...shared.evidence, ...asked.result.evidence] } },
      ];
    }),
  );
}

/** One query to one workspace, or to several (the first addressed, the others as additional workspaces). */
async function logsQuery(ctx: CollectorContext, customerIds: string[], query: string, start: Date, end: Date) {
  return (await ctx.clients.logs()).queryWorkspace(
    customerIds[0]!,
    query,
    { startTime: start, endTime: end },
    {
      serverTimeoutInSeconds: LOGS_SERVER_WAIT_S,
      ...(customerIds.length > 1 ? { additionalWorkspaces: customerIds.slice(1) } : {}),
    },
  );
}

/** The customer ids of a group, each once (two entries of one workspace share one). */
function distinctCustomerIds(group: QueryTarget[]): string[] {
  return [...new Map(group.map((t) => [t.customerId.toLowerCase(), t.customerId])).values()];
}

/**
 * The rows of an answer per workspace entry, keyed by the workspace's resource id (`idKey`), never by its customer id:
 * two entries may share one (two spellings of one workspace, or a customer id an adversary repeats). A row's
 * `TenantId` (the customer id of the workspace the record is in) names the entries it may belong to, and it is kept
 * for each of them whose senders include its `_ResourceId`. A row of a workspace that was not asked makes the answer
 * malformed.
 */
function splitByWorkspace(tables: Tables, targets: QueryTarget[]): Map<string, Tables> {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const tenantAt = table.columnDescriptors.findIndex((d) => d.name === "TenantId");
  const resourceAt = table.columnDescriptors.findIndex((d) => d.name === "_ResourceId");
  if (tenantAt < 0) throw new MalformedAnswer("the query answer has no column TenantId");
  if (resourceAt < 0) throw new MalformedAnswer("the query answer has no column _ResourceId");
  const byTenant = new Map<string, QueryTarget[]>();
  for (const t of targets) {
    const list = byTenant.get(t.customerId.toLowerCase()) ?? [];
    if (list.length === 0) byTenant.set(t.customerId.toLowerCase(), list);
    list.push(t);
  }
  const senders = new Map(targets.map((t) => [idKey(t.workspace.id), new Set(t.hsmIds.map(idKey))]));
  const rows = new Map<string, unknown[][]>(targets.map((t) => [idKey(t.workspace.id), []]));
  for (const row of table.rows) {
    const candidates = byTenant.get(String(row[tenantAt]).toLowerCase());
    if (!candidates)
      throw new MalformedAnswer(`the answer holds rows of workspace '${String(row[tenantAt])}', which was not asked`);
    const hsm = typeof row[resourceAt] === "string" ? idKey(row[resourceAt]) : undefined;
    for (const target of candidates) {
      const key = idKey(target.workspace.id);
      if (hsm !== undefined && senders.get(key)!.has(hsm)) rows.get(key)!.push(row);
    }
  }
  return new Map(
    targets.map((t) => [idKey(t.workspace.id), [{ ...table, rows: rows.get(idKey(t.workspace.id))! }]] as const),
  );
}

function toRows(tables: { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined): LogSampleRow[] {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const index = Object.fromEntries(
    LOG_SAMPLE_COLUMNS.map((c) => [c, table.columnDescriptors.findIndex((d) => d.name === c)]),
  );
  for (const [column, i] of Object.entries(index)) {
    if (i < 0) throw new MalformedAnswer(`the query answer has no column ${column}`);
  }
  // One row per HSM and UTC day; folded here into one row per HSM with its series.
  const byHsm = new Map<string, LogSampleRow & { perDay: { day: string; records: number }[] }>();
  for (const row of table.rows) {
    const hsmId = row[index._ResourceId!];
    const count = row[index.Records!];
    const records =
      typeof count === "number" ? count : typeof count === "string" && /^\d+$/.test(count) ? Number(count) : NaN;
    const day = instant(row[index.Day!]);
    const lastRecord = instant(row[index.LastRecord!]);
    if (typeof hsmId !== "string" || !Number.isFinite(records) || records < 0 || !day)
      throw new MalformedAnswer("a row of the query answer has the wrong types");
    const entry = byHsm.get(hsmId) ?? { hsmId, records: 0, perDay: [] };
    entry.records += records;
    entry.perDay.push({ day: day.toISOString().slice(0, 10), records });
    if (lastRecord && (!entry.lastRecord || lastRecord.toISOString() > entry.lastRecord))
      entry.lastRecord = lastRecord.toISOString();
    byHsm.set(hsmId, entry);
  }
  return [...byHsm.values()].map((entry) => ({
    ...entry,
    perDay: entry.perDay.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
  }));
}

/** A datetime cell as the SDK hands it over (a Date, or a string when the column type was not declared). */
function instant(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** How each column of each question's answer is read into the snapshot: the key it becomes, and its type. */

/** Optional cells: a null there is an absence (no sign-in), not a malformed answer. */
const OPTIONAL_CELLS = new Set(["firstLogin"]);

export function activityRows<Q extends ActivityQuestion>(
  name: Q,
  tables: { columnDescriptors: { name?: string }[]; rows: unknown[][] }[] | undefined,
): ActivityRows[Q] {
  const table = tables?.[0];
  if (!table) throw new MalformedAnswer("the query answer holds no table");
  const cells: Record<string, readonly [string, CellType]> = ACTIVITY_QUESTIONS[name].cells;
  const index = Object.keys(cells).map((column) => {
    const i = table.columnDescriptors.findIndex((d) => d.name === column);
    if (i < 0) throw new MalformedAnswer(`the query answer has no column ${column}`);
    return [column, i] as const;
  });
  return table.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [column, i] of index) {
      const [key, type] = cells[column]!;
      const value = cell(row[i], type);
      if (value === undefined) {
        if (OPTIONAL_CELLS.has(key)) continue;
        throw new MalformedAnswer(`a row of the query answer has no valid ${column}`);
      }
      out[key] = value;
    }
    return out;
  }) as ActivityRows[Q];
}

function cell(value: unknown, type: CellType): unknown {
  switch (type) {
    case "string":
      return value === null || value === undefined ? "" : String(value);
    case "number": {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    }
    case "instant":
      return instant(value)?.toISOString();
    case "strings":
    case "records": {
      let parsed = value;
      if (typeof value === "string") {
        try {
          parsed = JSON.parse(value) as unknown;
        } catch {
          return undefined;
        }
      }
      if (!Array.isArray(parsed)) return undefined;
      if (type === "strings") return parsed.map((item: unknown) => (item === null ? "" : String(item)));
      // Exactly the keys the query packs, whatever else an answer holds: the snapshot's schema names no other. An
      // item that is not a record makes the answer malformed; a key the record lacks (a null Caller) is empty text.
      if (!parsed.every((item: unknown) => item && typeof item === "object" && !Array.isArray(item))) return undefined;
      return (parsed as Record<string, unknown>[]).map((item) =>
        Object.fromEntries(
          EVIDENCE_ROW_KEYS.map((k) => {
            const v = item[k];
            // Times inside the evidence rows come back as text: keep them as ISO instants.
            if (k === "time") return [k, instant(v)?.toISOString() ?? (v === null || v === undefined ? "" : String(v))];
            return [k, v === null || v === undefined ? "" : String(v)];
          }),
        ),
      );
    }
  }
}
