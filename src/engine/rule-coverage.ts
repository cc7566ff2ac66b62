// Whether a Sentinel analytic rule's query reads the audit records of one HSM, decided from the query's syntax tree
// (parsed by Microsoft's Kusto language service) rather than from its text: the tables the query reads, every `where`
// those rows pass through, the negations in them, and the columns that say which resource a record is about. What the
// analysis cannot follow (a function whose body is not in the query, `search`, `find`, `union *`, `invoke`, a filter
// on the resource columns it cannot compute) leaves the rule unproven: it never counts as reading the HSM.
//
// The analysis is in src/engine/rule-coverage/: the resource columns (columns.ts), the sources a query reads
// (sources.ts) and the evaluation of their filters against one HSM's records (filters.ts). This module is its entry.
import { AUDIT_TABLES } from "../domain/hsm-kinds.js";
import { RESOURCE_COLUMNS, type HsmRecords } from "./rule-coverage/columns.js";
import { sourceReads } from "./rule-coverage/filters.js";
import { analyse, type RuleShape } from "./rule-coverage/sources.js";

export { RESOURCE_COLUMNS, type HsmRecords, type RuleShape };
export { MAX_NESTING, MAX_QUERY_CHARS } from "./rule-coverage/sources.js";

/**
 * The records an HSM writes to a workspace through a setting with this `logAnalyticsDestinationType` (DOMAIN.md §4):
 * a Cloud HSM to CloudHsmServiceOperationAuditLogs; a Managed HSM to AzureDiagnostics (ResourceType MANAGEDHSMS, shared
 * with every other resource) in the legacy mode, to AZKVAuditLogs in the Dedicated (resource-specific) mode.
 */
export function hsmRecords(
  hsm: { id: string; name: string; kind: string; resourceGroup: string; subscriptionId: string },
  destinationType: string | undefined,
): HsmRecords | undefined {
  const unknownCase = (value: string) => ({ value, caseKnown: false });
  const known = (value: string) => ({ value, caseKnown: true });
  const common = {
    _ResourceId: unknownCase(hsm.id),
    _SubscriptionId: unknownCase(hsm.subscriptionId),
  };
  const none = Object.fromEntries(RESOURCE_COLUMNS.map((c) => [c, null])) as HsmRecords["columns"];
  if (hsm.kind === "cloudHsm") {
    return { table: AUDIT_TABLES.cloudHsm, columns: { ...none, ...common }, mustSelect: false };
  }
  if (hsm.kind !== "managedHsm") return undefined;
  if (destinationType?.toLowerCase() === "dedicated") {
    return {
      table: AUDIT_TABLES.managedHsmDedicated,
      columns: { ...none, ...common, Category: known("AuditEvent") },
      mustSelect: false,
    };
  }
  return {
    table: AUDIT_TABLES.managedHsmShared,
    columns: {
      ...none,
      ...common,
      ResourceType: known("MANAGEDHSMS"),
      ResourceProvider: known("MICROSOFT.KEYVAULT"),
      Category: known("AuditEvent"),
      ResourceId: unknownCase(hsm.id.toUpperCase()),
      Resource: unknownCase(hsm.name.toUpperCase()),
      ResourceGroup: unknownCase(hsm.resourceGroup.toUpperCase()),
      SubscriptionId: unknownCase(hsm.subscriptionId),
    },
    mustSelect: true,
  };
}

export type RuleReading =
  | { reads: true }
  | { reads: false }
  /** The analysis could not decide: the rule does not count, and `why` says what stopped it. */
  | { reads: "unknown"; why: string };

const SHAPES = new Map<string, RuleShape>();
const SHAPE_CACHE_LIMIT = 2000;

/** The shape of a rule's query; the same query gives the same shape (parsed once per process). */
export function ruleShape(query: string): RuleShape {
  const cached = SHAPES.get(query);
  if (cached) return cached;
  const shape = analyse(query);
  if (SHAPES.size >= SHAPE_CACHE_LIMIT) SHAPES.clear();
  SHAPES.set(query, shape);
  return shape;
}

/** Whether the rule's query reads these records (any of them: an HSM may write to two tables of one workspace). */
export function ruleReads(query: string, records: HsmRecords[]): RuleReading {
  try {
    return readsOf(ruleShape(query), records);
  } catch (e) {
    // A query built to exhaust the analysis (nesting deep enough to overflow the stack, say) proves nothing.
    return { reads: "unknown", why: `the analysis failed (${e instanceof Error ? e.message : String(e)})` };
  }
}

function readsOf(shape: RuleShape, records: HsmRecords[]): RuleReading {
  const unknown: string[] = [];
  for (const source of shape.sources) {
    for (const target of records) {
      if (source.table !== target.table) continue;
      const answer = sourceReads(source, target);
      if (answer === true) return { reads: true };
      if (answer !== false) unknown.push(answer);
    }
  }
  const why = [...shape.problems, ...unknown][0];
  return why ? { reads: "unknown", why } : { reads: false };
}
