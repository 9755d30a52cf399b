// Learning at the controller leaves out declared scanners (the label microseg.io/scanner, the
// active policy's `scanners` IP list) and the sources of open scan / lateral-movement alerts,
// until those alerts are acknowledged — in recommendation and in label suggestions alike.
import * as P from "@microseg/protocol";
import type { AlertRecord, EdgeDelta } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import { fakeClock } from "@microseg/store/testing";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

const H = 3_600_000;
const START = "2026-03-01T00:00:00.000Z";

const POLICY = `
ipLists:
  - { name: scanners, cidrs: [203.0.113.0/24] }
rules:
  - { name: app-db, from: { role: app }, to: { role: db }, services: [tcp/5432] }
`;

function delta(from: string, to: string, count: number, last: number): EdgeDelta {
  const kind = (n: string) => (/^\d/.test(n) ? ("address" as const) : ("workload" as const));
  return {
    ...{ bucket: Math.floor(last / H) * H, from, fromKind: kind(from), to, toKind: kind(to) },
    ...{ port: "tcp/5432", verdict: "allowed", rule: null, count, packets: 0, bytes: 0 },
    ...{ first: last - 1000, last },
  };
}

function alert(id: string, kind: string, source: string, at: string): AlertRecord {
  return {
    ...{ id, kind, severity: "high", source, targets: ["db-1"], at, lastAt: at },
    ...{ summary: `${kind} from ${source}`, incident: `inc-${id}`, evidence: {}, status: "open" },
    count: 1,
  };
}

async function estate() {
  const clock = fakeClock(START);
  const store = openMemoryStore({ clock: clock.now });
  const t = await testController({ store, clock: clock.now });
  const put = async (name: string, labels: Record<string, string>, address: string) => {
    const r = await t.call("PUT", `/api/v1/workloads/${name}`, { labels, addresses: [address] });
    expect(r.status).toBeLessThan(300);
  };
  await put("app-1", { app: "shop", role: "app" }, "198.18.0.1");
  await put("db-1", { app: "shop", role: "db" }, "198.18.0.2");
  await put("laptop", { app: "office", role: "laptop" }, "198.18.0.3");
  await put("nessus", { "microseg.io/scanner": "true" }, "198.18.0.4");
  await put("qualys", {}, "203.0.113.7");
  expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
  expect((await t.call("POST", "/api/v1/policy/provision", { comment: "one" })).status).toBe(201);
  clock.advance(2 * H);
  const now = clock.now().getTime();
  await t.store.flows.applyBatch("seed", 1, [
    delta("app-1", "db-1", 900, now - 60_000),
    delta("laptop", "db-1", 40, now - 60_000),
    delta("nessus", "db-1", 30, now - 60_000),
    delta("qualys", "db-1", 30, now - 60_000),
    delta("203.0.113.50", "db-1", 30, now - 60_000),
  ]);
  const at = new Date(now - 30_000).toISOString();
  // an open scan alert holds the laptop back; an acknowledged one on app-1 does not
  await t.store.alerts.upsert(alert("al-scan-1", "scan", "laptop", at));
  await t.store.alerts.upsert(alert("al-old", "lateral-movement", "app-1", at));
  await t.store.alerts.setStatus("al-old", "acknowledged", "token/admin");
  // an enforcement gap says nothing about its workload's traffic
  await t.store.alerts.upsert(alert("al-gap", "enforcement-gap", "app-1", at));
  return t;
}

describe("GET /api/v1/insight/recommend under scanners and open alerts", () => {
  it("learns neither scanner, holds the laptop back, and learns it once the alert is acknowledged", async () => {
    const t = await estate();
    const r = await t.call("GET", "/api/v1/insight/recommend");
    expect(r.status).toBe(200);
    const body = P.RecommendationSchema.parse(r.body);
    expect(body.rules.map((x) => x.name)).toEqual(["shop-app-to-shop-db"]);
    expect(body.ipLists).toEqual([]);
    expect(body.leftOut).toEqual({
      blocked: 0,
      refused: 0,
      unanswered: 0,
      scanner: 3,
      heldBack: 1,
    });
    expect(body.ignored).toBe(4);
    expect(body.heldBack).toEqual([{ source: "laptop", alerts: ["al-scan-1"], edges: 1 }]);

    expect((await t.call("POST", "/api/v1/alerts/al-scan-1/ack")).status).toBe(200);
    const after = P.RecommendationSchema.parse(
      (await t.call("GET", "/api/v1/insight/recommend")).body,
    );
    expect(after.rules.map((x) => x.name)).toContain("office-laptop-to-shop-db");
    expect([after.leftOut.heldBack, after.heldBack]).toEqual([0, []]);
  });
});

describe("GET /api/v1/insight/labels under scanners", () => {
  it("suggests no label for a scanner from the workloads it probed", async () => {
    const t = await estate();
    const body = P.SuggestionsSchema.parse((await t.call("GET", "/api/v1/insight/labels")).body);
    expect(
      body.suggestions.filter((s) => s.workload === "nessus" || s.workload === "qualys"),
    ).toEqual([]);
    expect(body.groups.find((g) => g.members.includes("nessus"))?.members).toEqual(["nessus"]);
  });
});
