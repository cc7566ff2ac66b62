// What the scan's credential could read in each resource group holding an HSM, from the permissions the snapshot
// recorded: information for the auditor beside the findings, never a verdict (no finding depends on it).
import type { ResourceGroupReadAccess } from "../model/result.js";
import type { ResourceGroupPermissions } from "../model/snapshot.js";
import { isKnown } from "../model/snapshot.js";
import { missingActions, readActionsFor } from "../domain/scan-permissions.js";

export function readAccessOf(read: ResourceGroupPermissions): ResourceGroupReadAccess {
  const needed = readActionsFor(read.kinds);
  const where = { subscriptionId: read.subscriptionId, resourceGroup: read.resourceGroup, needed };
  if (!isKnown(read.result)) {
    return { ...where, access: "unknown", reason: read.result.error.message, evidence: [...read.result.evidence] };
  }
  const missing = missingActions(read.result.value.permissions, needed);
  return missing.length === 0
    ? { ...where, access: "granted", evidence: [...read.result.evidence] }
    : { ...where, access: "missing", missing, evidence: [...read.result.evidence] };
}
