// A data directory written by microseg 0.1.0 (packages/store/testdata/data-0.1.0.tar.gz, made by
// that release's controller; its README says how) opens with today's controller start path: every
// migration has run, and what 0.1.0 stored is there — workloads, the policy revision, the
// enrolment profile and its use, the agent, the flow graph, the CA, the admin token and an
// intact audit chain sealed with the same key.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMA_VERSION } from "@microseg/store";
import { inspectDatabase } from "@microseg/store/sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { startController } from "./main.js";
import { call } from "./socket-test-helpers.js";

const FIXTURE = join(import.meta.dirname, "../../store/testdata/data-0.1.0.tar.gz");
/** The CA 0.1.0 made for the fixture: agents pinned it, so it must survive the upgrade. */
const CA_FINGERPRINT = "f1d416dd763fe32c8ca16079e22a8a8bd44b0ec04ad1bf1cfb05a81e53ba9f46";

const dir = mkdtempSync(join(tmpdir(), "mseg-upgrade-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a 0.1.0 data directory", () => {
  it("starts, is migrated to the newest schema and keeps its data", async () => {
    execFileSync("tar", ["-xzf", FIXTURE, "-C", dir]);
    expect(inspectDatabase(join(dir, "microseg.db")).schemaVersion).toBeLessThanOrEqual(
      SCHEMA_VERSION,
    );

    const ctl = await startController({
      dataDir: dir,
      listen: "127.0.0.1:0",
      log: "silent",
      flowRetentionMs: 100 * 365 * 86_400_000, // the fixture's flows are from 2026-12-07
    });
    const token = readFileSync(join(dir, "admin.token"), "utf8").trim();
    const get = async (path: string) => {
      const r = await call(ctl, path, { token });
      expect(r.status, `${path}: ${r.body}`).toBe(200);
      return JSON.parse(r.body);
    };
    try {
      expect(ctl.adminToken).toBeUndefined(); // 0.1.0's token stands; none is made
      expect(ctl.caFingerprint).toBe(CA_FINGERPRINT);

      const { workloads } = await get("/api/v1/workloads");
      const byName = Object.fromEntries(
        workloads.map((w: { name: string }) => [w.name, w] as const),
      );
      expect(Object.keys(byName).sort()).toEqual(["app-1", "db-1", "ext-dns", "web-1"]);
      expect(byName["web-1"]).toMatchObject({
        labels: { app: "shop", role: "web", env: "prod" },
        addresses: ["198.18.1.10"],
        mode: "enforce",
      });
      expect(byName["db-1"]).toMatchObject({ mode: "test", addresses: ["198.18.1.20"] });
      expect(byName["ext-dns"]).toMatchObject({ managed: false, addresses: ["198.18.9.53"] });
      expect(byName["app-1"]).toMatchObject({ mode: "learn", labels: { role: "app" } });

      const active = await get("/api/v1/policy/active");
      expect([active.number, active.comment]).toEqual([1, "shop: web to db, dns"]);
      expect(active.text).toMatch(/web-to-db[\s\S]*shop-dns/);

      const { profiles } = await get("/api/v1/enrol-profiles");
      expect(profiles).toEqual([
        expect.objectContaining({ name: "shop-app", mode: "learn", maxUses: 10, uses: 1 }),
      ]);
      const { agents } = await get("/api/v1/agents");
      expect(agents.map((a: { workload: string }) => a.workload)).toEqual(["app-1"]);

      const flows = await get("/api/v1/flows?since=2026-12-01T00:00:00Z");
      expect(flows.edges).toContainEqual(
        expect.objectContaining({ from: "app-1", to: "ext-dns", port: "udp/53", count: 2 }),
      );
      const audit = await get("/api/v1/audit/verify");
      expect(audit).toMatchObject({ ok: true });
    } finally {
      await ctl.close();
    }

    const facts = inspectDatabase(join(dir, "microseg.db"));
    const all = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);
    expect([facts.schemaVersion, facts.migrations, facts.integrity]).toEqual([
      SCHEMA_VERSION,
      all,
      ["ok"],
    ]);
  });
});
