// The PDF's typesetter reaches into pdfkit's private parts (src/report/pdf/typesetter.ts lists them); only it may.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PDFKIT_CHECKED } from "../../src/report/pdf/typesetter.js";

/** The installed pdfkit's package.json (its exports do not list it, so it is read from node_modules). */
const PDFKIT_PACKAGE = fileURLToPath(new URL("../../node_modules/pdfkit/package.json", import.meta.url));
const PDF_DIR = fileURLToPath(new URL("../../src/report/pdf", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("the PDF typesetter and pdfkit", () => {
  it("runs on the pdfkit version whose private parts it was checked against", () => {
    const installed = (
      JSON.parse(readFileSync(PDFKIT_PACKAGE, "utf8")) as {
        version: string;
      }
    ).version;
    if (installed !== PDFKIT_CHECKED) {
      throw new Error(
        `pdfkit is ${installed}, but src/report/pdf/typesetter.ts was checked against pdfkit ${PDFKIT_CHECKED}: ` +
          "re-check each private part its header lists (doc._font and the embedded font's fields, a page's fonts, " +
          "xobjects and content stream) against the new version's source, render the demo pack and read it, then " +
          "set PDFKIT_CHECKED to the new version.",
      );
    }
    expect(installed).toBe(PDFKIT_CHECKED);
  });

  it("is the only module of the PDF renderer that touches pdfkit's private parts", () => {
    const files = sources(PDF_DIR);
    expect(files.map((f) => f.slice(PDF_DIR.length + 1)).sort()).toEqual(
      expect.arrayContaining(["index.ts", "layout.ts", "typesetter.ts", join("sections", "hsm.ts")]),
    );
    const privateUse = /\._font\b|\.xobjects\b|\.content\b|as unknown as/;
    const touching = files
      .filter((f) => privateUse.test(readFileSync(f, "utf8")))
      .map((f) => f.slice(PDF_DIR.length + 1));
    expect(touching).toEqual(["typesetter.ts"]);
  });
});
