// `microseg workloads …` against a real controller (plain http on 127.0.0.1), in process.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run, home } = useCli();

beforeAll(async () => {
  const { api } = online.current;
  await api.putWorkload("web-1", { labels: { role: "web" }, addresses: ["198.18.1.10"] });
  await api.putWorkload("db-1", {
    labels: { role: "db", legacy: "yes" },
    addresses: ["198.18.1.20"],
  });
});

describe("microseg workloads", () => {
  it("lists workloads as a table by default, and as the API's JSON with --json", async () => {
    const table = await run(["workloads", ...online.current.flags]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^NAME\s+MODE\s+MANAGED\s+ADDRESSES\s+LABELS\n/);
    expect(table.out).toMatch(/web-1\s+enforce\s+yes\s+198\.18\.1\.10\s+role=web/);
    const json = await run(["workloads", "list", "--json", ...online.current.flags]);
    const names = JSON.parse(json.out).workloads.map((w: { name: string }) => w.name);
    expect(names.sort()).toEqual(["db-1", "web-1"]);
  });

  it("gets one workload; an unknown one is MSEG_API_NOT_FOUND, exit 2", async () => {
    const got = await run(["workloads", "get", "web-1", "--json", ...online.current.flags]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.out)).toMatchObject({ name: "web-1", labels: { role: "web" } });
    const missing = await run(["workloads", "get", "nope", ...online.current.flags]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no workload "nope".*\[MSEG_API_NOT_FOUND\]/);
  });

  it("sets and removes labels in one change", async () => {
    const r = await run([
      "workloads",
      "label",
      "db-1",
      "env=prod",
      "tier=back",
      "--remove",
      "legacy",
      ...online.current.flags,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^db-1: updated\n/);
    const w = await online.current.api.getWorkload("db-1");
    expect(w.labels).toEqual({ role: "db", env: "prod", tier: "back" });
    const bad = await run(["workloads", "label", "db-1", "oops", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/"oops" is not key=value/);
    const none = await run(["workloads", "label", "db-1", ...online.current.flags]);
    expect(none.code).toBe(2);
  });

  it("switches the mode; a mode that does not exist is a usage error", async () => {
    const r = await run(["workloads", "mode", "web-1", "test", "--json", ...online.current.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ change: "updated", workload: { mode: "test" } });
    const bad = await run(["workloads", "mode", "web-1", "block", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/block/);
    expect((await online.current.api.getWorkload("web-1")).mode).toBe("test");
  });
});

describe("where to connect", () => {
  it("refuses a wrong token with the registry's exit code (3, MSEG_API_UNAUTHENTICATED)", async () => {
    const r = await run(["workloads", "--controller", online.current.url, "--token", "mst_wrong"]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/\[MSEG_API_UNAUTHENTICATED\]/);
  });

  it("reads MICROSEG_CONTROLLER and MICROSEG_TOKEN", async () => {
    process.env.MICROSEG_CONTROLLER = online.current.url;
    process.env.MICROSEG_TOKEN = online.current.token;
    const r = await run(["workloads", "get", "web-1"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/name:\s+web-1/);
  });

  it("without flags, variables or a lab: a clear usage error", async () => {
    const r = await run(["workloads"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "no controller: pass --controller/--token, set MICROSEG_CONTROLLER/MICROSEG_TOKEN, or bring a lab up",
    );
  });

  it("a URL without a token names the way to give one", async () => {
    const r = await run(["workloads", "--controller", online.current.url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no token for .*--token or set MICROSEG_TOKEN/);
  });

  it("a lab still starting (controller recorded with empty fields) counts as no controller", async () => {
    const labDir = join(home, "starting");
    mkdirSync(labDir, { recursive: true });
    const controller = { url: "", agentUrl: "", token: "", caFingerprint: "", pid: 0 };
    writeFileSync(
      join(labDir, "state.json"),
      JSON.stringify({ version: 1, phase: "creating", controller }),
    );
    process.env.MICROSEG_LAB_DIR = labDir;
    const r = await run(["workloads"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no controller: pass --controller/);
  });

  it("uses the controller of the lab that is up (its state file)", async () => {
    const labDir = join(home, "lab");
    mkdirSync(labDir, { recursive: true });
    const controller = {
      url: online.current.url,
      agentUrl: "http://198.18.0.1:8080",
      token: online.current.token,
    };
    writeFileSync(
      join(labDir, "state.json"),
      JSON.stringify({ version: 1, phase: "up", controller }),
    );
    process.env.MICROSEG_LAB_DIR = labDir;
    const r = await run(["workloads", "get", "db-1", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).name).toBe("db-1");
  });

  it("a controller that is not there: MSEG_CONTROLLER_UNREACHABLE, exit 3", async () => {
    const r = await run(["status", "--controller", "http://127.0.0.1:1", "--token", "t"]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /cannot reach the controller at http:\/\/127\.0\.0\.1:1.*\[MSEG_CONTROLLER_UNREACHABLE\]/,
    );
  });
});
