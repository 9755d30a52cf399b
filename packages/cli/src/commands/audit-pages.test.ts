// `microseg audit` over a log larger than the controller's largest page (1,000), and `audit
// verify` against anchors given on the command line and in an exported log file.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "@microseg/store";
import { openSqliteStore } from "@microseg/store/sqlite";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run, home } = useCli();

/** The controller's own database, with its key, as a second writer beside it. */
function sideStore(): Store {
  const hex = readFileSync(join(online.current.dir, "audit.key"), "utf8").trim();
  return openSqliteStore({ dir: online.current.dir, auditKey: Buffer.from(hex, "hex") });
}

describe("microseg audit over many pages", () => {
  it("prints one page by default, --limit N across pages, --all everything", async () => {
    const store = sideStore();
    for (let i = 0; i < 2_400; i++) {
      await store.audit.append({ actor: "bulk", action: "test.fill", target: `x/${i}` });
    }
    await store.close();
    const total = (await online.current.api.verifyAudit()) as { count: number };

    const one = await run(["audit", ...online.current.flags]);
    expect(one.code).toBe(0);
    expect(one.out.trim().split("\n")).toHaveLength(1 + 100);
    expect(one.err).toBe("more entries: microseg audit --after 100 (or --all)\n");

    const some = JSON.parse(
      (await run(["audit", "--limit", "1500", "--json", ...online.current.flags])).out,
    );
    expect(some.entries).toHaveLength(1500);
    expect(some.next).toMatch(/afterSeq=1500/);

    const all = await run(["audit", "--all", "--json", "--after", "10", ...online.current.flags]);
    const parsed = JSON.parse(all.out);
    expect(parsed.next).toBeNull();
    expect(parsed.entries.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: total.count - 10 }, (_, i) => i + 11),
    );
    const table = await run(["audit", "--all", ...online.current.flags]);
    expect(table.out.trim().split("\n")).toHaveLength(1 + total.count);
    expect(table.err).toBe("");
  });

  it("verify checks anchors from flags and files; a cut-off log exits 1", async () => {
    const v = await online.current.api.verifyAudit();
    if (!v.ok || v.head === null) throw new Error("no head");
    const head = v.head;
    const early = (await online.current.api.audit({ afterSeq: 4, limit: 1 })).entries[0];
    const file = join(home, "anchors.log");
    writeFileSync(
      file,
      [
        `{"level":30,"time":1,"anchor":{"seq":5,"hash":"${early?.hash}","at":"x"},"msg":"audit anchor"}`,
        `{"level":30,"time":2,"anchor":{"seq":${head.seq},"hash":"${head.hash}","at":"x"},"msg":"audit anchor"}`,
        "",
      ].join("\n"),
    );
    const ok = await run(["audit", "verify", "--anchors", file, ...online.current.flags]);
    expect([ok.code, ok.err]).toEqual([0, ""]);
    expect(ok.out).toMatch(/; 2 anchors hold\n$/);

    const db = new Database(join(online.current.dir, "microseg.db"));
    db.exec("DROP TRIGGER IF EXISTS audit_log_no_delete");
    db.prepare("DELETE FROM audit_log WHERE seq > ?").run(head.seq - 3);
    db.close();
    expect((await run(["audit", "verify", ...online.current.flags])).code).toBe(0);
    const anchored = await run([
      "audit",
      "verify",
      "--anchor",
      `${head.seq}:${head.hash}`,
      ...online.current.flags,
    ]);
    expect(anchored.code).toBe(1);
    expect(anchored.err).toMatch(
      new RegExp(`^audit log broken at seq ${head.seq - 2} \\(truncated\\)`),
    );
    const fromFile = await run(["audit", "verify", "--anchors", file, ...online.current.flags]);
    expect(fromFile.code).toBe(1);
    const none = await run([
      "audit",
      "verify",
      "--anchors",
      join(home, "nope"),
      ...online.current.flags,
    ]);
    expect(none.code).toBe(2);
  });
});
