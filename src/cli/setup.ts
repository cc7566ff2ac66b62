// Failures of setup rather than of evidence: no credential could sign in, or the services' certificates are not
// trusted. Either way nothing can be read, so the run stops before any finding with what to do (exit 2), instead of
// reporting every HSM as "not proven".
import type { TokenCredential } from "@azure/identity";
import type { Snapshot } from "../model/snapshot.js";
import { SetupError } from "./errors.js";

const SIGN_IN_HELP = [
  "Sign in first, in one of the ways DefaultAzureCredential accepts:",
  "  - az login (and, in CI, AZURE_TOKEN_CREDENTIALS=AzureCliCredential to use that session only);",
  "  - a service principal: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH);",
  "  - workload identity (federated token) or a managed identity where the tool runs.",
].join("\n");

/** Asks for a token of the cloud's Resource Manager audience once, before the scan reads anything. */
export async function signIn(credential: TokenCredential, audience: string): Promise<void> {
  let token;
  try {
    token = await credential.getToken(`${audience.replace(/\/+$/, "")}/.default`);
  } catch (error) {
    const first = String((error as Error)?.message ?? error)
      .split("\n")
      .slice(0, 3)
      .join(" ")
      .slice(0, 600);
    throw new SetupError(`could not sign in to Azure (${audience}): ${first}\n${SIGN_IN_HELP}`);
  }
  if (!token) throw new SetupError(`could not sign in to Azure (${audience}): no token was issued.\n${SIGN_IN_HELP}`);
}

/** Node's codes for a certificate it does not trust (or that does not name the host). */
export const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * A read that failed because a certificate was not trusted: a TLS-inspecting proxy, or a private endpoint with its
 * own certificate authority. Found anywhere in the snapshot, the run stops with what to do.
 */
export function checkCertificates(snapshot: Pick<Snapshot, "errors">): void {
  const failed = snapshot.errors.find(
    (e) => (e.code && CERTIFICATE_CODES.has(e.code)) || [...CERTIFICATE_CODES].some((c) => e.message.includes(c)),
  );
  if (!failed) return;
  throw new SetupError(
    `a certificate was not trusted (${failed.message})\n` +
      "If a proxy or a private endpoint presents a certificate of your own authority, give Node that authority: " +
      "NODE_EXTRA_CA_CERTS=/path/to/ca.pem (a PEM file, read when the process starts). Nothing was written.",
  );
}
