// Agent events reach the audit log bounded: per agent and interval (1 min) the first 10 are one
// row each, the rest are folded into one summary row per kind, written when the interval closes
// (a later report, the timer, or shutdown). The counts add up to what the agent sent.
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

const KINDS = ["tamper", "apply-failed", "restored"] as const;

function events(n: number, at: string) {
  return Array.from({ length: n }, (_, i) => ({
    kind: KINDS[i % 3],
    at,
    details: `event ${i}`,
  }));
}

interface Row {
  actor: string;
  action: string;
  after: { count?: number; summary?: boolean; details?: string };
}

async function agentRows(t: Awaited<ReturnType<typeof testController>>, id: string) {
  const rows: Row[] = [];
  for (let after = 0; ; ) {
    const page = (await t.call("GET", `/api/v1/audit?afterSeq=${after}&limit=1000`)).body;
    rows.push(...(page.entries as (Row & { seq: number })[]));
    if (page.next === null || page.entries.length === 0) break;
    after = page.entries[page.entries.length - 1].seq;
  }
  const actions = KINDS.map((k) => `agent.${k}`);
  return rows.filter((r) => r.actor === `agent/${id}` && actions.includes(r.action));
}

const counted = (rows: Row[]) =>
  rows.reduce((n, r) => n + (r.after.summary ? (r.after.count ?? 0) : 1), 0);

describe("agent events in the audit log", () => {
  it("a burst of 300 reports of 100 events gives a bounded number of rows whose counts add up", async () => {
    let now = new Date("2026-06-01T00:00:00Z");
    // 300 reports in a burst is far above an agent's status quota: lift it to reach the audit.
    const t = await testController({
      clock: () => now,
      settings: { limits: { statusBurst: 1000, statusPerSecond: 1000 } },
    });
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const other = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    const at = now.toISOString();
    for (let i = 0; i < 300; i++) {
      const res = await t.call(
        "POST",
        "/api/v1/agent/status",
        { events: events(100, at) },
        web.credential,
      );
      expect(res.status).toBe(200);
    }
    // Another agent is not held back by the first one's flood.
    await t.call("POST", "/api/v1/agent/status", { events: events(2, at) }, other.credential);
    expect(await agentRows(t, other.id)).toHaveLength(2);

    const during = await agentRows(t, web.id);
    expect(during).toHaveLength(10);
    now = new Date(now.getTime() + 61_000);
    await t.ctx.agentEvents.closeIntervals();
    const rows = await agentRows(t, web.id);
    expect(rows.length).toBeLessThanOrEqual(10 + KINDS.length);
    const summaries = rows.filter((r) => r.after.summary === true);
    expect(summaries.map((r) => r.action).sort()).toEqual([
      "agent.apply-failed",
      "agent.restored",
      "agent.tamper",
    ]);
    expect(counted(rows)).toBe(300 * 100);

    // The next interval starts afresh; shutdown writes what is still folded.
    await t.call(
      "POST",
      "/api/v1/agent/status",
      { events: events(12, now.toISOString()) },
      web.credential,
    );
    expect(await agentRows(t, web.id)).toHaveLength(rows.length + 10);
    await t.ctx.agentEvents.close();
    const final = await agentRows(t, web.id);
    expect(counted(final)).toBe(300 * 100 + 12);
    expect((await t.call("GET", "/api/v1/audit/verify")).body.ok).toBe(true);
  });
});
