// A storage archive of the audit trail refuses old TLS and anonymous reads, and is one Azure accepts as a destination
// of the HSM's diagnostic setting: in the HSM's region, and not Premium.
import { defineArchiveCheck } from "../archive.js";

const TLS_ORDER = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"];
const region = (location: string) => location.toLowerCase().replace(/\s+/g, "");

export default defineArchiveCheck({
  name: "archive-secure",
  description:
    "Every storage account that archives the audit category requires at least the given TLS version, forbids anonymous blob access, is in the HSM's region and is not Premium.",
  params: { minimumTlsVersion: { enum: ["TLS1_2", "TLS1_3"], default: "TLS1_2" } },
  reading: "its security settings",
  judge(archive, properties, results, { params, hsm }) {
    const p = properties;
    const violations: string[] = [];
    const tls = p.minimumTlsVersion;
    if (tls === undefined) violations.push("it states no minimum TLS version (Azure then accepts TLS 1.0)");
    else if (TLS_ORDER.indexOf(tls) < TLS_ORDER.indexOf(params.minimumTlsVersion))
      violations.push(`it accepts ${tls}, older than ${params.minimumTlsVersion}`);
    if (p.allowBlobPublicAccess !== false)
      violations.push(
        p.allowBlobPublicAccess === true
          ? "it allows anonymous (public) blob access"
          : "it does not forbid anonymous blob access (allowBlobPublicAccess is not set)",
      );
    if (p.location === undefined) violations.push("its region is not stated");
    else if (region(p.location) !== region(hsm.location))
      violations.push(`it is in ${p.location}, not in the HSM's region ${hsm.location}, which Azure requires`);
    if (p.skuTier === "Premium" || /^premium/i.test(p.sku ?? ""))
      violations.push(`it is a Premium account (${p.sku ?? "Premium"}), which Azure does not accept as a destination`);
    if (violations.length > 0) results.failures.push(`${archive.label}: ${violations.join(", ")}`);
    else
      results.passes.push(
        `${archive.label} requires ${tls}, forbids anonymous access, is in ${p.location}, ${p.sku ?? "not Premium"}`,
      );
  },
  sentences: ({ hsm }) => {
    return {
      pass: (list) => `The storage archive of ${hsm.name}'s audit log is secured: ${list}.`,
      fail: (list) => `The storage archive of ${hsm.name}'s audit log is not secured: ${list}.`,
      error: (list) => `Whether the storage archive of ${hsm.name}'s audit log is secured is not proven: ${list}.`,
    };
  },
  values: (params) => ({ minimumTlsVersion: params.minimumTlsVersion }),
});
