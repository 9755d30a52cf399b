import { fakeClock } from "@microseg/store/testing";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { startFlowRetention } from "./retention.js";

const H = 3_600_000;

describe("flow retention", () => {
  it("prunes buckets older than the retention at start and on its timer", async () => {
    const clock = fakeClock("2026-03-01T12:00:00.000Z");
    const now = clock.now().getTime();
    const t = await testController({ clock: clock.now, settings: { flowRetentionMs: 24 * H } });
    const edge = (bucket: number) => ({
      bucket,
      from: "a",
      fromKind: "workload" as const,
      to: "b",
      toKind: "workload" as const,
      port: "tcp/1",
      verdict: "allowed" as const,
      rule: null,
      count: 1,
      packets: 0,
      bytes: 0,
      first: bucket,
      last: bucket + 1,
    });
    await t.store.flows.applyBatch("x", 1, [edge(now - 48 * H), edge(now - 20 * H), edge(now - H)]);
    const stop = startFlowRetention(t.ctx, 20);
    try {
      await expect.poll(async () => (await t.store.flows.stats()).rows).toBe(2);
      clock.advance(5 * H); // the -20 h bucket is now past a day old
      await expect.poll(async () => (await t.store.flows.stats()).rows).toBe(1);
    } finally {
      stop();
    }
  });
});
