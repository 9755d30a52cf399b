import { openMemoryStore } from "@microseg/store/memory";
import { describe, expect, it } from "vitest";
import { hashSecret } from "./secrets.js";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

type T = Awaited<ReturnType<typeof testController>>;

function poll(t: T, credential: string, known?: string, wait = 0, mgmt?: string) {
  const q = new URLSearchParams();
  if (known !== undefined) q.set("known", known);
  if (mgmt !== undefined) q.set("mgmt", mgmt);
  q.set("wait", String(wait));
  return t.call("GET", `/api/v1/agent/policy?${q}`, undefined, credential);
}

async function provision(t: T, text = POLICY) {
  expect((await t.call("PUT", "/api/v1/policy/draft", text)).status).toBe(200);
  return t.call("POST", "/api/v1/policy/provision", {});
}

describe("enrolment", () => {
  it("gives the workload the profile's labels and mode, and the addresses minus loopback", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10", { role: "web" }, "test");
    expect(a.body.workload).toMatchObject({
      name: "web-1",
      labels: { role: "web" },
      addresses: ["198.18.1.10"],
      mode: "test",
    });
    expect(a.body.mode).toBe("test");
    expect(a.credential).toMatch(/^msa_[A-Za-z0-9_-]{43}$/);
    expect((await t.store.agents.list())[0]?.credentialHash).not.toContain(a.credential);
  });

  it("refuses unknown, revoked, exhausted and expired keys", async () => {
    const t = await testController({ clock: () => new Date("2026-06-01T00:00:00Z") });
    let n = 0;
    const body = (key: string) => ({ key, hostname: `h${n++}`, interfaces: [] });
    const unknown = await t.call("POST", "/api/v1/enrol", body("mse_nope"), false);
    expect([unknown.status, unknown.body.error.code, unknown.body.error.details.reason]).toEqual([
      403,
      "MSEG_ENROL_REFUSED",
      "unknown",
    ]);
    const once = await t.call("POST", "/api/v1/enrol-profiles", { name: "once", maxUses: 1 });
    expect((await t.call("POST", "/api/v1/enrol", body(once.body.key), false)).status).toBe(201);
    const twice = await t.call("POST", "/api/v1/enrol", body(once.body.key), false);
    expect(twice.body.error.details.reason).toBe("exhausted");
    const old = await t.call("POST", "/api/v1/enrol-profiles", {
      name: "old",
      expiresAt: "2026-01-01T00:00:00Z",
    });
    expect(
      (await t.call("POST", "/api/v1/enrol", body(old.body.key), false)).body.error.details.reason,
    ).toBe("expired");
    const gone = await t.call("POST", "/api/v1/enrol-profiles", { name: "gone" });
    await t.call("POST", `/api/v1/enrol-profiles/${gone.body.profile.id}/revoke`);
    expect(
      (await t.call("POST", "/api/v1/enrol", body(gone.body.key), false)).body.error.details.reason,
    ).toBe("revoked");
    const list = await t.call("GET", "/api/v1/enrol-profiles");
    expect(list.body.profiles.map((p: { name: string }) => p.name).sort()).toEqual([
      "gone",
      "old",
      "once",
    ]);
    expect(JSON.stringify(list.body)).not.toContain("keyHash");
  });
});

describe("agent channel: long-poll policy", () => {
  it("has no RuleSet before the first provision, then gets its own", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const first = await poll(t, web.credential);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      revision: null,
      ruleSet: null,
      management: { v4: ["198.18.0.1/32"], v6: [] },
    });
    expect((await poll(t, web.credential, "none")).status).toBe(204);
    await provision(t);
    const got = await poll(t, web.credential, "none");
    expect(got.body.revision).toBe(1);
    expect(got.body.ruleSet.workload).toBe("web-1");
    expect((await poll(t, web.credential, got.body.ruleSet.hash)).status).toBe(204);
  });

  it("tells the agent what management may do: its channel and the listed services, nothing else", async () => {
    const managementAccess = {
      channel: [{ proto: "tcp", ranges: [[8443, 8443]] }],
      services: [{ proto: "tcp", ranges: [[22, 22]] }],
    };
    const t = await testController({ settings: { managementAccess } as never });
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const first = await poll(t, web.credential);
    expect(first.body.managementAccess).toEqual(managementAccess);
    // Without --management-service: the channel only.
    const bare = await testController();
    const db = await bare.enrol("db-1", "198.18.1.20", { role: "db" });
    expect((await poll(bare, db.credential)).body.managementAccess).toEqual({
      channel: [],
      services: [],
    });
  });

  it("answers at once when the agent's management version is stale, even with the same RuleSet", async () => {
    const store = openMemoryStore();
    const before = await testController({ store });
    const web = await before.enrol("web-1", "198.18.1.10", { role: "web" });
    await provision(before);
    const first = (await poll(before, web.credential)).body;
    const { managementVersion } = first;
    expect(managementVersion).toMatch(/^[0-9a-f]{16}$/);
    const hash = first.ruleSet.hash;
    expect((await poll(before, web.credential, hash, 0, managementVersion)).status).toBe(204);
    expect((await poll(before, web.credential, hash, 0, "none")).status).toBe(200);
    // The same store behind a controller started with --management-service tcp/22.
    const services = [{ proto: "tcp", ranges: [[22, 22]] }];
    const after = await testController({
      store,
      settings: { managementAccess: { channel: [], services } } as never,
    });
    const got = await poll(after, web.credential, hash, 0, managementVersion);
    expect(got.status).toBe(200);
    expect(got.body.ruleSet.hash).toBe(hash);
    expect(got.body.managementAccess.services).toEqual(services);
    expect(got.body.managementVersion).not.toBe(managementVersion);
    // Without mgmt (an older agent): as before, only the RuleSet counts.
    expect((await poll(after, web.credential, hash, 0)).status).toBe(204);
  });

  it("wakes exactly the long-polls whose RuleSet changed (incremental push)", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const db = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    const other = await t.enrol("other-1", "198.18.1.30", { role: "other" });
    await provision(t);
    const hash = async (cred: string) => (await poll(t, cred)).body.ruleSet.hash as string;
    const [hw, hd, ho] = [
      await hash(web.credential),
      await hash(db.credential),
      await hash(other.credential),
    ];

    const answered: string[] = [];
    const track = (name: string, p: ReturnType<typeof poll>) =>
      p.then((r) => {
        answered.push(`${name}:${r.status}`);
        return r;
      });
    const pw = track("web", poll(t, web.credential, hw, 5));
    const pd = track("db", poll(t, db.credential, hd, 5));
    const po = track("other", poll(t, other.credential, ho, 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(t.ctx.hub.waiting()).toBe(3);

    // A second db workload: web's outbound set grows; db-1 and other-1 are unaffected.
    await t.call("PUT", "/api/v1/workloads/db-2", {
      labels: { role: "db" },
      addresses: ["198.18.1.21"],
    });
    const w = await pw;
    expect(w.status).toBe(200);
    expect(w.body.ruleSet.sets[Object.keys(w.body.ruleSet.sets)[0] ?? ""].v4).toEqual([
      "198.18.1.20/31",
    ]);
    expect(answered).toEqual(["web:200"]);
    expect((await po).status).toBe(204);
    expect(answered).toEqual(["web:200", "other:204"]);
    // Mode change reaches db-1 (mode is part of its RuleSet).
    await t.call("PATCH", "/api/v1/workloads/db-1", { mode: "test" });
    const d = await pd;
    expect([d.status, d.body.ruleSet.mode]).toEqual([200, "test"]);
  });

  it("drops the waiter of an agent that hung up", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10");
    const abort = new AbortController();
    const held = t.app.request("/api/v1/agent/policy?known=none&wait=30", {
      headers: { authorization: `Bearer ${web.credential}` },
      signal: abort.signal,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(t.ctx.hub.waiting()).toBe(1);
    abort.abort();
    await Promise.resolve(held).catch(() => undefined);
    expect(t.ctx.hub.waiting()).toBe(0);
  });

  it("answers held polls 204 when the hub closes", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10");
    const p = poll(t, web.credential, "none", 30);
    await new Promise((r) => setTimeout(r, 20));
    t.ctx.hub.close();
    expect((await p).status).toBe(204);
  });
});

describe("agent channel: status, convergence, revocation", () => {
  it("records acks, drift and events; shows convergence, heartbeat and online state", async () => {
    let now = new Date("2026-06-01T00:00:00Z");
    const t = await testController({ clock: () => now });
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    await provision(t);
    const rs = (await poll(t, web.credential)).body.ruleSet;
    let view = (await t.call("GET", "/api/v1/agents")).body.agents[0];
    expect(view).toMatchObject({
      converged: false,
      online: false,
      lastHeartbeat: null,
      mode: "enforce",
    });

    const st = await t.call(
      "POST",
      "/api/v1/agent/status",
      {
        applied: { revision: 1, rulesetHash: rs.hash, ok: true, ms: 3 },
        drift: { drifted: true, details: "table flushed", repairedAt: now.toISOString() },
        events: [{ kind: "tamper", at: now.toISOString(), details: "table flushed" }],
      },
      web.credential,
    );
    expect(st.body).toEqual({ currentHash: rs.hash, heartbeatSeconds: 10 });
    view = (await t.call("GET", `/api/v1/agents/${web.id}`)).body;
    expect(view).toMatchObject({
      converged: true,
      online: true,
      appliedRevision: 1,
      appliedHash: rs.hash,
      drift: "repaired",
      lastHeartbeat: "2026-06-01T00:00:00.000Z",
    });
    const failed = {
      applied: { revision: 1, rulesetHash: "x", ok: false, error: "nft: syntax", ms: 1 },
    };
    await t.call("POST", "/api/v1/agent/status", failed, web.credential);
    view = (await t.call("GET", `/api/v1/agents/${web.id}`)).body;
    expect([view.converged, view.lastError]).toEqual([true, "nft: syntax"]);
    const status = (await t.call("GET", "/api/v1/status")).body;
    expect(status.agents).toMatchObject({ total: 1, online: 1, converged: 1, pending: 0 });

    now = new Date(now.getTime() + 31_000);
    expect((await t.call("GET", `/api/v1/agents/${web.id}`)).body.online).toBe(false);
    const audit = await t.call("GET", "/api/v1/audit?target=workload/web-1");
    const tamper = audit.body.entries.find((e: { action: string }) => e.action === "agent.tamper");
    expect(tamper).toMatchObject({ actor: `agent/${web.id}`, after: { details: "table flushed" } });
  });

  it("a report from before its RuleSet last changed is not convergence, though the hash matches again (A, B, A)", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const db = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    const report = (agent: { credential: string }, revision: number, hash: string) =>
      t.call(
        "POST",
        "/api/v1/agent/status",
        {
          applied: { revision, rulesetHash: hash, ok: true, ms: 1 },
        },
        agent.credential,
      );
    const converged = async () =>
      Object.fromEntries(
        (await t.call("GET", "/api/v1/agents")).body.agents.map(
          (a: { workload: string; converged: boolean }) => [a.workload, a.converged],
        ),
      );
    expect((await provision(t)).status).toBe(201); // r1: A
    const webA = (await poll(t, web.credential)).body.ruleSet.hash;
    const dbA = (await poll(t, db.credential)).body.ruleSet.hash;
    await report(web, 1, webA);
    await report(db, 1, dbA);
    expect(await converged()).toEqual({ "web-1": true, "db-1": true });
    // r2 (B) changes web-1's RuleSet only; r3 rolls back to A.
    const b = `${POLICY}  - name: web-peers
    from: { role: web }
    to: { role: web }
    services: [tcp/9999]
`;
    expect((await provision(t, b)).status).toBe(201);
    expect(await converged()).toEqual({ "web-1": false, "db-1": true });
    const rb = await t.call("POST", "/api/v1/policy/rollback", { to: 1 });
    expect(rb.body.revision?.number ?? rb.body.number).toBe(3);
    expect((await poll(t, web.credential)).body.ruleSet.hash).toBe(webA);
    // web-1's last report (A, r1) predates r2 and r3: it may be applying B's answer right now.
    expect(await converged()).toEqual({ "web-1": false, "db-1": true });
    await report(web, 2, "b-hash");
    expect(await converged()).toEqual({ "web-1": false, "db-1": true });
    await report(web, 3, webA);
    expect(await converged()).toEqual({ "web-1": true, "db-1": true });
  });

  it("reads only its own policy and loses everything when revoked", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const db = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    await provision(t);
    const own = (await poll(t, web.credential)).body.ruleSet;
    expect(own.workload).toBe("web-1");
    expect((await poll(t, db.credential)).body.ruleSet.workload).toBe("db-1");
    // Admin tokens are not agent credentials, and agent credentials are not admin tokens.
    expect((await poll(t, t.token)).status).toBe(401);
    expect((await t.call("GET", "/api/v1/workloads", undefined, web.credential)).status).toBe(401);

    const started = Date.now();
    const held = poll(t, web.credential, own.hash, 5);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.ctx.hub.waiting()).toBe(1);
    expect((await t.call("POST", `/api/v1/agents/${web.id}/revoke`)).body.revoked).toBe(true);
    expect((await poll(t, web.credential)).status).toBe(401);
    expect((await t.call("POST", "/api/v1/agent/status", {}, web.credential)).status).toBe(401);
    // The held poll was released by the revocation, not by its timeout.
    expect((await held).status).toBe(401);
    expect(Date.now() - started).toBeLessThan(4000);
    expect((await poll(t, db.credential)).status).toBe(200);
  });

  it("refuses a revoked agent whose credential was cached on its first use", async () => {
    const first = await testController();
    const early = await first.enrol("old-1", "198.18.1.30", { role: "web" });
    // A second controller over the same store: its cache learns both agents on their first use.
    const t = await testController({ store: first.store });
    const admin = first.token;
    const fresh = await first.enrol("web-1", "198.18.1.10", { role: "web" });
    for (const a of [early, fresh]) {
      expect((await t.call("POST", "/api/v1/agent/status", {}, a.credential)).status).toBe(200);
      expect(t.ctx.credentials.lookup(hashSecret(a.credential))?.id).toBe(a.id);
      expect((await t.call("POST", `/api/v1/agents/${a.id}/revoke`, {}, admin)).status).toBe(200);
      expect(t.ctx.credentials.lookup(hashSecret(a.credential))).toBeUndefined();
      expect((await t.call("POST", "/api/v1/agent/status", {}, a.credential)).status).toBe(401);
      expect((await poll(t, a.credential)).status).toBe(401);
    }
  });
});
