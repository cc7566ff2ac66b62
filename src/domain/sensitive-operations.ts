// The HSM operations an auditor must see whenever they happen: the activity questions count them, and the policy
// on sensitive operations flags them.

/** Cloud HSM operations an auditor must see (seed glossary); backup and restore are matched by name as well. */
export const CLOUD_HSM_SENSITIVE = [
  "CN_TOMBSTONE_OBJECT",
  "CN_CREATE_USER",
  "CN_DELETE_USER",
  "CN_CHANGE_PSWD",
  "CN_SHARE_OBJECT",
] as const;

/** Managed HSM operations an auditor must see: key destruction and export, security domain, access changes. */
export const MANAGED_HSM_SENSITIVE = [
  "KeyDelete",
  "KeyPurge",
  "KeyBackup",
  "KeyRestore",
  "SecurityDomainDownload",
  "RoleAssignmentCreate",
  "RoleAssignmentDelete",
  "RoleDefinitionCreate",
  "RoleDefinitionDelete",
  "BackupCreate",
  "RestoreStart",
] as const;
