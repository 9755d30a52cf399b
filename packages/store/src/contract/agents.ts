import { describe, expect, it } from "vitest";
import type { EnrolInput } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { profile } from "./enrolment.js";
import { type Ctx, sha, useHarness, workload } from "./setup.js";

function enrolInput(c: Ctx, over: Partial<EnrolInput> = {}): EnrolInput {
  return {
    keyHash: sha("a"),
    now: c.clock.now(),
    agentId: "ag1",
    credentialHash: sha("c"),
    hostname: "web-1.lab",
    interfaces: [{ name: "eth0", addresses: ["198.18.0.10"] }],
    workload: "web-1",
    addresses: ["198.18.0.10"],
    ...over,
  };
}

export function agentContract(make: MakeHarness): void {
  describe("agents", () => {
    const c = useHarness(make);
    const setup = async (maxUses: number | null = null) => {
      await c.store.enrolment.create(profile({ maxUses }), "alice");
    };

    it("enrols: one use, a workload with the profile's labels and mode, an agent", async () => {
      await setup();
      const res = await c.store.agents.enrol(enrolInput(c));
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(res.workload).toMatchObject({
        name: "web-1",
        labels: { app: "shop", env: "prod" },
        mode: "test",
        managed: true,
      });
      expect(res.agent).toMatchObject({
        id: "ag1",
        workload: "web-1",
        profileId: "p1",
        revoked: false,
        drift: "unknown",
        lastHeartbeat: null,
      });
      expect((await c.store.enrolment.get("p1"))?.uses).toBe(1);
      expect((await c.store.agents.authenticate(sha("c")))?.id).toBe("ag1");
      const entry = (await c.store.audit.list()).at(-1);
      expect(entry).toMatchObject({ actor: "agent/ag1", action: "agent.enrol" });
      expect(JSON.stringify(entry)).not.toContain(sha("c"));
    });

    it("creates nothing when the key is refused", async () => {
      await setup(0);
      expect(await c.store.agents.enrol(enrolInput(c))).toEqual({ ok: false, reason: "exhausted" });
      expect(await c.store.agents.enrol(enrolInput(c, { keyHash: sha("q") }))).toEqual({
        ok: false,
        reason: "unknown",
      });
      expect(await c.store.agents.list()).toEqual([]);
      expect(await c.store.workloads.list()).toEqual([]);
    });

    it("refuses a second live agent for a workload, and a reused id or credential", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      expect(
        await c.store.agents.enrol(enrolInput(c, { agentId: "ag2", credentialHash: sha("d") })),
      ).toEqual({ ok: false, reason: "workload-taken", workload: "web-1", agent: "ag1" });
      expect(await c.store.agents.enrol(enrolInput(c, { workload: "web-2" }))).toEqual({
        ok: false,
        reason: "conflict",
      });
      expect((await c.store.enrolment.get("p1"))?.uses).toBe(1);
    });

    it("keeps the newest maintenance token hash, audits the issue without it, refuses revoked agents", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      expect((await c.store.agents.get("ag1"))?.maintenanceHash).toBeNull();
      expect(
        (await c.store.agents.setMaintenanceHash("ag1", sha("m"), "alice"))?.maintenanceHash,
      ).toBe(sha("m"));
      await c.store.agents.setMaintenanceHash("ag1", sha("n"), "alice");
      expect((await c.store.agents.get("ag1"))?.maintenanceHash).toBe(sha("n"));
      // A status report keeps it.
      await c.store.agents.report("ag1", { at: c.clock.now(), drift: "in-sync" });
      expect((await c.store.agents.authenticate(sha("c")))?.maintenanceHash).toBe(sha("n"));
      const entries = (await c.store.audit.list()).filter(
        (e) => e.action === "agent.maintenance-token",
      );
      expect(
        entries.map((e) => [e.actor, e.target, (e.after as { replaced: boolean }).replaced]),
      ).toEqual([
        ["alice", "agent/ag1", false],
        ["alice", "agent/ag1", true],
      ]);
      expect(JSON.stringify(await c.store.audit.list())).not.toContain(sha("n"));
      expect(await c.store.agents.setMaintenanceHash("nope", sha("m"), "alice")).toBeUndefined();
      await c.store.agents.revoke("ag1", "bob");
      expect(await c.store.agents.setMaintenanceHash("ag1", sha("m"), "alice")).toBeUndefined();
      expect((await c.store.agents.get("ag1"))?.maintenanceHash).toBe(sha("n"));
    });

    it("revoking stops authentication; a profile bound to the workload then re-assigns it", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      expect(await c.store.workloads.delete("web-1", "alice")).toEqual({
        ok: false,
        reason: "in-use",
      });
      expect((await c.store.agents.revoke("ag1", "bob"))?.revoked).toBe(true);
      expect(await c.store.agents.authenticate(sha("c"))).toBeUndefined();
      expect(await c.store.agents.report("ag1", { at: c.clock.now() })).toEqual({
        ok: false,
        reason: "revoked",
      });
      const next = { agentId: "ag2", credentialHash: sha("d") };
      expect(await c.store.agents.enrol(enrolInput(c, next))).toMatchObject({
        reason: "workload-exists",
      });
      await c.store.enrolment.create(
        profile({ id: "p2", name: "web-1", keyHash: sha("b"), workload: "web-1" }),
        "alice",
      );
      const again = await c.store.agents.enrol(enrolInput(c, { ...next, keyHash: sha("b") }));
      expect(again.ok).toBe(true);
      await c.store.agents.revoke("ag2", "bob");
      expect((await c.store.workloads.delete("web-1", "alice")).ok).toBe(true);
      expect(await c.store.agents.list()).toEqual([]);
    });

    it("a profile bound to an existing workload takes it over, keeping its creation time and labels", async () => {
      await c.store.workloads.upsert(workload("web-1", { labels: { old: "x" } }), "alice");
      await c.store.enrolment.create(profile({ workload: "web-1" }), "alice");
      c.clock.advance(60_000);
      const res = await c.store.agents.enrol(enrolInput(c));
      expect(res.ok && res.workload).toMatchObject({
        labels: { old: "x" },
        addresses: ["198.18.0.10"],
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:01:00.000Z",
      });
    });

    it("records heartbeats, applied revision, drift and errors", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      expect(await c.store.agents.report("nope", { at: c.clock.now() })).toEqual({
        ok: false,
        reason: "not-found",
      });
      c.clock.advance(1000);
      const auditCount = (await c.store.audit.list()).length;
      await c.store.agents.report("ag1", {
        at: c.clock.now(),
        applied: { revision: 4, rulesetHash: "abc" },
        drift: "in-sync",
        error: "nft said no",
      });
      await c.store.agents.report("ag1", {
        at: c.clock.now(),
        hostname: "renamed",
        interfaces: [],
        error: null,
      });
      expect(await c.store.agents.get("ag1")).toMatchObject({
        lastHeartbeat: "2026-01-01T00:00:01.000Z",
        appliedRevision: 4,
        appliedHash: "abc",
        drift: "in-sync",
        lastError: null,
        hostname: "renamed",
        interfaces: [],
      });
      expect((await c.store.audit.list()).length).toBe(auditCount);
    });

    it("records several reports in one write, in order, refusing only unknown and revoked agents", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      const second = {
        agentId: "ag2",
        credentialHash: sha("d"),
        workload: "db-1",
        addresses: ["198.18.0.11"],
      };
      await c.store.agents.enrol(enrolInput(c, second));
      const third = { agentId: "ag3", workload: "x-1", credentialHash: sha("e") };
      await c.store.agents.enrol(
        enrolInput(c, { ...second, ...third, addresses: ["198.18.0.12"] }),
      );
      await c.store.agents.revoke("ag3", "bob");
      expect(await c.store.agents.reportMany([])).toEqual([]);
      c.clock.advance(1000);
      const at = c.clock.now();
      const results = await c.store.agents.reportMany([
        { id: "ag1", report: { at, applied: { revision: 1, rulesetHash: "h1" } } },
        { id: "nope", report: { at } },
        { id: "ag3", report: { at } },
        { id: "ag2", report: { at, drift: "drifted" } },
        { id: "ag1", report: { at, applied: { revision: 2, rulesetHash: "h2" } } },
      ]);
      expect(results.map((r) => (r.ok ? r.agent.id : r.reason))).toEqual([
        "ag1",
        "not-found",
        "revoked",
        "ag2",
        "ag1",
      ]);
      expect(await c.store.agents.get("ag1")).toMatchObject({
        appliedRevision: 2,
        appliedHash: "h2",
        lastHeartbeat: "2026-01-01T00:00:01.000Z",
      });
      expect(await c.store.agents.get("ag2")).toMatchObject({ drift: "drifted" });
      expect((await c.store.agents.get("ag3"))?.lastHeartbeat).toBeNull();
    });

    it("writes none of the reports when the batch fails", async () => {
      await setup();
      await c.store.agents.enrol(enrolInput(c));
      c.h.failAt("agent.reportMany:applied");
      const at = c.clock.now();
      await expect(
        c.store.agents.reportMany([{ id: "ag1", report: { at, drift: "drifted" } }]),
      ).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      expect(await c.store.agents.get("ag1")).toMatchObject({
        drift: "unknown",
        lastHeartbeat: null,
      });
    });

    for (const step of ["agent.enrol:consumed", "agent.enrol:workload", "audit:agent.enrol"]) {
      it(`leaves no trace when enrolment fails at ${step}`, async () => {
        await setup(1);
        c.h.failAt(step);
        await expect(c.store.agents.enrol(enrolInput(c))).rejects.toThrow(/failpoint/);
        c.h.failAt(undefined);
        expect((await c.store.enrolment.get("p1"))?.uses).toBe(0);
        expect(await c.store.workloads.list()).toEqual([]);
        expect(await c.store.agents.list()).toEqual([]);
        expect((await c.store.agents.enrol(enrolInput(c))).ok).toBe(true);
      });
    }
  });
}
