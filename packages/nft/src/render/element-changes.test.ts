import { describe, expect, it } from "vitest";
import { elementChanges, fewEdits } from "./render-delta.js";

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

describe("fewEdits", () => {
  it("finds a removal near the head and an addition near the tail of a long list", () => {
    const old = Array.from({ length: 1000 }, (_, i) => `e${String(i).padStart(4, "0")}`);
    const now = [...old.slice(1, 700), "new", ...old.slice(700)];
    expect(fewEdits(old, now, 8)).toEqual([["e0000"], ["new"]]);
    expect(elementChanges(old, now)).toEqual([["e0000"], ["new"]]);
  });

  it("gives up past its limit (the caller then hashes)", () => {
    expect(fewEdits(["a", "b", "c"], ["x", "y", "z"], 2)).toBeUndefined();
    expect(fewEdits(["a", "b", "c"], ["x", "y", "z"], 6)).toEqual([
      ["a", "b", "c"],
      ["x", "y", "z"],
    ]);
  });

  it("agrees with a plain set difference on random edits within and past the limit", () => {
    let seed = 3;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const old = [...new Set(Array.from({ length: rand(50) }, () => `e${rand(80)}`))];
      const now = old.filter(() => rand(6) !== 0);
      for (let k = rand(5); k > 0; k--) now.splice(rand(now.length + 1), 0, `n${rand(80)}`);
      const unique = [...new Set(now)];
      const got = fewEdits(old, unique, 1 + rand(20));
      if (got === undefined) continue;
      const [r2, a2] = naive(old, unique);
      expect([...got[0]].sort()).toEqual(r2.sort());
      expect([...got[1]].sort()).toEqual(a2.sort());
    }
  });
});
