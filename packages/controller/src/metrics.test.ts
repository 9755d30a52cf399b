// The controller's metrics follow the work: flow batches and records by outcome, policy push
// latency measured once per agent and revision, alerts raised by kind, the ingest commit timed.
import { describe, expect, it } from "vitest";
import { lab, OUTSIDE, rec } from "./flows/ingest.test-helpers.js";
import { PushTracker } from "./metrics.js";
import { sample } from "./metrics.test-helpers.js";

const DAY = 86_400_000;

describe("controller metrics", () => {
  it("count flow batches and records: applied, duplicate, rejected, stale", async () => {
    const { t, web, now, post } = await lab();
    const before = await t.ctx.metrics.text();
    // To an address outside the estate: web-1's own record is the one that counts.
    const fresh = rec({ 3: OUTSIDE }, now);
    const old = rec({ 3: OUTSIDE, 9: now - 40 * DAY, 10: now - 40 * DAY }, now);
    expect((await post(web.credential, 1, [fresh, fresh, old])).status).toBe(200);
    expect((await post(web.credential, 1, [fresh, fresh, old])).body.duplicate).toBe(true);
    expect((await post(web.credential, 2, [fresh, ["bad"]])).status).toBe(400);
    const after = await t.ctx.metrics.text();
    const grew = (name: string, outcome: string) =>
      sample(after, name, { outcome }) - sample(before, name, { outcome });
    expect(grew("microseg_flow_batches_total", "applied")).toBe(1);
    expect(grew("microseg_flow_batches_total", "duplicate")).toBe(1);
    expect(grew("microseg_flow_batches_total", "rejected")).toBe(1);
    expect(grew("microseg_flow_records_total", "accepted")).toBe(2);
    expect(grew("microseg_flow_records_total", "stale")).toBe(1);
    expect(grew("microseg_flow_records_total", "rejected")).toBe(2);
    const commits = (text: string) =>
      sample(text, "microseg_store_operation_duration_seconds_count", {
        operation: "flows.applyBatches",
      });
    expect(commits(after) - commits(before)).toBe(2);
  });

  it("observe push latency once per agent and revision, only for agents the revision changed", async () => {
    const { t, web, db } = await lab(); // revision 1 changed web-1's and db-1's RuleSets
    const ack = (credential: string, revision: number) =>
      t.call(
        "POST",
        "/api/v1/agent/status",
        { applied: { revision, rulesetHash: "h", ok: true, ms: 3 } },
        credential,
      );
    const count = async () =>
      sample(await t.ctx.metrics.text(), "microseg_policy_push_latency_seconds_count");
    expect(await count()).toBe(0);
    await ack(web.credential, 1);
    expect(await count()).toBe(1);
    await ack(web.credential, 1); // every heartbeat repeats it
    await ack(web.credential, 7); // never published
    expect(await count()).toBe(1);
    await ack(db.credential, 1);
    expect(await count()).toBe(2);
  });

  it("count alerts raised by kind, once per alert", async () => {
    const { t, now } = await lab();
    const scan = Array.from({ length: 60 }, (_, i) => ({
      from: { name: "203.0.113.9", kind: "address" as const },
      to: { name: "web-1", kind: "workload" as const },
      port: `tcp/${1000 + i}`,
      verdict: "blocked" as const,
      count: 1,
      packets: 1,
      bytes: 60,
      first: now + i,
      last: now + i,
      reporter: "web-1",
      side: "destination" as const,
      rule: "default-deny",
    }));
    for (const o of scan.slice(0, 30)) t.detection.ingest([o], o.last);
    await t.detection.flush();
    for (const o of scan.slice(30)) t.detection.ingest([o], o.last);
    await t.detection.flush();
    const alerts = (await t.call("GET", "/api/v1/alerts?kind=scan")).body.alerts;
    expect(alerts).toHaveLength(1);
    const text = await t.ctx.metrics.text();
    expect(sample(text, "microseg_alerts_raised_total", { kind: "scan" })).toBe(1);
  });
});

describe("PushTracker", () => {
  it("forgets the oldest revisions beyond eight", () => {
    const p = new PushTracker();
    for (let r = 1; r <= 9; r++) p.published(r, ["w"], r * 1000);
    expect(p.acknowledged(1, "w", 20_000)).toBeUndefined();
    expect(p.acknowledged(2, "w", 20_000)).toBe(18_000);
    expect(p.acknowledged(2, "w", 21_000)).toBeUndefined();
  });
});
