// Two controllers on one PostgreSQL database (a throwaway server): what is changed through one
// reaches the other's memory — its policy hub and agent credential cache — through the change
// stream (hub/change-follower.ts), within the follower's polling interval.
import type { Store } from "@microseg/store";
import { openPostgresStore } from "@microseg/store/postgres";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;
const POLICY_2 = `${POLICY}  - name: web-to-db-admin
    from: { role: web }
    to: { role: db }
    services: [tcp/5433]
`;

type T = Awaited<ReturnType<typeof testController>>;
interface Known {
  readonly hash: string;
  readonly mgmt: string;
}

describeWithPostgres("controller replicas on one PostgreSQL database", () => {
  let server: TestPostgres;
  let n = 0;
  const open: { stores: Store[]; controllers: T[] } = { stores: [], controllers: [] };
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterEach(async () => {
    for (const t of open.controllers.splice(0)) {
      await t.follower?.stop();
      t.ctx.hub.close();
      await t.detection.close();
      await t.ctx.agentEvents.close();
    }
    for (const s of open.stores.splice(0)) await s.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Replicas A and B on a fresh database; B is called with A's admin token. */
  async function replicas() {
    const url = await server.createDatabase(`replicas${++n}`);
    const stores = [await openPostgresStore({ url }), await openPostgresStore({ url })];
    open.stores.push(...stores);
    const a = await testController({ store: stores[0] as Store });
    const b = await testController({ store: stores[1] as Store });
    open.controllers.push(a, b);
    expect(a.follower).toBeDefined();
    const onB = (method: string, path: string, body?: unknown, auth = a.token) =>
      b.call(method, path, body, auth);
    // An agent of B: `known` is a RuleSet hash and management version its answer gave.
    const poll = (credential: string, known?: Known, wait = 0) => {
      const q = new URLSearchParams({ wait: String(wait) });
      if (known !== undefined) q.set("known", known.hash);
      if (known !== undefined) q.set("mgmt", known.mgmt);
      return onB("GET", `/api/v1/agent/policy?${q}`, undefined, credential);
    };
    /** The agent's first RuleSet from B (B learns of A's provision within the poll interval). */
    const ruleSet = async (credential: string): Promise<Known> => {
      let body: { ruleSet?: { hash: string } | null; managementVersion?: string } = {};
      await until(
        async () => (body = (await poll(credential)).body ?? {}),
        (r) => r.ruleSet != null,
        2000,
      );
      return { hash: body.ruleSet?.hash as string, mgmt: body.managementVersion as string };
    };
    const provision = async (text: string) => {
      expect((await a.call("PUT", "/api/v1/policy/draft", text)).status).toBe(200);
      expect((await a.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
    };
    return { a, b, onB, poll, provision, ruleSet };
  }

  /** Calls `fn` every 20 ms until `done` holds; answers the ms it took. */
  async function until<R>(fn: () => Promise<R>, done: (r: R) => boolean, limitMs: number) {
    const t0 = performance.now();
    for (;;) {
      if (done(await fn())) return performance.now() - t0;
      if (performance.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("a provision through A answers an agent long-polling B with the new RuleSet", async () => {
    const { a, poll, provision, ruleSet } = await replicas();
    const web = await a.enrol("web-1", "198.18.1.10", { role: "web" });
    await a.enrol("db-1", "198.18.1.20", { role: "db" });
    await provision(POLICY);
    const old = await ruleSet(web.credential);
    const t0 = performance.now();
    const held = poll(web.credential, old, 10);
    await new Promise((r) => setTimeout(r, 50)); // B holds the long-poll
    await provision(POLICY_2);
    const got = await held;
    const ms = performance.now() - t0;
    expect(got.status).toBe(200);
    expect(got.body.ruleSet.hash).not.toBe(old.hash);
    expect(got.body.revision).toBe(2);
    expect(ms).toBeLessThan(2000);
    console.log(`provision on A -> long-poll answered on B: ${ms.toFixed(0)} ms`);
  });

  it("a revoke through A makes B refuse the agent's credential", async () => {
    const { a, poll, provision, ruleSet } = await replicas();
    await provision(POLICY);
    const web = await a.enrol("web-1", "198.18.1.10", { role: "web" });
    // B knows the credential (cached) and holds a long-poll of the agent.
    const held = poll(web.credential, await ruleSet(web.credential), 10);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    expect((await a.call("POST", `/api/v1/agents/${web.id}/revoke`)).status).toBeLessThan(300);
    const ms = await until(
      () => poll(web.credential),
      (r) => r.status === 401,
      1000,
    );
    expect((await held).status).toBe(401);
    expect(performance.now() - t0).toBeLessThan(1000);
    console.log(`revoke on A -> 401 on B: ${ms.toFixed(0)} ms`);
  });

  it("a workload put through A is in B's compiled view", async () => {
    const { a, onB, poll, provision, ruleSet } = await replicas();
    await provision(POLICY);
    const web = await a.enrol("web-1", "198.18.1.10", { role: "web" });
    const held = poll(web.credential, await ruleSet(web.credential), 10);
    await new Promise((r) => setTimeout(r, 50));
    const put = await a.call("PUT", "/api/v1/workloads/db-2", {
      labels: { role: "db" },
      addresses: ["198.18.1.30"],
    });
    expect(put.status).toBeLessThan(300);
    const got = await held;
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body.ruleSet)).toContain("198.18.1.30");
    // The agent of a workload enrolled through A gets its RuleSet from B.
    const db = await a.enrol("db-1", "198.18.1.20", { role: "db" });
    await until(
      () => poll(db.credential),
      (r) => JSON.stringify(r.body?.ruleSet ?? {}).includes("198.18.1.10"),
      2000,
    );
    expect((await onB("GET", "/api/v1/status")).body.workloads).toBe(3);
    // Caught up: B's gauge says so.
    const metrics = await onB("GET", "/metrics");
    expect(metrics.text).toMatch(/^microseg_change_stream_behind 0$/m);
  });

  it("a quarantine through A wakes the agent on B", async () => {
    const { a, poll, provision, ruleSet } = await replicas();
    await provision(POLICY);
    // web-1's RuleSet reaches db-1 until the quarantine cuts it off.
    await a.enrol("db-1", "198.18.1.20", { role: "db" });
    const web = await a.enrol("web-1", "198.18.1.10", { role: "web" });
    const before = await ruleSet(web.credential);
    const held = poll(web.credential, before, 10);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const q = await a.call("POST", "/api/v1/workloads/web-1/quarantine", { reason: "scan" });
    expect(q.status).toBeLessThan(300);
    const got = await held;
    expect(got.status).toBe(200);
    expect(got.body.ruleSet.hash).not.toBe(before.hash);
    expect(performance.now() - t0).toBeLessThan(2000);
    // Released through A: B answers the unquarantined RuleSet again.
    await a.call("DELETE", "/api/v1/workloads/web-1/quarantine");
    await until(
      () => poll(web.credential),
      (r) => r.body?.ruleSet?.hash === before.hash,
      2000,
    );
  });
});
