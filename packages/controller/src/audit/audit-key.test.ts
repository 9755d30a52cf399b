// The audit key at start-up, over the real SQLite store and key files on disk: made 0600 on the
// first start, required for a keyed log, kept apart with --audit-key, and an unkeyed log from
// before keys continues keyed.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEYED_ACTION } from "@microseg/store";
import { openSqliteStore } from "@microseg/store/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { startController } from "../main.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mseg-akey-"));
  dirs.push(d);
  return d;
}

const start = (dataDir: string, auditKeyFile?: string) =>
  startController({
    dataDir,
    listen: "127.0.0.1:0",
    http: true,
    log: "silent",
    ...(auditKeyFile !== undefined && { auditKeyFile }),
  });

async function auditOf(url: string, token: string) {
  const res = await fetch(`${url}/api/v1/audit/verify`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return res.json();
}

describe("the audit key at start-up", () => {
  it("is made 0600 on the first start and seals the log from its first entry", async () => {
    const dir = tempDir();
    const ctl = await start(dir);
    const key = readFileSync(join(dir, "audit.key"), "utf8");
    expect(key).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(join(dir, "audit.key")).mode & 0o777).toBe(0o600);
    expect(await auditOf(ctl.url, ctl.adminToken ?? "")).toMatchObject({ ok: true, keyedFrom: 1 });
    await ctl.close();
    const again = await start(dir);
    await again.close();
    expect(readFileSync(join(dir, "audit.key"), "utf8")).toBe(key);
  });

  it("refuses to start when a keyed log's key file is missing, and names it", async () => {
    const dir = tempDir();
    await (await start(dir)).close();
    rmSync(join(dir, "audit.key"));
    await expect(start(dir)).rejects.toMatchObject({
      code: "MSEG_AUDIT_KEY_MISSING",
      message: expect.stringContaining(join(dir, "audit.key")),
    });
    // Nothing was made in its place.
    expect(() => statSync(join(dir, "audit.key"))).toThrow();
  });

  it("refuses another log's key, a malformed key and a key open to others", async () => {
    const dir = tempDir();
    await (await start(dir)).close();
    const file = join(dir, "audit.key");
    writeFileSync(file, `${"ab".repeat(32)}\n`, { mode: 0o600 });
    await expect(start(dir)).rejects.toMatchObject({
      code: "MSEG_AUDIT_KEY_INVALID",
      message: expect.stringMatching(/not the key/),
    });
    writeFileSync(file, "short\n");
    await expect(start(dir)).rejects.toMatchObject({ code: "MSEG_AUDIT_KEY_INVALID" });
    writeFileSync(file, `${"ab".repeat(32)}\n`);
    chmodSync(file, 0o644);
    await expect(start(dir)).rejects.toMatchObject({
      code: "MSEG_AUDIT_KEY_INVALID",
      message: expect.stringContaining("chmod 600"),
    });
  });

  it("keeps the key where --audit-key says, apart from the data", async () => {
    const dir = tempDir();
    const vault = join(tempDir(), "vault");
    mkdirSync(vault, { mode: 0o700 });
    const file = join(vault, "microseg-audit.key");
    await (await start(dir, file)).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => statSync(join(dir, "audit.key"))).toThrow();
    await expect(start(dir)).rejects.toMatchObject({ code: "MSEG_AUDIT_KEY_MISSING" });
    await (await start(dir, file)).close();
  });

  it("continues a log written before keys from an audit.keyed entry", async () => {
    const dir = tempDir();
    const legacy = openSqliteStore({ dir });
    for (let i = 0; i < 3; i++) {
      await legacy.audit.append({ actor: "old", action: "test.old", target: "x" });
    }
    await legacy.close();
    const ctl = await start(dir);
    const token = ctl.adminToken ?? "";
    expect(await auditOf(ctl.url, token)).toMatchObject({ ok: true, keyedFrom: 4 });
    const res = await fetch(`${ctl.url}/api/v1/audit?afterSeq=3&limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const [marker] = ((await res.json()) as { entries: unknown[] }).entries;
    expect(marker).toMatchObject({
      seq: 4,
      action: KEYED_ACTION,
      before: { alg: "sha256", seq: 3 },
    });
    await ctl.close();
  });
});
