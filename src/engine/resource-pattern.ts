// Resource patterns of waivers and of the configuration's `exclude`: an ARM id, compared case-insensitively as ARM
// compares them (sameId: case and trailing slashes aside), in which `*` stands for any text within one path segment and `**` for any text across segments.
// Every other character is literal: resource group names may hold `(`, `)`, `[`, `]`, `.`, which a general glob
// library would read as syntax.

import { canonicalId, sameId } from "../domain/ids.js";

export function isPattern(value: string): boolean {
  return value.includes("*");
}

/** A matcher for `pattern`; without `*`, an exact case-insensitive comparison. */
export function resourceMatcher(pattern: string): (resourceId: string) => boolean {
  if (!isPattern(pattern)) {
    return (id) => sameId(id, pattern);
  }
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "is");
  return (id) => regex.test(canonicalId(id));
}
