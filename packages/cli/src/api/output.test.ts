// Output helpers: aligned tables, ages, key=value parsing, what reaches a terminal.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ago, jsonText, labelsText, parsePairs, shown, table, write, writeErr } from "./output.js";

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

describe("nothing a controller or a file sent acts on the terminal", () => {
  const BAD = "a\u001b[31m\nb\u202ec\u2028d\u009be\u007f";
  const SHOWN = "a\\x1b[31m\\nb\\u202ec\\u2028d\\x9be\\x7f";
  afterEach(() => vi.restoreAllMocks());

  it("shows one value on one line, table cells and labels included, aligned by what is shown", () => {
    expect(shown(BAD)).toBe(SHOWN);
    expect(table(["N", "M"], [[BAD, "x"]])).toBe(
      `N${" ".repeat(SHOWN.length + 1)}M\n${SHOWN}  x\n`,
    );
    expect(labelsText({ [BAD]: BAD })).toBe(`${SHOWN}=${SHOWN}`);
  });

  it("writes blocks with their newlines and tabs, and every other control character escaped", () => {
    let out = "";
    let err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((c) => {
      out += String(c);
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((c) => {
      err += String(c);
      return true;
    });
    write("x\ty\n\u001b[2J\r\u202e\n");
    writeErr("e\u001b]0;title\u0007\n");
    expect(out).toBe("x\ty\n\\x1b[2J\\r\\u202e\n");
    expect(err).toBe("e\\x1b]0;title\\x07\n");
  });

  it("keeps JSON JSON: the same value back, no raw control character in the text", () => {
    const value = { name: BAD, list: ["\u2066x\u2069"] };
    const text = jsonText(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain("\\u202e");
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u202e\u2066\u2069]/);
    expect(jsonText({ a: 1 }, 0)).toBe('{"a":1}');
  });
});
