// Writes docs/estate.schema.json from the schema the simulator validates estates with (run after `npm run build`).
import { writeFileSync } from "node:fs";
import { estateSchema } from "../dist/simulator/estate-schema.js";

const document = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "hsm-audit simulator estate",
  ...estateSchema,
};
writeFileSync(new URL("../docs/estate.schema.json", import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
