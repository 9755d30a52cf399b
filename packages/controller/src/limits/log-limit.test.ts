import { describe, expect, it } from "vitest";
import { LogLimiter, shortReason } from "./log-limit.js";

describe("LogLimiter", () => {
  it("logs a key once per interval and says how many lines it held back", () => {
    let now = 0;
    const l = new LogLimiter(1000, 2, () => now);
    expect(l.admit("a")).toEqual({ log: true, suppressed: 0 });
    expect(l.admit("a").log).toBe(false);
    expect(l.admit("a")).toEqual({ log: false, suppressed: 2 });
    expect(l.admit("b").log).toBe(true);
    now = 1000;
    expect(l.admit("a")).toEqual({ log: true, suppressed: 2 });
    expect(l.admit("a").log).toBe(false);
  });

  it("remembers at most maxKeys keys", () => {
    const l = new LogLimiter(1000, 2, () => 0);
    l.admit("a");
    l.admit("b");
    l.admit("c"); // forgets a
    expect(l.admit("a").log).toBe(true);
    expect(l.admit("c").log).toBe(false);
  });

  it("reduces an error to its first line", () => {
    expect(shortReason(new Error("disk full\n    at x (y.js:1:1)"))).toBe("disk full");
    expect(shortReason("x".repeat(500))).toHaveLength(200);
  });
});
