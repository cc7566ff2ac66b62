import { createHash } from "node:crypto";
import type { Result } from "../../src/model/result.js";
import { renderJson, renderJsonBytes } from "../../src/report/json.js";
import { hostileResult, largeResult } from "./fixtures.js";

describe("result.json", () => {
  it("is two-space JSON with a final newline, line and paragraph separators escaped", () => {
    const result = { ...hostileResult(), runId: "line\u2028para\u2029end · … ✓" } as Result;
    const text = renderJson(result);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('"runId": "line\\u2028para\\u2029end · … ✓"');
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it("is encoded once: the bytes are the text's UTF-8 and the SHA-256 is theirs", () => {
    for (const result of [
      { ...hostileResult({ waivers: true }), runId: "para\u2029 · … ✓ 😀" } as Result,
      largeResult(12),
    ]) {
      const text = renderJson(result);
      const { bytes, sha256 } = renderJsonBytes(result);
      expect(bytes.equals(Buffer.from(text, "utf8"))).toBe(true);
      expect(sha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    }
  });
});
