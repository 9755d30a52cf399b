// `microseg controller backup` / `restore` in process, beside a running controller: exit codes,
// what they print, and the registry codes of a refused restore. (The consistency of a backup
// under writes is tested in the controller package, backup/backup.test.ts.)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();
const scratch = mkdtempSync(join(tmpdir(), "mseg-cli-backup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("microseg controller backup / restore", () => {
  it("backs up a running controller and restores into a new directory", async () => {
    await online.current.api.putWorkload("db-1", { labels: { role: "db" } });
    const out = join(scratch, "b1");
    const b = await run(["controller", "backup", out, "--data", online.current.dir, "--json"]);
    expect([b.code, b.err]).toEqual([0, ""]);
    const manifest = JSON.parse(b.out);
    expect(manifest).toMatchObject({ format: "microseg-backup", version: "0.2.0" });

    const again = await run(["controller", "backup", out, "--data", online.current.dir]);
    expect([again.code, again.err]).toEqual([2, expect.stringMatching(/is not empty/)]);

    const target = join(scratch, "restored");
    const r = await run(["controller", "restore", out, "--data", target]);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toMatch(/^restored \d+ files of the backup taken .* into /);

    const busy = await run(["controller", "restore", out, "--data", online.current.dir]);
    expect([busy.code, busy.err]).toEqual([3, expect.stringMatching(/MSEG_DATA_DIR_IN_USE/)]);
    const full = await run(["controller", "restore", out, "--data", target]);
    expect([full.code, full.err]).toEqual([2, expect.stringMatching(/MSEG_DATA_DIR_NOT_EMPTY/)]);

    writeFileSync(join(out, "admin.token"), "mst_someone-elses\n");
    const bad = await run(["controller", "restore", out, "--data", join(scratch, "r2"), "--force"]);
    expect([bad.code, bad.err]).toEqual([
      2,
      expect.stringMatching(/admin\.token does not match .*\[MSEG_BACKUP_INVALID\]/),
    ]);
  });

  it("explains itself in --help", async () => {
    const h = await run(["controller", "backup", "--help"]);
    expect(h.out).toMatch(/manifest\.json/);
    expect((await run(["controller", "restore", "--help"])).out).toMatch(/--force/);
  });
});
