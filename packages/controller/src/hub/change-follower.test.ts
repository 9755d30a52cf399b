// The change follower over the memory store (its change rows are the same as PostgreSQL's: the
// engine writes them); change-stream.test.ts runs two controllers on a real PostgreSQL.
import type { Workload } from "@microseg/core";
import type { Store } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { AgentCredentials } from "../agent-credentials.js";
import { hubRevision } from "../use-cases/policy-text.js";
import { ChangeFollower } from "./change-follower.js";
import { PolicyHub } from "./policy-hub.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

const wl = (name: string, role: string, address: string): Workload => ({
  name,
  labels: { role },
  addresses: [address],
  mode: "enforce",
  managed: true,
});

const silent = pino({ level: "silent" });

async function provision(store: Store) {
  // A model in no known format: hubRevision parses the text, as for an old revision.
  await store.policy.saveDraft({ text: POLICY, parsed: {}, parsedVersion: 0 }, "alice");
  const r = await store.policy.provision({ comment: "c" }, "alice");
  if (!r.ok) throw new Error(r.reason);
  return r.revision;
}

/** A replica: its own hub over the shared store, loaded as buildController loads it. */
async function replica(store: Store) {
  const from = await store.changes.head();
  const active = await store.policy.active();
  const hub = new PolicyHub(
    await store.workloads.list(),
    active === undefined ? undefined : hubRevision(active),
    await store.quarantine.list(),
  );
  const credentials = new AgentCredentials();
  return {
    hub,
    credentials,
    follower: new ChangeFollower({ store, hub, credentials, log: silent }, from),
  };
}

describe("change follower", () => {
  it("applies another replica's workloads, revision, quarantine and revoke", async () => {
    const store = openMemoryStore();
    const { hub, credentials, follower } = await replica(store);
    await store.workloads.upsert(wl("web-1", "web", "198.18.1.10"), "alice");
    await store.workloads.upsert(wl("db-1", "db", "198.18.1.20"), "alice");
    await provision(store);
    await follower.poll();
    expect(hub.activeRevision).toBe(1);
    expect(hub.ruleSet("web-1")?.hash).toBeDefined();
    const before = hub.hashOf("web-1");

    await store.quarantine.set(
      { workload: "web-1", since: "2026-01-01T00:00:00Z", reason: "x", forensic: [], actor: "a" },
      "a",
    );
    await follower.poll();
    expect(hub.quarantineOf("web-1")?.reason).toBe("x");
    expect(hub.hashOf("web-1")).not.toBe(before);
    await store.quarantine.release("web-1", "a");
    await store.workloads.delete("db-1", "alice");
    await follower.poll();
    expect(hub.quarantineOf("web-1")).toBeUndefined();
    expect(hub.storedWorkload("db-1")).toBeUndefined();

    await store.enrolment.create(
      {
        id: "p1",
        name: "p",
        keyHash: "k".repeat(64),
        labels: {},
        mode: "enforce",
        expiresAt: null,
        maxUses: null,
      },
      "alice",
    );
    const enrolled = await store.agents.enrol({
      keyHash: "k".repeat(64),
      now: new Date(),
      agentId: "ag1",
      credentialHash: "c".repeat(64),
      hostname: "h",
      interfaces: [],
      workload: "app-1",
      addresses: ["198.18.1.30"],
    });
    expect(enrolled.ok).toBe(true);
    await follower.poll();
    expect(hub.storedWorkload("app-1")).toBeDefined();
    const agent = await store.agents.get("ag1");
    credentials.remember(agent as NonNullable<typeof agent>);
    const released = vi.spyOn(hub, "release");
    await store.agents.revoke("ag1", "alice");
    await follower.poll();
    expect(credentials.isRevoked("ag1")).toBe(true);
    expect(credentials.lookup("c".repeat(64))).toBeUndefined();
    expect(released).toHaveBeenCalledWith("app-1");
    expect(follower.seq).toBe(await store.changes.head());
  });

  it("recompiles nothing for a change its own replica already applied", async () => {
    const store = openMemoryStore();
    const { hub, follower } = await replica(store);
    const w = wl("web-1", "web", "198.18.1.10");
    const put = await store.workloads.upsert(w, "alice");
    hub.upsertWorkload(put.ok ? put.record : w); // as the use case does
    const revision = await provision(store);
    hub.setRevision(hubRevision(revision));
    const calls = [
      vi.spyOn(hub, "upsertWorkload"),
      vi.spyOn(hub, "setRevision"),
      vi.spyOn(hub, "setQuarantine"),
    ];
    await follower.poll();
    for (const c of calls) expect(c).not.toHaveBeenCalled();
    expect(follower.seq).toBe(2);
  });

  it("reloads from the store when the rows it needs were pruned", async () => {
    const store = openMemoryStore();
    await store.workloads.upsert(wl("gone-1", "web", "198.18.1.40"), "alice");
    const { hub, follower: _ } = await replica(store);
    await store.workloads.delete("gone-1", "alice");
    await store.workloads.upsert(wl("web-1", "web", "198.18.1.10"), "alice");
    await provision(store);
    // Rows 2 and 3 pruned: the follower at seq 1 sees 4 first.
    const pruned: Store = {
      ...store,
      changes: {
        ...store.changes,
        after: async (seq, limit) =>
          (await store.changes.after(seq, limit)).filter((c) => c.seq > 3),
      },
    };
    const follower = new ChangeFollower(
      { store: pruned, hub, credentials: new AgentCredentials(), log: silent },
      1,
    );
    await follower.poll();
    expect(hub.storedWorkload("gone-1")).toBeUndefined();
    expect(hub.storedWorkload("web-1")).toBeDefined();
    expect(hub.activeRevision).toBe(1);
    expect(follower.seq).toBe(await store.changes.head());
  });

  it("logs a failing read once, keeps polling and catches up", async () => {
    const store = openMemoryStore();
    const { hub } = await replica(store);
    let down = true;
    const flaky: Store = {
      ...store,
      changes: {
        ...store.changes,
        after: (seq, limit) =>
          down ? Promise.reject(new Error("connection refused")) : store.changes.after(seq, limit),
      },
    };
    const errors: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => void errors.push(line) });
    const follower = new ChangeFollower(
      { store: flaky, hub, credentials: new AgentCredentials(), log, intervalMs: 5 },
      0,
    );
    follower.start();
    await store.workloads.upsert(wl("web-1", "web", "198.18.1.10"), "alice");
    await new Promise((r) => setTimeout(r, 60));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("connection refused");
    down = false;
    await vi.waitFor(() => expect(hub.storedWorkload("web-1")).toBeDefined(), { timeout: 1000 });
    await follower.stop();
  });
});
