// `microseg lab traffic` without root: help, the not-up error, and the human output.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../testing/run-main.js";
import { humanOnce, humanStatus } from "./lab-traffic.js";

describe("microseg lab traffic", () => {
  const previous = process.env.MICROSEG_LAB_DIR;
  beforeAll(() => {
    process.env.MICROSEG_LAB_DIR = mkdtempSync(join(tmpdir(), "mseg-cli-traffic-"));
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MICROSEG_LAB_DIR;
    else process.env.MICROSEG_LAB_DIR = previous;
  });

  it.each([[], ["start"], ["stop"], ["status"]])(
    "lab traffic %s --help has examples",
    async (...sub) => {
      const r = await runMain(["lab", "traffic", ...sub, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Examples:\n\s+\$ .*microseg lab traffic/);
    },
  );

  it("--once with no lab up says how to start one", async () => {
    const r = await runMain(["lab", "traffic", "--once", "--json"]);
    expect(r.code).toBe(3);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/no lab is up; start one with microseg lab up .*\[MSEG_LAB_NOT_UP\]/);
  });

  it("status and stop with nothing running exit 0 and say so", async () => {
    const status = await runMain(["lab", "traffic", "status", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toEqual({ running: false, flows: [] });
    const stop = await runMain(["lab", "traffic", "stop"]);
    expect(stop).toMatchObject({ code: 0, out: expect.stringMatching(/not running/) });
  });

  it("refuses a duration shorter than a second as a usage error", async () => {
    expect((await runMain(["lab", "traffic", "start", "--for", "5ms"])).code).toBe(2);
  });
});

describe("lab traffic output", () => {
  it("lists each flow's verdict and counts them", () => {
    expect(
      humanOnce([
        { from: "web-1", to: "app-1", port: "tcp/8080", verdict: "allowed" },
        { from: "attacker", to: "db-1", port: "tcp/5432", verdict: "blocked" },
      ]),
    ).toBe(
      "flow              port      verdict\nweb-1 -> app-1    tcp/8080  allowed\nattacker -> db-1  tcp/5432  blocked\n\n2 flows: 1 allowed, 1 blocked\n",
    );
  });

  it("shows per-flow counters of a running driver", () => {
    const text = humanStatus({
      running: true,
      pid: 42,
      startedAt: "2026-01-01T00:00:00.000Z",
      flows: [
        {
          from: "web-1",
          to: "app-1",
          port: "tcp/8080",
          everyMs: 2000,
          attempts: 5,
          allowed: 4,
          blocked: 1,
          errors: 0,
          last: "allowed",
          lastAt: "2026-01-01T00:00:10.000Z",
        },
      ],
    });
    expect(text).toMatch(/^background traffic runs \(pid 42, since 2026-01-01T00:00:00\.000Z\)/);
    expect(text).toMatch(/web-1 -> app-1\s+tcp\/8080\s+2s\s+5\s+4\s+1\s+allowed/);
  });
});
