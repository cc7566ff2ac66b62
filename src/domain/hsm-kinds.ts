// The HSM kinds the tool knows, and what each one is in Azure: its ARM resource type, its name in prose, the log
// categories that make its audit trail, and the Log Analytics table those records land in (DOMAIN.md §1, §4).
// Everything else that needs one of these facts imports it from here.

export type HsmKind = "cloudHsm" | "managedHsm" | "dedicatedHsm";

/** Every kind, in the order the tool lists them. */
export const HSM_KINDS: readonly HsmKind[] = ["cloudHsm", "managedHsm", "dedicatedHsm"];

/** The kinds whose audit trail Azure Monitor can export (a Dedicated HSM logs inside the appliance). */
export type MonitoredKind = Exclude<HsmKind, "dedicatedHsm">;

export const HSM_TYPES: Record<HsmKind, { type: string; label: string }> = {
  cloudHsm: { type: "Microsoft.HardwareSecurityModules/cloudHsmClusters", label: "Cloud HSM" },
  managedHsm: { type: "Microsoft.KeyVault/managedHSMs", label: "Managed HSM" },
  dedicatedHsm: { type: "Microsoft.HardwareSecurityModules/dedicatedHSMs", label: "Dedicated HSM" },
};

/** The kind of an ARM resource type (compared case-insensitively), or undefined when it is no HSM. */
export function kindOfType(type: string): HsmKind | undefined {
  const lower = type.toLowerCase();
  return HSM_KINDS.find((kind) => HSM_TYPES[kind].type.toLowerCase() === lower);
}

/** The audit category of each kind that Azure Monitor can export. */
export const DEFAULT_AUDIT_CATEGORIES: Record<MonitoredKind, string[]> = {
  cloudHsm: ["HsmServiceOperations"],
  managedHsm: ["AuditEvent"],
};

/** The Log Analytics tables HSM audit records land in. */
export const AUDIT_TABLES = {
  /** Every Cloud HSM record. */
  cloudHsm: "CloudHsmServiceOperationAuditLogs",
  /** Managed HSM records of a setting in the legacy mode, shared with every other resource's diagnostics. */
  managedHsmShared: "AzureDiagnostics",
  /** Managed HSM records of a setting in the Dedicated (resource-specific) mode. */
  managedHsmDedicated: "AZKVAuditLogs",
} as const;

/** The names of the audit tables, sorted. */
export const AUDIT_TABLE_NAMES: readonly string[] = Object.values(AUDIT_TABLES).sort();

/**
 * The table an HSM's audit records land in, by its kind and the `logAnalyticsDestinationType` of the setting that
 * carries them (compared case-insensitively, as ARM compares it); undefined for a kind Azure Monitor does not export.
 */
export function auditTableOf(kind: HsmKind | string, destinationType: string | undefined): string | undefined {
  if (kind === "cloudHsm") return AUDIT_TABLES.cloudHsm;
  if (kind === "managedHsm")
    return destinationType?.toLowerCase() === "dedicated"
      ? AUDIT_TABLES.managedHsmDedicated
      : AUDIT_TABLES.managedHsmShared;
  return undefined;
}
