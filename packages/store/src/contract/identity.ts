// Who an enrolment may become, and which addresses a workload may hold: the rules the engine
// applies in the same unit of work as the write, so two enrolments cannot race past them.
import type { Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { EnrolInput } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { profile } from "./enrolment.js";
import { type Ctx, sha, useHarness, workload } from "./setup.js";

let n = 0;
function enrolInput(c: Ctx, over: Partial<EnrolInput> = {}): EnrolInput {
  n++;
  return {
    keyHash: sha("a"),
    now: c.clock.now(),
    agentId: `ag${n}`,
    credentialHash: `${sha("c")}${n}`,
    hostname: "host",
    interfaces: [{ name: "eth0", addresses: ["198.18.5.1"] }],
    defaultWorkload: "host",
    addresses: ["198.18.5.1"],
    ...over,
  };
}

export function identityContract(make: MakeHarness): void {
  describe("enrolment identity and address ownership", () => {
    const c = useHarness(make);
    const uses = async () => (await c.store.enrolment.get("p1"))?.uses;

    it("refuses a workload with a live agent, naming the agent, and spends no use", async () => {
      await c.store.enrolment.create(profile(), "alice");
      const first = await c.store.agents.enrol(enrolInput(c, { workload: "web-1" }));
      expect(first.ok).toBe(true);
      const again = await c.store.agents.enrol(
        enrolInput(c, { workload: "web-1", addresses: ["198.18.5.2"] }),
      );
      expect(again).toEqual({
        ok: false,
        reason: "workload-taken",
        workload: "web-1",
        agent: first.ok ? first.agent.id : "",
      });
      expect(await uses()).toBe(1);
    });

    it("checks the key before the workload: an unknown key learns nothing about names", async () => {
      await c.store.enrolment.create(profile(), "alice");
      await c.store.agents.enrol(enrolInput(c, { workload: "web-1" }));
      const r = await c.store.agents.enrol(enrolInput(c, { workload: "web-1", keyHash: sha("z") }));
      expect(r).toEqual({ ok: false, reason: "unknown" });
    });

    it("does not let an unbound profile take an existing workload; a bound one keeps its labels", async () => {
      await c.store.workloads.upsert(
        workload("db-1", { labels: { role: "db" }, mode: "enforce", addresses: ["198.18.5.1"] }),
        "alice",
      );
      await c.store.enrolment.create(profile(), "alice");
      const auditBefore = (await c.store.audit.list()).length;
      expect(await c.store.agents.enrol(enrolInput(c, { workload: "db-1" }))).toEqual({
        ok: false,
        reason: "workload-exists",
        workload: "db-1",
        declared: false,
      });
      expect((await c.store.workloads.get("db-1"))?.labels).toEqual({ role: "db" });
      expect([await uses(), (await c.store.audit.list()).length]).toEqual([0, auditBefore]);

      const bound = { id: "p2", name: "db-1", keyHash: sha("b"), workload: "db-1" };
      await c.store.enrolment.create(profile(bound), "alice");
      expect((await c.store.enrolment.get("p2"))?.workload).toBe("db-1");
      c.clock.advance(60_000);
      const r = await c.store.agents.enrol(
        enrolInput(c, { keyHash: sha("b"), addresses: ["198.18.5.1", "2001:db8::5"] }),
      );
      expect(r.ok && r.workload).toMatchObject({
        name: "db-1",
        labels: { role: "db" },
        mode: "enforce",
        addresses: ["198.18.5.1", "2001:db8::5"],
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:01:00.000Z",
      });
    });

    it("a bound profile names the workload: the agent may not ask for another", async () => {
      await c.store.enrolment.create(profile({ workload: "cache-1" }), "alice");
      expect(await c.store.agents.enrol(enrolInput(c, { workload: "web-9" }))).toEqual({
        ok: false,
        reason: "wrong-workload",
        workload: "cache-1",
      });
      const r = await c.store.agents.enrol(enrolInput(c, { defaultWorkload: undefined }));
      expect(r.ok && r.workload).toMatchObject({ name: "cache-1", labels: { app: "shop" } });
      expect(await uses()).toBe(1);
    });

    it("needs a name: from the agent, the profile, or the hostname", async () => {
      await c.store.enrolment.create(profile(), "alice");
      expect(await c.store.agents.enrol(enrolInput(c, { defaultWorkload: undefined }))).toEqual({
        ok: false,
        reason: "no-name",
      });
      const r = await c.store.agents.enrol(enrolInput(c));
      expect(r.ok && r.workload.name).toBe("host");
    });

    it("treats workloads the policy declares as existing, and as holders of their addresses", async () => {
      const declared: Workload[] = [
        {
          name: "db-1",
          labels: { role: "db" },
          addresses: ["198.18.9.9"],
          mode: "test",
          managed: true,
        },
      ];
      await c.store.enrolment.create(profile({ maxUses: 10 }), "alice");
      expect(await c.store.agents.enrol(enrolInput(c, { workload: "db-1", declared }))).toEqual({
        ok: false,
        reason: "workload-exists",
        workload: "db-1",
        declared: true,
      });
      const claim = enrolInput(c, { workload: "web-1", addresses: ["198.18.9.9"], declared });
      expect(await c.store.agents.enrol(claim)).toEqual({
        ok: false,
        reason: "address-taken",
        address: "198.18.9.9",
        holder: "db-1",
      });
      await c.store.enrolment.create(
        profile({ id: "p2", name: "b", keyHash: sha("b"), workload: "db-1" }),
        "alice",
      );
      const bound = enrolInput(c, { keyHash: sha("b"), addresses: ["198.18.9.9"], declared });
      const r = await c.store.agents.enrol(bound);
      expect(r.ok && r.workload).toMatchObject({
        name: "db-1",
        labels: { role: "db" },
        mode: "test",
      });
    });

    it("refuses an enrolment claiming a stored workload's address; the address is compared canonically", async () => {
      await c.store.workloads.upsert(workload("db-1", { addresses: ["2001:db8::1"] }), "alice");
      await c.store.enrolment.create(profile(), "alice");
      const r = await c.store.agents.enrol(
        enrolInput(c, { workload: "web-1", addresses: ["198.18.5.1", "2001:DB8:0::1"] }),
      );
      expect(r).toEqual({
        ok: false,
        reason: "address-taken",
        address: "2001:db8::1",
        holder: "db-1",
      });
      expect([await uses(), await c.store.workloads.get("web-1")]).toEqual([0, undefined]);
    });

    it("refuses an upsert giving a workload another's address; delete and change free it", async () => {
      await c.store.workloads.upsert(workload("db-1", { addresses: ["198.18.5.1"] }), "alice");
      const taken = await c.store.workloads.upsert(
        workload("web-1", { addresses: ["198.18.5.2", "198.18.5.1"] }),
        "alice",
      );
      expect(taken).toEqual({
        ok: false,
        reason: "address-taken",
        address: "198.18.5.1",
        holder: "db-1",
      });
      expect(await c.store.workloads.get("web-1")).toBeUndefined();
      const own = await c.store.workloads.upsert(
        workload("db-1", { addresses: ["198.18.5.1", "198.18.5.3"], mode: "test" }),
        "alice",
      );
      expect(own.ok && own.change).toBe("updated");
      await c.store.workloads.upsert(workload("db-1", { addresses: ["198.18.5.3"] }), "alice");
      const moved = await c.store.workloads.upsert(
        workload("web-1", { addresses: ["198.18.5.1"] }),
        "a",
      );
      expect(moved.ok).toBe(true);
      expect((await c.store.workloads.delete("db-1", "alice")).ok).toBe(true);
      const after = await c.store.workloads.upsert(
        workload("x-1", { addresses: ["198.18.5.3"] }),
        "a",
      );
      expect(after.ok).toBe(true);
    });

    it("keeps the address index through a failed unit of work", async () => {
      await c.store.workloads.upsert(workload("db-1", { addresses: ["198.18.5.1"] }), "alice");
      c.h.failAt("audit:workload.update");
      await expect(
        c.store.workloads.upsert(workload("db-1", { addresses: ["198.18.5.9"] }), "alice"),
      ).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      const r = await c.store.workloads.upsert(
        workload("web-1", { addresses: ["198.18.5.1"] }),
        "a",
      );
      expect(r).toMatchObject({ ok: false, reason: "address-taken", holder: "db-1" });
      expect(
        (await c.store.workloads.upsert(workload("web-1", { addresses: ["198.18.5.9"] }), "a")).ok,
      ).toBe(true);
    });

    it("refuses a key whose stored expiry is not a time (fails closed)", async () => {
      await c.store.enrolment.create(profile({ expiresAt: "not-a-date" }), "alice");
      expect(await c.store.agents.enrol(enrolInput(c))).toEqual({ ok: false, reason: "expired" });
    });
  });
}
