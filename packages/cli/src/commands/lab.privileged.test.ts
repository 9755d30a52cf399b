// The contract of `microseg lab …` (CONTRACT.md) driven through main(), on the shop example.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labDown, labNamespaces } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMain } from "../testing/run-main.js";

const root = join(import.meta.dirname, "../../../..");
const shop = join(root, "examples/shop/scenario.yaml");

async function capture(argv: string[]) {
  const { code, out, err } = await runMain(argv);
  return { code, stdout: out, stderr: err };
}

describePrivileged("microseg lab (contract)", () => {
  const previous = process.env.MICROSEG_LAB_DIR;
  beforeAll(async () => {
    process.env.MICROSEG_LAB_DIR = mkdtempSync(join(tmpdir(), "mseg-cli-lab-"));
    await labDown();
  });
  afterAll(async () => {
    await labDown();
    if (previous === undefined) delete process.env.MICROSEG_LAB_DIR;
    else process.env.MICROSEG_LAB_DIR = previous;
  });

  it("up, probe --json, exec, down on the shop example", async () => {
    const up = await capture(["lab", "up", shop]);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/creating 6 hosts/);
    expect(up.stderr).toMatch(/applying policy to db-1 \(enforce, \d+ rules\)/);

    const probe = await capture(["lab", "probe", "--json"]);
    expect(probe.code).toBe(0);
    const { results, ...rest } = JSON.parse(probe.stdout);
    expect(rest).toEqual({});
    // every ordered pair of distinct hosts x every port the destination listens on
    expect(results).toHaveLength(65);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(["from", "port", "to", "verdict"]);
    }
    const verdict = (from: string, to: string, port: string) =>
      results.find(
        (r: { from: string; to: string; port: string }) =>
          r.from === from && r.to === to && r.port === port,
      )?.verdict;
    expect(verdict("app-1", "db-1", "tcp/5432")).toBe("allowed");
    expect(verdict("web-1", "db-1", "tcp/5432")).toBe("blocked");
    expect(verdict("ops-1", "web-1", "tcp/22")).toBe("allowed");
    expect(verdict("ops-1", "db-1", "tcp/22")).toBe("blocked");
    expect(verdict("db-1", "ops-1", "udp/514")).toBe("allowed");
    expect(verdict("outside", "web-2", "tcp/443")).toBe("allowed");
    expect(verdict("web-1", "outside", "tcp/80")).toBe("blocked");

    expect((await capture(["lab", "exec", "db-1", "--", "sh", "-c", "exit 5"])).code).toBe(5);
    const down = await capture(["lab", "down"]);
    expect(down.code).toBe(0);
    expect(await labNamespaces()).toEqual([]);
    expect(await capture(["lab", "down"])).toMatchObject({ code: 0 });
  });

  it("up with an invalid scenario exits 2 and leaves nothing", async () => {
    const bad = join(root, "packages/lab/testdata/scenarios/broken-policy.yaml");
    const r = await capture(["lab", "up", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MSEG_POLICY_INVALID_PORT/);
    expect(await labNamespaces()).toEqual([]);
  });
});
