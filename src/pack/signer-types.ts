// What signs an evidence pack: a local key or one held in the customer's Key Vault or Managed HSM. The pack's manifest
// and its envelope are written against this interface alone.

export type PackSigningAlgorithm = "ecdsa-p256-sha256" | "ed25519";

export interface PackSigner {
  /** The key's identity: for Key Vault and Managed HSM, the full key id URL with its version. */
  hint: string;
  algorithm: PackSigningAlgorithm;
  /** SPKI PEM of the public key. */
  publicKeyPem(): Promise<string>;
  /** The signature over `data`; ECDSA as DER (an ASN.1 SEQUENCE of r and s). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
