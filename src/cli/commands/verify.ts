// `hsm-audit verify DIR [--key PUB.pem] [--previous DIR2]`: checks a signed evidence pack offline and prints one line
// per check. Exit 0 when every check is proven, 1 when one failed or could not be proven (the signature without a
// key among them), 2 for usage (src/cli/main.ts maps the pack's usage errors).
import type { KeyObject, X509Certificate } from "node:crypto";
import { verifyPack } from "../../pack/verify.js";
import { printLine } from "../output.js";
import { printableWhole } from "../../report/printable.js";

export interface VerifyOptions {
  dir: string;
  key?: KeyObject;
  previous?: string;
  /** The time-stamp authority's certificate (`--tsa-cert`): the pack's RFC 3161 timestamp must be signed by it. */
  tsaCert?: X509Certificate;
  print?: (line: string) => void;
}

/** Text from the pack (names, hints, messages) is the signer's or a tamperer's: shown escaped, never as control codes. */
const printable = printableWhole;

export function verify(options: VerifyOptions): number {
  const print = options.print ?? printLine;
  const { checks, verified } = verifyPack(options.dir, {
    ...(options.key ? { key: options.key } : {}),
    ...(options.previous !== undefined ? { previous: options.previous } : {}),
    ...(options.tsaCert ? { tsaCert: options.tsaCert } : {}),
  });
  print(`hsm-audit verify: ${printable(options.dir)}`);
  for (const c of checks) {
    const mark = c.outcome === "ok" ? "ok    " : c.outcome === "failed" ? "FAILED" : "note  ";
    print(`${mark}  ${printable(c.subject)}: ${printable(c.detail)}`);
  }
  const failed = checks.filter((c) => c.outcome === "failed").length;
  print("");
  print(
    verified
      ? "VERIFIED: every file, the signature, the evidence and the re-evaluation check out."
      : `NOT VERIFIED: ${failed} check${failed === 1 ? "" : "s"} failed.`,
  );
  return verified ? 0 : 1;
}
