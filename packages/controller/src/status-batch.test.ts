import type { AgentReport, AgentReportResult } from "@microseg/store";
import { describe, expect, it } from "vitest";
import { StatusBatcher } from "./status-batch.js";

const at = new Date("2026-01-01T00:00:00Z");

function fakeRepo(fail: boolean | string = false) {
  const calls: AgentReport[][] = [];
  return {
    calls,
    async reportMany(reports: readonly AgentReport[]): Promise<AgentReportResult[]> {
      calls.push([...reports]);
      if (fail === true || reports.some((r) => r.id === fail)) throw new Error("disk full");
      return reports.map((r) =>
        r.id === "gone"
          ? { ok: false, reason: "revoked" }
          : ({ ok: true, agent: { id: r.id } } as never),
      );
    },
  };
}

describe("status batcher", () => {
  it("writes the reports of one window in one call, in order, each answered with its result", async () => {
    const repo = fakeRepo();
    const b = new StatusBatcher(repo, 5);
    const answers = await Promise.all(["a", "gone", "b", "a"].map((id) => b.report(id, { at })));
    expect(repo.calls.map((c) => c.map((r) => r.id))).toEqual([["a", "gone", "b", "a"]]);
    expect(answers.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["ok", "revoked", "ok", "ok"]);
    await b.report("c", { at });
    expect(repo.calls).toHaveLength(2);
  });

  it("answers nobody before the write; a write that keeps failing rejects its reports", async () => {
    const repo = fakeRepo(true);
    const b = new StatusBatcher(repo, 1000);
    let settled = 0;
    const p = [b.report("a", { at }), b.report("b", { at })].map((x) =>
      x.finally(() => {
        settled++;
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(0);
    await b.flush();
    for (const x of p) await expect(x).rejects.toThrow(/disk full/);
    // The group, then each report alone.
    expect(repo.calls.map((c) => c.map((r) => r.id))).toEqual([["a", "b"], ["a"], ["b"]]);
  });

  it("writes again report by report when the group fails: only the failing one rejects", async () => {
    const repo = fakeRepo("bad");
    const b = new StatusBatcher(repo, 5);
    const results = await Promise.allSettled(["a", "bad", "b"].map((id) => b.report(id, { at })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(repo.calls.map((c) => c.map((r) => r.id))).toEqual([
      ["a", "bad", "b"],
      ["a"],
      ["bad"],
      ["b"],
    ]);
  });
});
