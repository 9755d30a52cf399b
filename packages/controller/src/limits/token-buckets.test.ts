import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./token-buckets.js";

describe("TokenBuckets", () => {
  it("lets a burst through, then refuses until the debt is refilled", () => {
    let now = 0;
    const b = new TokenBuckets(2, 3, 10, () => now);
    for (let i = 0; i < 3; i++) {
      expect(b.waitSeconds("a")).toBe(0);
      b.take("a", 1);
    }
    expect(b.waitSeconds("a")).toBe(1);
    expect(b.waitSeconds("b")).toBe(0); // keys are apart
    now = 400; // +0.8 tokens
    expect(b.waitSeconds("a")).toBe(1);
    now = 500; // +1 token
    expect(b.waitSeconds("a")).toBe(0);
  });

  it("lets one request overshoot by its cost and says how long the debt takes", () => {
    let now = 0;
    const b = new TokenBuckets(100, 100, 10, () => now);
    b.take("a", 550); // balance -450: 4.51 s until one token
    expect(b.waitSeconds("a")).toBe(5);
    now = 4500;
    expect(b.waitSeconds("a")).toBe(1);
    now = 4510;
    expect(b.waitSeconds("a")).toBe(0);
  });

  it("forgets the least recently used key beyond maxKeys", () => {
    const b = new TokenBuckets(1, 1, 2, () => 0);
    b.take("a", 1);
    b.take("b", 1);
    b.take("a", 0);
    b.take("c", 1); // forgets b, not a
    expect(b.size).toBe(2);
    expect(b.waitSeconds("a")).toBe(1);
    expect(b.waitSeconds("b")).toBe(0);
  });
});
