import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** A rule for the files of one room of src/: relative imports of the rooms named in `forbidden` are errors. */
function layer(files, forbidden) {
  const room = files.split("/")[1];
  return [
    {
      files: [files],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: forbidden.map((name) => ({
              regex: `^(\\.\\./)+${name}(/|\\.js$)`,
              message: `src/${room} may not import src/${name.replace(/\(.*/, "")} (docs/architecture.md: what each room may import).`,
            })),
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "node_modules/", ".tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        performance: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  // The rooms of src/ and what each may import (docs/architecture.md). A relative import that climbs out of a room
  // into one it may not use is an error; cli and simulator may import anything, and nothing else imports them.
  ...layer("src/util/**", ["domain", "model", "azure", "engine", "report", "pack", "cli", "simulator", "version"]),
  ...layer("src/domain/**", ["model", "azure", "engine", "report", "pack", "cli", "simulator", "version"]),
  ...layer("src/model/**", ["azure", "engine", "report", "pack", "cli", "simulator"]),
  ...layer("src/azure/**", ["engine", "report", "pack", "cli", "simulator"]),
  ...layer("src/engine/**", ["azure", "report", "pack", "cli", "simulator"]),
  // The report checks a result's totals with the engine's own summary: evaluate.js is the one engine module it uses.
  ...layer("src/report/**", ["azure", "pack", "cli", "simulator", "engine(?!/evaluate\\.js$)"]),
  // The signed evidence pack: manifest, signing and verifying; above the report, the engine and the collectors.
  ...layer("src/pack/**", ["cli", "simulator"]),
  {
    // CommonJS files of the tooling (jest's test sequencer).
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The report's own filter script runs in the reader's browser.
    files: ["report-templates/**/*.js"],
    languageOptions: { sourceType: "script", globals: { document: "readonly" } },
  },
);
