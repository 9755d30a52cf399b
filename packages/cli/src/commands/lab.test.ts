// `microseg lab …` without root: help, and the errors a user sees when no lab is up.
// (Nothing here creates or removes namespaces; see lab.privileged.test.ts for that.)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

  it("lab up refuses replicas without a PostgreSQL store, before it makes anything", async () => {
    const r = await capture(["lab", "up", "missing.yaml", "--replicas", "3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--replicas 3 needs --store postgres:\/\/.*SQLite.*\[MSEG_USAGE\]/);
    const sqlite = await capture(["lab", "up", "missing.yaml", "--store", "sqlite:///x.db"]);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain("is not a PostgreSQL URL");
    expect((await capture(["lab", "up", "missing.yaml", "--replicas", "two"])).code).toBe(2);
    expect((await capture(["lab", "up", "missing.yaml", "--replicas", "0"])).code).toBe(2);
  });

  it("lab up refuses a bus without a store, or a bus URL that is not nats://HOST:PORT", async () => {
    const bus = "nats://127.0.0.1:4222,nats://127.0.0.1:4223";
    const alone = await capture(["lab", "up", "missing.yaml", "--bus", bus]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--bus needs --store postgres:\/\/.*\[MSEG_USAGE\]/);
    const store = ["--store", "postgres://ms@127.0.0.1:5432/lab"];
    const http = await capture(["lab", "up", "missing.yaml", ...store, "--bus", "http://h:4222"]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('--bus "http://h:4222" is not nats://HOST:PORT');
    const direct = await capture(["lab", "up", "missing.yaml", "--direct", "--bus", bus]);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toContain("--direct runs none");
  });

  it("lab status --json lists every replica as controllers [{url, pid}], the bus, store and bus passwords hidden", async () => {
    const dir = process.env.MICROSEG_LAB_DIR as string;
    const replica = (port: number, pid: number) => ({
      url: `https://127.0.0.1:${port}`,
      agentUrl: `https://198.18.0.1:${port}`,
      pid,
    });
    const state = {
      version: 1,
      phase: "up",
      lab: "x",
      scenario: "x.yaml",
      startedAt: "2026-12-07T00:00:00.000Z",
      upPid: 1,
      namespaces: [],
      hosts: [],
      servers: [],
      store: "postgres://ms:secret@db:5432/lab",
      bus: ["nats://ms:secret@127.0.0.1:4222", "nats://127.0.0.1:4223"],
      controller: {
        ...replica(8443, 11),
        token: "t0k3n",
        caFingerprint: "ab",
        caPem: "PEM",
        netns: "n",
        dataDir: "d",
      },
      controllers: [replica(8443, 11), replica(8444, 12)],
    };
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
    try {
      const r = await capture(["lab", "status", "--json"]);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.controllers).toEqual([
        { url: "https://127.0.0.1:8443", pid: 11 },
        { url: "https://127.0.0.1:8444", pid: 12 },
      ]);
      expect(json.controller.url).toBe("https://127.0.0.1:8443");
      expect(json.bus).toEqual(["nats://ms:***@127.0.0.1:4222", "nats://127.0.0.1:4223"]);
      expect(r.stdout).not.toContain("t0k3n");
      expect(r.stdout).not.toContain("secret");
    } finally {
      rmSync(join(dir, "state.json"));
    }
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
