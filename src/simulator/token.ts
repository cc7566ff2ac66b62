// The simulator's scanning principal and the bearer token that names it.
import { randomBytes } from "node:crypto";

/** The object id of the simulator's scanning principal (ARM's 403 answers name it too). */
export const SIMULATOR_PRINCIPAL_ID = "00000000-0000-0000-0000-00000000c11e";
/** The application (client) id of the simulator's scanning principal. */
export const SIMULATOR_APP_ID = "00000000-0000-0000-0000-0000000a99d0";
/** The signature every simulator token carries: fixed and fake, for the simulator checks the token byte for byte. */
const FAKE_SIGNATURE = Buffer.from("hsm-audit simulator: not signed").toString("base64url");

/**
 * The simulator's bearer token: shaped as an Entra ID access token for ARM (a JWT naming an application's service
 * principal in the estate's tenant), with a fake signature and a random token id, so no two simulators share one.
 */
export function simulatorToken(tenantId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { typ: "JWT", alg: "RS256", kid: "hsm-audit-simulator" };
  const payload = {
    aud: "https://management.azure.com/",
    iss: `https://sts.windows.net/${tenantId}/`,
    tid: tenantId,
    oid: SIMULATOR_PRINCIPAL_ID,
    sub: SIMULATOR_PRINCIPAL_ID,
    appid: SIMULATOR_APP_ID,
    idtyp: "app",
    uti: randomBytes(16).toString("base64url"),
  };
  return `${part(header)}.${part(payload)}.${FAKE_SIGNATURE}`;
}
