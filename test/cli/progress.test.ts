// Progress: counted by the scan as it goes, drawn on a terminal only, in one line redrawn in place.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jest } from "@jest/globals";
import type { ScanProgress } from "../../src/azure/progress.js";
import { progressLine, terminalProgress } from "../../src/cli/progress.js";
import { collectFrom, startTestSimulator } from "../helpers/simulator.js";
import { BIN, cleanUp, runCli, tempDir } from "../helpers/cli.js";

jest.setTimeout(120_000);
afterAll(cleanUp);

const state = (over: Partial<ScanProgress> = {}): ScanProgress => ({
  stage: "reading",
  subscriptions: { done: 1, total: 4 },
  hsms: { done: 3, total: 12 },
  queries: { done: 0, total: 0 },
  ...over,
});

describe("the progress line", () => {
  test("says subscriptions and HSMs done out of total, and queries once there are some", () => {
    expect(progressLine(state())).toBe("hsm-audit: 1/4 subscriptions · 3/12 HSMs · reading");
    expect(progressLine(state({ queries: { done: 5, total: 21 }, stage: "asking" }))).toBe(
      "hsm-audit: 1/4 subscriptions · 3/12 HSMs · 5/21 log queries · asking",
    );
  });

  test("is redrawn in place at most every 100 ms, and the last state is drawn at the end with a newline", () => {
    let now = 0;
    const written: string[] = [];
    const view = terminalProgress({ write: (t: string) => written.push(t), columns: 200 }, () => now);
    view.update(state({ hsms: { done: 1, total: 12 } }));
    now = 50;
    view.update(state({ hsms: { done: 2, total: 12 } }));
    now = 120;
    view.update(state({ hsms: { done: 3, total: 12 } }));
    now = 130;
    view.update(state({ hsms: { done: 12, total: 12 } }));
    view.finish();
    expect(written).toEqual([
      "\r\x1b[K" + progressLine(state({ hsms: { done: 1, total: 12 } })),
      "\r\x1b[K" + progressLine(state({ hsms: { done: 3, total: 12 } })),
      "\r\x1b[K" + progressLine(state({ hsms: { done: 12, total: 12 } })),
      "\n",
    ]);
  });

  test("a narrow terminal gets the line cut to its width; nothing at all is written when nothing happened", () => {
    const written: string[] = [];
    const view = terminalProgress({ write: (t: string) => written.push(t), columns: 30 }, () => 0);
    view.update(state());
    expect(written[0]!.replace("\r\x1b[K", "")).toHaveLength(29);
    const silent: string[] = [];
    terminalProgress({ write: (t: string) => silent.push(t) }).finish();
    expect(silent).toEqual([]);
  });
});

describe("the scan counts its progress", () => {
  test("on the demo estate: every count only grows, never passes its total, and ends complete", async () => {
    const t = await startTestSimulator();
    const seen: ScanProgress[] = [];
    try {
      await collectFrom(t, { onProgress: (p) => seen.push(structuredClone(p)) });
    } finally {
      await t.close();
    }
    const last = seen.at(-1)!;
    // Contoso: 4 subscriptions, 12 HSMs, and 3 workspaces that receive audit logs, asked 7 questions in one go.
    expect(last.subscriptions).toEqual({ done: 4, total: 4 });
    expect(last.hsms).toEqual({ done: 12, total: 12 });
    expect(last.queries).toEqual({ done: 7, total: 7 });
    for (const [i, p] of seen.entries()) {
      for (const key of ["subscriptions", "hsms", "queries"] as const) {
        expect(p[key].done).toBeLessThanOrEqual(p[key].total);
        if (i > 0) expect(p[key].done).toBeGreaterThanOrEqual(seen[i - 1]![key].done);
      }
    }
    expect(seen.some((p) => p.hsms.done > 0 && p.hsms.done < 12)).toBe(true);
  });
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("the CLI", () => {
  test("draws progress on a terminal (a pseudo-terminal from script(1))", () => {
    expect(hasScript).toBe(true);
    const dir = tempDir();
    const typescript = join(dir, "typescript");
    const run = spawnSync("script", ["-qec", `${process.execPath} ${BIN} demo --out ${join(dir, "out")}`, typescript], {
      encoding: "utf8",
      timeout: 110_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(run.status).toBe(1); // the demo estate breaks policies on purpose
    const screen = readFileSync(typescript, "utf8");
    expect(screen).toContain("\r\x1b[Khsm-audit: 4/4 subscriptions · 12/12 HSMs · 7/7 log queries");
  });

  test("draws none into a pipe or a CI log", async () => {
    const run = await runCli(["demo", "--out", join(tempDir(), "out")]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("subscriptions ·");
    expect(run.stdout).not.toContain("subscriptions ·");
  });
});
