// `microseg controller` as a real process (the built CLI; `npm test` builds first): it prints
// its facts, serves, exits 0 after SIGTERM with held long-polls answered, and a restart keeps
// the data and does not make a second admin token.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";
import { limitsFrom } from "./controller.js";

const root = join(import.meta.dirname, "../../../..");
const bin = join(root, "packages/cli/bin/microseg.js");
const dir = mkdtempSync(join(tmpdir(), "mseg-cli-ctl-"));
// The controller remembers its CA in its user's known-controllers file: a home of the test's own.
const home = join(dir, "home");
const env = (h: string) => {
  const { XDG_CONFIG_HOME: _, MICROSEG_CA_FINGERPRINT: __, ...rest } = process.env;
  return { ...rest, HOME: h };
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Facts {
  url: string;
  caFingerprint: string | null;
  adminToken?: string;
}

function start(extra: string[] = []): Promise<{ child: ChildProcess; facts: Facts }> {
  const args = [bin, "controller", "--data", dir, "--listen", "127.0.0.1:0", "--json"];
  const child = spawn(process.execPath, [...args, "--log-level", "silent", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
    env: env(home),
  });
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

/** The built CLI as a process with stdin not a terminal and HOME `h`. */
function cli(
  args: string[],
  h: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: env(h),
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return exitCode(child).then((code) => ({ code, out, err }));
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function api(f: Facts, token: string, path: string, init: RequestInit = {}) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return fetch(`${f.url}${path}`, { ...init, headers });
}

describe("microseg controller (process)", () => {
  it("runs until SIGTERM, exits 0, and keeps its data across a restart", async () => {
    const first = await start(["--http"]);
    const token = first.facts.adminToken ?? "";
    expect(token).toMatch(/^mst_/);
    expect(readFileSync(join(dir, "admin.token"), "utf8").trim()).toBe(token);
    const put = await api(first.facts, token, "/api/v1/workloads/db-1", {
      method: "PUT",
      body: JSON.stringify({ labels: { role: "db" }, addresses: ["198.18.1.20"] }),
    });
    expect(put.status).toBe(201);
    const prof = (await (
      await api(first.facts, token, "/api/v1/enrol-profiles", {
        method: "POST",
        body: JSON.stringify({ name: "web" }),
      })
    ).json()) as { key: string };
    const enrol = await fetch(`${first.facts.url}/api/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: prof.key, hostname: "web-1", interfaces: [] }),
    });
    const { credential } = (await enrol.json()) as { credential: string };
    const held = fetch(`${first.facts.url}/api/v1/agent/policy?known=none&wait=30`, {
      headers: { authorization: `Bearer ${credential}` },
    });
    await new Promise((r) => setTimeout(r, 200));

    const exited = exitCode(first.child);
    first.child.kill("SIGTERM");
    expect((await held).status).toBe(204);
    expect(await exited).toBe(0);

    const second = await start(["--http"]);
    try {
      expect(second.facts.adminToken).toBeUndefined();
      const got = await api(second.facts, token, "/api/v1/workloads/db-1");
      expect(got.status).toBe(200);
      expect(((await got.json()) as { labels: unknown }).labels).toEqual({ role: "db" });
    } finally {
      const done = exitCode(second.child);
      second.child.kill("SIGINT");
      expect(await done).toBe(0);
    }
  });

  it("serves HTTPS by default, prints the CA fingerprint and vouches for it to its own user", async () => {
    const { child, facts } = await start();
    try {
      expect(facts.url).toMatch(/^https:/);
      expect(facts.caFingerprint).toMatch(/^[0-9a-f]{64}$/);
      // The same user, no terminal, no pin: trusted. Another user: refused, token not sent.
      const token = readFileSync(join(dir, "admin.token"), "utf8").trim();
      const status = (h: string) =>
        cli(["status", "--json", "--controller", facts.url, "--token", token], h);
      const same = await status(home);
      expect(same.code).toBe(0);
      expect(JSON.parse(same.out).caFingerprint).toBe(facts.caFingerprint);
      const other = await status(join(dir, "other-home"));
      expect(other.code).toBe(3);
      expect(other.err).toContain(`--ca-fingerprint ${facts.caFingerprint}`);
    } finally {
      const done = exitCode(child);
      child.kill("SIGTERM");
      expect(await done).toBe(0);
    }
  });

  it("exits 3 with a clear message when it cannot listen", async () => {
    const first = await start(["--http"]);
    const port = new URL(first.facts.url).port;
    const busy = spawn(
      process.execPath,
      [
        bin,
        "controller",
        "--data",
        dir,
        "--listen",
        `127.0.0.1:${port}`,
        "--http",
        "--log-level",
        "silent",
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: env(home) },
    );
    let err = "";
    busy.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    expect(await exitCode(busy)).toBe(3);
    expect(err).toMatch(/cannot listen on 127\.0\.0\.1:\d+.*MSEG_CONTROLLER_LISTEN_FAILED/);
    const done = exitCode(first.child);
    first.child.kill("SIGTERM");
    expect(await done).toBe(0);
  });

  it("refuses a bad --heartbeat or --listen with exit 2, before touching the data directory", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const bad = join(dir, "never");
      expect(await main(["controller", "--data", bad, "--heartbeat", "0"])).toBe(2);
      expect(await main(["controller", "--data", bad, "--listen", "nonsense"])).toBe(2);
      expect(existsSync(bad)).toBe(false);
      expect(String(err.mock.calls.map((c) => c[0]).join(""))).toMatch(/--heartbeat must be/);
    } finally {
      err.mockRestore();
    }
  });

  it("exits 0 on a SIGTERM that arrives while it is still starting", async () => {
    const fresh = join(dir, "early");
    const child = spawn(
      process.execPath,
      [bin, "controller", "--data", fresh, "--listen", "127.0.0.1:0", "--log-level", "silent"],
      { stdio: ["ignore", "ignore", "inherit"], env: env(home) },
    );
    const exited = exitCode(child);
    // The database appears after the handlers are installed and before the CA is made.
    while (!existsSync(join(fresh, "microseg.db"))) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("microseg controller limits", () => {
  it("maps the limit flags, and refuses a bad one with exit 2", async () => {
    expect(
      limitsFrom({
        maxConnectionsPerClient: 1000,
        maxConnections: 5000,
        agentFlowRate: 100_000,
        authFailures: 5,
      }),
    ).toEqual({
      connectionsPerClient: 1000,
      connections: 5000,
      flowRecordsPerSecond: 100_000,
      flowRecordBurst: 300_000,
      authFailureBurst: 5,
    });
    expect(limitsFrom({})).toEqual({});
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const bad = join(dir, "never");
      expect(await main(["controller", "--data", bad, "--max-connections-per-client", "0"])).toBe(
        2,
      );
      expect(String(err.mock.calls.map((c) => c[0]).join(""))).toMatch(
        /--max-connections-per-client must be a whole number/,
      );
      expect(existsSync(bad)).toBe(false);
    } finally {
      err.mockRestore();
    }
  });
});
