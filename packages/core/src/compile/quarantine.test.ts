// Quarantine in the compiler and explain: the quarantined workload denies everything but its
// forensic addresses (enforced in any mode), and no peer's selector matches it any more.
import { describe, expect, it } from "vitest";
import { explain } from "../explain/explain.js";
import type { Workload } from "../model.js";
import { ANY, cidrs, policy, rule, sel, svc, wl, workload } from "../testing/builders.js";
import { compile } from "./compile.js";
import { Compiler } from "./compiler.js";
import {
  QUARANTINE_FORENSIC_RULE,
  QUARANTINE_FORENSIC_SET,
  QUARANTINE_PEER_RULE,
} from "./quarantine.js";

const web = workload("web", { role: "web" }, ["198.18.0.1"]);
const db = workload("db", { role: "db" }, ["198.18.0.2"], { mode: "learn" });
const p = policy([
  rule("allow", [wl({ role: "web" })], [wl({ role: "db" })], svc("tcp/5432"), { id: "web-db" }),
  rule("allow", [ANY], [wl({ role: "web" })], svc("tcp/443"), { id: "any-web" }),
]);
const quarantined = (w: Workload, forensic: string[] = []): Workload => ({
  ...w,
  quarantine: { forensic },
});

describe("quarantine", () => {
  it("gives the quarantined workload a deny-all RuleSet in enforce mode, forensic allowed", () => {
    const rs = compile(p, [web, quarantined(db, ["198.18.9.9"])]).get("db");
    expect(rs?.mode).toBe("enforce");
    for (const chain of [rs?.inbound, rs?.outbound]) {
      expect(chain?.default).toBe("deny");
      expect(chain?.entries).toEqual([
        {
          ruleId: QUARANTINE_FORENSIC_RULE,
          action: "allow",
          peer: { set: QUARANTINE_FORENSIC_SET },
          ports: [],
        },
      ]);
    }
    expect(rs?.sets).toEqual({ [QUARANTINE_FORENSIC_SET]: { v4: ["198.18.9.9/32"], v6: [] } });
  });

  it("has no entries at all without forensic addresses", () => {
    const rs = compile(p, [web, quarantined(db)]).get("db");
    expect(rs?.inbound.entries).toEqual([]);
    expect(rs?.outbound.entries).toEqual([]);
    expect(rs?.sets).toEqual({});
  });

  it("drops the quarantined workload from every peer's sets", () => {
    const before = compile(p, [web, db]).get("web");
    const after = compile(p, [web, quarantined(db)]).get("web");
    expect(before?.outbound.entries.map((e) => e.ruleId)).toContain("web-db");
    expect(after?.outbound.entries.map((e) => e.ruleId)).not.toContain("web-db");
    expect(after?.hash).not.toBe(before?.hash);
  });

  it("the incremental compiler equals a from-scratch compile through quarantine and release", () => {
    const c = new Compiler(p, [web, db]);
    const q = c.apply([{ kind: "upsert-workload", workload: quarantined(db, ["198.18.9.9"]) }]);
    expect([...q.changed.keys()].sort()).toEqual(["db", "web"]);
    expect(c.get("web")).toStrictEqual(
      compile(p, [web, quarantined(db, ["198.18.9.9"])]).get("web"),
    );
    const r = c.apply([{ kind: "upsert-workload", workload: db }]);
    expect([...r.changed.keys()].sort()).toEqual(["db", "web"]);
    expect(c.get("db")).toStrictEqual(compile(p, [web, db]).get("db"));
  });

  it("explain says quarantined, at the quarantined end and at its peer", () => {
    const ws = [web, quarantined(db, ["198.18.9.9"])];
    const out = explain(p, ws, {
      from: { workload: "db" },
      to: { workload: "web" },
      port: "tcp/443",
    });
    expect(out.verdict).toBe("blocked");
    const at = out.steps.find((s) => s.workload === "db");
    expect(at?.mode).toBe("enforce");
    expect(at?.reason).toMatch(/quarantined/);
    const toDb = explain(p, ws, {
      from: { workload: "web" },
      to: { workload: "db" },
      port: "tcp/5432",
    });
    expect(toDb.verdict).toBe("blocked");
    expect(toDb.steps.find((s) => s.workload === "web")?.reason).toMatch(/db is quarantined/);
    const forensic = explain(p, ws, {
      from: { address: "198.18.9.9" },
      to: { workload: "db" },
      port: "tcp/22",
    });
    expect(forensic.verdict).toBe("allowed");
    expect(forensic.steps[0]?.reason).toMatch(/forensic/);
  });

  it("matches nothing even through a scoped any", () => {
    const scoped = policy([
      rule("allow", [ANY], [ANY], svc("tcp/22"), { id: "in-scope", scope: sel({ role: "db" }) }),
    ]);
    const db2 = workload("db2", { role: "db" }, ["198.18.0.3"]);
    const rs = compile(scoped, [db2, quarantined(db)]).get("db2");
    expect(rs?.sets[Object.keys(rs.sets)[0] as string]?.v4).toEqual(["198.18.0.3/32"]);
  });

  describe("at the peers", () => {
    const app = workload("app", { role: "app" }, ["198.18.0.3"]);
    const guarded = policy([
      rule("allow", [wl({ role: "web" })], [wl({ role: "db" })], svc("tcp/5432"), { id: "web-db" }),
      rule("allow", [ANY], [wl({ role: "web" })], svc("tcp/443"), { id: "any-web" }),
      rule("allow", [cidrs(["198.18.0.0/30"])], [wl({ role: "app" })], svc("tcp/22"), {
        id: "ops-app",
      }),
    ]);

    it("puts a deny of the quarantined addresses right before each allow that admits them", () => {
      const rs = compile(guarded, [web, app, quarantined(db)]);
      expect(rs.get("web")?.inbound.entries).toEqual([
        expect.objectContaining({
          ruleId: QUARANTINE_PEER_RULE,
          action: "deny",
          peer: { set: "q_any_i" },
        }),
        expect.objectContaining({ ruleId: "any-web", action: "allow", peer: { any: true } }),
      ]);
      expect(rs.get("web")?.inbound.entries[0]?.ports).toEqual(
        rs.get("web")?.inbound.entries[1]?.ports,
      );
      expect(rs.get("web")?.sets.q_any_i).toEqual({ v4: ["198.18.0.2/32"], v6: [] });
      // The CIDR rule admits db's address (198.18.0.2 is in 198.18.0.0/30): only that part.
      const appIn = rs.get("app")?.inbound;
      expect(appIn?.entries.map((e) => e.ruleId)).toEqual([QUARANTINE_PEER_RULE, "ops-app"]);
      const guard = appIn?.entries[0]?.peer as { set: string };
      expect(rs.get("app")?.sets[guard.set]).toEqual({ v4: ["198.18.0.2/32"], v6: [] });
    });

    it("leaves RuleSets without an address-based allow as they were", () => {
      const labelsOnly = policy([
        rule("allow", [wl({ role: "web" })], [wl({ role: "app" })], svc("tcp/80"), { id: "w-a" }),
      ]);
      const before = compile(labelsOnly, [web, app, db]);
      const after = compile(labelsOnly, [web, app, quarantined(db)]);
      expect(after.get("web")?.hash).toBe(before.get("web")?.hash);
      expect(after.get("app")?.hash).toBe(before.get("app")?.hash);
    });

    it("explain names the quarantine at the peer, which blocks even with the quarantined end gone", () => {
      const ws = [web, app, quarantined(db)];
      const d = explain(guarded, ws, {
        from: { address: "198.18.0.2" },
        to: { workload: "web" },
        port: "tcp/443",
      });
      const atWeb = d.steps.find((s) => s.workload === "web");
      expect(atWeb?.policy).toBe("deny");
      expect(atWeb?.rule?.id).toBe(QUARANTINE_PEER_RULE);
      expect(atWeb?.reason).toMatch(/db is quarantined: web denies it/);
      // Released: the same flow is the any-web rule's again.
      const free = explain(guarded, [web, app, db], {
        from: { address: "198.18.0.2" },
        to: { workload: "web" },
        port: "tcp/443",
      });
      expect(free.steps.find((s) => s.workload === "web")?.rule?.id).toBe("any-web");
    });

    it("the incremental compiler adds and removes the guards as a from-scratch compile does", () => {
      const c = new Compiler(guarded, [web, app, db]);
      const q = c.apply([{ kind: "upsert-workload", workload: quarantined(db) }]);
      expect([...q.changed.keys()].sort()).toEqual(["app", "db", "web"]);
      for (const n of ["web", "app", "db"]) {
        expect(c.get(n)).toStrictEqual(compile(guarded, [web, app, quarantined(db)]).get(n));
      }
      // The quarantined workload moves: the guards follow its address.
      const moved = quarantined({ ...db, addresses: ["198.18.0.9"] });
      c.apply([{ kind: "upsert-workload", workload: moved }]);
      expect(c.get("web")?.sets.q_any_i).toEqual({ v4: ["198.18.0.9/32"], v6: [] });
      expect(c.get("app")?.inbound.entries.map((e) => e.ruleId)).toEqual(["ops-app"]);
      // Released (and back at .2): app had no guard left, so only db and web change.
      const r = c.apply([{ kind: "upsert-workload", workload: db }]);
      expect([...r.changed.keys()].sort()).toEqual(["db", "web"]);
      for (const n of ["web", "app", "db"]) {
        expect(c.get(n)).toStrictEqual(compile(guarded, [web, app, db]).get(n));
      }
    });
  });
});
