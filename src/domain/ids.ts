// ARM resource ids: the one place that says when two spellings name the same resource. ARM treats ids
// case-insensitively and accepts them with trailing slashes (a diagnostic setting may name its workspace either way):
// ids are compared, and used as keys, by `idKey`; shown as they were given (without the trailing slashes).

/**
 * The id without trailing slashes, its case kept: the spelling shown. (Most ids end in a name: they are given back as
 * they are, without running the pattern: a scan asks for it for every row of the log answers it splits.)
 */
export const canonicalId = (id: string): string => (id.endsWith("/") ? id.replace(/\/+$/, "") : id);

/** The key under which an id is compared, looked up and grouped: no trailing slashes, lower case. */
export const idKey = (id: string): string => canonicalId(id).toLowerCase();

/** Whether two ids name the same resource, as ARM decides it. */
export const sameId = (a: string, b: string): boolean => idKey(a) === idKey(b);

/** Each resource once, in the order first named, in the spelling it was first named by (trailing slashes dropped). */
export function uniqueIds(ids: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const id of ids) if (!seen.has(idKey(id))) seen.set(idKey(id), canonicalId(id));
  return [...seen.values()];
}

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  namespace: string;
  type: string;
  name: string;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`, or undefined when `id` is not one. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i.exec(
    canonicalId(id),
  );
  if (!match) return undefined;
  return {
    subscriptionId: match[1]!,
    resourceGroup: match[2]!,
    namespace: match[3]!,
    type: match[4]!,
    name: match[5]!,
  };
}

export const isWorkspaceId = (id: string) =>
  parseResourceId(id)?.namespace.toLowerCase() === "microsoft.operationalinsights" &&
  parseResourceId(id)?.type.toLowerCase() === "workspaces";

export const isStorageAccountId = (id: string) =>
  parseResourceId(id)?.namespace.toLowerCase() === "microsoft.storage" &&
  parseResourceId(id)?.type.toLowerCase() === "storageaccounts";
