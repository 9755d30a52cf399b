// What the network answered each edge's connections: counted per outcome beside the edge's count,
// summed across buckets, and the edge's outcome derived from the counts (established when any
// connection got an answer, else refused when any was refused, else unanswered).
import { expect, it } from "vitest";
import type { EdgeFilter, StoredEdge } from "../flow-records.js";
import { delta } from "./flows.js";
import type { Ctx } from "./setup.js";

const H = 3_600_000;
const T0 = Date.parse("2026-01-01T00:00:00.000Z");

const summary = (e: StoredEdge | undefined) =>
  e === undefined ? undefined : { count: e.count, outcome: e.outcome, outcomes: e.outcomes };

export function flowOutcomeCases(c: Ctx): void {
  it("counts outcomes per edge across deltas and buckets; the edge's outcome follows", async () => {
    await c.store.flows.applyBatch("ag1", 1, [
      delta({ count: 2 }),
      delta({ count: 3, outcome: "refused" }),
      delta({ bucket: T0 + H, count: 4, outcome: "unanswered" }),
      delta({ bucket: T0 + H, count: 1, outcome: "refused" }),
      delta({ port: "tcp/22", count: 5, outcome: "refused" }),
      delta({ port: "tcp/23", count: 2, outcome: "refused" }),
      delta({ port: "tcp/23", count: 7, outcome: "unanswered" }),
      delta({ port: "tcp/24", count: 6, outcome: "unanswered" }),
    ]);
    const byPort = async (port: string, f: EdgeFilter = {}) =>
      summary((await c.store.flows.edges({ ...f, port }))[0]);
    expect(await byPort("tcp/5432")).toEqual({
      count: 10,
      outcome: "established",
      outcomes: { established: 2, refused: 4, unanswered: 4 },
    });
    // The same edge in its second hour only: nothing answered, one was refused.
    expect(await byPort("tcp/5432", { since: T0 + H })).toEqual({
      count: 5,
      outcome: "refused",
      outcomes: { established: 0, refused: 1, unanswered: 4 },
    });
    expect(await byPort("tcp/22")).toMatchObject({ outcome: "refused" });
    expect(await byPort("tcp/23")).toMatchObject({ outcome: "refused" });
    expect(await byPort("tcp/24")).toEqual({
      count: 6,
      outcome: "unanswered",
      outcomes: { established: 0, refused: 0, unanswered: 6 },
    });
  });

  it("takes a delta without an outcome as established, a blocked one as unanswered", async () => {
    await c.store.flows.applyBatch("ag1", 1, [
      delta({ count: 3 }),
      delta({ count: 2, verdict: "blocked" }),
      delta({ count: 1, verdict: "blocked", outcome: "established" }),
      delta({ count: 4, verdict: "would-block", outcome: "refused" }),
    ]);
    const edges = await c.store.flows.edges();
    const got = edges.map((e) => [e.verdict, e.outcome, e.outcomes]);
    expect(got.sort()).toEqual([
      ["allowed", "established", { established: 3, refused: 0, unanswered: 0 }],
      ["blocked", "unanswered", { established: 0, refused: 0, unanswered: 3 }],
      ["would-block", "refused", { established: 0, refused: 4, unanswered: 0 }],
    ]);
  });

  it("filters by the edge's outcome, before the limit", async () => {
    await c.store.flows.applyBatch("ag1", 1, [
      delta({ port: "tcp/1", last: T0 + 9000, outcome: "refused" }),
      delta({ port: "tcp/2", last: T0 + 8000, outcome: "unanswered" }),
      delta({ port: "tcp/3", last: T0 + 7000, outcome: "refused" }),
      delta({ port: "tcp/3", bucket: T0 + H, last: T0 + H + 6000, outcome: "established" }),
      delta({ port: "tcp/4", last: T0 + 5000 }),
      delta({ port: "tcp/5", last: T0 + 4000, outcome: "refused" }),
      delta({ port: "tcp/5", last: T0 + 3000, outcome: "unanswered" }),
      delta({ port: "tcp/6", last: T0 + 2000, count: 0 }),
    ]);
    const ports = async (f: EdgeFilter) => (await c.store.flows.edges(f)).map((e) => e.port);
    expect(await ports({ outcome: "refused" })).toEqual(["tcp/1", "tcp/5"]);
    expect(await ports({ outcome: "unanswered" })).toEqual(["tcp/2"]);
    // tcp/3 was answered in its second hour; tcp/6 (no connection counted) failed nothing.
    expect((await ports({ outcome: "established" })).sort()).toEqual(["tcp/3", "tcp/4", "tcp/6"]);
    expect(await ports({ outcome: "refused", limit: 1 })).toEqual(["tcp/1"]);
    expect(await ports({ outcome: "refused", until: T0 + H, port: "tcp/3" })).toEqual(["tcp/3"]);
  });
}
