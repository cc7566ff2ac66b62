#!/usr/bin/env node
// `hsm-audit --version` alone is answered here, from package.json, as the full CLI would: nothing else is loaded.
// Every other command loads the CLI, which loads only what that command needs, from its bundle (scripts/bundle-cli.mjs).
import { readFileSync } from "node:fs";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  const { main } = await import("../dist/bundle/main.js");
  process.exitCode = await main(argv);
}
