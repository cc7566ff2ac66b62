// The policy pack of a run (built-in plus --policies), as every command loads it: a mistake is a usage error.
import { loadPolicies, PolicyError, type Policy } from "../engine/policy.js";
import { UsageError } from "./errors.js";

export function policiesFrom(dirs: readonly string[] | undefined): Policy[] {
  try {
    return loadPolicies([...(dirs ?? [])]);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(`invalid policy: ${error.message}`);
    throw error;
  }
}
