// writeOutputs and the files of an earlier run: a run that signs nothing removes a manifest, snapshot or recorded
// evaluation another run left in the directory (a manifest must never vouch for files it did not see), but never the
// snapshot this very run read or wrote there (--snapshot-out OUT/snapshot.json, evaluate --snapshot OUT/snapshot.json).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeOutputs } from "../../src/report/outputs.js";
import { sampleResult } from "../helpers/results.js";
import { cleanUp, tempDir } from "../helpers/cli.js";

afterAll(cleanUp);

function earlierPack(): string {
  const out = join(tempDir(), "out");
  mkdirSync(out);
  for (const name of ["manifest.sigstore.json", "snapshot.json", "evaluation.json"]) {
    writeFileSync(join(out, name), `{"left by": "an earlier run", "file": "${name}"}\n`);
  }
  return out;
}

test.each([
  ["no snapshot of this run", undefined, []],
  ["this run's snapshot in the directory", "snapshot.json", ["snapshot.json"]],
  ["this run's snapshot elsewhere", "../elsewhere.json", []],
])("%s: the earlier pack's files are removed, but for this run's own", async (_name, snapshot, kept) => {
  const out = earlierPack();
  const snapshotFile = snapshot === undefined ? undefined : join(out, snapshot);
  await writeOutputs(sampleResult(), out, ["json"], snapshotFile ? { snapshotFile } : {});
  const left = ["manifest.sigstore.json", "snapshot.json", "evaluation.json"].filter((f) => existsSync(join(out, f)));
  expect(left).toEqual(kept);
  for (const f of left) expect(readFileSync(join(out, f), "utf8")).toContain("an earlier run");
  expect(existsSync(join(out, "result.json"))).toBe(true);
});
