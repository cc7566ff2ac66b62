// TypeScript runs as native ESM under jest: ts-jest transpiles each file (types are checked by `npm run typecheck`),
// and node's VM modules load it (the test script passes --experimental-vm-modules).
import { availableParallelism } from "node:os";

/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json" }],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 30000,
  // The test simulators' certificates, made once for the run (test/helpers/shared-certificates.ts).
  globalSetup: "<rootDir>/test/helpers/global-setup.mjs",
  globalTeardown: "<rootDir>/test/helpers/global-teardown.mjs",
  // Half again as many workers as cores: jest's default keeps one core free (a single worker on a 2-core machine), while
  // the suite spends part of its time waiting on spawned CLIs, Chromium and loopback servers. On the 2-core CI machine,
  // idle, in the working tree: 256 s with two workers, 234 s with three, every test passing in both
  // (docs/benchmarks.md, "The test suite"). A number, not "150%": jest reads a percentage above 100 as a count.
  maxWorkers: Math.ceil(availableParallelism() * 1.5),
};
