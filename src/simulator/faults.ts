// Injected faults (the estate's `faults`): which apply to a request, and how the request log names their effects.
import type { Route } from "./http.js";
import type { FaultSpec } from "./estate.js";
import { safeDecode } from "./http.js";

/** The estate's faults, with the count of requests each has seen (a fault's `after` and `times` count them). */
export class Faults {
  private readonly counts: number[];
  constructor(private readonly specs: FaultSpec[]) {
    this.counts = specs.map(() => 0);
  }

  /** The faults that apply to this request, counting it against each matching fault's window. */
  take(route: Route, method: string, url: string): FaultSpec[] {
    const applied: FaultSpec[] = [];
    this.specs.forEach((spec, i) => {
      if (spec.route !== "*" && spec.route !== route.name) return;
      if (spec.method && spec.method !== method) return;
      if (spec.match && !matchesUrl(url, spec.match)) return;
      const n = this.counts[i]!++;
      if (n < (spec.after ?? 0)) return;
      if (spec.times !== undefined && n >= (spec.after ?? 0) + spec.times) return;
      applied.push(spec);
    });
    return applied;
  }
}

/** A fault's `match` is looked for in the URL as sent and as decoded (`$skiptoken` is sent as `%24skiptoken`). */
function matchesUrl(url: string, match: string): boolean {
  const wanted = match.toLowerCase();
  return url.toLowerCase().includes(wanted) || safeDecode(url).toLowerCase().includes(wanted);
}

export function describeFault(f: FaultSpec): string[] {
  const effects: string[] = [];
  if (f.latencyMs) effects.push(`latency:${f.latencyMs}`);
  if (f.drop) effects.push("drop");
  if (f.status)
    effects.push(
      `status:${f.status}${f.code ? `:code:${f.code}` : ""}${f.retryAfter !== undefined ? `:retry-after:${f.retryAfter}` : ""}`,
    );
  if (f.truncate) effects.push("truncate");
  if (f.endlessNextLink) effects.push("endlessNextLink");
  if (f.partialError) effects.push("partialError");
  return effects;
}
