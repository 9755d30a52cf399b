// The seen-id set: only unseen ids are recovered, a late NEW of a recovered id is a duplicate,
// DESTROY forgets, ids older than the window are pruned, and the size is capped.

import { describe, expect, it } from "vitest";
import { SeenIds } from "./seen-ids.js";

describe("SeenIds", () => {
  it("recovers only ids whose NEW was not seen, once", () => {
    const seen = new SeenIds();
    expect(seen.noteNew(1, 0)).toBe("new");
    expect(seen.recover(1, 10)).toBe(false);
    expect(seen.recover(2, 10)).toBe(true);
    expect(seen.recover(2, 20)).toBe(false);
  });

  it("calls a NEW for a recovered id a duplicate, once", () => {
    const seen = new SeenIds();
    seen.recover(5, 0);
    expect(seen.noteNew(5, 1)).toBe("duplicate");
    expect(seen.noteNew(5, 2)).toBe("new"); // an id reused by a later entry
  });

  it("forgets an id on DESTROY, so a later entry with that id is recoverable", () => {
    const seen = new SeenIds();
    seen.noteNew(7, 0);
    seen.forget(7);
    expect(seen.has(7)).toBe(false);
    expect(seen.recover(7, 1)).toBe(true);
  });

  it("prunes ids older than the window, oldest first", () => {
    const seen = new SeenIds({ maxAgeMs: 1000 });
    seen.noteNew(1, 0);
    seen.noteNew(2, 500);
    seen.recover(3, 900);
    seen.prune(1200);
    expect([seen.has(1), seen.has(2), seen.has(3)]).toEqual([false, true, true]);
    seen.prune(2000);
    expect(seen.size).toBe(0);
  });

  it("touch() answers whether an id is known and refreshes it", () => {
    const seen = new SeenIds({ maxAgeMs: 1000 });
    seen.noteNew(1, 0);
    seen.noteNew(2, 100);
    expect(seen.touch(1, 900)).toBe(true);
    expect(seen.touch(3, 900)).toBe(false);
    expect(seen.has(3)).toBe(false);
    seen.prune(1500);
    expect([seen.has(1), seen.has(2)]).toEqual([true, false]);
  });

  it("keeps an id a dump lists again (the entry still lives)", () => {
    const seen = new SeenIds({ maxAgeMs: 1000 });
    seen.noteNew(1, 0);
    seen.noteNew(2, 100);
    expect(seen.recover(1, 900)).toBe(false);
    seen.prune(1500);
    expect([seen.has(1), seen.has(2)]).toEqual([true, false]);
  });

  it("keeps at most maxIds, evicting the oldest", () => {
    const seen = new SeenIds({ maxIds: 3 });
    for (let id = 1; id <= 10; id++) seen.noteNew(id, id);
    expect(seen.size).toBe(3);
    expect([8, 9, 10].every((id) => seen.has(id))).toBe(true);
    expect(seen.has(7)).toBe(false);
  });
});
