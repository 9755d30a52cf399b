// `microseg controller` as the built process (dist/, as users run it): policy work runs in a
// worker thread started from dist/controller/.../compile-worker/worker.js, within the budgets the
// flags set. A hostile draft is refused while the API keeps answering, and `policy apply` of it
// exits 2 with MSEG_POLICY_TOO_COMPLEX. (`npm test` builds first.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { compileBomb } from "../../../controller/src/compile-worker/hostile.test-helpers.js";
import { main } from "../main.js";

const root = join(import.meta.dirname, "../../../..");
const bin = join(root, "packages/cli/bin/microseg.js");
const dir = mkdtempSync(join(tmpdir(), "mseg-cli-budget-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY =
  "rules:\n  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }\n";

interface Facts {
  url: string;
  adminToken: string;
}

function start(args: string[]): Promise<{ child: ChildProcess; facts: Facts }> {
  const child = spawn(
    process.execPath,
    [bin, "controller", "--data", dir, "--listen", "127.0.0.1:0", "--json", "--http", ...args],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) resolve({ child, facts: JSON.parse(line) });
    });
    child.once("exit", (code) => reject(new Error(`controller exited ${code} before start`)));
  });
}

describe("microseg controller --compile-timeout / --compile-memory (process)", () => {
  it("refuses a compile bomb on its budget while the API answers, and keeps the draft", async () => {
    expect(existsSync(join(root, "packages/controller/dist/compile-worker/worker.js"))).toBe(true);
    const { child, facts } = await start([
      "--log-level",
      "silent",
      "--compile-timeout",
      "2s",
      "--compile-memory",
      "256",
    ]);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${facts.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${facts.adminToken}`, "content-type": "text/yaml" },
      });
    try {
      expect((await api("/api/v1/policy/draft", { method: "PUT", body: POLICY })).status).toBe(200);
      const t0 = performance.now();
      const put = api("/api/v1/policy/draft", { method: "PUT", body: compileBomb() });
      let done = false;
      void put.finally(() => {
        done = true;
      });
      const latencies: number[] = [];
      while (!done) {
        const p0 = performance.now();
        expect((await api("/api/v1/status")).status).toBe(200);
        latencies.push(performance.now() - p0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const res = await put;
      const body = (await res.json()) as { error: { code: string; details: { budget: string } } };
      console.info(
        `built controller refused the compile bomb in ${Math.round(performance.now() - t0)} ms; ` +
          `${latencies.length} status probes, max ${Math.round(Math.max(...latencies))} ms`,
      );
      expect(res.status).toBe(422);
      expect(body.error.code).toBe("MSEG_POLICY_TOO_COMPLEX");
      expect(["time", "memory"]).toContain(body.error.details.budget);
      expect(latencies.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...latencies)).toBeLessThan(1000);
      expect(await (await api("/api/v1/policy/draft")).json()).toMatchObject({ text: POLICY });

      const file = join(dir, "bomb.yaml");
      writeFileSync(file, compileBomb());
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        const flags = ["--controller", facts.url, "--token", facts.adminToken];
        expect(await main(["policy", "apply", file, ...flags])).toBe(2);
        expect(err.mock.calls.map((c) => String(c[0])).join("")).toMatch(/MSEG_POLICY_TOO_COMPLEX/);
      } finally {
        err.mockRestore();
      }
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 60_000);

  it("refuses a budget flag out of range with exit 2", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const bad = join(dir, "never");
      expect(await main(["controller", "--data", bad, "--compile-timeout", "0s"])).toBe(2);
      expect(await main(["controller", "--data", bad, "--compile-memory", "8"])).toBe(2);
      expect(existsSync(bad)).toBe(false);
      expect(err.mock.calls.map((c) => String(c[0])).join("")).toMatch(
        /--compile-timeout must be.*--compile-memory must be/s,
      );
    } finally {
      err.mockRestore();
    }
  });
});
