import { openMemoryStore } from "@microseg/store";
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

  it("rejects every batch of a failed transaction", async () => {
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
