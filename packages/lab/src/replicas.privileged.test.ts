// Three controller replicas on one PostgreSQL database (a throwaway server), the lab's agents
// given all three, and faults that must lose nothing — each step counts what was lost:
//   a. SIGKILL of the replica serving a provision (and the agents): every agent ends on the
//      revision the store holds, none diverges, and the wire shows that revision's matrix;
//   b. SIGKILL of the replica the agents send their flow batches to, during a burst: the store
//      counts every connection made, once;
//   c. the replica the agents use cut off from the database (its store relay killed): /readyz
//      fails, it serves no stale policy (a provision through another replica reaches every
//      agent), the wire keeps its matrix, and the flows of the cut are delivered once it is back.
// The steps share one lab and run in order; each restarts what it stopped.
import { describePrivileged } from "@microseg/nft/testing";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  LabApiError,
  type LabApiTarget,
  labApi,
  labCutStore,
  labDown,
  labRestoreStore,
  labStartReplica,
  labUp,
  listAgents,
  readState,
} from "./index.js";
import { isAlive } from "./sys/procs.js";
import {
  allowed,
  eventually,
  probeExpecting,
  scenario,
  tempStateDir,
} from "./testing/lab-fixtures.js";
import {
  agentReplica,
  connectMany,
  edgeCount,
  liveReplica,
  replicaApi,
  replicaPid,
} from "./testing/replica-fixtures.js";
import { labNamespaces } from "./topology.js";

const dir = tempStateDir();
const MANAGED = ["app", "db", "web"];
const POLICY_V1 = `apiVersion: microseg/v1
rules:
  - { name: web-to-app, from: { role: web }, to: { role: app }, services: [tcp/8000] }
  - { name: app-to-db, from: { role: app }, to: { role: db }, services: [tcp/5432] }
`;
// Every managed host's RuleSet differs from V1's: web's and db's egress, db's and app's ingress.
const POLICY_V2 = `${POLICY_V1}  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
  - { name: db-to-app, from: { role: db }, to: { role: app }, services: [tcp/8000] }
`;
const MATRIX_V1 = ["app -> db tcp/5432", "web -> app tcp/8000"];
const MATRIX_V2 = [
  "app -> db tcp/5432",
  "db -> app tcp/8000",
  "web -> app tcp/8000",
  "web -> db tcp/5432",
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: TestPostgres | undefined;
/** The matrix the active revision enforces (steps change it). */
let current: string[] = MATRIX_V1;

/** The replica most agents talk to now. */
function agentsReplica(): number {
  const votes = MANAGED.map((h) => agentReplica(dir, h));
  return (
    votes.sort(
      (a, b) => votes.filter((v) => v === b).length - votes.filter((v) => v === a).length,
    )[0] ?? 0
  );
}

/**
 * The newest revision in the store (no step rolls back, so it is the active one), read from the
 * database: a replica's own active revision may lag a commit by a follower interval.
 */
async function storeRevision(api: LabApiTarget): Promise<number> {
  const { revisions } = await labApi<{ revisions: { number: number }[] }>(
    api,
    "GET",
    "/api/v1/policy/history",
  );
  return Math.max(0, ...revisions.map((r) => r.number));
}

async function activeRevision(api: LabApiTarget): Promise<number> {
  return (await labApi<{ activeRevision: number }>(api, "GET", "/api/v1/status")).activeRevision;
}

/**
 * Agents that do not enforce `revision` ([] once none does): each applied the RuleSet the replica
 * holds for it, and reports `revision` itself (the flip between the two policies changes every
 * managed host's RuleSet, so every agent is sent each new revision).
 */
async function diverged(api: LabApiTarget, revision: number): Promise<string[]> {
  const rows = await listAgents(api);
  return MANAGED.filter((h) => {
    const a = rows.find((r) => r.workload === h && !r.revoked);
    if (a === undefined || !a.converged || a.appliedHash !== a.currentHash) return true;
    return a.appliedRevision !== revision;
  });
}

/** The other policy than the active one (every managed host's RuleSet changes) and its matrix. */
function flip(): [string, string[]] {
  return current === MATRIX_V1 ? [POLICY_V2, MATRIX_V2] : [POLICY_V1, MATRIX_V1];
}

/**
 * Resolves to the revision every agent applied once they all did (`revision` is read again
 * each round: the replicas learn of a commit through the change stream); names the stragglers
 * when they do not within `ms`.
 */
async function everyAgentOn(
  api: LabApiTarget,
  revision: () => Promise<number>,
  ms: number,
): Promise<number> {
  let r = 0;
  let off: string[] = [];
  const check = async () => {
    r = await revision();
    off = await diverged(api, r);
    return off.length === 0;
  };
  await eventually(check, ms, "every agent on the store's revision").catch(async (e: Error) => {
    const rows = (await listAgents(api)).map((a) => [a.workload, a.appliedRevision, a.converged]);
    throw new Error(`${e.message}: ${r}; diverged ${off.join(", ")}: ${JSON.stringify(rows)}`);
  });
  return r;
}

async function wire(expected: readonly string[]): Promise<string[]> {
  const same = (r: Parameters<typeof allowed>[0]) =>
    JSON.stringify(allowed(r)) === JSON.stringify(expected);
  return allowed(await probeExpecting({ dir }, same));
}

async function provision(api: LabApiTarget, text: string): Promise<number> {
  await labApi(api, "PUT", "/api/v1/policy/draft", { text });
  const r = await labApi<{ revision: { number: number } }>(
    api,
    "POST",
    "/api/v1/policy/provision",
    {},
  );
  return r.revision.number;
}

/** The store's count once it stopped moving (no change for `quietMs`). */
async function settledCount(api: LabApiTarget, quietMs = 2500): Promise<number> {
  let last = await edgeCount(api, "web", "app", 8000);
  for (;;) {
    await sleep(quietMs);
    const now = await edgeCount(api, "web", "app", 8000);
    if (now === last) return now;
    last = now;
  }
}

async function readyStatus(api: LabApiTarget): Promise<number> {
  try {
    await labApi(api, "GET", "/readyz");
    return 200;
  } catch (e) {
    if (e instanceof LabApiError) return e.status;
    return 0;
  }
}

describeWithPostgres("lab: three controller replicas on one PostgreSQL database", () => {
  describePrivileged("faults lose nothing", () => {
    beforeAll(async () => {
      pg = await startPostgres();
      const store = await pg.createDatabase("lab");
      await labDown({ dir });
      await labUp(scenario("replicas"), { dir, replicas: 3, store });
    }, 90_000);
    afterAll(async () => {
      await labDown({ dir });
      await pg?.stop();
      expect(await labNamespaces()).toEqual([]);
    }, 30_000);

    it("lab up starts three replicas on the database; every agent is given all three", async () => {
      const state = readState(dir);
      expect(state?.controllers?.map((c) => new URL(c.agentUrl).port)).toEqual([
        "8443",
        "8444",
        "8445",
      ]);
      expect(
        state?.controllers?.every((c) => isAlive(c.pid) && isAlive(c.storeRelayPid ?? 0)),
      ).toBe(true);
      for (const i of [0, 1, 2]) expect(await activeRevision(replicaApi(dir, i))).toBe(1);
      expect(await wire(MATRIX_V1)).toEqual(MATRIX_V1);
    });

    // 15 ms: killed before the provision commits; 250 ms: after (the agents long-polling the
    // replica may or may not have had their answer). Either way the store decides.
    it.each([15, 250])(
      "a. SIGKILL of the replica serving a provision (after %i ms): no agent diverges from the store",
      async (killAfterMs) => {
        const victim = agentsReplica();
        const api = replicaApi(dir, victim);
        const before = await activeRevision(api);
        const [text, next] = flip();
        await labApi(api, "PUT", "/api/v1/policy/draft", { text });
        const answer = labApi<{ revision: { number: number } }>(
          api,
          "POST",
          "/api/v1/policy/provision",
          {},
        ).then(
          (r) => r.revision.number,
          (e: Error) => e,
        );
        await sleep(killAfterMs);
        process.kill(replicaPid(dir, victim), "SIGKILL");
        const outcome = await answer;
        const other = replicaApi(dir, liveReplica(dir, victim));
        const active = await everyAgentOn(other, () => storeRevision(other), 20_000);
        expect(await activeRevision(other)).toBe(active);
        const said =
          typeof outcome === "number"
            ? `answered revision ${outcome}`
            : `failed (${outcome.message})`;
        console.log(
          `provision, SIGKILL after ${killAfterMs} ms: ${said}; the store holds ${active}`,
        );
        if (typeof outcome === "number") expect(active).toBe(outcome);
        expect([before, before + 1]).toContain(active);
        if (active !== before) current = next;
        expect(await wire(current)).toEqual(current);
        await labStartReplica(victim, { dir });
      },
      60_000,
    );

    it("b. SIGKILL of the replica receiving flow batches during a burst: 0 lost, 0 counted twice", async () => {
      const victim = agentsReplica();
      const reader = replicaApi(dir, liveReplica(dir, victim));
      const base = await settledCount(reader);
      let made = 0;
      for (let wave = 0; wave < 10; wave += 1) {
        if (wave === 3) process.kill(replicaPid(dir, victim), "SIGKILL");
        made += await connectMany(dir, "web", "app", 8000, 20);
        await sleep(150);
      }
      expect(made).toBe(200);
      await eventually(
        async () => (await edgeCount(reader, "web", "app", 8000)) - base >= made,
        30_000,
        "every connection counted",
      );
      const counted = (await settledCount(reader)) - base;
      console.log(`burst across a SIGKILL: ${made} connections made, ${counted} counted`);
      expect({ lost: Math.max(0, made - counted), twice: Math.max(0, counted - made) }).toEqual({
        lost: 0,
        twice: 0,
      });
      await labStartReplica(victim, { dir });
    }, 60_000);

    it("c. a replica cut off from the database: unready, and it serves no stale policy", async () => {
      const victim = agentsReplica();
      const cut = replicaApi(dir, victim);
      const other = replicaApi(dir, liveReplica(dir, victim));
      await labCutStore(victim, { dir });
      await eventually(
        async () => (await readyStatus(cut)) === 503,
        10_000,
        "/readyz of the cut replica fails",
      );
      const [text, next] = flip();
      const revision = await provision(other, text);
      await everyAgentOn(other, async () => revision, 15_000);
      expect(await wire(next)).toEqual(next);
      current = next;
      await labRestoreStore(victim, { dir });
      await eventually(
        async () => (await readyStatus(cut)) === 200,
        10_000,
        "/readyz of the replica once the database is back",
      );
      expect(await activeRevision(cut)).toBe(revision);
    }, 60_000);

    it("c. the database away from every replica: agents enforce, buffered flows delivered once", async () => {
      const apis = [0, 1, 2].map((i) => replicaApi(dir, i));
      const base = await settledCount(apis[0] as LabApiTarget);
      for (const i of [0, 1, 2]) await labCutStore(i, { dir });
      await eventually(
        async () => (await Promise.all(apis.map(readyStatus))).every((s) => s === 503),
        10_000,
        "every replica unready",
      );
      // Still enforced: what the policy allows connects, the outside host stays shut out.
      const made = await connectMany(dir, "web", "app", 8000, 20);
      expect(made).toBe(20);
      expect(await connectMany(dir, "outside", "app", 8000, 3)).toBe(0);
      await sleep(2000); // the agents' batches fail meanwhile and stay in their buffers
      for (const i of [0, 1, 2]) await labRestoreStore(i, { dir });
      await eventually(
        async () => (await Promise.all(apis.map(readyStatus))).every((s) => s === 200),
        10_000,
        "every replica ready again",
      );
      const expected = made;
      await eventually(
        async () =>
          (await edgeCount(apis[0] as LabApiTarget, "web", "app", 8000)) - base >= expected,
        30_000,
        "the flows of the outage counted",
      );
      const counted = (await settledCount(apis[0] as LabApiTarget)) - base;
      console.log(`database away: ${expected} connections made, ${counted} counted`);
      expect({
        lost: Math.max(0, expected - counted),
        twice: Math.max(0, counted - expected),
      }).toEqual({ lost: 0, twice: 0 });
    }, 60_000);
  });
});
