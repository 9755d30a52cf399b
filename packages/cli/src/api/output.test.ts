// Output helpers: aligned tables, ages, key=value parsing.
import { describe, expect, it } from "vitest";
import { ago, labelsText, parsePairs, table } from "./output.js";

describe("output helpers", () => {
  it("pads every column but the last to its widest cell", () => {
    expect(
      table(
        ["A", "BB", "C"],
        [
          ["xxx", "y", "z z"],
          ["1", "22", ""],
        ],
      ),
    ).toBe("A    BB  C\nxxx  y   z z\n1    22\n");
  });

  it("says how long ago, in the largest sensible unit", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(ago(null, now)).toBe("never");
    expect(ago("2026-01-01T23:59:30Z", now)).toBe("30s ago");
    expect(ago("2026-01-01T23:50:00Z", now)).toBe("10m ago");
    expect(ago("2026-01-01T18:00:00Z", now)).toBe("6h ago");
    expect(ago("2025-12-26T00:00:00Z", now)).toBe("7d ago");
  });

  it("parses key=value (the value may contain '='), refuses anything else", () => {
    expect(parsePairs(["a=b", "c=d=e", "f="])).toEqual({ a: "b", c: "d=e", f: "" });
    expect(() => parsePairs(["=x"])).toThrow(/"=x" is not key=value/);
    expect(() => parsePairs(["x"])).toThrow(/"x" is not key=value/);
    expect(labelsText({})).toBe("-");
    expect(labelsText({ a: "1", b: "2" })).toBe("a=1,b=2");
  });
});
