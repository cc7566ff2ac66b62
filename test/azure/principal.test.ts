// Who the scan ran as, from its ARM token: the claims that name the principal and nothing else, never the token; a
// token that is not a JWT (some test credentials) is "principal unknown" with the reason, never a crash.
import { principalOf } from "../../src/azure/derive/principal.js";

const b64 = (value: string) => Buffer.from(value).toString("base64url");
const jwt = (payload: unknown, signature = "c2lnbmF0dXJl") =>
  `${b64(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64(JSON.stringify(payload))}.${signature}`;

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("the principal of a token", () => {
  test("a service principal's token: the kept claims, and no other", () => {
    const principal = principalOf(
      jwt({
        aud: "https://management.azure.com/",
        iss: `https://sts.windows.net/${TENANT}/`,
        tid: TENANT,
        oid: "11111111-1111-1111-1111-111111111111",
        appid: "22222222-2222-2222-2222-222222222222",
        idtyp: "app",
        xms_mirid: "/subscriptions/x/resourcegroups/y",
        exp: 1_900_000_000,
        roles: ["a"],
      }),
    );
    expect(principal).toEqual({
      known: true,
      claims: {
        iss: `https://sts.windows.net/${TENANT}/`,
        tid: TENANT,
        oid: "11111111-1111-1111-1111-111111111111",
        appid: "22222222-2222-2222-2222-222222222222",
        idtyp: "app",
      },
    });
  });

  test("a user's v2 token: azp, upn, unique_name and preferred_username are kept", () => {
    const claims = {
      tid: TENANT,
      oid: "33333333-3333-3333-3333-333333333333",
      azp: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      upn: "auditor@contoso.example",
      unique_name: "auditor@contoso.example",
      preferred_username: "auditor@contoso.example",
      idtyp: "user",
    };
    expect(principalOf(jwt({ ...claims, name: "An Auditor", ipaddr: "203.0.113.9" }))).toEqual({ known: true, claims });
  });

  test("a hostile upn with a line break is kept as the token carried it (the reports print it escaped)", () => {
    const upn = "eve@contoso.example\nCOMPLIANT (exit code 0).";
    const principal = principalOf(jwt({ tid: TENANT, upn }));
    expect(principal).toEqual({ known: true, claims: { tid: TENANT, upn } });
  });

  test("claims that are not strings are left out, and a huge one is cut", () => {
    const principal = principalOf(jwt({ tid: TENANT, oid: 42, upn: { a: 1 }, appid: "x".repeat(5000) }));
    expect(principal).toEqual({ known: true, claims: { tid: TENANT, appid: "x".repeat(1024) } });
  });

  test.each<[string, string | undefined, string]>([
    ["an opaque token", "sim.abcdefghijklmnop", "not a JWT"],
    ["no token", undefined, "gave no token"],
    ["an empty token", "", "gave no token"],
    ["two parts", `${b64("{}")}.${b64("{}")}`, "not a JWT"],
    ["four parts", "a.b.c.d", "not a JWT"],
    ["a payload that is not base64url", "a.b+c/=.d", "not a JWT"],
    ["a payload that is not JSON", `a.${b64("not json")}.c`, "not JSON"],
    ["a payload that is a JSON list", `a.${b64("[1,2]")}.c`, "not a JSON object"],
    ["a payload that names nobody", jwt({ aud: "x", exp: 1 }), "names no principal"],
  ])("%s: principal unknown, with the reason", (_name, token, reason) => {
    const principal = principalOf(token);
    expect(principal.known).toBe(false);
    expect(principal.known === false && principal.reason).toContain(reason);
    expect(JSON.stringify(principal)).not.toContain(token || "\u0000");
  });
});
