import { openMemoryStore } from "@microseg/store/memory";
import { describe, expect, it } from "vitest";
import { FlowCommits } from "./flow-commits.js";

describe("FlowCommits", () => {
  it("applies the batches of one event-loop turn in one transaction, answering each", async () => {
    const store = openMemoryStore();
    const calls: number[] = [];
    const commits = new FlowCommits({
      applyBatches: (batches) => {
        calls.push(batches.length);
        return store.flows.applyBatches(batches);
      },
    });
    const answers = await Promise.all([
      commits.apply("a1", 1, []),
      commits.apply("a2", 1, []),
      commits.apply("a1", 1, []),
    ]);
    expect(answers).toEqual([{ duplicate: false }, { duplicate: false }, { duplicate: true }]);
    expect(calls).toEqual([3]);
    expect(await commits.apply("a1", 2, [])).toEqual({ duplicate: false });
    expect(calls).toEqual([3, 1]);
  });

  it("applies the batches of a failed transaction one by one: only a failing one rejects", async () => {
    const store = openMemoryStore();
    const calls: string[][] = [];
    const commits = new FlowCommits({
      applyBatches: (batches) => {
        calls.push(batches.map((b) => b.agentId));
        if (batches.some((b) => b.agentId === "bad")) throw new Error("cannot store REAL value");
        return store.flows.applyBatches(batches);
      },
    });
    const results = await Promise.allSettled([
      commits.apply("a1", 1, []),
      commits.apply("bad", 1, []),
      commits.apply("a2", 1, []),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(calls).toEqual([["a1", "bad", "a2"], ["a1"], ["bad"], ["a2"]]);
    expect(await commits.apply("a1", 1, [])).toEqual({ duplicate: true });
  });

  it("rejects every batch of a transaction that keeps failing", async () => {
    const commits = new FlowCommits({
      applyBatches: async () => {
        throw new Error("disk full");
      },
    });
    const results = await Promise.allSettled([
      commits.apply("a1", 1, []),
      commits.apply("a2", 1, []),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});
