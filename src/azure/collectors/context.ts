// The collector convention. Every Azure read of the scan is a function of one API family (a module of this folder) that
// takes the CollectorContext first and returns the facts it read, as `Fact`s: a value with the evidence of the
// exchanges that produced it, or the error that stopped the read, tied to its purpose (and listed in the snapshot's
// errors). A collector never decides pass or fail, never writes into objects it did not make, and asks for its SDK
// clients through `ctx.clients` (each getter loads its own package). collect.ts sequences the collectors and
// assembles the snapshot from what they return. docs/architecture.md says how to add one.
import { isRestError, RestError } from "@azure/core-rest-pipeline";
import type { AzureClients } from "../clients.js";
import type { EvidenceLog } from "../pipeline.js";
import type { ArmBatcher } from "../batch.js";
import { isDeclined } from "../batch.js";
import type { ProgressTracker } from "../progress.js";
import type { CollectionCounts } from "../collection-record.js";
import { idKey, parseResourceId, uniqueIds, type ParsedResourceId } from "../../domain/ids.js";
import type { CollectionError, Fact, Snapshot } from "../../model/snapshot.js";
import { lifted, MalformedAnswer, sortBy } from "../derive/common.js";

/** What every collector is given: the clients, the evidence log, the scan's error list and its pacing helpers. */
export interface CollectorContext {
  clients: AzureClients;
  evidence: EvidenceLog;
  errors: Snapshot["errors"];
  armEndpoint: string;
  /** ARM's batch API, when the scan may use it. */
  batch?: ArmBatcher;
  progress?: ProgressTracker;
  /** What the snapshot's `collection` counts as the scan goes. */
  counts: CollectionCounts;
}

/** Runs one read, attributed to `purpose`; a failure becomes an error of the snapshot, tied to `purpose`. */
export async function read<T>(
  ctx: CollectorContext,
  purpose: string,
  resourceId: string | undefined,
  fn: () => Promise<T>,
): Promise<Fact<T>> {
  const outcome = await ctx.evidence.attribute(purpose, fn);
  if (outcome.ok) return { value: outcome.value, evidence: outcome.evidence };
  const error = toCollectionError(outcome.error, purpose);
  ctx.errors.push({ for: purpose, ...(resourceId ? { resourceId } : {}), ...error });
  return { error, evidence: outcome.evidence };
}

export function toCollectionError(error: unknown, purpose: string): CollectionError {
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code ?? undefined;
    const first = (error.message || "").split("\n")[0]!.slice(0, 500);
    const what = status ? `HTTP ${status}${code ? ` ${code}` : ""}` : (code ?? "network error");
    return {
      message: `could not read ${purpose}: ${what}${first && first !== code ? `: ${first}` : ""}`,
      ...(status ? { status } : {}),
      ...(code ? { code } : {}),
    };
  }
  if (error instanceof MalformedAnswer)
    return { message: `could not read ${purpose}: ${error.message}`, code: "Malformed" };
  const message = (error as Error)?.message ?? String(error);
  const code = (error as { code?: unknown })?.code;
  return {
    message: `could not read ${purpose}: ${message.split("\n")[0]}`,
    ...(typeof code === "string" ? { code } : {}),
  };
}

/**
 * Reads a paged list to its end, stopping at the first item listed twice: a `nextLink` that leads back to pages
 * already read would otherwise go on for ever (the paging guard also caps the number of pages).
 */
export async function listAll<T>(
  items: AsyncIterable<T>,
  keyOf: (item: T) => string | undefined,
  what: string,
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  for await (const item of items) {
    const id = keyOf(item);
    const key = id === undefined ? undefined : idKey(id);
    if (key === undefined) throw new MalformedAnswer(`${what} holds an item without an id or name`);
    if (seen.has(key))
      throw new MalformedAnswer(`${what}: '${keyOf(item)}' listed twice, so its nextLink does not end`);
    seen.add(key);
    all.push(item);
  }
  return all;
}

/**
 * One GET through ARM's batch when the scan uses it and the batch answers it; otherwise (or when the batch declines
 * it: throttled, failed on the server's side, paged, or no batch API) the same read as a single call. An inner answer
 * is recorded as evidence of its own, tied to the batch exchange that carried it; an inner error is the same error
 * the single call would have thrown.
 */
export async function batchedGet<T>(
  ctx: CollectorContext,
  url: string,
  fromContent: (content: unknown) => T,
  alone: () => Promise<T>,
): Promise<T> {
  if (!ctx.batch) return alone();
  const answer = await ctx.batch.get(url);
  if (isDeclined(answer)) {
    ctx.counts.readAlone++;
    ctx.evidence.cite(answer.carriedBy);
    return alone();
  }
  ctx.evidence.derive({
    method: "GET",
    url: `${ctx.armEndpoint}${url}`,
    status: answer.status,
    content: answer.content,
    via: answer.carriedBy,
  });
  if (answer.status >= 200 && answer.status < 300) {
    if (!answer.content || typeof answer.content !== "object")
      throw new MalformedAnswer(`the batch's answer to GET ${url.split("?")[0]} has no body`);
    return fromContent(answer.content);
  }
  const error = (answer.content as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  throw new RestError(typeof error?.message === "string" ? error.message : `the service answered ${answer.status}`, {
    statusCode: answer.status,
    ...(typeof error?.code === "string" ? { code: error.code } : {}),
  });
}

/** The items of a list answer carried by the batch (one page), with `properties` lifted as the SDK does. */
export function batchedList(
  content: unknown,
  keyOf: (item: Record<string, unknown>) => unknown,
): Record<string, unknown>[] {
  const value = (content as { value?: unknown }).value;
  if (!Array.isArray(value)) throw new MalformedAnswer("the list answer has no value list");
  const seen = new Set<string>();
  return value.map((raw) => {
    if (!raw || typeof raw !== "object") throw new MalformedAnswer("the list holds an item that is not an object");
    const flat = lifted(raw);
    const key = keyOf(flat);
    if (typeof key !== "string") throw new MalformedAnswer("the list holds an item without an id or name");
    if (seen.has(key.toLowerCase())) throw new MalformedAnswer(`the list: '${key}' listed twice`);
    seen.add(key.toLowerCase());
    return flat;
  });
}

/**
 * ARM's answers that a resource is gone, as opposed to an error reading it. `SubscriptionNotFound` is not one of
 * them: a subscription the credential cannot see (another tenant, no role) answers it too.
 */
const NOT_FOUND_CODES = new Set(["ResourceNotFound", "ResourceGroupNotFound"]);

export function notFound(error: unknown): string | undefined {
  if (!isRestError(error) || error.statusCode !== 404 || !error.code) return undefined;
  return NOT_FOUND_CODES.has(error.code) ? error.code : undefined;
}

/**
 * Whether a 404 says that the thing asked for does not exist, by its error code. A 404 with another code (a gateway
 * or proxy that could not route the request, say) says nothing about it: it is an error of the read.
 */
export function answersAbsent(error: unknown, codes: readonly string[]): boolean {
  return isRestError(error) && error.statusCode === 404 && error.code !== undefined && codes.includes(error.code);
}

/**
 * Reads one destination by its ARM id: what `get` returns when it exists, `exists: false` with ARM's reason when ARM
 * answers 404, or the error. An id that is not of the expected kind is an error without a request.
 */
export async function readDestination<T extends object>(
  ctx: CollectorContext,
  id: string,
  kind: { label: string; matches: (id: string) => boolean },
  get: (parsed: ParsedResourceId) => Promise<T>,
): Promise<{ id: string; info: Fact<{ exists: false; reason: string } | ({ exists: true } & T)> }> {
  const parsed = parseResourceId(id);
  const purpose = `${kind.label} ${id}`;
  if (!parsed || !kind.matches(id)) {
    const error = { message: `could not read ${purpose}: it is not a ${kind.label} id`, code: "InvalidId" };
    ctx.errors.push({ for: purpose, resourceId: id, ...error });
    return { id, info: { error, evidence: [] } };
  }
  const info = await read(ctx, purpose, id, async () => {
    try {
      return { exists: true as const, ...(await get(parsed)) };
    } catch (error) {
      const reason = notFound(error);
      if (reason) return { exists: false as const, reason };
      throw error;
    }
  });
  return { id, info };
}

/** Each resource once (ids compared by `idKey`), sorted. */
export function distinct(ids: string[]): string[] {
  return sortBy(uniqueIds(ids), (id) => id);
}

export const sortById = <T extends { id: string }>(items: T[]) => sortBy(items, (i) => i.id);

/** A log query's read, counted as answered (or failed) for the progress shown. */
export async function answered<T>(ctx: CollectorContext, reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } finally {
    ctx.progress?.queryAnswered();
  }
}
