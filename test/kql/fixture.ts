// A small fixed workspace for the KQL interpreter tests.

import { runKql } from "../../src/simulator/kql/index.js";
import type {
  KqlColumn,
  KqlDatabase,
  KqlError,
  KqlResult,
  KqlRunOptions,
  KqlTable,
} from "../../src/simulator/kql/index.js";

export const NOW = new Date("2026-11-22T12:00:00Z");

export const HSM1 =
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/hsm1";
export const HSM2 =
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/hsm2";
/** Upper case, as AzureDiagnostics writes it. */
export const MHSM1 =
  "/SUBSCRIPTIONS/22222222-2222-2222-2222-222222222222/RESOURCEGROUPS/RG-MHSM/PROVIDERS/MICROSOFT.KEYVAULT/MANAGEDHSMS/MHSM1";
export const KV1 =
  "/SUBSCRIPTIONS/22222222-2222-2222-2222-222222222222/RESOURCEGROUPS/RG-MHSM/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV1";
export const MHSM2 =
  "/subscriptions/33333333-3333-3333-3333-333333333333/resourcegroups/rg-mhsm2/providers/microsoft.keyvault/managedhsms/mhsm2";

const d = (iso: string): Date => new Date(iso);

function table(name: string, columns: KqlColumn[], rows: Record<string, unknown>[]): KqlTable {
  return { name, columns, rows };
}

const s = (name: string): KqlColumn => ({ name, type: "string" });

export const cloudHsm = table(
  "CloudHsmServiceOperationAuditLogs",
  [
    { name: "TimeGenerated", type: "datetime" },
    s("OperationName"),
    s("Opcode"),
    s("CallerIpAddress"),
    s("ClientInfo"),
    s("ClusterType"),
    s("HsmInstance"),
    { name: "DurationMs", type: "long" },
    s("ResultType"),
    s("ResultSignature"),
    s("ResultDescription"),
    s("_ResourceId"),
  ],
  [
    [
      "2026-11-22T09:00:00Z",
      "KeyGet",
      "CN_GET_KEY",
      "10.0.0.4",
      "pkcs11/5.9",
      "CloudHsm",
      "hsm1-node0",
      12,
      "Success",
      "200",
      "OK",
      HSM1,
    ],
    [
      "2026-11-22T08:30:00Z",
      "KeyGet",
      "CN_GET_KEY",
      "10.0.0.5",
      "pkcs11/5.9",
      "CloudHsm",
      "hsm1-node1",
      30,
      "Success",
      "200",
      "OK",
      HSM1,
    ],
    [
      "2026-11-21T15:00:00Z",
      "KeySign",
      "CN_SIGN",
      "10.0.0.4",
      "jce/5.9",
      "CloudHsm",
      "hsm1-node0",
      45,
      "Success",
      "200",
      "OK",
      HSM1,
    ],
    [
      "2026-11-21T10:00:00Z",
      "Login",
      "CN_LOGIN",
      "10.0.0.6",
      "cloudhsm_mgmt_util",
      "CloudHsm",
      "hsm2-node0",
      5,
      "Failure",
      "401",
      "Invalid credentials for user CU_admin",
      HSM2,
    ],
    [
      "2026-11-20T23:59:59Z",
      "KeyGet",
      "CN_GET_KEY",
      "10.0.0.4",
      "pkcs11/5.9",
      "CloudHsm",
      "hsm2-node0",
      null,
      "Success",
      "200",
      "OK",
      HSM2,
    ],
    [
      "2026-11-10T00:00:00Z",
      "KeyDelete",
      "CN_DESTROY_OBJECT",
      "10.0.0.7",
      "pkcs11/5.9",
      "CloudHsm",
      "hsm1-node1",
      80,
      "Success",
      "200",
      "OK",
      HSM1,
    ],
    [
      "2026-11-22T11:59:00Z",
      "KeyGenerate",
      "CN_GENERATE_KEY",
      "10.0.0.5",
      "pkcs11/5.9",
      "CloudHsm",
      "hsm2-node1",
      120,
      "Success",
      "200",
      "OK",
      HSM2,
    ],
    [
      "2026-11-19T06:00:00Z",
      "Logout",
      "CN_LOGOUT",
      "10.0.0.6",
      "cloudhsm_mgmt_util",
      "CloudHsm",
      "hsm2-node0",
      3,
      "Success",
      "200",
      "",
      HSM2,
    ],
  ].map(([t, op, opcode, ip, client, cluster, inst, dur, rt, rs, rd, rid]) => ({
    TimeGenerated: d(t as string),
    OperationName: op,
    Opcode: opcode,
    CallerIpAddress: ip,
    ClientInfo: client,
    ClusterType: cluster,
    HsmInstance: inst,
    DurationMs: dur,
    ResultType: rt,
    ResultSignature: rs,
    ResultDescription: rd,
    _ResourceId: rid,
  })),
);

export const azureDiagnostics = table(
  "AzureDiagnostics",
  [
    { name: "TimeGenerated", type: "datetime" },
    s("ResourceProvider"),
    s("ResourceType"),
    s("Category"),
    s("OperationName"),
    s("ResultType"),
    s("ResultSignature"),
    s("CallerIPAddress"),
    { name: "DurationMs", type: "long" },
    { name: "httpStatusCode_d", type: "real" },
    s("requestUri_s"),
    s("identity_claim_upn_s"),
    s("_ResourceId"),
    s("Resource"),
    s("ResourceGroup"),
    s("SubscriptionId"),
  ],
  [
    [
      "2026-11-22T07:00:00Z",
      "MANAGEDHSMS",
      "KeyGet",
      "Success",
      "OK",
      "10.1.0.1",
      20,
      200,
      "https://mhsm1.managedhsm.azure.net/keys/k1?api-version=7.4",
      "alice@contoso.com",
      MHSM1,
    ],
    [
      "2026-11-21T07:00:00Z",
      "MANAGEDHSMS",
      "KeySign",
      "Success",
      "OK",
      "10.1.0.2",
      35,
      200,
      "https://mhsm1.managedhsm.azure.net/keys/k1/sign?api-version=7.4",
      "bob@contoso.com",
      MHSM1,
    ],
    [
      "2026-11-18T07:00:00Z",
      "MANAGEDHSMS",
      "KeyGet",
      "Forbidden",
      "Forbidden",
      "10.1.0.1",
      4,
      403,
      "https://mhsm1.managedhsm.azure.net/keys/k2?api-version=7.4",
      "alice@contoso.com",
      MHSM1,
    ],
    [
      "2026-11-22T06:00:00Z",
      "VAULTS",
      "SecretGet",
      "Success",
      "OK",
      "10.1.0.3",
      8,
      200,
      "https://kv1.vault.azure.net/secrets/s1?api-version=7.4",
      "dave@contoso.com",
      KV1,
    ],
    [
      "2026-11-01T07:00:00Z",
      "MANAGEDHSMS",
      "KeyList",
      "Success",
      "OK",
      "10.1.0.1",
      15,
      200,
      "https://mhsm1.managedhsm.azure.net/keys?api-version=7.4",
      "alice@contoso.com",
      MHSM1,
    ],
  ].map(([t, type, op, rt, rs, ip, dur, status, uri, upn, rid]) => ({
    TimeGenerated: d(t as string),
    ResourceProvider: "MICROSOFT.KEYVAULT",
    ResourceType: type,
    Category: "AuditEvent",
    OperationName: op,
    ResultType: rt,
    ResultSignature: rs,
    CallerIPAddress: ip,
    DurationMs: dur,
    httpStatusCode_d: status,
    requestUri_s: uri,
    identity_claim_upn_s: upn,
    _ResourceId: rid,
    Resource: (rid as string).split("/").pop(),
    ResourceGroup: "RG-MHSM",
    SubscriptionId: "22222222-2222-2222-2222-222222222222",
  })),
);

export const azkvAuditLogs = table(
  "AZKVAuditLogs",
  [
    { name: "TimeGenerated", type: "datetime" },
    s("OperationName"),
    s("ResultType"),
    s("ResultSignature"),
    s("CallerIpAddress"),
    { name: "HttpStatusCode", type: "long" },
    { name: "Identity", type: "dynamic" },
    s("RequestUri"),
    s("_ResourceId"),
    s("Category"),
  ],
  [
    [
      "2026-11-22T10:00:00Z",
      "KeyGet",
      "Success",
      "OK",
      "10.2.0.1",
      200,
      { claim: { upn: "alice@contoso.com", appid: "app-1" } },
      "https://mhsm2.managedhsm.azure.net/keys/k2",
    ],
    [
      "2026-11-21T22:00:00Z",
      "KeyUnwrap",
      "Success",
      "OK",
      "10.2.0.2",
      200,
      { claim: { upn: "carol@contoso.com" } },
      "https://mhsm2.managedhsm.azure.net/keys/k2/unwrapkey",
    ],
    [
      "2026-11-20T05:00:00Z",
      "KeyGet",
      "Unauthorized",
      "Unauthorized",
      "10.2.0.1",
      401,
      null,
      "https://mhsm2.managedhsm.azure.net/keys/k3",
    ],
  ].map(([t, op, rt, rs, ip, status, identity, uri]) => ({
    TimeGenerated: d(t as string),
    OperationName: op,
    ResultType: rt,
    ResultSignature: rs,
    CallerIpAddress: ip,
    HttpStatusCode: status,
    Identity: identity,
    RequestUri: uri,
    _ResourceId: MHSM2,
    Category: "AuditEvent",
  })),
);

/** A table that exists but is empty: unknown columns must still be reported. */
export const emptyTable = table("EmptyLogs", [{ name: "TimeGenerated", type: "datetime" }, s("Message")], []);

export function makeDb(...tables: KqlTable[]): KqlDatabase {
  const byName = new Map(tables.map((t) => [t.name, t]));
  return { table: (name) => byName.get(name) };
}

export const db = makeDb(cloudHsm, azureDiagnostics, azkvAuditLogs, emptyTable);

export function run(query: string, options: Partial<KqlRunOptions> = {}, database: KqlDatabase = db): KqlResult {
  return runKql(query, database, { now: NOW, ...options });
}

/** The rows of a query's result. */
export function rows(query: string, options: Partial<KqlRunOptions> = {}, database: KqlDatabase = db): unknown[][] {
  return run(query, options, database).rows;
}

/** The error a query raises (fails the test when it raises none). */
export function failure(query: string, database: KqlDatabase = db): KqlError {
  try {
    run(query, {}, database);
  } catch (err) {
    return err as KqlError;
  }
  throw new Error(`expected the query to fail: ${query}`);
}
