// A replica cut off from the PostgreSQL database the others share (its connections go through a
// TCP proxy the test ends): it can no longer follow the change stream, so what it holds in memory
// may be stale. It must say so — /readyz 503, agent policy requests and held long-polls 503 —
// so agents move to a replica that follows, instead of being served an old policy.
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Store } from "@microseg/store";
import { openPostgresStore } from "@microseg/store/postgres";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
`;
const POLICY_2 = `${POLICY}  - { name: web-to-db-2, from: { role: web }, to: { role: db }, services: [tcp/5433] }\n`;

/** A TCP proxy to `port` on 127.0.0.1; cut() ends every connection and refuses new ones. */
async function proxy(port: number): Promise<{ port: number; cut(): void; server: Server }> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
        open.delete(s);
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    server,
    cut() {
      server.close();
      for (const s of open) s.destroy();
    },
  };
}

describeWithPostgres("a controller replica cut off from the shared database", () => {
  let server: TestPostgres;
  const stores: Store[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => {});
    await server?.stop();
  });

  it("answers 503 to agents (held long-polls too) and /readyz, not the policy it last knew", async () => {
    const url = await server.createDatabase("cutoff");
    const a = await testController({ store: await openPostgresStore({ url }) });
    const pgPort = Number(new URL(url).port);
    const cut = await proxy(pgPort);
    const viaProxy = url.replace(`:${pgPort}/`, `:${cut.port}/`);
    const storeB = await openPostgresStore({ url: viaProxy });
    stores.push(a.ctx.store, storeB);
    const b = await testController({ store: storeB });
    expect((await a.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
    expect((await a.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
    const web = await a.enrol("web-1", "198.18.1.10", { role: "web" });
    await a.enrol("db-1", "198.18.1.20", { role: "db" });
    const poll = (known?: { hash: string; mgmt: string }, wait = 0) => {
      const q = new URLSearchParams({ wait: String(wait) });
      if (known !== undefined) q.set("known", known.hash);
      if (known !== undefined) q.set("mgmt", known.mgmt);
      return b.call("GET", `/api/v1/agent/policy?${q}`, undefined, web.credential);
    };
    let first = await poll();
    for (let i = 0; i < 50 && first.body?.ruleSet == null; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      first = await poll();
    }
    const known = { hash: first.body.ruleSet.hash, mgmt: first.body.managementVersion };
    const held = poll(known, 20);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    cut.cut();
    expect((await a.call("PUT", "/api/v1/policy/draft", POLICY_2)).status).toBe(200);
    expect((await a.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
    const answer = await held;
    const ms = performance.now() - t0;
    console.log(`cut off -> held long-poll answered ${answer.status} after ${ms.toFixed(0)} ms`);
    expect(answer.status).toBe(503);
    // A failed read makes the replica stale at once (a hanging one: after 3 s).
    expect(ms).toBeLessThan(2000);
    expect((await poll(known, 5)).status).toBe(503);
    expect((await b.call("GET", "/readyz", undefined, false)).status).toBe(503);
    for (const t of [a, b]) {
      await t.follower?.stop();
      t.ctx.hub.close();
      await t.detection.close();
      await t.ctx.agentEvents.close();
    }
  }, 40_000);
});
