// How Azure RBAC's actions and notActions (as Microsoft.Authorization/permissions lists them) grant the reads the scan
// needs: wildcards, case-insensitive comparison, notActions taking an action away from its own entry only, and data
// actions never counted. Then the read actions needed by the kinds a resource group holds.
import {
  actionMatches,
  isGranted,
  missingActions,
  readActionsFor,
  type PermissionEntry,
} from "../../src/domain/scan-permissions.js";
import type { HsmKind } from "../../src/domain/hsm-kinds.js";

const SETTINGS = "Microsoft.Insights/diagnosticSettings/read";
const CATEGORIES = "Microsoft.Insights/diagnosticSettingsCategories/read";
const CLOUD_HSM = "Microsoft.HardwareSecurityModules/cloudHsmClusters/read";
const MANAGED_HSM = "Microsoft.KeyVault/managedHSMs/read";

describe("an action pattern covers an action", () => {
  test.each<[string, string, boolean]>([
    ["*", SETTINGS, true],
    ["*/read", SETTINGS, true],
    ["*/read", "Microsoft.Insights/diagnosticSettings/write", false],
    ["Microsoft.Insights/*", SETTINGS, true],
    ["Microsoft.Insights/*", MANAGED_HSM, false],
    ["Microsoft.KeyVault/*", MANAGED_HSM, true],
    ["Microsoft.KeyVault/*/read", MANAGED_HSM, true],
    ["Microsoft.Insights/diagnosticSettings/*", SETTINGS, true],
    // The categories are a type of their own: `diagnosticSettings/*` does not reach them.
    ["Microsoft.Insights/diagnosticSettings/*", CATEGORIES, false],
    ["microsoft.insights/DIAGNOSTICSETTINGS/READ", SETTINGS, true],
    [SETTINGS, SETTINGS.toUpperCase(), true],
    // No other character is a wildcard: a dot or brackets stand for themselves.
    ["Microsoft.Insights/diagnosticSettings/rea.", SETTINGS, false],
    ["MicrosoftXInsights/diagnosticSettings/read", SETTINGS, false],
    ["Microsoft.Insights/diagnosticSettings", SETTINGS, false],
    ["", SETTINGS, false],
  ])("%s covers %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

const entry = (actions: string[], notActions: string[] = []): PermissionEntry => ({ actions, notActions });

describe("the entries grant an action", () => {
  test.each<[string, PermissionEntry[], string, boolean]>([
    ["Reader", [entry(["*/read"])], SETTINGS, true],
    ["Owner", [entry(["*"])], CATEGORIES, true],
    ["no entry", [], SETTINGS, false],
    ["an entry without actions", [entry([])], SETTINGS, false],
    [
      "notActions beat the entry's own actions",
      [entry(["*/read"], ["Microsoft.Insights/diagnosticSettings/*"])],
      SETTINGS,
      false,
    ],
    ["notActions compared case-insensitively", [entry(["*"], ["MICROSOFT.INSIGHTS/*"])], SETTINGS, false],
    [
      "notActions leave other actions granted",
      [entry(["*/read"], ["Microsoft.Insights/diagnosticSettings/*"])],
      CATEGORIES,
      true,
    ],
    [
      "another entry (role assignment) still grants what one entry's notActions leave out",
      [entry(["*/read"], ["Microsoft.Insights/*"]), entry(["Microsoft.Insights/diagnosticSettings/read"])],
      SETTINGS,
      true,
    ],
    ["a write role grants no read", [entry(["Microsoft.Insights/diagnosticSettings/write"])], SETTINGS, false],
  ])("%s", (_name, entries, action, expected) => {
    expect(isGranted(entries, action)).toBe(expected);
  });

  test("data actions are never counted: an entry that holds only data actions grants no read", () => {
    const dataOnly = { actions: [], notActions: [], dataActions: ["*"], notDataActions: [] } as PermissionEntry;
    expect(isGranted([dataOnly], MANAGED_HSM)).toBe(false);
  });

  test("the actions missing are named in the order needed", () => {
    const entries = [entry(["*/read"], [CATEGORIES, "Microsoft.KeyVault/*"])];
    expect(missingActions(entries, [MANAGED_HSM, SETTINGS, CATEGORIES])).toEqual([MANAGED_HSM, CATEGORIES]);
    expect(missingActions([entry(["*"])], [MANAGED_HSM, SETTINGS])).toEqual([]);
  });
});

describe("the reads needed in a resource group follow from the kinds it holds", () => {
  test.each<[HsmKind[], string[]]>([
    [["cloudHsm"], [CLOUD_HSM, SETTINGS, CATEGORIES, "Microsoft.Insights/eventtypes/values/read"]],
    [
      ["managedHsm", "cloudHsm"],
      [CLOUD_HSM, MANAGED_HSM, SETTINGS, CATEGORIES, "Microsoft.Insights/eventtypes/values/read"],
    ],
    // A Dedicated HSM logs inside its appliance: only the resource itself is read.
    [["dedicatedHsm"], ["Microsoft.HardwareSecurityModules/dedicatedHSMs/read"]],
    [[], []],
  ])("%j", (kinds, expected) => {
    expect(readActionsFor(kinds)).toEqual(expected);
  });
});
