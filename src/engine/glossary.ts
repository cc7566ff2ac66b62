// What the operation names in the audit logs mean, as data in one place: the Cloud HSM glossary of the operation
// event logging tutorial (its azcloudhsm_util command names), and the Managed HSM operations of its audit log.
import type { HsmKind } from "../model/snapshot.js";

export interface OperationMeaning {
  /** The command that logs it (Cloud HSM), or the REST operation's short name (Managed HSM). */
  command: string;
  description: string;
}

export const CLOUD_HSM_OPERATIONS: Readonly<Record<string, OperationMeaning>> = {
  CN_LOGIN: { command: "loginHSM", description: "Logs in to the HSM." },
  CN_LOGOUT: { command: "logoutHSM", description: "Logs out of the HSM." },
  CN_AUTHORIZE_SESSION: { command: "loginHSM", description: "Authorises a session." },
  CN_GENERATE_KEY: { command: "genSymKey", description: "Generates a symmetric key." },
  CN_GENERATE_KEY_PAIR: { command: "genRSAKeyPair / genECCKeyPair", description: "Generates an RSA or ECC key pair." },
  CN_SHARE_OBJECT: { command: "shareKey", description: "Shares or unshares a key with other users." },
  CN_TOMBSTONE_OBJECT: { command: "deleteKey", description: "Deletes a key." },
  CN_FIND_OBJECTS_FROM_INDEX: { command: "findSingleKey", description: "Finds a single key." },
  CN_FIND_OBJECTS_USING_COUNT: { command: "findKey", description: "Finds keys." },
  CN_GET_OBJECT_INFO: { command: "getKeyInfo", description: "Gets a key's shared users and sessions." },
  HASH_SINGLE_CALL: { command: "sign / verify", description: "Generates or verifies a signature." },
  CN_LIST_TOKENS: { command: "listTokens", description: "Lists the tokens of the partition." },
  CN_GET_TOKEN: { command: "getToken", description: "Gets a token." },
  CN_CREATE_USER: { command: "createUser", description: "Creates a user." },
  CN_DELETE_USER: { command: "deleteUser", description: "Deletes a user." },
  CN_LIST_USERS: { command: "listUsers", description: "Lists users." },
  CN_CHANGE_PSWD: { command: "changePswd", description: "Changes a password." },
  CN_MODIFY_OBJECT: { command: "setAttribute", description: "Sets an attribute of an object." },
  CN_GET_ATTRIBUTE_VALUE: { command: "getAttribute", description: "Gets an attribute of an object." },
  CN_TOKEN_INFO: { command: "getHSMInfo", description: "Gets the HSM's information." },
  CN_PARTITION_INFO: { command: "getPartitionInfo", description: "Gets the partition's information." },
};

export const MANAGED_HSM_OPERATIONS: Readonly<Record<string, OperationMeaning>> = {
  KeyCreate: { command: "key create", description: "Creates a key." },
  KeyImport: { command: "key import", description: "Imports a key." },
  KeyGet: { command: "key get", description: "Reads a key's public part and attributes." },
  KeyList: { command: "key list", description: "Lists keys." },
  KeyUpdate: { command: "key update", description: "Updates a key's attributes." },
  KeyDelete: { command: "key delete", description: "Deletes a key (recoverable while soft-deleted)." },
  KeyPurge: { command: "key purge", description: "Purges a deleted key for ever." },
  KeyRecover: { command: "key recover", description: "Recovers a deleted key." },
  KeyBackup: { command: "key backup", description: "Exports a protected backup of a key." },
  KeyRestore: { command: "key restore", description: "Restores a key from a backup." },
  KeySign: { command: "key sign", description: "Signs with a key." },
  KeyVerify: { command: "key verify", description: "Verifies a signature." },
  KeyEncrypt: { command: "key encrypt", description: "Encrypts with a key." },
  KeyDecrypt: { command: "key decrypt", description: "Decrypts with a key." },
  KeyWrap: { command: "key wrap", description: "Wraps a key." },
  KeyUnwrap: { command: "key unwrap", description: "Unwraps a key." },
  KeyRelease: { command: "key release", description: "Releases a key to an attested environment." },
  KeyRotate: { command: "key rotate", description: "Rotates a key." },
  BackupCreate: { command: "backup start", description: "Backs up the whole HSM." },
  RestoreStart: { command: "restore start", description: "Restores the whole HSM from a backup." },
  SecurityDomainDownload: { command: "security-domain download", description: "Downloads the security domain." },
  SecurityDomainUpload: { command: "security-domain upload", description: "Uploads a security domain." },
  RoleAssignmentCreate: { command: "role assignment create", description: "Grants a role." },
  RoleAssignmentDelete: { command: "role assignment delete", description: "Removes a role assignment." },
  RoleDefinitionCreate: { command: "role definition create", description: "Creates or changes a role definition." },
  RoleDefinitionDelete: { command: "role definition delete", description: "Deletes a role definition." },
};

/** The meaning of an operation name for an HSM kind, when the glossary knows it. */
export function meaningOf(kind: HsmKind, operation: string): OperationMeaning | undefined {
  const table = kind === "cloudHsm" ? CLOUD_HSM_OPERATIONS : kind === "managedHsm" ? MANAGED_HSM_OPERATIONS : {};
  return Object.prototype.hasOwnProperty.call(table, operation) ? table[operation] : undefined;
}

/** An operation with its meaning: `CN_TOMBSTONE_OBJECT (deleteKey)`. */
export function operationLabel(kind: HsmKind, operation: string): string {
  const meaning = meaningOf(kind, operation);
  return meaning ? `${operation} (${meaning.command})` : operation;
}
