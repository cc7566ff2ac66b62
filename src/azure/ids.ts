// ARM resource ids: parsed once, compared case-insensitively (ARM treats them so), displayed as given.
import type { HsmKind } from "../model/snapshot.js";

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  namespace: string;
  type: string;
  name: string;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`, or undefined when `id` is not one. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i.exec(
    id,
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

export const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const HSM_TYPES: Record<HsmKind, { type: string; label: string }> = {
  cloudHsm: { type: "Microsoft.HardwareSecurityModules/cloudHsmClusters", label: "Cloud HSM" },
  managedHsm: { type: "Microsoft.KeyVault/managedHSMs", label: "Managed HSM" },
  dedicatedHsm: { type: "Microsoft.HardwareSecurityModules/dedicatedHSMs", label: "Dedicated HSM" },
};

export function kindOfType(type: string): HsmKind | undefined {
  const lower = type.toLowerCase();
  return (Object.keys(HSM_TYPES) as HsmKind[]).find((kind) => HSM_TYPES[kind].type.toLowerCase() === lower);
}

export const isWorkspaceId = (id: string) =>
  parseResourceId(id)?.namespace.toLowerCase() === "microsoft.operationalinsights" &&
  parseResourceId(id)?.type.toLowerCase() === "workspaces";

export const isStorageAccountId = (id: string) =>
  parseResourceId(id)?.namespace.toLowerCase() === "microsoft.storage" &&
  parseResourceId(id)?.type.toLowerCase() === "storageaccounts";
