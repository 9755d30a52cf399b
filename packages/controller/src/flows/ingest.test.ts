// The flow ingest through the agent route (app.request(), memory store): side rules, address
// resolution (also at a flow's time after an address moved), rule attribution, bad batches,
// duplicates and the live feed.
import type { FlowObservation } from "@microseg/insight";
import { describe, expect, it } from "vitest";
import { DB, lab, OUTSIDE, POLICY, rec, WEB } from "./ingest.test-helpers.js";

describe("flow ingest", () => {
  it("counts a connection once: the destination's records, the source's denials", async () => {
    const { web, db, now, post, edges } = await lab();
    // web-1 saw its connections to db-1 leave (allowed: db-1 reports those) and one denied.
    const fromWeb = [
      rec({ 6: 3 }, now),
      rec({ 4: 22, 5: "blocked", 6: 2 }, now),
      rec({ 3: OUTSIDE, 4: 443, 6: 4 }, now),
    ];
    // db-1 saw the 3 allowed connections arrive.
    const atDb = [rec({ 0: "in", 2: DB, 3: WEB, 6: 3 }, now)];
    expect((await post(web.credential, 1, fromWeb)).body).toEqual({ seq: 1, duplicate: false });
    expect((await post(db.credential, 1, atDb)).status).toBe(200);
    const got = (await edges()).map((e: Record<string, unknown>) => [
      e.from,
      e.to,
      e.toKind,
      e.port,
      e.verdict,
      e.count,
    ]);
    expect(got.sort()).toEqual([
      ["web-1", "203.0.113.5", "address", "tcp/443", "allowed", 4],
      ["web-1", "db-1", "workload", "tcp/22", "blocked", 2],
      ["web-1", "db-1", "workload", "tcp/5432", "allowed", 3],
    ]);
  });

  it("a test-mode source that would block: one would-block edge, whatever the destination did", async () => {
    const { t, web, db, now, post, edges } = await lab();
    expect((await t.call("PATCH", "/api/v1/workloads/web-1", { mode: "test" })).status).toBe(200);
    // web-1 (test mode, no rule lets it reach db-1 on 6379) recorded would-block attempts;
    // db-1 let 2 connections in on 6379 (its own answer is no concern here) and dropped 1 on 22.
    await post(web.credential, 1, [
      rec({ 4: 6379, 5: "would-block", 6: 2 }, now),
      rec({ 4: 22, 5: "would-block", 6: 1 }, now),
    ]);
    await post(db.credential, 1, [
      rec({ 0: "in", 2: DB, 3: WEB, 4: 6379, 6: 2 }, now),
      rec({ 0: "in", 2: DB, 3: WEB, 4: 22, 5: "blocked", 6: 1 }, now),
    ]);
    const got = (await edges()).map((e: Record<string, unknown>) => [e.port, e.verdict, e.count]);
    expect(got.sort()).toEqual([
      ["tcp/22", "blocked", 1],
      ["tcp/6379", "would-block", 2],
    ]);
  });

  it("a destination's allowed record stays allowed when the source's policy allows it", async () => {
    const { t, db, now, post, edges } = await lab();
    await t.call("PATCH", "/api/v1/workloads/web-1", { mode: "test" });
    await post(db.credential, 1, [rec({ 0: "in", 2: DB, 3: WEB, 6: 5 }, now)]);
    expect((await edges()).map((e: { verdict: string }) => e.verdict)).toEqual(["allowed"]);
  });

  it("counts the source's allowed records towards an unmanaged workload", async () => {
    const { t, web, now, post, edges } = await lab();
    await t.call("PUT", "/api/v1/workloads/legacy-db", {
      labels: { role: "db" },
      addresses: ["198.18.9.9"],
      managed: false,
    });
    await post(web.credential, 1, [rec({ 3: "198.18.9.9", 6: 5 }, now)]);
    expect((await edges())[0]).toMatchObject({ to: "legacy-db", toKind: "workload", count: 5 });
  });

  it("leaves the agents' channel to the controller and the link's control traffic out", async () => {
    const { web, now, post, edges } = await lab();
    // 198.18.0.1 is the controller (the test controller's management address).
    await post(web.credential, 1, [
      rec({ 3: "198.18.0.1", 4: 8443, 6: 9 }, now),
      rec({ 3: OUTSIDE, 4: 443, 6: 4 }, now),
      // the link's control traffic: MLD, mDNS, broadcast, link-local
      rec({ 1: "icmpv6", 3: "ff02::16", 4: 143, 5: "blocked" }, now),
      rec({ 1: "udp", 3: "224.0.0.251", 4: 5353 }, now),
      rec({ 1: "udp", 3: "255.255.255.255", 4: 67 }, now),
      rec({ 3: "fe80::1", 4: 22 }, now),
    ]);
    expect((await edges()).map((e: { to: string }) => e.to)).toEqual([OUTSIDE]);
  });

  it("attributes the deciding rule: the allow, the deny, none for a default", async () => {
    const { web, db, now, post, edges } = await lab();
    await post(web.credential, 1, [
      rec({ 4: 22, 5: "blocked" }, now),
      rec({ 4: 8080, 5: "blocked" }, now),
    ]);
    await post(db.credential, 1, [rec({ 0: "in", 2: DB, 3: WEB }, now)]);
    const byPort = Object.fromEntries(
      (await edges()).map((e: { port: string; rule?: string }) => [e.port, e.rule ?? null]),
    );
    expect(byPort).toEqual({ "tcp/22": "no-ssh", "tcp/8080": null, "tcp/5432": "web-to-db" });
  });

  it("attributes with the revision active when the batch arrives", async () => {
    const { t, clock, web, now, post, edges } = await lab();
    await post(web.credential, 1, [rec({ 4: 22, 5: "blocked" }, now)]);
    expect((await edges())[0].rule).toBe("no-ssh");
    clock.advance(3_600_000);
    await t.call("PUT", "/api/v1/policy/draft", POLICY.replace("no-ssh", "deny-ssh"));
    await t.call("POST", "/api/v1/policy/provision", { comment: "renamed" });
    await post(web.credential, 2, [rec({ 4: 22, 5: "blocked" }, now + 3_600_000)]);
    const rules = (await edges()).map((e: { rule?: string }) => e.rule);
    expect(rules).toEqual(["deny-ssh"]); // merged across buckets: the newest bucket's rule
    expect((await edges(`?until=${new Date(now + 1).toISOString()}`))[0].rule).toBe("no-ssh");
  });

  it("resolves an address with the owner it had at the flow's time", async () => {
    const { t, clock, web, now, post, edges } = await lab();
    await post(web.credential, 1, [rec({ 3: "198.18.5.5" }, now)]);
    expect((await edges())[0]).toMatchObject({ to: "198.18.5.5", toKind: "address" });
    // An unmanaged cache takes the address an hour later.
    clock.advance(3_600_000);
    await t.call("PUT", "/api/v1/workloads/cache-1", {
      labels: { role: "cache" },
      addresses: ["198.18.5.5"],
      managed: false,
    });
    const later = clock.now().getTime();
    await post(web.credential, 2, [
      rec({ 3: "198.18.5.5", 4: 6379, 9: now, 10: now + 1000 }, later), // before it moved
      rec({ 3: "198.18.5.5", 4: 6379, 9: later, 10: later + 1 }, later),
    ]);
    const to = (await edges("?port=tcp/6379")).map((e: { to: string }) => e.to).sort();
    expect(to).toEqual(["198.18.5.5", "cache-1"]);
  });

  it("keeps edges per bucket: an hour apart are two rows, merged when queried", async () => {
    const { t, web, now, post, edges } = await lab();
    const hour = 3_600_000;
    await post(web.credential, 1, [
      rec({ 3: OUTSIDE, 9: now - hour - 10, 10: now - hour }, now),
      rec({ 3: OUTSIDE, 9: now - 10, 10: now }, now),
    ]);
    expect(await t.store.flows.stats()).toMatchObject({ rows: 2 });
    expect((await edges())[0]).toMatchObject({
      count: 2,
      firstSeen: new Date(now - hour - 10).toISOString(),
      lastSeen: new Date(now).toISOString(),
    });
  });

  it("applies a batch once: a resent seq answers duplicate and changes nothing", async () => {
    const { web, now, post, edges } = await lab();
    const records = [rec({ 3: OUTSIDE, 6: 7 }, now)];
    await post(web.credential, 1, records);
    expect((await post(web.credential, 1, records)).body).toEqual({ seq: 1, duplicate: true });
    expect((await edges())[0].count).toBe(7);
  });

  it("refuses a bad batch naming the record and the field, and storing nothing", async () => {
    const { t, web, now, post } = await lab();
    const bad = await post(web.credential, 1, [rec({}, now), rec({ 4: 70000 }, now)]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("records[1][4]");
    const notIp = await post(web.credential, 1, [rec({ 3: "db.example" }, now)]);
    expect(notIp.status).toBe(400);
    expect(notIp.body.error.message).toMatch(/records\[0\]\[3\].*not an IP address/);
    expect((await post(web.credential, 0, [])).body.error.message).toContain("seq");
    const notJson = await t.app.request("/api/v1/agent/flows", {
      method: "POST",
      headers: { authorization: `Bearer ${web.credential}` },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect(await t.store.flows.stats()).toEqual({ rows: 0, oldest: null });
    // A later valid batch with the same seq still applies: the refused one left no trace.
    expect((await post(web.credential, 1, [rec({ 3: OUTSIDE }, now)])).body.duplicate).toBe(false);
  });

  it("needs an agent credential", async () => {
    const { t, now } = await lab();
    const body = { seq: 1, records: [rec({}, now)] };
    expect((await t.call("POST", "/api/v1/agent/flows", body, false)).status).toBe(401);
    expect((await t.call("POST", "/api/v1/agent/flows", body)).status).toBe(401); // admin token
  });

  it("publishes the resolved observations of each applied batch, once", async () => {
    const { t, web, now, post } = await lab();
    const seen: { observations: readonly FlowObservation[]; now: number }[] = [];
    const stop = t.ctx.flows.subscribe((observations, at) => seen.push({ observations, now: at }));
    const records = [rec({ 4: 22, 5: "blocked", 6: 2 }, now)];
    await post(web.credential, 1, records);
    await post(web.credential, 1, records);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.now).toBe(now);
    // The ends are the address book's (a FlowEndRef, `managed` included, is a FlowEnd).
    expect(seen[0]?.observations).toEqual([
      {
        from: { name: "web-1", kind: "workload", managed: true },
        to: { name: "db-1", kind: "workload", managed: true },
        port: "tcp/22",
        verdict: "blocked",
        outcome: "unanswered",
        count: 2,
        packets: 10,
        bytes: 1000,
        first: now - 5000,
        last: now - 1000,
        reporter: "web-1",
        side: "source",
        rule: "no-ssh",
      },
    ]);
    stop();
    await post(web.credential, 2, records);
    expect(seen).toHaveLength(1);
  });

  it("keeps records past the retention out", async () => {
    const { web, now, post, edges } = await lab();
    const old = now - 29 * 86_400_000;
    await post(web.credential, 1, [rec({ 3: OUTSIDE, 9: old, 10: old + 1 }, now)]);
    expect(await edges()).toEqual([]);
  });
});
