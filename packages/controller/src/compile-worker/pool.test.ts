// The policy workers as real worker threads (started from these TypeScript sources): answers,
// errors crossing the thread, the time budget ending only the job's worker, two jobs at once,
// idle workers ending, close.
import { afterAll, describe, expect, it } from "vitest";
import { compileBomb } from "./hostile.test-helpers.js";
import { PolicyWorkers } from "./pool.js";

const EMPTY = { stored: [], quarantines: {} };
const SMALL = "rules:\n  - { name: r1, from: { role: a }, to: { role: b }, services: [tcp/80] }\n";

describe("policy workers", () => {
  const pool = new PolicyWorkers({ memoryMb: 256, size: 2 });
  afterAll(() => pool.close());

  it("checks a draft in a worker and answers its model and summary", async () => {
    const out = await pool.run("check", { text: SMALL, ...EMPTY }, 30_000);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.summary).toEqual({ rules: 1, ipLists: 0, workloads: 0 });
    expect(out.parsed).toMatchObject({ policy: { rules: [{ id: "r1" }] }, workloads: [] });
    expect(out.compiled).toMatchObject({ ruleSets: 0, entries: 0 });
  });

  it("answers invalid text as diagnostics and a job's own refusal as its code", async () => {
    const bad = await pool.run("check", { text: "rules: [\n", ...EMPTY }, 30_000);
    expect(bad.ok).toBe(false);
    const active = { policy: { rules: [], ipLists: {}, isolation: [] }, workloads: [] };
    await expect(
      pool.run("blast", { active, workload: "nope", hops: 3 }, 30_000),
    ).rejects.toMatchObject({
      code: "MSEG_API_NOT_FOUND",
      message: expect.stringMatching(/no workload "nope"/),
    });
  });

  it("ends the worker of a job over its time budget; the other worker and the next job go on", async () => {
    // Two warm workers.
    const job = () => pool.run("check", { text: SMALL, ...EMPTY }, 30_000);
    await Promise.all([job(), job()]);
    expect(pool.workers).toBe(2);
    const t0 = performance.now();
    const slow = pool.run("check", { text: compileBomb(1200, 1200), ...EMPTY }, 1500);
    const settled = Promise.allSettled([slow]);
    expect((await job()).ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1500);
    expect((await settled)[0]).toMatchObject({
      status: "rejected",
      reason: {
        code: "MSEG_POLICY_TOO_COMPLEX",
        details: { budget: "time", timeoutMs: 1500, flag: "--compile-timeout" },
      },
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(pool.workers).toBe(1);
    expect((await job()).ok).toBe(true);
  });

  it("ends idle workers, and refuses queued and later jobs once closed", async () => {
    const idle = new PolicyWorkers({ memoryMb: 256, size: 1, idleMs: 50 });
    await idle.run("check", { text: SMALL, ...EMPTY }, 30_000);
    expect(idle.workers).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(idle.workers).toBe(0);
    const running = idle.run("check", { text: compileBomb(), ...EMPTY }, 60_000);
    const queued = idle.run("check", { text: SMALL, ...EMPTY }, 60_000);
    const settled = Promise.allSettled([running, queued]);
    await idle.close();
    for (const r of await settled) {
      expect(r).toMatchObject({ status: "rejected", reason: { code: "MSEG_INTERNAL" } });
    }
    await expect(idle.run("check", { text: SMALL, ...EMPTY }, 1000)).rejects.toMatchObject({
      message: expect.stringMatching(/shutting down/),
    });
    expect(idle.workers).toBe(0);
  });
});
