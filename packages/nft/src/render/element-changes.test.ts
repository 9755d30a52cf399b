import { describe, expect, it } from "vitest";
import { elementChanges } from "./render-delta.js";

function naive(old: string[], now: string[]): [string[], string[]] {
  const o = new Set(old);
  const n = new Set(now);
  return [old.filter((x) => !n.has(x)), now.filter((x) => !o.has(x))];
}

describe("elementChanges", () => {
  it("finds a single replaced element in the middle", () => {
    expect(elementChanges(["a", "b", "c", "d"], ["a", "b", "x", "d"])).toEqual([["c"], ["x"]]);
  });

  it("handles insertions and removals at either end", () => {
    expect(elementChanges(["b", "c"], ["a", "b", "c", "d"])).toEqual([[], ["a", "d"]]);
    expect(elementChanges(["a", "b", "c"], [])).toEqual([["a", "b", "c"], []]);
    expect(elementChanges([], ["a"])).toEqual([[], ["a"]]);
  });

  it("agrees with a plain set difference on random edits", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const old = [...new Set(Array.from({ length: rand(40) }, () => `e${rand(60)}`))];
      const now = old.filter(() => rand(5) !== 0);
      for (let k = rand(4); k > 0; k--) now.splice(rand(now.length + 1), 0, `n${rand(60)}`);
      const unique = [...new Set(now)];
      const [removed, added] = elementChanges(old, unique);
      const [r2, a2] = naive(old, unique);
      expect(removed.sort()).toEqual(r2.sort());
      expect(added.sort()).toEqual(a2.sort());
    }
  });
});
