// The admin token over the real SQLite store and a real socket: the first start writes
// DATA/admin.token before it commits the token, so a failed write leaves nothing behind and the
// next start makes one; reset-admin-token replaces it while the controller runs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resetAdminToken, startController } from "./main.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mseg-admin-"));
  dirs.push(d);
  return d;
}

const start = (dataDir: string) =>
  startController({ dataDir, listen: "127.0.0.1:0", http: true, log: "silent" });

async function status(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe("the admin token", () => {
  it("is made again on the next start when the first start could not write the file", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "admin.token"));
    await expect(start(dir)).rejects.toMatchObject({
      code: "MSEG_SECRET_FILE_UNWRITABLE",
      message: expect.stringContaining(join(dir, "admin.token")),
    });
    rmSync(join(dir, "admin.token"), { recursive: true });
    const ctl = await start(dir);
    try {
      const token = ctl.adminToken ?? "";
      expect(token).toMatch(/^mst_/);
      expect(readFileSync(join(dir, "admin.token"), "utf8")).toBe(`${token}\n`);
      expect(statSync(join(dir, "admin.token")).mode & 0o777).toBe(0o600);
      expect(await status(ctl.url, token)).toBe(200);
    } finally {
      await ctl.close();
    }
  });

  it("reset-admin-token replaces it while the controller runs; the old one gets 401", async () => {
    const dir = tempDir();
    const ctl = await start(dir);
    try {
      const old = ctl.adminToken ?? "";
      expect(await status(ctl.url, old)).toBe(200);
      const fresh = await resetAdminToken({ dataDir: dir, actor: "local/test" });
      expect(fresh).toMatch(/^mst_/);
      expect(fresh).not.toBe(old);
      expect(readFileSync(join(dir, "admin.token"), "utf8")).toBe(`${fresh}\n`);
      expect(statSync(join(dir, "admin.token")).mode & 0o777).toBe(0o600);
      expect(await status(ctl.url, fresh)).toBe(200);
      expect(await status(ctl.url, old)).toBe(401);
      const res = await fetch(`${ctl.url}/api/v1/audit?target=token/admin`, {
        headers: { authorization: `Bearer ${fresh}` },
      });
      const { entries } = (await res.json()) as { entries: { action: string; actor: string }[] };
      const actions = entries.map((e) => [e.action, e.actor]);
      expect(actions).toEqual([
        ["token.create", "controller"],
        ["token.replace", "local/test"],
      ]);
      const verdict = await fetch(`${ctl.url}/api/v1/audit/verify`, {
        headers: { authorization: `Bearer ${fresh}` },
      });
      expect(((await verdict.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      await ctl.close();
    }
    // And when the controller is stopped: the next start serves the newest token.
    const again = await resetAdminToken({ dataDir: dir, actor: "local/test" });
    const ctl2 = await start(dir);
    try {
      expect(ctl2.adminToken).toBeUndefined();
      expect(await status(ctl2.url, again)).toBe(200);
    } finally {
      await ctl2.close();
    }
  });

  it("reset-admin-token refuses a directory without a database", async () => {
    await expect(resetAdminToken({ dataDir: tempDir(), actor: "x" })).rejects.toMatchObject({
      code: "MSEG_USAGE",
    });
  });
});
