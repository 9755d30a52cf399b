// SQLite-specific behaviour the port does not show: the file, pragmas, migrations, SQL-level
// immutability, and a real crash (SIGKILL) half-way through a unit of work.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MicrosegError } from "@microseg/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "./engine/tables.js";
import { DB_FILE, openSqliteStore } from "./sqlite/index.js";
import { migrate } from "./sqlite/migrate.js";
import { MIGRATIONS } from "./sqlite/migrations.js";
import { sqliteBackend } from "./sqlite/open.js";

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "mseg-sqlite-")), "data");
});
afterEach(() => {
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

const raw = () => new Database(join(dir, DB_FILE));

describe("sqlite file", () => {
  it("fsyncs every commit (synchronous = FULL) unless synchronous: normal is asked for", () => {
    // SQLite's codes: 1 NORMAL, 2 FULL. The pragma is per connection, so read the store's own.
    const now = new Date();
    const full = sqliteBackend({ dir }, now);
    expect(full.db.pragma("synchronous", { simple: true })).toBe(2);
    full.close();
    const normal = sqliteBackend({ dir, synchronous: "normal" }, now);
    expect(normal.db.pragma("synchronous", { simple: true })).toBe(1);
    normal.close();
  });

  it("creates DIR/microseg.db readable by its owner only, in WAL mode", async () => {
    const store = openSqliteStore({ dir });
    await store.workloads.upsert(
      { name: "w", labels: {}, addresses: [], mode: "learn", managed: true },
      "a",
    );
    expect(statSync(join(dir, DB_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, `${DB_FILE}-wal`)).mode & 0o077).toBe(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
    const db = raw();
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    await store.close();
  });

  it("enforces foreign keys and keeps revisions and audit entries immutable in SQL too", async () => {
    const store = openSqliteStore({ dir });
    await store.policy.saveDraft({ text: "a", parsed: null, parsedVersion: 1 }, "a");
    await store.policy.provision({ comment: "" }, "a");
    await store.close();
    const db = raw();
    db.pragma("foreign_keys = ON");
    expect(() => db.exec("UPDATE policy_revisions SET text = 'x'")).toThrow(/immutable/);
    expect(() => db.exec("DELETE FROM audit_log")).toThrow(/immutable/);
    expect(() => db.exec("UPDATE policy_state SET active_revision = 42")).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe("sqlite migrations", () => {
  it("records each migration once; reopening applies nothing", async () => {
    await openSqliteStore({ dir }).close();
    const db = raw();
    expect(MIGRATIONS.at(-1)?.version).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT version FROM schema_migrations").pluck().all()).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
    expect(migrate(db, new Date())).toEqual([]);
    db.close();
    const again = openSqliteStore({ dir });
    expect(await again.info()).toEqual({
      adapter: "sqlite",
      schemaVersion: SCHEMA_VERSION,
      shared: false,
    });
    await again.close();
  });

  it("refuses a database from a newer version with a registry code", async () => {
    await openSqliteStore({ dir }).close();
    const db = raw();
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 'x')").run();
    db.close();
    const err = (() => {
      try {
        openSqliteStore({ dir });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).code).toBe("MSEG_STORE_SCHEMA_NEWER");
  });

  it("indexes the addresses of workloads stored before version 3, by their canonical text", async () => {
    mkdirSync(dir, { recursive: true });
    const db = raw();
    migrate(
      db,
      new Date(),
      MIGRATIONS.filter((m) => m.version < 3),
    );
    const insert = db.prepare(
      `INSERT INTO workloads (name, labels, addresses, mode, managed, created_at, updated_at)
       VALUES (?, '{}', ?, 'enforce', 1, 'x', 'x')`,
    );
    insert.run("db-1", JSON.stringify(["198.18.1.20", "2001:DB8:0::20"]));
    insert.run("old-dup", JSON.stringify(["198.18.1.20"]));
    db.close();
    const store = openSqliteStore({ dir });
    const w = (name: string, addresses: string[]) =>
      store.workloads.upsert({ name, labels: {}, addresses, mode: "learn", managed: true }, "a");
    expect(await w("web-1", ["2001:db8::20"])).toEqual({
      ok: false,
      reason: "address-taken",
      address: "2001:db8::20",
      holder: "db-1",
    });
    // Duplicates stored before the rule stay listed; each still refuses a third workload.
    expect(await w("web-1", ["198.18.1.20"])).toMatchObject({ holder: "db-1" });
    expect((await store.workloads.list()).map((x) => x.name)).toEqual(["db-1", "old-dup"]);
    expect((await w("old-dup", ["198.18.1.21"])).ok).toBe(true);
    expect((await store.workloads.delete("db-1", "a")).ok).toBe(true);
    expect((await w("web-1", ["198.18.1.20", "2001:db8::20"])).ok).toBe(true);
    await store.close();
  });

  it("alerts stored before version 4 count as delivered at their severity", async () => {
    mkdirSync(dir, { recursive: true });
    const db = raw();
    migrate(
      db,
      new Date(),
      MIGRATIONS.filter((m) => m.version < 4),
    );
    db.prepare(
      `INSERT INTO alerts (id, kind, severity, source, targets, at, last_at, summary, incident,
         evidence, status, count)
       VALUES ('al-1', 'scan', 'high', 'x', '[]', 't', 't', 's', 'in-1', '{}', 'open', 3)`,
    ).run();
    db.close();
    const store = openSqliteStore({ dir });
    expect(await store.alerts.get("al-1")).toMatchObject({ severity: "high", delivered: "high" });
    await store.close();
  });

  it("keeps flow edges stored before version 5: allowed ones established, blocked unanswered", async () => {
    mkdirSync(dir, { recursive: true });
    const db = raw();
    migrate(
      db,
      new Date(),
      MIGRATIONS.filter((m) => m.version < 5),
    );
    db.exec(`INSERT INTO flow_ends (id, name, kind) VALUES (1, 'web-1', 0), (2, 'db-1', 0);
      INSERT INTO flow_terms (id, text) VALUES (1, 'tcp/5432');
      INSERT INTO flow_edges (bucket, src, dst, port, verdict, rule, count, packets, bytes, first, last)
        VALUES (1767225600, 1, 2, 1, 0, NULL, 7, 70, 7000, 0, 10),
               (1767225600, 1, 2, 1, 1, NULL, 3, 3, 180, 0, 20);`);
    db.close();
    const store = openSqliteStore({ dir });
    const edges = await store.flows.edges();
    expect(edges.map((e) => [e.verdict, e.count, e.outcome, e.outcomes])).toEqual([
      ["blocked", 3, "unanswered", { established: 0, refused: 0, unanswered: 3 }],
      ["allowed", 7, "established", { established: 7, refused: 0, unanswered: 0 }],
    ]);
    // New connections merge into the migrated rows.
    const bucket = 1767225600_000;
    const more = {
      bucket,
      from: "web-1",
      fromKind: "workload",
      to: "db-1",
      toKind: "workload",
    } as const;
    await store.flows.applyBatch("ag1", 1, [
      {
        ...more,
        port: "tcp/5432",
        verdict: "allowed",
        outcome: "refused",
        rule: null,
        count: 2,
        packets: 2,
        bytes: 0,
        first: bucket,
        last: bucket + 30,
      },
    ]);
    expect((await store.flows.edges({ verdict: "allowed" }))[0]?.outcomes).toEqual({
      established: 7,
      refused: 2,
      unanswered: 0,
    });
    await store.close();
  });

  it("a failing migration leaves the previous version whole", async () => {
    await openSqliteStore({ dir }).close();
    const db = raw();
    const broken = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: "half",
        sql: "CREATE TABLE extra (x INTEGER); SELECT nope FROM nowhere;",
      },
    ];
    expect(() => migrate(db, new Date(), broken)).toThrow(/nowhere/);
    expect(db.prepare("SELECT max(version) FROM schema_migrations").pluck().get()).toBe(
      SCHEMA_VERSION,
    );
    expect(
      db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get(),
    ).toBe(0);
    db.close();
  });
});

describe("sqlite crash safety", () => {
  const child = join(import.meta.dirname, "sqlite", "crash.child.ts");
  for (const step of ["policy.provision:inserted", "audit:policy.provision"]) {
    it(`a process killed at ${step} leaves the last committed state`, async () => {
      const run = promisify(execFile)(process.execPath, [
        "--conditions=source",
        "--import",
        "tsx",
        child,
        dir,
        step,
      ]);
      await expect(run).rejects.toMatchObject({ signal: "SIGKILL" });
      const store = openSqliteStore({ dir });
      expect((await store.policy.active())?.number).toBe(1);
      expect((await store.policy.history()).map((r) => r.number)).toEqual([1]);
      expect((await store.audit.list()).map((e) => e.action)).toEqual([
        "policy.draft.save",
        "policy.provision",
        "policy.draft.save",
      ]);
      expect((await store.audit.verify()).ok).toBe(true);
      const retry = await store.policy.provision({ comment: "again" }, "alice");
      expect(retry.ok && retry.revision.number).toBe(2);
      await store.close();
    });
  }
});

describe("sqlite with several processes on one file", () => {
  it("never hands out more key uses than allowed and keeps one audit chain", async () => {
    const store = openSqliteStore({ dir });
    const keyHash = "k".repeat(64);
    const p = { id: "p", name: "p", keyHash, labels: {}, mode: "learn" as const, maxUses: 15 };
    await store.enrolment.create(p, "alice");
    await store.close();
    const child = join(import.meta.dirname, "sqlite", "contend.child.ts");
    const args = ["--conditions=source", "--import", "tsx", child, dir, keyHash, "10"];
    const runs = Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, args));
    const uses = (await Promise.all(runs)).map((r) => Number(r.stdout.trim()));
    expect(uses.reduce((a, b) => a + b, 0)).toBe(15);
    const again = openSqliteStore({ dir });
    expect((await again.enrolment.get("p"))?.uses).toBe(15);
    const verdict = await again.audit.verify();
    expect(verdict.ok && verdict.count).toBe(1 + 40);
    await again.close();
  });
});
