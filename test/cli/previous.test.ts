// Reading an earlier pack (`--previous DIR`, `diff OLD NEW`): every way a pack can be unusable is a usage error naming
// the file and what is wrong; the configuration's `previous` is relative to the file; the order of two packs is checked.
import { mkdirSync, writeFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { checkOrder, loadPack, loadPreviousPack, withChanges } from "../../src/cli/previous.js";
import { effectiveConfig, loadConfig } from "../../src/cli/config.js";
import { UsageError } from "../../src/cli/errors.js";
import { renderJson } from "../../src/report/json.js";
import { sampleResult } from "../helpers/results.js";
import { cleanUp, tempDir } from "../helpers/cli.js";
import { createHash } from "node:crypto";

afterAll(cleanUp);

const VALID = renderJson(sampleResult());

/** A pack directory holding `content` as its result.json (or nothing, for `undefined`). */
function pack(content: string | undefined): string {
  const dir = tempDir();
  if (content !== undefined) writeFileSync(join(dir, "result.json"), content);
  return dir;
}

describe("loadPack refuses what it cannot trust, naming it", () => {
  test.each<[string, () => string, boolean, RegExp]>([
    [
      "a path that does not exist",
      () => join(tempDir(), "nowhere"),
      true,
      /^OLD .*nowhere: cannot read it \(ENOENT\)$/,
    ],
    [
      "a directory without result.json",
      () => pack(undefined),
      true,
      /^OLD .*: holds no result.json; name the directory/,
    ],
    [
      "a file where a directory is needed",
      () => join(pack(VALID), "result.json"),
      false,
      /^OLD .*: is not a directory/,
    ],
    [
      "a result.json that is a directory",
      () => {
        const dir = tempDir();
        mkdirSync(join(dir, "result.json"));
        return dir;
      },
      true,
      /^OLD .*result\.json: is not a regular file$/,
    ],
    [
      "a result.json that is a named pipe",
      () => {
        const dir = tempDir();
        execFileSync("mkfifo", [join(dir, "result.json")]);
        return dir;
      },
      true,
      /^OLD .*result\.json: is not a regular file$/,
    ],
    ["a result.json that is not JSON", () => pack("{ nope"), true, /^OLD .*result\.json: not valid JSON \(/],
    ["a snapshot given for a result", () => pack('{"schemaVersion":1}'), true, /not an hsm-audit result\.json: /],
    [
      "a result whose summary its findings do not earn",
      () => pack(VALID.replace(/"fail": (\d+)/, (_m, n: string) => `"fail": ${Number(n) + 1}`)),
      true,
      /summary\.fail is \d+ but its findings make it \d+: the file was edited or damaged, so it is not compared$/,
    ],
    [
      "a result with a date that does not exist",
      () => pack(VALID.replace('"startedAt": "2026-11-01T10:00:00.000Z"', '"startedAt": "2026-02-30T10:00:00.000Z"')),
      true,
      /startedAt: '2026-02-30T10:00:00.000Z' is not a real instant/,
    ],
  ])("%s", (_name, path, allowFile, message) => {
    let error: unknown;
    try {
      loadPack("OLD", path(), { allowFile });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  test("a valid pack, by its directory or its file (through a symlink too), with the digest of the bytes read", () => {
    const dir = pack(VALID);
    const digest = createHash("sha256").update(VALID).digest("hex");
    expect(loadPack("OLD", dir, { allowFile: false }).sha256).toBe(digest);
    expect(loadPack("OLD", join(dir, "result.json"), { allowFile: true }).sha256).toBe(digest);
    const link = join(tempDir(), "latest");
    symlinkSync(dir, link);
    expect(loadPreviousPack(link).result.runId).toBe(sampleResult().runId);
  });

  test("--previous takes the pack's directory, not its result.json", () => {
    expect(() => loadPreviousPack(join(pack(VALID), "result.json"))).toThrow(/^--previous .*: is not a directory/);
  });
});

describe("the order of two packs", () => {
  test.each<[string, string, boolean]>([
    ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z", true],
    ["2026-11-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z", true],
    ["2026-11-01T00:00:00.001Z", "2026-11-01T00:00:00.000Z", false],
  ])("previous %s, this %s: accepted %s", (previous, current, accepted) => {
    const check = () => checkOrder({ label: "OLD", startedAt: previous }, { label: "NEW", startedAt: current });
    if (accepted) expect(check).not.toThrow();
    else expect(check).toThrow(`OLD was run at ${previous}, after NEW (${current}): name the older pack`);
  });

  test("withChanges adds changes last and changes no verdict", () => {
    const current = sampleResult();
    const previous = { ...loadPack("OLD", pack(VALID), { allowFile: false }) };
    const result = withChanges(current, previous);
    expect(Object.keys(result).pop()).toBe("changes");
    const { changes, ...rest } = result;
    expect(rest).toEqual(current);
    expect(changes!.findings).toEqual([]);
  });
});

describe("the configuration's previous", () => {
  test("is relative to the configuration file; a flag beats it", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "ci"));
    writeFileSync(join(dir, "ci", "hsm-audit.yaml"), "previous: packs/2026-10\n");
    const config = loadConfig(join(dir, "ci", "hsm-audit.yaml"));
    expect(effectiveConfig(config, {}, "out").previous).toEqual({
      value: join(dir, "ci", "packs/2026-10"),
      source: join(dir, "ci", "hsm-audit.yaml"),
    });
    expect(effectiveConfig(config, { previous: "other" }, "out").previous).toEqual({ value: "other", source: "flag" });
    expect(effectiveConfig(undefined, {}, "out").previous.value).toBeUndefined();
  });

  test("an empty previous is refused with the file and line", () => {
    const file = join(tempDir(), "hsm-audit.yaml");
    writeFileSync(file, "failOn: high\nprevious: ''\n");
    expect(() => loadConfig(file)).toThrow(new RegExp(`invalid configuration: ${file}:2: `));
  });
});
