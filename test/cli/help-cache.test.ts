// yargs lays out a command's whole help each time it runs the command; the CLI turns that off (withoutHelpCache in
// src/cli/main.ts). These tests lean on yargs' internals on purpose: when an upgrade changes them, they say so.
import yargs from "yargs";
import { withoutHelpCache } from "../../src/cli/main.js";

interface Usage {
  help(...args: unknown[]): string;
}

/** Runs the command `go` and counts how often the parser laid out a help text. */
async function helpLayouts(prepare: <T>(parser: T) => T, argv: string[]): Promise<{ layouts: number; output: string }> {
  const parser = prepare(yargs(argv));
  const usage = (parser as unknown as { getInternalMethods(): { getUsageInstance(): Usage } })
    .getInternalMethods()
    .getUsageInstance();
  let layouts = 0;
  const help = usage.help;
  usage.help = function (this: Usage, ...args: unknown[]) {
    layouts++;
    return help.apply(this, args);
  };
  let output = "";
  await parser
    .command(
      "go",
      "Goes",
      (y) => y.option("far", { type: "boolean", describe: "How far" }),
      () => undefined,
    )
    .strict()
    .help()
    .exitProcess(false)
    .parseAsync(argv, {}, (_error, _argv, text) => {
      output += text;
    });
  return { layouts, output };
}

test("a command runs without laying out its help", async () => {
  expect((await helpLayouts(withoutHelpCache, ["go", "--far"])).layouts).toBe(0);
  // The parser as it comes lays it out once: what is skipped.
  expect((await helpLayouts((p) => p, ["go", "--far"])).layouts).toBe(1);
});

test("--help still prints the command's help", async () => {
  const { layouts, output } = await helpLayouts(withoutHelpCache, ["go", "--help"]);
  expect(layouts).toBeGreaterThan(0);
  expect(output).toContain("--far");
  expect(output).toContain("How far");
});
