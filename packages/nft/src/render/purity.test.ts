// render/ is pure: it may import only @microseg/core and its own files (no node:*, no I/O).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("render purity", () => {
  it("imports nothing but @microseg/core and relative files", () => {
    const dir = new URL(".", import.meta.url).pathname;
    const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    for (const file of sources) {
      const text = readFileSync(dir + file, "utf8");
      for (const [, spec] of text.matchAll(/from\s+"([^"]+)"/g)) {
        expect(spec === "@microseg/core" || spec?.startsWith("./"), `${file}: ${spec}`).toBe(true);
      }
    }
  });
});
