// Who the scan runs as: the claims of its ARM access token that name the principal, read from the JWT's payload. The
// signature is not checked (the token came from the scan's own credential, and no claim decides anything): the claims
// say who the scan ran as, for the auditor, and are kept as the token carried them. The token is never kept.
import type { Principal, PrincipalClaims } from "../../model/snapshot.js";

/** The claims kept, and no other. */
export const PRINCIPAL_CLAIMS = [
  "tid",
  "oid",
  "appid",
  "azp",
  "upn",
  "unique_name",
  "preferred_username",
  "idtyp",
  "iss",
] as const satisfies readonly (keyof PrincipalClaims)[];

/** A claim longer than this is cut: a token is a few kilobytes, and no name needs more. */
const MAX_CLAIM = 1024;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The principal a token names: its kept claims when it is a JWT (three base64url parts, a JSON object payload), or
 * why not. Never throws, and nothing of the token but those claims leaves this function.
 */
export function principalOf(token: string | undefined): Principal {
  if (!token) return { known: false, reason: "the credential gave no token" };
  const parts = token.split(".");
  if (parts.length !== 3 || !BASE64URL.test(parts[1]!)) {
    return { known: false, reason: "the access token is not a JWT" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return { known: false, reason: "the access token's payload is not JSON" };
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
    return { known: false, reason: "the access token's payload is not a JSON object" };
  }
  const claims: PrincipalClaims = {};
  for (const name of PRINCIPAL_CLAIMS) {
    const value = (payload as Record<string, unknown>)[name];
    if (typeof value === "string" && value !== "") claims[name] = value.slice(0, MAX_CLAIM);
  }
  if (Object.keys(claims).length === 0) {
    return { known: false, reason: "the access token names no principal (no tid, oid, appid or user name)" };
  }
  return { known: true, claims };
}
