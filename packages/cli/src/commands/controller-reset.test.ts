// `microseg controller reset-admin-token` in process, beside a running controller on the same
// data directory: the printed token works at once and the old one is refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

async function status(token: string): Promise<number> {
  const res = await fetch(`${online.current.url}/api/v1/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe("microseg controller reset-admin-token", () => {
  it("prints a new admin token that works; the old one gets 401", async () => {
    const old = online.current.token;
    expect(await status(old)).toBe(200);
    const r = await run([
      "controller",
      "reset-admin-token",
      "--data",
      online.current.dir,
      "--json",
    ]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const { adminToken } = JSON.parse(r.out) as { adminToken: string };
    expect(readFileSync(join(online.current.dir, "admin.token"), "utf8").trim()).toBe(adminToken);
    expect(await status(adminToken)).toBe(200);
    expect(await status(old)).toBe(401);

    const text = await run(["controller", "reset-admin-token", "--data", online.current.dir]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /^new admin token \(also in .*admin\.token; the old one no longer works\): mst_/,
    );
    expect(await status(adminToken)).toBe(401);
  });

  it("names the problem when --data holds no database", async () => {
    const r = await run([
      "controller",
      "reset-admin-token",
      "--data",
      join(online.current.dir, "nope"),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds no microseg\.db/);
  });
});
