// Who ran the scan and what it could read, end to end: the real CLI (`demo --estate`, main() in this process), the real
// SDK clients (@azure/arm-authorization among them) and HTTPS to the simulator. One resource group's role leaves out
// diagnostic-settings reads, another's permissions cannot be read (403): result.json names the principal from the
// simulator's token and each group's access, the reports name the gap, and no finding changes because of it.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main-in-process.js";
import { readPdf, squeezed } from "../helpers/pdf.js";
import type { Result } from "../../src/model/result.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { SIMULATOR_APP_ID, SIMULATOR_PRINCIPAL_ID } from "../../src/simulator/token.js";

jest.setTimeout(180_000);
afterAll(cleanUp);

const TENANT = "00000000-0000-4000-8000-0000000000ab";
const SUB = "bbbbbbbb-0000-4000-8000-000000000001";
const SETTINGS = "Microsoft.Insights/diagnosticSettings/read";

const estate = (restricted: boolean) => `tenantId: ${TENANT}
subscriptions:
  - subscriptionId: ${SUB}
    displayName: Payments
${
  restricted
    ? `    permissions:
      RG-Restricted:
        - actions: ["*/read"]
          notActions: ["Microsoft.Insights/diagnosticSettings/*"]
        - actions: ["Microsoft.Insights/diagnosticSettingsCategories/read"]
`
    : ""
}    cloudHsmClusters:
      - { name: chsm-open, resourceGroup: rg-open, location: eastus }
      - { name: chsm-restricted, resourceGroup: rg-restricted, location: eastus }
      - { name: chsm-refused, resourceGroup: rg-refused, location: eastus }
${restricted ? "faults:\n  - { route: permissions, match: rg-refused, status: 403 }\n" : ""}`;

async function demo(restricted: boolean, extra: string[] = []) {
  const dir = tempDir("hsm-audit-access-");
  const file = join(dir, "estate.yaml");
  writeFileSync(file, estate(restricted));
  const out = join(dir, "out");
  const run = await runMain(["demo", "--estate", file, "--out", out, "--format", "json,html,pdf,md", ...extra], dir);
  const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Result;
  return { run, result, out };
}

const verdicts = (result: Result) => result.findings.map((f) => `${f.policyId} ${f.resourceId} ${f.status}`).sort();

let restricted: Awaited<ReturnType<typeof demo>>;
let open: Awaited<ReturnType<typeof demo>>;
beforeAll(async () => {
  // Signed: the pack holds the snapshot, which `verify` checks fact by fact against the bodies it came from.
  restricted = await demo(true, ["--sign"]);
  open = await demo(false);
});

test("result.json names the principal from the token's claims, never the token", () => {
  expect(restricted.result.principal).toEqual({
    known: true,
    claims: {
      tid: TENANT,
      oid: SIMULATOR_PRINCIPAL_ID,
      appid: SIMULATOR_APP_ID,
      idtyp: "app",
      iss: `https://sts.windows.net/${TENANT}/`,
    },
  });
  // No JWT (three base64url parts starting with a JSON header) anywhere in the pack's result.
  expect(readFileSync(join(restricted.out, "result.json"), "utf8")).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
});

test("each resource group holding an HSM: granted, the missing read named, or unknown with the cause", () => {
  const access = restricted.result.readAccess!;
  expect(access.map((a) => [a.resourceGroup, a.access, a.missing ?? []])).toEqual([
    ["rg-open", "granted", []],
    ["rg-refused", "unknown", []],
    ["rg-restricted", "missing", [SETTINGS]],
  ]);
  expect(access.find((a) => a.resourceGroup === "rg-refused")!.reason).toMatch(/HTTP 403/);
  // Every answer is evidence of the scan, as every other read.
  const ids = new Set(restricted.result.evidence.map((e) => e.id));
  for (const a of access) {
    expect(a.evidence.length).toBeGreaterThan(0);
    for (const id of a.evidence) expect(ids.has(id)).toBe(true);
  }
  expect(
    restricted.result.evidence.some((e) =>
      /\/resourceGroups\/rg-open\/providers\/Microsoft\.Authorization\/permissions/i.test(e.url),
    ),
  ).toBe(true);
  // The unrestricted estate (the simulator's default `*/read`) grants every group.
  expect(open.result.readAccess!.every((a) => a.access === "granted")).toBe(true);
});

test("the gap changes no verdict: the findings are those of the unrestricted estate", () => {
  expect(verdicts(restricted.result)).toEqual(verdicts(open.result));
  expect(restricted.run.code).toBe(open.run.code);
});

test("the PDF's scope page, the HTML and summary.md name who ran it and the gap", async () => {
  const gap = `resource group rg-restricted lacks ${SETTINGS}`;
  const html = readFileSync(join(restricted.out, "report.html"), "utf8");
  expect(html).toContain(`Run by: app id ${SIMULATOR_APP_ID} (object id ${SIMULATOR_PRINCIPAL_ID}, tenant ${TENANT})`);
  expect(html).toContain(gap);
  expect(readFileSync(join(restricted.out, "summary.md"), "utf8")).toContain(gap);
  const pdf = squeezed(await readPdf(join(restricted.out, "report.pdf")));
  expect(pdf).toContain(`Runby:appid${SIMULATOR_APP_ID}`);
  expect(pdf).toContain(gap.replace(/\s+/g, ""));
  expect(squeezed(await readPdf(join(open.out, "report.pdf")))).toContain(
    "couldreadeveryresourcegroupholdinganHSM(3).",
  );
});

test("verify checks each group's permissions against the answer kept: a fact edited to grant all is caught", async () => {
  const key = join(restricted.out, "signing-key.pub.pem");
  const verified = await runMain(["verify", restricted.out, "--key", key], restricted.out);
  expect(verified.stdout).toMatch(/facts: \d+ facts are what their bodies say/);
  expect(verified.code).toBe(0);
  const copy = join(tempDir("hsm-audit-access-tampered-"), "pack");
  cpSync(restricted.out, copy, { recursive: true });
  const file = join(copy, "snapshot.json");
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const index = snapshot.permissions!.findIndex((p) => p.resourceGroup === "rg-restricted");
  (snapshot.permissions![index]!.result as { value: unknown }).value = {
    permissions: [{ actions: ["*"], notActions: [] }],
  };
  writeFileSync(file, JSON.stringify(snapshot));
  const tampered = await runMain(["verify", copy, "--key", key], copy);
  expect(tampered.code).toBe(1);
  expect(tampered.stdout + tampered.stderr).toContain(`permissions[${index}].result`);
});
