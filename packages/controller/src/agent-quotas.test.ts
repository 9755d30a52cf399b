// Per-agent quotas on the agent channel: one held long-poll per agent (a newer one replaces the
// older, answered 409 at once), and token buckets on policy requests, status reports and flow
// records, answered 429 with Retry-After.
import type { ErrorBody } from "@microseg/protocol";
import { describe, expect, it } from "vitest";
import type { LimitSettings } from "./limits/defaults.js";
import { testController } from "./test-helpers.js";

type T = Awaited<ReturnType<typeof testController>>;

async function withAgent(limits: Partial<LimitSettings> = {}) {
  const t = await testController({ settings: { limits } });
  const agent = await t.enrol("web-1", "198.18.0.10");
  return { t, agent };
}

/** Starts `n` long-polls of one credential at once; resolves when all but `held` answered. */
async function pollMany(t: T, credential: string, n: number, held: number) {
  const answers: { status: number; code?: string; retryAfter: string | null }[] = [];
  const polls = Array.from({ length: n }, async () => {
    const res = await t.app.request("/api/v1/agent/policy?known=none&wait=30", {
      headers: { authorization: `Bearer ${credential}` },
    });
    const text = await res.text();
    const code = text === "" ? undefined : JSON.parse(text).error?.code;
    answers.push({ status: res.status, code, retryAfter: res.headers.get("retry-after") });
  });
  for (let i = 0; i < 200 && answers.length < n - held; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { answers, done: Promise.all(polls) };
}

const count = (xs: { status: number }[], status: number) =>
  xs.filter((x) => x.status === status).length;

describe("long-polls", () => {
  it("holds one long-poll per agent: 300 polls of one credential leave one held", async () => {
    const { t, agent } = await withAgent({ pollBurst: 1000 });
    const other = await t.enrol("web-2", "198.18.0.11");
    const { answers, done } = await pollMany(t, agent.credential, 300, 1);
    void pollMany(t, other.credential, 1, 1);
    expect(answers).toHaveLength(299);
    expect(answers.every((a) => a.status === 409 && a.code === "MSEG_API_POLL_REPLACED")).toBe(
      true,
    );
    for (let i = 0; i < 100 && t.ctx.hub.waiting() < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(t.ctx.hub.waiting()).toBe(2); // this agent's newest poll, and the other agent's
    t.ctx.hub.close();
    await done;
    expect(answers.at(-1)?.status).toBe(204);
  });

  it("answers policy requests beyond the quota 429 with Retry-After, still holding one", async () => {
    const { t, agent } = await withAgent({ pollBurst: 20, pollsPerSecond: 0.5 });
    const { answers, done } = await pollMany(t, agent.credential, 300, 1);
    expect(count(answers, 429)).toBe(280);
    expect(count(answers, 409)).toBe(19);
    expect(answers.find((a) => a.status === 429)?.retryAfter).toBe("2");
    expect(t.ctx.hub.waiting()).toBe(1);
    t.ctx.hub.close();
    await done;
  });
});

describe("status and flow quotas", () => {
  it("answers status reports beyond the quota 429 with Retry-After", async () => {
    const { t, agent } = await withAgent({ statusBurst: 3, statusPerSecond: 0.25 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.call("POST", "/api/v1/agent/status", {}, agent.credential)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await t.enrol("web-2", "198.18.0.11");
    expect((await t.call("POST", "/api/v1/agent/status", {}, other.credential)).status).toBe(200);
  });

  it("counts flow records per agent; a refused batch is taken later unchanged", async () => {
    const { t, agent } = await withAgent({ flowRecordBurst: 1000, flowRecordsPerSecond: 10 });
    const now = Date.now();
    const record = ["out", "tcp", "198.18.0.10", "198.18.0.20", 80, "allowed", 1, 1, 1, now, now];
    const batch = (seq: number, n: number) => ({ seq, records: Array(n).fill(record) });
    const post = (seq: number, n: number) =>
      t.app.request("/api/v1/agent/flows", {
        method: "POST",
        headers: {
          authorization: `Bearer ${agent.credential}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(batch(seq, n)),
      });
    expect((await post(1, 900)).status).toBe(200); // 900 records + 100 for the batch
    const refused = await post(2, 10);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as ErrorBody).error.code).toBe("MSEG_API_RATE_LIMITED");
    await new Promise((r) => setTimeout(r, 1100));
    const taken = await post(2, 10);
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ seq: 2, duplicate: false });
  });
});
