// The registry of check kinds: an explicit, sorted map (no directory scanning), one module a kind.
import type { CheckKind } from "../check.js";
import activityFailedAccess from "./activity-failed-access.js";
import activityMassRetrieval from "./activity-mass-retrieval.js";
import activityNewCallers from "./activity-new-callers.js";
import activitySensitiveOperations from "./activity-sensitive-operations.js";
import activityTrailGap from "./activity-trail-gap.js";
import applianceAuditEvents from "./appliance-audit-events.js";
import applianceAuditOffload from "./appliance-audit-offload.js";
import applianceAuditRole from "./appliance-audit-role.js";
import applianceEvidence from "./appliance-evidence.js";
import applianceNoTamper from "./appliance-no-tamper.js";
import applianceRemoteAudit from "./appliance-remote-audit.js";
import applianceRemoteSyslog from "./appliance-remote-syslog.js";
import applianceTimeSync from "./appliance-time-sync.js";
import archiveFlowing from "./archive-flowing.js";
import archiveImmutable from "./archive-immutable.js";
import archiveRetention from "./archive-retention.js";
import archiveSecure from "./archive-secure.js";
import auditCategoryEnabled from "./audit-category-enabled.js";
import destinationConfigured from "./destination-configured.js";
import destinationExists from "./destination-exists.js";
import destinationRetention from "./destination-retention.js";
import diagnosticSettingContinuous from "./diagnostic-setting-continuous.js";
import diagnosticSettingPresent from "./diagnostic-setting-present.js";
import inventoryComplete from "./inventory-complete.js";
import logsFlowing from "./logs-flowing.js";
import providerRegistered from "./provider-registered.js";
import sentinelCoverage from "./sentinel-coverage.js";

export const CHECK_KINDS: ReadonlyMap<string, CheckKind> = new Map(
  [
    activityFailedAccess,
    activityMassRetrieval,
    activityNewCallers,
    activitySensitiveOperations,
    activityTrailGap,
    applianceAuditEvents,
    applianceAuditOffload,
    applianceAuditRole,
    applianceEvidence,
    applianceNoTamper,
    applianceRemoteAudit,
    applianceRemoteSyslog,
    applianceTimeSync,
    archiveFlowing,
    archiveImmutable,
    archiveRetention,
    archiveSecure,
    auditCategoryEnabled,
    destinationConfigured,
    destinationExists,
    destinationRetention,
    diagnosticSettingContinuous,
    diagnosticSettingPresent,
    inventoryComplete,
    logsFlowing,
    providerRegistered,
    sentinelCoverage,
  ].map((kind) => [kind.name, kind]),
);
