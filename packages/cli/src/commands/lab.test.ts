// `microseg lab …` without root: help, and the errors a user sees when no lab is up.
// (Nothing here creates or removes namespaces; see lab.privileged.test.ts for that.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { table } from "../api/output.js";
import { runMain } from "../testing/run-main.js";
import { humanProbe } from "./lab-probe.js";

async function capture(argv: string[]) {
  const { code, out, err } = await runMain(argv);
  return { code, stdout: out, stderr: err };
}

describe("microseg lab", () => {
  const previous = process.env.MICROSEG_LAB_DIR;
  beforeAll(() => {
    process.env.MICROSEG_LAB_DIR = mkdtempSync(join(tmpdir(), "mseg-cli-lab-"));
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MICROSEG_LAB_DIR;
    else process.env.MICROSEG_LAB_DIR = previous;
  });

  it.each(["up", "probe", "down", "exec", "status"])("lab %s --help has examples", async (sub) => {
    const r = await capture(["lab", sub, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ .*microseg lab/);
  });

  it("lab probe with no lab up says how to start one", async () => {
    const r = await capture(["lab", "probe", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no lab is up; start one with microseg lab up .*\[MSEG_LAB_NOT_UP\]/);
  });

  it("lab exec with no lab up fails the same way", async () => {
    const r = await capture(["lab", "exec", "web-1", "--", "true"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/MSEG_LAB_NOT_UP/);
  });

  it("lab status with no lab up", async () => {
    expect(await capture(["lab", "status"])).toMatchObject({ code: 3, stdout: "no lab is up\n" });
    expect(await capture(["lab", "status", "--json"])).toMatchObject({ code: 3, stdout: "null\n" });
  });

  it("lab probe rejects a silly timeout as a usage error", async () => {
    expect((await capture(["lab", "probe", "--timeout", "5"])).code).toBe(2);
  });
});

describe("lab output formatting", () => {
  it("groups probe results per pair", () => {
    const text = humanProbe([
      { from: "a", to: "b", port: "tcp/80", verdict: "allowed" },
      { from: "a", to: "b", port: "udp/53", verdict: "blocked" },
      { from: "b", to: "a", port: "tcp/80", verdict: "blocked" },
    ]);
    expect(text).toBe(
      "a -> b  allowed tcp/80 · blocked udp/53\nb -> a  blocked tcp/80\n\n3 probes: 1 allowed, 2 blocked\n",
    );
  });

  it("aligns table columns", () => {
    expect(table(["h", "address"], [["web-1", "198.18.0.10"]])).toBe(
      "h      address\nweb-1  198.18.0.10\n",
    );
  });
});
