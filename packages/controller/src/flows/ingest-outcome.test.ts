// What the network answered, through the agent route: the 12th tuple element (or its absence,
// an older agent: established) carried into the stored edge's counts and into the feed.
import type { FlowObservation } from "@microseg/insight";
import { describe, expect, it } from "vitest";
import { DB, lab, OUTSIDE, rec, WEB } from "./ingest.test-helpers.js";

type Edge = { to: string; port: string; verdict: string; count: number; outcome: string };
type Counts = { established: number; refused: number; unanswered: number };
const counts = (established: number, refused: number, unanswered: number): Counts => ({
  established,
  refused,
  unanswered,
});
const fromWeb = (over: Record<number, unknown>, now: number) =>
  rec({ 0: "in", 2: DB, 3: WEB, ...over }, now);

describe("flow ingest: connection outcomes", () => {
  it("counts each outcome per edge; an 11-element record is established", async () => {
    const { web, db, now, post, edges } = await lab();
    await post(db.credential, 1, [
      fromWeb({ 6: 3, 11: "established" }, now),
      fromWeb({ 6: 1 }, now), // an older agent's record
      fromWeb({ 6: 2, 11: "refused" }, now),
      fromWeb({ 4: 6379, 6: 4, 11: "refused" }, now),
      fromWeb({ 4: 6380, 6: 1, 11: "refused" }, now),
      fromWeb({ 4: 6380, 6: 5, 11: "unanswered" }, now),
    ]);
    await post(web.credential, 1, [rec({ 3: OUTSIDE, 4: 443, 6: 6, 11: "unanswered" }, now)]);
    const got = (await edges()).map((e: Edge & { outcomes: Counts }) => [
      e.to,
      e.port,
      e.count,
      e.outcome,
      e.outcomes,
    ]);
    expect(got.sort()).toEqual([
      [OUTSIDE, "tcp/443", 6, "unanswered", counts(0, 0, 6)],
      ["db-1", "tcp/5432", 6, "established", counts(4, 2, 0)],
      ["db-1", "tcp/6379", 4, "refused", counts(0, 4, 0)],
      ["db-1", "tcp/6380", 6, "refused", counts(0, 1, 5)],
    ]);
    const refused = await edges("?outcome=refused");
    expect(refused.map((e: Edge) => e.port).sort()).toEqual(["tcp/6379", "tcp/6380"]);
  });

  it("counts a refused connection once when both ends report it", async () => {
    const { web, db, now, post, edges } = await lab();
    // web-1 opened it and saw the reset; db-1 (managed) reports its own side.
    await post(web.credential, 1, [rec({ 4: 5433, 6: 2, 11: "refused" }, now)]);
    await post(db.credential, 1, [fromWeb({ 4: 5433, 6: 2, 11: "refused" }, now)]);
    expect((await edges()).map((e: Edge) => [e.port, e.count, e.outcome])).toEqual([
      ["tcp/5433", 2, "refused"],
    ]);
  });

  it("keeps a blocked record unanswered; a would-block one keeps what the network answered", async () => {
    const { t, web, db, now, post, edges } = await lab();
    await t.call("PATCH", "/api/v1/workloads/web-1", { mode: "test" });
    await post(web.credential, 1, [
      rec({ 4: 22, 5: "blocked", 6: 2, 11: "unanswered" }, now),
      rec({ 4: 23, 5: "blocked", 6: 1, 11: "refused" }, now), // not what agents send
      rec({ 4: 6379, 5: "would-block", 6: 3, 11: "refused" }, now),
    ]);
    // db-1 received the would-block connections (web-1 is in test mode) and refused them.
    await post(db.credential, 1, [fromWeb({ 4: 6379, 6: 3, 11: "refused" }, now)]);
    const got = (await edges()).map((e: Edge) => [e.port, e.verdict, e.count, e.outcome]);
    expect(got.sort()).toEqual([
      ["tcp/22", "blocked", 2, "unanswered"],
      ["tcp/23", "blocked", 1, "unanswered"],
      ["tcp/6379", "would-block", 3, "refused"],
    ]);
  });

  it("publishes one observation per outcome, each with its own counts", async () => {
    const { t, db, now, post } = await lab();
    const seen: FlowObservation[] = [];
    const stop = t.ctx.flows.subscribe((observations) => seen.push(...observations));
    await post(db.credential, 1, [
      fromWeb({ 6: 2, 7: 20, 8: 2000 }, now),
      fromWeb({ 6: 1, 7: 2, 8: 120, 11: "refused" }, now),
      fromWeb({ 6: 4, 7: 8, 8: 240, 11: "unanswered" }, now),
      fromWeb({ 6: 1, 7: 3, 8: 300, 11: "established" }, now),
    ]);
    stop();
    const got = seen.map((o) => [o.outcome, o.count, o.packets, o.bytes, o.verdict, o.side]);
    expect(got.sort()).toEqual([
      ["established", 3, 23, 2300, "allowed", "destination"],
      ["refused", 1, 2, 120, "allowed", "destination"],
      ["unanswered", 4, 8, 240, "allowed", "destination"],
    ]);
  });

  it("refuses a 12th element that is not an outcome, naming it", async () => {
    const { t, web, now, post } = await lab();
    const bad = await post(web.credential, 1, [rec({ 3: OUTSIDE, 11: "reset" }, now)]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("records[0][11]: established, refused or unanswered");
    expect(await t.store.flows.stats()).toEqual({ rows: 0, oldest: null });
  });
});
