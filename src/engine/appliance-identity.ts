// Whether a Luna appliance's evidence is the evidence of the Dedicated HSM it is judged for: an entry matched by private
// IP counts only when every Dedicated HSM in scope was listed, and one appliance's transcripts cannot stand for two
// HSMs (the same serial number twice).
import { sameId } from "../domain/ids.js";
import { isKnown, type ApplianceFacts, type Snapshot } from "../model/snapshot.js";

/**
 * Where the scan could not list every Dedicated HSM in its scope (a subscription's Dedicated HSM list, a management
 * group's descendants), with the evidence of those reads; undefined when every list was read. A match by private IP is unique only among the HSMs listed: one it could not list may share the address.
 */
export function unlistedDedicatedHsms(snapshot: Snapshot): { where: string; evidence: string[] } | undefined {
  const places: string[] = [];
  const evidence: string[] = [];
  for (const group of snapshot.scope.managementGroups ?? []) {
    if (isKnown(group.descendants)) continue;
    places.push(`the subscriptions of management group ${group.id}`);
    evidence.push(...group.descendants.evidence);
  }
  for (const sub of snapshot.subscriptions) {
    const fact = sub.inventory.dedicatedHsm;
    if (isKnown(fact)) continue;
    places.push(
      `the Dedicated HSMs of subscription ${sub.displayName ? `${sub.displayName} (${sub.subscriptionId})` : sub.subscriptionId}`,
    );
    evidence.push(...(fact?.evidence ?? []));
  }
  return places.length > 0 ? { where: places.join(", "), evidence: [...new Set(evidence)] } : undefined;
}

/**
 * Another appliance of the evidence whose `hsm show` reports the same serial number (compared without case and
 * surrounding space): the same transcripts given for two HSMs, or two names for one appliance. Neither then proves
 * anything.
 */
export function sameSerialAs(
  appliance: ApplianceFacts,
  snapshot: Snapshot,
): { serial: string; other: ApplianceFacts; evidence: string[]; otherEvidence: string[] } | undefined {
  const serialOf = (a: ApplianceFacts) => {
    const fact = a.readings.hsmShow;
    if (!fact || "error" in fact) return undefined;
    const serial = fact.value.serial?.trim();
    return serial ? { serial, key: serial.toLowerCase(), evidence: fact.evidence } : undefined;
  };
  const own = serialOf(appliance);
  if (!own) return undefined;
  for (const other of snapshot.appliances ?? []) {
    if (other === appliance) continue;
    if (other.hsmId !== undefined && appliance.hsmId !== undefined && sameId(other.hsmId, appliance.hsmId)) continue;
    const theirs = serialOf(other);
    if (theirs?.key === own.key) {
      return { serial: own.serial, other, evidence: own.evidence, otherEvidence: theirs.evidence };
    }
  }
  return undefined;
}
