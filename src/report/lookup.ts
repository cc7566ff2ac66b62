// What the text renderers look up in a result: a finding's resource by id (ARM ids compare case-insensitively), and
// the policies in force (from `policies`, or, for a result written before it held them, from the findings).
import type { Result, ResultPolicy, ResultResource, Severity } from "../model/result.js";
import { idKey } from "../domain/ids.js";

export interface Lookup {
  resource(resourceId: string): ResultResource | undefined;
  /** The HSM's name, the subscription's display name, or the id itself. */
  displayName(resourceId: string): string;
  policies: ResultPolicy[];
}

export function lookup(result: Result): Lookup {
  const resources = new Map(result.resources.map((r) => [idKey(r.id), r]));
  const names = new Map(
    Object.entries(result.scope.subscriptionNames ?? {}).map(([id, name]) => [idKey(`/subscriptions/${id}`), name]),
  );
  return {
    resource: (id) => resources.get(idKey(id)),
    displayName: (id) => resources.get(idKey(id))?.name ?? names.get(idKey(id)) ?? id,
    policies: result.policies ?? policiesFromFindings(result),
  };
}

function policiesFromFindings(result: Result): ResultPolicy[] {
  const byId = new Map<string, { title: string; severity: Severity }>();
  for (const f of result.findings) byId.set(f.policyId, { title: f.title || f.policyId, severity: f.severity });
  return [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, { title, severity }]) => ({
      id,
      title,
      description: title,
      severity,
      check: "",
      appliesTo: [],
      rationale: "",
      references: [],
      frameworks: [],
    }));
}

/** XML 1.0 forbids most control characters and lone surrogates, even escaped: they are dropped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
/** An attribute value: also keeps line breaks and tabs, which parsers would otherwise turn into spaces. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}
