// Leases (leases.ts) over a real store's lease rows (memory adapter; the PostgreSQL run is in
// leases-postgres.test.ts): one replica runs a job at a time, a replica cut off from the store
// stops its job before its lease can expire, and another takes over.
import type { LeaseRepo } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Leases } from "./leases.js";

const TIMINGS = { ttlMs: 400, renewMs: 50 };
const log = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A replica: its Leases, whether its job runs, and a switch that cuts it off from the store. */
function replica(repo: LeaseRepo, shared = true) {
  let cut = false;
  const calls = { acquire: 0 };
  const gated: LeaseRepo = {
    acquire: (...a) => {
      calls.acquire++;
      return cut ? Promise.reject(new Error("connection lost")) : repo.acquire(...a);
    },
    release: (...a) => (cut ? Promise.reject(new Error("connection lost")) : repo.release(...a)),
    list: () => repo.list(),
  };
  const leases = new Leases(gated, shared, log, TIMINGS);
  const state = { running: false, starts: 0 };
  leases.run("retention", () => {
    state.running = true;
    state.starts++;
    return () => {
      state.running = false;
    };
  });
  return {
    leases,
    state,
    calls,
    cutOff: (v: boolean) => {
      cut = v;
    },
  };
}

/** Samples the replicas until `done` holds: fails if ever two run the job at once. */
async function watch(rs: ReturnType<typeof replica>[], done: () => boolean, ms = 3_000) {
  const end = Date.now() + ms;
  while (!done()) {
    expect(rs.filter((r) => r.state.running).length).toBeLessThanOrEqual(1);
    if (Date.now() > end) throw new Error("timed out");
    await sleep(5);
  }
}

/** Samples the replicas for `ms`: fails if ever two run the job at once. */
async function hold(rs: ReturnType<typeof replica>[], ms: number) {
  const end = Date.now() + ms;
  await watch(rs, () => Date.now() > end, ms + 1_000);
}

describe("leases", () => {
  const open: Leases[] = [];
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
  });

  async function two() {
    const store = await openMemoryStore();
    const a = replica(store.leases);
    await watch([a], () => a.state.running);
    const b = replica(store.leases);
    open.push(a.leases, b.leases);
    return { store, a, b };
  }

  it("runs the job on one replica only", async () => {
    const { a, b } = await two();
    await hold([a, b], 600);
    expect(a.state.running).toBe(true);
    expect(b.state.running).toBe(false);
    expect(a.leases.states()).toEqual([{ name: "retention", held: true }]);
    expect(b.leases.states()).toEqual([{ name: "retention", held: false }]);
    expect(b.calls.acquire).toBeGreaterThan(3); // b kept trying
  });

  it("a replica cut off from the store stops its job; another takes it over after expiry", async () => {
    const { a, b } = await two();
    const cutAt = Date.now();
    a.cutOff(true);
    await watch([a, b], () => !a.state.running);
    const stoppedAfter = Date.now() - cutAt;
    await watch([a, b], () => b.state.running);
    const tookOverAfter = Date.now() - cutAt;
    // a stops before its lease can expire; b starts only once it has.
    expect(stoppedAfter).toBeLessThan(TIMINGS.ttlMs);
    expect(tookOverAfter).toBeGreaterThanOrEqual(TIMINGS.ttlMs - TIMINGS.renewMs);
    a.cutOff(false);
    await sleep(300);
    expect([a.state.running, b.state.running]).toEqual([false, true]);
  });

  it("a clean shutdown releases the lease: the other takes over within a renewal", async () => {
    const { a, b } = await two();
    const at = Date.now();
    await a.leases.close();
    expect(a.state.running).toBe(false);
    await watch([a, b], () => b.state.running);
    expect(Date.now() - at).toBeLessThan(TIMINGS.ttlMs);
  });

  it("a store that is not shared runs the job at once and never asks it", async () => {
    const store = await openMemoryStore();
    const alone = replica(store.leases, false);
    open.push(alone.leases);
    await sleep(0);
    expect(alone.state.running).toBe(true);
    await sleep(200);
    expect(alone.calls.acquire).toBe(0);
    expect(await store.leases.list()).toEqual([]);
    await alone.leases.close();
    expect(alone.state.running).toBe(false);
  });
});
