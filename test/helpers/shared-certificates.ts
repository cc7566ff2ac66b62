// The test simulators' certificates: those the jest run made once (global-setup.mjs), else made here, once per file.
import { readFileSync } from "node:fs";
import { generateCertificates, type SimulatorCertificates } from "../../src/simulator/certs.js";

/** The variable global-setup.mjs sets to the file of the run's certificates (named there too: a .mjs file jest loads
 * outside its module system, which this TypeScript cannot import). */
const CERTIFICATES_ENV = "HSM_AUDIT_TEST_CERTIFICATES";

let certificates: SimulatorCertificates | undefined;

/**
 * One throw-away CA and server certificate for every simulator the tests start: making them takes a few tenths of a
 * second of CPU (two RSA keys), and no test of a started simulator depends on its certificates being its own.
 */
export function sharedCertificates(): SimulatorCertificates {
  if (certificates) return certificates;
  const file = process.env[CERTIFICATES_ENV];
  certificates = file ? (JSON.parse(readFileSync(file, "utf8")) as SimulatorCertificates) : generateCertificates();
  return certificates;
}
