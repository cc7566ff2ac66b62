// DSSE (Dead Simple Signing Envelope) v1: what is signed is the pre-authentication encoding of the payload and its type,
// never the payload alone, so that a signature over one type of payload cannot be replayed as another.

/** The payload type of an in-toto statement inside a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/**
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the length in bytes as ASCII
 * decimal without leading zeros and SP is one space (0x20).
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  const head = Buffer.from(`DSSEv1 ${type.length} `, "ascii");
  const middle = Buffer.from(` ${payload.length} `, "ascii");
  return Buffer.concat([head, type, middle, payload]);
}
