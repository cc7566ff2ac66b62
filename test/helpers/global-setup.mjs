// Once per jest run, before any test file: the throw-away certificates every test simulator serves
// (shared-certificates.ts reads them), made once instead of once per test file (two RSA keys and two signatures each
// time). jest loads this file outside its module system, so it takes the built certs.js (`npm test` builds first);
// without a build, each test file makes its own, as before.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The variable naming the run's certificates file (shared-certificates.ts reads the same name). */
export const CERTIFICATES_ENV = "HSM_AUDIT_TEST_CERTIFICATES";

const BUILT = join(dirname(fileURLToPath(import.meta.url)), "../../dist/simulator/certs.js");

export default async function globalSetup() {
  if (!existsSync(BUILT)) return;
  const { generateCertificates } = await import(pathToFileURL(BUILT).href);
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-test-certificates-"));
  const file = join(dir, "certificates.json");
  writeFileSync(file, JSON.stringify(generateCertificates()), { mode: 0o600 });
  // The workers jest starts next inherit the environment.
  process.env[CERTIFICATES_ENV] = file;
}

/** After the run: the certificates' folder is removed. */
export function teardown() {
  const file = process.env[CERTIFICATES_ENV];
  if (file) rmSync(dirname(file), { recursive: true, force: true });
}
