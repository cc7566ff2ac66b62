// The policy pack of a run (built-in plus --policies), as every command loads it: a mistake is a usage error. The
// built-in policies come from the build's record while the policy files are those it loaded (src/engine/policy-cache.ts:
// the same policies, without parsing and validating each file again: about 0.1 s before a scan's first request).
import { cachedBuiltInPolicies } from "../engine/policy-cache.js";
import { BUILT_IN_POLICIES, loadPolicies, PolicyError, type Policy } from "../engine/policy.js";
import { UsageError } from "./errors.js";

export function policiesFrom(dirs: readonly string[] | undefined): Policy[] {
  try {
    return loadPolicies([...(dirs ?? [])], BUILT_IN_POLICIES, cachedBuiltInPolicies());
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(`invalid policy: ${error.message}`);
    throw error;
  }
}
