import { describe, expect, it } from "vitest";
import type { AlertRecord, Quarantine } from "../flow-records.js";
import type { MakeHarness } from "../testing.js";
import { useHarness, workload } from "./setup.js";

function alert(over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: "scan:attacker",
    kind: "scan",
    severity: "high",
    source: "attacker",
    targets: ["web-1", "db-1"],
    at: "2026-01-01T00:00:00.000Z",
    lastAt: "2026-01-01T00:00:00.000Z",
    summary: "attacker probed 2 workloads",
    incident: "inc-1",
    evidence: { ports: ["tcp/22"] },
    status: "open",
    count: 1,
    ...over,
  };
}

export function alertContract(make: MakeHarness): void {
  describe("alerts", () => {
    const c = useHarness(make);

    it("creates, and on re-raise keeps the first time and the status and counts once", async () => {
      expect(await c.store.alerts.upsert(alert())).toEqual(alert());
      await c.store.alerts.setStatus("scan:attacker", "acknowledged", "alice");
      const again = await c.store.alerts.upsert(
        alert({
          at: "2026-01-01T01:00:00.000Z",
          lastAt: "2026-01-01T01:00:00.000Z",
          targets: ["web-1", "db-1", "web-2"],
          summary: "attacker probed 3 workloads",
          status: "open",
        }),
      );
      expect(again).toMatchObject({
        at: "2026-01-01T00:00:00.000Z",
        lastAt: "2026-01-01T01:00:00.000Z",
        targets: ["web-1", "db-1", "web-2"],
        status: "acknowledged",
        count: 2,
      });
      expect(await c.store.alerts.get("scan:attacker")).toEqual(again);
      expect((await c.store.alerts.upsert(alert({ count: 7 }))).count).toBe(7);
      expect(await c.store.alerts.get("nope")).toBeUndefined();
    });

    it("stores many in one call, in order, each as upsert would (a repeated id counts again)", async () => {
      await c.store.alerts.upsert(alert({ id: "a" }));
      await c.store.alerts.setStatus("a", "acknowledged", "alice");
      const stored = await c.store.alerts.upsertMany([
        alert({ id: "a", lastAt: "2026-01-01T01:00:00.000Z" }),
        alert({ id: "b", kind: "decoy" }),
        alert({ id: "b", kind: "decoy", lastAt: "2026-01-01T02:00:00.000Z" }),
      ]);
      expect(stored.map((a) => [a.id, a.status, a.count, a.lastAt])).toEqual([
        ["a", "acknowledged", 2, "2026-01-01T01:00:00.000Z"],
        ["b", "open", 1, "2026-01-01T00:00:00.000Z"],
        ["b", "open", 2, "2026-01-01T02:00:00.000Z"],
      ]);
      expect(await c.store.alerts.get("b")).toEqual(stored[2]);
      expect(await c.store.alerts.upsertMany([])).toEqual([]);
    });

    it("keeps the delivery mark: only markDelivered moves it, and never down", async () => {
      expect(await c.store.alerts.markDelivered("nope", "high")).toBeUndefined();
      await c.store.alerts.upsert(alert({ severity: "medium" }));
      expect((await c.store.alerts.get("scan:attacker"))?.delivered).toBeUndefined();
      expect(await c.store.alerts.markDelivered("scan:attacker", "medium")).toEqual(
        alert({ severity: "medium", delivered: "medium" }),
      );
      // A re-raise (the detector knows nothing of deliveries) keeps the mark; so does one that
      // passes a mark of its own.
      const raised = await c.store.alerts.upsert(alert({ severity: "critical" }));
      expect(raised.delivered).toBe("medium");
      await c.store.alerts.upsertMany([alert({ severity: "critical", delivered: "low" })]);
      expect((await c.store.alerts.get("scan:attacker"))?.delivered).toBe("medium");
      await c.store.alerts.markDelivered("scan:attacker", "critical");
      expect((await c.store.alerts.markDelivered("scan:attacker", "low"))?.delivered).toBe(
        "critical",
      );
      await c.store.alerts.setStatus("scan:attacker", "acknowledged", "alice");
      expect(await c.store.alerts.get("scan:attacker")).toMatchObject({
        status: "acknowledged",
        delivered: "critical",
        count: 3,
      });
      // Not audited: only the status change is.
      expect((await c.store.audit.list()).map((e) => e.action)).toEqual(["alert.status"]);
    });

    it("marks many in one call: each as markDelivered, never down, unknown ids skipped", async () => {
      await c.store.alerts.upsertMany([alert({ id: "a" }), alert({ id: "b" })]);
      await c.store.alerts.markDelivered("b", "critical");
      await c.store.alerts.markDeliveredMany([
        { id: "a", severity: "low" },
        { id: "nope", severity: "high" },
        { id: "b", severity: "medium" },
        { id: "a", severity: "high" },
      ]);
      expect((await c.store.alerts.get("a"))?.delivered).toBe("high");
      expect((await c.store.alerts.get("b"))?.delivered).toBe("critical");
      expect(await c.store.alerts.get("nope")).toBeUndefined();
      await c.store.alerts.markDeliveredMany([]);
      expect((await c.store.audit.list()).map((e) => e.action)).toEqual([]);
    });

    it("lists newest first with filters", async () => {
      await c.store.alerts.upsert(alert({ id: "a", lastAt: "2026-01-01T01:00:00.000Z" }));
      await c.store.alerts.upsert(
        alert({ id: "b", kind: "decoy", source: "web-2", lastAt: "2026-01-01T03:00:00.000Z" }),
      );
      await c.store.alerts.upsert(alert({ id: "c", lastAt: "2026-01-01T02:00:00.000Z" }));
      await c.store.alerts.setStatus("c", "resolved", "bob");
      const ids = async (f: Parameters<typeof c.store.alerts.list>[0]) =>
        (await c.store.alerts.list(f)).map((a) => a.id);
      expect(await ids({})).toEqual(["b", "c", "a"]);
      expect(await ids({ kind: "scan" })).toEqual(["c", "a"]);
      expect(await ids({ status: "open" })).toEqual(["b", "a"]);
      expect(await ids({ source: "web-2" })).toEqual(["b"]);
      expect(await ids({ since: "2026-01-01T02:00:00.000Z" })).toEqual(["b", "c"]);
      expect(await ids({ limit: 1 })).toEqual(["b"]);
    });

    it("audits a status change, not an unchanged one, and not raising", async () => {
      await c.store.alerts.upsert(alert());
      expect((await c.store.alerts.setStatus("scan:attacker", "resolved", "bob"))?.status).toBe(
        "resolved",
      );
      await c.store.alerts.setStatus("scan:attacker", "resolved", "bob");
      expect(await c.store.alerts.setStatus("nope", "resolved", "bob")).toBeUndefined();
      const audit = await c.store.audit.list();
      expect(audit.map((e) => [e.actor, e.action, e.target, e.after])).toEqual([
        ["bob", "alert.status", "alert/scan:attacker", { status: "resolved" }],
      ]);
    });
  });

  describe("quarantine", () => {
    const c = useHarness(make);
    const q = (over: Partial<Quarantine> = {}): Quarantine => ({
      workload: "web-1",
      since: "2026-01-01T00:00:00.000Z",
      reason: "lateral movement",
      forensic: ["198.18.9.9"],
      actor: "detector",
      ...over,
    });

    it("sets, lists, gets and releases, audited; refuses an unknown workload", async () => {
      await c.store.workloads.upsert(workload("web-1"), "setup");
      await c.store.workloads.upsert(workload("db-1"), "setup");
      expect(await c.store.quarantine.set(q({ workload: "nope" }), "alice")).toEqual({
        ok: false,
        reason: "not-found",
      });
      expect(await c.store.quarantine.set(q(), "alice")).toEqual({ ok: true, quarantine: q() });
      await c.store.quarantine.set(q(), "alice");
      await c.store.quarantine.set(q({ workload: "db-1", forensic: [] }), "alice");
      expect((await c.store.quarantine.list()).map((x) => x.workload)).toEqual(["db-1", "web-1"]);
      expect(await c.store.quarantine.get("web-1")).toEqual(q());
      expect(await c.store.quarantine.release("web-1", "bob")).toEqual(q());
      expect(await c.store.quarantine.get("web-1")).toBeUndefined();
      expect(await c.store.quarantine.release("web-1", "bob")).toBeUndefined();
      expect(await c.store.quarantine.list()).toEqual([q({ workload: "db-1", forensic: [] })]);
      const audit = (await c.store.audit.list()).filter((e) => e.action.startsWith("quarantine"));
      expect(audit.map((e) => [e.actor, e.action, e.target])).toEqual([
        ["alice", "quarantine.set", "workload/web-1"],
        ["alice", "quarantine.set", "workload/db-1"],
        ["bob", "quarantine.release", "workload/web-1"],
      ]);
      expect(audit[0]?.after).toMatchObject({ reason: "lateral movement" });
    });

    it("goes with its workload", async () => {
      await c.store.workloads.upsert(workload("web-1"), "setup");
      await c.store.quarantine.set(q(), "alice");
      expect((await c.store.workloads.delete("web-1", "alice")).ok).toBe(true);
      expect(await c.store.quarantine.list()).toEqual([]);
      await c.store.workloads.upsert(workload("web-1"), "setup");
      expect(await c.store.quarantine.list()).toEqual([]);
    });
  });
}
