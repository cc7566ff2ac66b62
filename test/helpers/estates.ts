// Small estates for end-to-end tests: one subscription ("Payments") with a workspace that keeps 400 days, and the HSM
// lists a test gives.
import { EstateError, parseEstate } from "../../src/simulator/estate.js";

export const PAYMENTS_SUBSCRIPTION = "aaaaaaaa-0000-4000-8000-000000000001";

/** A Cloud HSM that sends its audit log to law-audit, whose trail flows from `from` ago, every six hours. */
export function flowingCloudHsm(name: string, from = "3d", extraActivity: string[] = []): string {
  return `      - name: ${name}
        resourceGroup: rg-hsm
        location: eastus
        diagnosticSettings:
          - name: audit-to-law
            workspace: law-audit
            logs: [{ category: HsmServiceOperations, enabled: true }]
        activity:
          - { every: 6h, from: ${from}, operations: [CN_LOGIN, HASH_SINGLE_CALL, CN_LOGOUT], callers: [10.0.0.4] }
${extraActivity.map((a) => `          - ${a}\n`).join("")}`;
}

/** The estate: `lists` maps an HSM list key (cloudHsmClusters, managedHsms, dedicatedHsms) to its entries (YAML). */
export function paymentsEstate(lists: Record<string, string>): string {
  return `tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${PAYMENTS_SUBSCRIPTION}
    displayName: Payments
    workspaces:
      - { name: law-audit, resourceGroup: rg-mon, location: eastus, customerId: bbbbbbbb-0000-4000-8000-000000000001, retentionInDays: 400 }
${Object.entries(lists)
  .map(([key, entries]) => `    ${key}:\n${entries}`)
  .join("")}`;
}

/** The problems an estate file's text is refused with (EstateError's message); throws if it is accepted. */
export function estateProblems(text: string, file: string, now?: Date): string {
  try {
    parseEstate(text, file, now ? { now } : {});
  } catch (error) {
    if (error instanceof EstateError) return error.message;
    throw error;
  }
  throw new Error("expected the estate to be rejected");
}

/** The "Fault Lab" estate's subscription and its workspace's customer id. */
export const FAULT_LAB_SUBSCRIPTION = "aaaaaaaa-0000-4000-8000-000000000001";
export const FAULT_LAB_WORKSPACE = "bbbbbbbb-0000-4000-8000-000000000001";

/**
 * A one-subscription estate ("Fault Lab": one Cloud HSM, chsm-a, sending to workspace law) with the given faults (YAML
 * list items, indented two spaces) and the HSM's activity (one YAML flow entry; by default a record an hour for two days).
 */
export function faultLabEstate(
  faults: string,
  activity = "{ every: 1h, from: 2d, operations: [CN_LOGIN, CN_LOGOUT], callers: [10.0.0.1] }",
): string {
  return `
tenantId: 00000000-0000-4000-8000-0000000000aa
subscriptions:
  - subscriptionId: ${FAULT_LAB_SUBSCRIPTION}
    displayName: Fault Lab
    workspaces:
      - { name: law, resourceGroup: rg, location: eastus, customerId: ${FAULT_LAB_WORKSPACE}, retentionInDays: 365 }
    cloudHsmClusters:
      - name: chsm-a
        resourceGroup: rg
        location: eastus
        diagnosticSettings:
          - name: audit
            workspace: law
            logs: [{ category: HsmServiceOperations, enabled: true }]
        activity:
          - ${activity}
${faults ? `faults:\n${faults}\n` : ""}`;
}
