// collect()'s options, refused before anything is read: a library caller's mistake is an error, never a scan that
// quietly drops part of what it was given.
import { collect } from "../../src/azure/collect.js";
import type { SshAppliance } from "../../src/azure/luna/ssh.js";
import type { ApplianceIndex } from "../../src/azure/luna/evidence-dir.js";

test("saved appliance transcripts and appliances over SSH together are refused, before any request", async () => {
  let asked = 0;
  const credential = {
    getToken: () => {
      asked++;
      return Promise.resolve({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
  await expect(
    collect({
      credential,
      cloud: "AzureCloud",
      armEndpoint: "https://127.0.0.1:9",
      logsEndpoint: "https://127.0.0.1:9",
      logWindowMs: 86_400_000,
      applianceEvidence: { directory: "/nonexistent", appliances: [] } as unknown as ApplianceIndex,
      applianceSsh: [] as unknown as SshAppliance[],
    }),
  ).rejects.toThrow("applianceEvidence (saved transcripts) and applianceSsh cannot both be given");
  expect(asked).toBe(0);
});
