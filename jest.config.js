// TypeScript runs as native ESM under jest: ts-jest transpiles each file (types are checked by `npm run typecheck`),
// and node's VM modules load it (the test script passes --experimental-vm-modules).
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
  // The longest files first, also on a machine with no timings of its own (test/helpers/sequencer.cjs).
  testSequencer: "<rootDir>/test/helpers/sequencer.cjs",
  // The test simulators' certificates, made once for the run (test/helpers/shared-certificates.ts).
  globalSetup: "<rootDir>/test/helpers/global-setup.mjs",
  globalTeardown: "<rootDir>/test/helpers/global-teardown.mjs",
  // One worker per core: jest's default keeps one core free (a single worker on a 2-core machine), while the suite
  // spends part of its time waiting on spawned CLIs and loopback servers. On the 2-core CI machine, idle, from a fresh
  // clone: 762 s with one worker, 475 s with two (2026-12-04); three gained in the working tree (234 s against 256 s)
  // but not from a fresh clone (253 s against 250 s), so two it stays (docs/benchmarks.md, "The test suite").
  maxWorkers: "100%",
};
