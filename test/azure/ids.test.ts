// ARM ids: one rule for when two spellings name one resource (case aside, trailing slashes aside), and the spelling
// kept for display.
import { canonicalId, idKey, parseResourceId, sameId, uniqueIds } from "../../src/domain/ids.js";

const WS = "/subscriptions/s1/resourceGroups/rg-Mon/providers/Microsoft.OperationalInsights/workspaces/Law-Audit";

test.each([
  [WS, WS, true],
  [WS, `${WS}/`, true],
  [WS, `${WS}//`, true],
  [WS, WS.toUpperCase(), true],
  [WS, `${WS.toLowerCase()}/`, true],
  [WS, `${WS}-2`, false],
  [WS, WS.replace("/workspaces/", "/workspaces//"), false],
])("sameId(%s, %s) is %s", (a, b, same) => {
  expect(sameId(a, b)).toBe(same);
  expect(idKey(a) === idKey(b)).toBe(same);
});

test("the display spelling keeps the case and drops the trailing slashes", () => {
  expect(canonicalId(`${WS}//`)).toBe(WS);
  expect(canonicalId(`${WS}/`)).toBe(WS);
  expect(canonicalId(WS)).toBe(WS);
  expect(canonicalId("/")).toBe("");
  expect(uniqueIds([`${WS}/`, WS.toLowerCase(), `${WS}-2`])).toEqual([WS, `${WS}-2`]);
});

test("an id with trailing slashes parses as the same resource", () => {
  expect(parseResourceId(`${WS}//`)).toEqual(parseResourceId(WS));
  expect(parseResourceId(WS)).toMatchObject({ resourceGroup: "rg-Mon", name: "Law-Audit" });
});
