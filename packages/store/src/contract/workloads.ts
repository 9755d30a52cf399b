import { describe, expect, it } from "vitest";
import type { MakeHarness } from "../testing.js";
import { useHarness, workload } from "./setup.js";

export function workloadContract(make: MakeHarness): void {
  describe("workloads", () => {
    const c = useHarness(make);

    it("creates, lists by name, and stamps times from the clock", async () => {
      await c.store.workloads.upsert(workload("web-2"), "alice");
      const res = await c.store.workloads.upsert(workload("db-1"), "alice");
      expect(res.ok && res.change).toBe("created");
      expect(res.ok && res.record.createdAt).toBe("2026-01-01T00:00:00.000Z");
      expect((await c.store.workloads.list()).map((w) => w.name)).toEqual(["db-1", "web-2"]);
      expect(await c.store.workloads.get("nope")).toBeUndefined();
    });

    it("updates, keeps createdAt, and leaves an identical workload alone", async () => {
      await c.store.workloads.upsert(workload("web-1"), "alice");
      c.clock.advance(1000);
      const same = await c.store.workloads.upsert(workload("web-1"), "alice");
      expect(same.ok && same.change).toBe("unchanged");
      expect(same.ok && same.record.updatedAt).toBe("2026-01-01T00:00:00.000Z");
      const upd = await c.store.workloads.upsert(workload("web-1", { mode: "test" }), "bob");
      if (!upd.ok) throw new Error(upd.reason);
      expect(upd.change).toBe("updated");
      expect(upd.record).toMatchObject({ mode: "test", createdAt: "2026-01-01T00:00:00.000Z" });
      expect(upd.record.updatedAt).toBe("2026-01-01T00:00:01.000Z");
      const actions = (await c.store.audit.list()).map((e) => e.action);
      expect(actions).toEqual(["workload.create", "workload.update"]);
    });

    it("round-trips every optional field and omits unset ones", async () => {
      const full = workload("pod-1", {
        namespace: "x",
        namespaceLabels: { ns: "x" },
        namedPorts: { http: { proto: "tcp", from: 80, to: 80 } },
        managed: false,
        addresses: ["198.18.0.1", "2001:db8::1"],
      });
      await c.store.workloads.upsert(full, "alice");
      expect(await c.store.workloads.get("pod-1")).toEqual({
        ...full,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      });
      await c.store.workloads.upsert(workload("web-1"), "alice");
      const plain = await c.store.workloads.get("web-1");
      expect(Object.keys(plain ?? {}).sort()).toEqual(
        ["addresses", "createdAt", "labels", "managed", "mode", "name", "updatedAt"].sort(),
      );
    });

    it("does not share objects with the caller", async () => {
      const labels: Record<string, string> = { app: "shop" };
      await c.store.workloads.upsert({ ...workload("web-1"), labels }, "alice");
      labels.app = "changed";
      expect((await c.store.workloads.get("web-1"))?.labels).toEqual({ app: "shop" });
    });

    it("deletes with an audit entry holding the old record", async () => {
      await c.store.workloads.upsert(workload("web-1"), "alice");
      expect(await c.store.workloads.delete("nope", "alice")).toEqual({
        ok: false,
        reason: "not-found",
      });
      const res = await c.store.workloads.delete("web-1", "bob");
      expect(res.ok && res.before.name).toBe("web-1");
      expect(await c.store.workloads.get("web-1")).toBeUndefined();
      const last = (await c.store.audit.list()).at(-1);
      expect(last).toMatchObject({
        actor: "bob",
        action: "workload.delete",
        target: "workload/web-1",
      });
      expect(last?.before).toMatchObject({ name: "web-1" });
      expect(last?.after).toBeNull();
    });

    it("leaves nothing behind when the audit step fails", async () => {
      c.h.failAt("audit:workload.create");
      await expect(c.store.workloads.upsert(workload("web-1"), "alice")).rejects.toThrow();
      c.h.failAt(undefined);
      expect(await c.store.workloads.list()).toEqual([]);
      expect(await c.store.audit.list()).toEqual([]);
    });
  });
}
