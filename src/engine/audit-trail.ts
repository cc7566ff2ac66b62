// Which diagnostic settings of an HSM carry its audit category, resolved as Azure Monitor resolves them: the category
// named directly, `allLogs`, or a category group that the categories API lists the category in.
import type { DiagnosticSetting, HsmFacts, HsmKind } from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import type { Verdict } from "./check.js";
import { idKey, uniqueIds } from "../domain/ids.js";
import { DEFAULT_AUDIT_CATEGORIES } from "../domain/hsm-kinds.js";
import { entryCarries } from "../domain/audit-trail.js";

export const auditCategoriesSchema = {
  type: "object",
  description: "The log categories that make the audit trail, per HSM kind; every one must be carried.",
  properties: {
    cloudHsm: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
    managedHsm: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
  },
  additionalProperties: false,
  default: DEFAULT_AUDIT_CATEGORIES,
} as const;

export interface AuditTrail {
  hsm: HsmFacts;
  categories: string[];
  settings: DiagnosticSetting[];
  /** Per required category, the settings that carry it. */
  carrying: Map<string, DiagnosticSetting[]>;
  /** Settings that enable a category group whose members could not be read: they may or may not carry a category. */
  unresolved: DiagnosticSetting[];
  /** Settings that carry at least one required category: their destinations receive (part of) the audit trail. */
  carryingAny: DiagnosticSetting[];
  /** Required categories that no setting carries. */
  uncarried: string[];
  /** The workspaces the carrying settings send to, each once: where the audit trail can be read. */
  workspaceIds: string[];
  evidence: string[];
}

/**
 * The HSM's audit trail as its settings define it; or the `error` verdict when its diagnostic settings could not be
 * read (nothing about the trail can be said then).
 */
export function auditTrail(
  hsm: HsmFacts,
  categoriesByKind: Partial<Record<HsmKind, string[]>> | undefined,
): AuditTrail | Verdict {
  const settingsFact = hsm.diagnosticSettings;
  if (!isKnown(settingsFact)) {
    return {
      status: "error",
      message: settingsFact
        ? `The diagnostic settings of ${hsm.name} could not be read (${settingsFact.error.message}), so its audit trail is not proven.`
        : `The diagnostic settings of ${hsm.name} were not collected, so its audit trail is not proven.`,
      evidence: settingsFact?.evidence ?? [],
    };
  }
  const categories =
    categoriesByKind?.[hsm.kind] ?? DEFAULT_AUDIT_CATEGORIES[hsm.kind as keyof typeof DEFAULT_AUDIT_CATEGORIES] ?? [];
  const known = isKnown(hsm.categories) ? hsm.categories.value : undefined;
  const evidence = [...settingsFact.evidence];
  const carrying = new Map<string, DiagnosticSetting[]>(categories.map((c) => [c, []]));
  const unresolved: DiagnosticSetting[] = [];
  let usedCategoriesApi = false;
  for (const setting of settingsFact.value) {
    let maybe = false;
    for (const category of categories) {
      const carries = setting.logs.some((log) => {
        const answer = entryCarries(log, category, known);
        if (answer !== true && log.enabled && log.categoryGroup) usedCategoriesApi = true;
        if (answer === "unknown") maybe = true;
        return answer === true || answer === "group";
      });
      if (carries) carrying.get(category)!.push(setting);
    }
    if (maybe && !categories.every((c) => carrying.get(c)!.includes(setting))) unresolved.push(setting);
  }
  if (usedCategoriesApi && hsm.categories) evidence.push(...hsm.categories.evidence);
  const carryingAny = settingsFact.value.filter((s) => categories.some((c) => carrying.get(c)!.includes(s)));
  const uncarried = categories.filter((c) => carrying.get(c)!.length === 0);
  const workspaceIds = uniqueIds(carryingAny.flatMap((s) => (s.workspaceId ? [s.workspaceId] : [])));
  return {
    hsm,
    categories,
    settings: settingsFact.value,
    carrying,
    unresolved,
    carryingAny,
    uncarried,
    workspaceIds,
    evidence,
  };
}

export function isVerdict(value: AuditTrail | Verdict): value is Verdict {
  return "status" in value;
}

/**
 * The verdict when no setting carries the audit category: `fail` with the reason, or `error` when a setting might
 * carry it but its category groups could not be resolved. `consequence` is a clause: "its audit log is not exported".
 */
export function noCarrierVerdict(trail: AuditTrail, consequence: string): Verdict {
  const category = trail.categories.join(" and ");
  const hsm = trail.hsm;
  if (trail.unresolved.length > 0) {
    const why = !isKnown(hsm.categories) && hsm.categories ? ` (${hsm.categories.error.message})` : "";
    return {
      status: "error",
      message: `Whether setting ${names(trail.unresolved)} of ${hsm.name} carries ${category} is unknown: the category groups it enables could not be resolved${why}, so the finding cannot be proven either way.`,
      evidence: [...trail.evidence, ...(hsm.categories?.evidence ?? [])],
    };
  }
  const reason =
    trail.settings.length === 0
      ? `${hsm.name} has no diagnostic setting`
      : `No diagnostic setting of ${hsm.name} carries ${category}`;
  return { status: "fail", message: `${reason}, so ${consequence}.`, evidence: trail.evidence };
}

/**
 * The verdict when no workspace receives the audit trail: that of `noCarrierVerdict` when no setting carries it
 * (`noCarrier` is its consequence), an error when a setting that sends to a workspace may carry it (its category
 * groups could not be resolved), else a fail that says the trail goes elsewhere, so `consequence`.
 */
export function noWorkspaceVerdict(trail: AuditTrail, noCarrier: string, consequence: string): Verdict {
  if (trail.carryingAny.length === 0) return noCarrierVerdict(trail, noCarrier);
  const maybe = trail.unresolved.filter((s) => s.workspaceId);
  if (maybe.length > 0) return noCarrierVerdict({ ...trail, unresolved: maybe }, noCarrier);
  return {
    status: "fail",
    message: `No Log Analytics workspace receives the audit log of ${trail.hsm.name}, so ${consequence}.`,
    evidence: trail.evidence,
  };
}

/**
 * The workspaces that only settings whose category groups could not be resolved send to, in words: they may receive
 * the audit trail or not. A check that needs one workspace to prove something cannot fail while one of these is left.
 */
export function unresolvedWorkspaces(trail: AuditTrail): string[] {
  const known = new Set(trail.workspaceIds.map(idKey));
  const maybe = new Map<string, { id: string; settings: DiagnosticSetting[] }>();
  for (const setting of trail.unresolved) {
    const id = setting.workspaceId;
    if (!id || known.has(idKey(id))) continue;
    const entry = maybe.get(idKey(id)) ?? { id, settings: [] };
    entry.settings.push(setting);
    maybe.set(idKey(id), entry);
  }
  return [...maybe.values()].map(
    ({ id, settings }) =>
      `workspace ${lastSegment(id)}, which setting ${names(settings)} may send it to (its category groups could not be resolved)`,
  );
}

export function names(settings: DiagnosticSetting[]): string {
  return settings.map((s) => `'${s.name}'`).join(", ");
}

/** What the workspaces that receive an HSM's audit trail showed of a question, one phrase each. */
export interface WorkspaceFindings {
  /** Workspaces (or their tables) that prove it. */
  proven: string[];
  /** Those that show it is not so (one that does not exist, say). */
  lacking: string[];
  /** Those that cannot tell (not read, not queried, answered in part). */
  unknown: string[];
}

/**
 * A question any one workspace receiving the audit trail settles: `look` is asked of each (with its label, and the
 * evidence list to add what it read to), and the verdict is `pass` when any proves it, else `error` when any cannot
 * tell (or a setting may send the trail to a workspace its unresolved category groups hide), else `fail`. `say`
 * words each verdict from the phrases: the proven, the unknown then the lacking, or the lacking.
 */
export function anyWorkspaceProves(
  trail: AuditTrail,
  look: (id: string, label: string, found: WorkspaceFindings, evidence: string[]) => void,
  say: { pass(proven: string[]): string; error(unknownThenLacking: string[]): string; fail(lacking: string[]): string },
): Verdict & { status: "pass" | "error" | "fail" } {
  const evidence = [...trail.evidence];
  const found: WorkspaceFindings = { proven: [], lacking: [], unknown: [] };
  for (const id of trail.workspaceIds) look(id, `workspace ${lastSegment(id)}`, found, evidence);
  found.unknown.push(...unresolvedWorkspaces(trail));
  if (found.proven.length > 0) return { status: "pass", message: say.pass(found.proven), evidence };
  if (found.unknown.length > 0) {
    return { status: "error", message: say.error([...found.unknown, ...found.lacking]), evidence };
  }
  return { status: "fail", message: say.fail(found.lacking), evidence };
}

export function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
