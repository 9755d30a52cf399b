// Backup and restore of a controller's data directory with real parts: a controller in another
// process writing to its SQLite file over HTTPS while this process backs it up, restores of
// the copy opened by a real controller start.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { MicrosegError } from "@microseg/core";
import { SCHEMA_VERSION } from "@microseg/store";
import { inspectDatabase } from "@microseg/store/sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startController } from "../main.js";
import { call } from "../socket-test-helpers.js";
import { backupController } from "./backup.js";
import { MANIFEST_FILE } from "./manifest.js";
import { restoreController } from "./restore.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mseg-backup-"));
  dirs.push(d);
  return d;
}

/** Starts busy.child.ts on `dir`; resolves once it has committed the before-backup state. */
async function busyController(dir: string) {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(import.meta.dirname, "busy.child.ts"), dir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  // One iterator for every line: leaving a for-await loop would close the interface.
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  const next = async () => {
    const line = await lines.next();
    if (line.done === true) throw new Error("the busy controller exited early");
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    caFingerprint: ready.caFingerprint as string,
    async stop(): Promise<number> {
      child.kill("SIGTERM");
      const done = await next();
      await once(child, "exit");
      return done.writes as number;
    },
  };
}

/** Workload names and the active revision a controller started on `dir` answers. */
async function contentOf(dir: string) {
  const ctl = await startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent" });
  try {
    const token = readFileSync(join(dir, "admin.token"), "utf8").trim();
    const list = JSON.parse((await call(ctl, "/api/v1/workloads?limit=1000", { token })).body);
    const active = JSON.parse((await call(ctl, "/api/v1/policy/active", { token })).body);
    const audit = JSON.parse((await call(ctl, "/api/v1/audit/verify", { token })).body);
    const names: string[] = list.workloads.map((w: { name: string }) => w.name);
    return { names, revision: active.number as number, audit, ca: ctl.caFingerprint };
  } finally {
    await ctl.close();
  }
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof MicrosegError ? `${err.code}: ${err.message}` : String(err);
  }
  return "no error";
};

describe("controller backup and restore", () => {
  it("copies a controller's data while it writes; the restored copy opens whole", async () => {
    const data = tempDir();
    const busy = await busyController(data);
    await new Promise((r) => setTimeout(r, 300)); // writes are under way
    const out = join(tempDir(), "backup");
    const manifest = await backupController({ dataDir: data, out });
    await new Promise((r) => setTimeout(r, 300));
    const writes = await busy.stop();

    expect(manifest.schemaVersion).toBe(SCHEMA_VERSION);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      "admin.token",
      "audit.key",
      "microseg.db",
      "tls/ca.key",
      "tls/ca.pem",
      "tls/server.key",
      "tls/server.pem",
    ]);
    expect(inspectDatabase(join(out, "microseg.db")).integrity).toEqual(["ok"]);

    const restored = join(tempDir(), "data");
    restoreController({ from: out, dataDir: restored });
    const facts = inspectDatabase(join(restored, "microseg.db"));
    expect([facts.integrity, facts.schemaVersion]).toEqual([["ok"], SCHEMA_VERSION]);
    for (const f of ["microseg.db", "audit.key", "admin.token", "tls/ca.key", "tls/server.key"]) {
      expect([f, statSync(join(restored, f)).mode & 0o777]).toEqual([f, 0o600]);
    }
    expect(statSync(join(restored, "tls")).mode & 0o777).toBe(0o700);

    const copy = await contentOf(restored);
    const now = await contentOf(data);
    // Everything committed before the backup started, and a consistent cut of what came after.
    for (let i = 0; i < 10; i++) expect(copy.names).toContain(`before-${i}`);
    const during = copy.names.filter((n) => n.startsWith("w-")).length;
    expect(copy.revision).toBeGreaterThanOrEqual(1);
    expect(copy.audit.ok).toBe(true);
    expect(copy.ca).toBe(busy.caFingerprint);
    expect(now.names.filter((n) => n.startsWith("w-")).length).toBe(writes);
    expect(during, `writes in the copy (of ${writes})`).toBeLessThan(writes);
    expect(during).toBeGreaterThan(0);
    if (process.env.MICROSEG_BACKUP_LOG) console.log({ writes, during, revision: copy.revision });
    // Every fifth turn provisions after its workload: the copy's revision is that turn's or the one
    // before (a cut between the workload and the provision).
    expect(copy.revision).toBeGreaterThanOrEqual(1 + Math.floor((during - 1) / 5));
    expect(copy.revision).toBeLessThanOrEqual(1 + Math.floor(during / 5));
  });

  it("refuses a damaged backup, naming the file, and writes nothing", async () => {
    const data = tempDir();
    const ctl = await startController({ dataDir: data, listen: "127.0.0.1:0", log: "silent" });
    const out = join(tempDir(), "backup");
    await backupController({ dataDir: data, out });
    await ctl.close();
    const target = join(tempDir(), "data");

    const key = join(out, "tls/ca.key");
    const original = readFileSync(key);
    writeFileSync(
      key,
      Buffer.concat([original.subarray(0, 10), Buffer.from("X"), original.subarray(11)]),
    );
    expect(codeOf(() => restoreController({ from: out, dataDir: target }))).toMatch(
      /^MSEG_BACKUP_INVALID: .*tls\/ca\.key does not match/,
    );
    writeFileSync(key, original);

    const manifest = readFileSync(join(out, MANIFEST_FILE), "utf8");
    writeFileSync(join(out, MANIFEST_FILE), manifest.slice(0, manifest.length / 2));
    expect(codeOf(() => restoreController({ from: out, dataDir: target }))).toMatch(
      /^MSEG_BACKUP_INVALID: .*manifest\.json is not JSON/,
    );
    writeFileSync(join(out, MANIFEST_FILE), manifest.replace('"tls/ca.key"', '"../ca.key"'));
    expect(codeOf(() => restoreController({ from: out, dataDir: target }))).toMatch(
      /^MSEG_BACKUP_INVALID: .*not a microseg backup manifest: files\.\d+\.path/,
    );
    rmSync(join(out, MANIFEST_FILE));
    expect(codeOf(() => restoreController({ from: out, dataDir: target }))).toMatch(
      /^MSEG_BACKUP_INVALID: .*manifest\.json is missing/,
    );
    expect(() => statSync(target)).toThrow(/ENOENT/);
  });

  it("refuses a data directory a controller uses (also with --force), and a full one without it", async () => {
    const source = tempDir();
    const first = await startController({ dataDir: source, listen: "127.0.0.1:0", log: "silent" });
    const out = join(tempDir(), "backup");
    await backupController({ dataDir: source, out });
    await first.close();

    const busy = tempDir();
    const ctl = await startController({ dataDir: busy, listen: "127.0.0.1:0", log: "silent" });
    try {
      for (const force of [false, true]) {
        expect(codeOf(() => restoreController({ from: out, dataDir: busy, force }))).toMatch(
          /^MSEG_DATA_DIR_IN_USE: a controller has .*microseg\.db open/,
        );
      }
    } finally {
      await ctl.close();
    }
    expect(codeOf(() => restoreController({ from: out, dataDir: busy }))).toMatch(
      /^MSEG_DATA_DIR_NOT_EMPTY: .*--force/,
    );
    restoreController({ from: out, dataDir: busy, force: true });
    expect((await contentOf(busy)).ca).toBe(first.caFingerprint);
  });
});
