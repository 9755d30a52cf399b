import { describe, expect, it } from "vitest";
import { hash64 } from "./hash.js";

describe("hash64 (FNV-1a 64)", () => {
  it("matches the reference vectors", () => {
    expect(hash64("")).toBe("cbf29ce484222325");
    expect(hash64("a")).toBe("af63dc4c8601ec8c");
    expect(hash64("foobar")).toBe("85944171f73967e8");
  });
  it("is deterministic and sensitive to every character", () => {
    expect(hash64("microseg")).toBe(hash64("microseg"));
    expect(hash64("microseg")).not.toBe(hash64("microsef"));
    expect(hash64("ab")).not.toBe(hash64("ba"));
  });
});
