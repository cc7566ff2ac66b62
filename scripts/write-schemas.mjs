// Writes the JSON schemas the tool validates with into docs/, for editors and other tools (run after `npm run build`):
// the simulator's estate, the snapshot (scan --snapshot-out) and result.json. Tests fail until they are current.
import { writeFileSync } from "node:fs";
import { estateSchema } from "../dist/simulator/estate-schema.js";
import { RESULT_SCHEMA, SNAPSHOT_SCHEMA } from "../dist/model/schemas.js";

const write = (name, document) =>
  writeFileSync(new URL(`../docs/${name}`, import.meta.url), `${JSON.stringify(document, null, 2)}\n`);

write("estate.schema.json", {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "hsm-audit simulator estate",
  ...estateSchema,
});
write("snapshot.schema.json", SNAPSHOT_SCHEMA);
write("result.schema.json", RESULT_SCHEMA);
