// The host commands through agentMain, as the package and operators run them: exit codes, what
// goes to stdout, and the bounds report-removal promises the package's prerm script.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openWindow, tokenHash, writeMaintenanceHash } from "../lifecycle/maintenance.js";
import { readOutbox } from "../lifecycle/outbox.js";
import { agentMain } from "./main.js";

let dir: string;
let out: string;
let err: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-host-cmd-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function enrolled(controller: string) {
  const identity = { agentId: "agt-1", credential: "cred-agt-1", workload: "web-1", controller };
  await writeFile(join(dir, "identity.json"), JSON.stringify(identity));
}

/** A TCP server that accepts and never answers: the worst controller for a bounded wait. */
async function silentServer(): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, server, sockets };
}

describe("microseg-agent status", () => {
  it("exits 1 on a fresh host and says why, as text and as JSON", async () => {
    expect(await agentMain(["status", "--state-dir", dir], "0.0.0")).toBe(1);
    expect(out).toMatch(/^enrolled: +no$/m);
    expect(out).toMatch(/^agent: +not running: no status file/m);
    out = "";
    expect(await agentMain(["status", "--state-dir", dir, "--json"], "0.0.0")).toBe(1);
    const view = JSON.parse(out);
    expect(Object.keys(view)).toEqual([
      "stateDir",
      "enrolled",
      "agentId",
      "workload",
      "controller",
      "running",
      "notRunning",
      "pid",
      "statusWrittenAt",
      "controllerReachable",
      "lastContactAt",
      "lastContactError",
      "policy",
      "lastApply",
      "drift",
      "flows",
      "resources",
      "maintenance",
      "ok",
    ]);
    expect(view).toMatchObject({ enrolled: false, running: false, ok: false });
  });

  it("documents its exit codes in --help", async () => {
    expect(await agentMain(["status", "--help"], "0.0.0")).toBe(0);
    expect(out).toContain("Exit codes");
    expect(out).toMatch(/0 +enrolled, the agent runs/);
  });
});

describe("microseg-agent maintenance", () => {
  it("exits 2 with the fix for a wrong token, 0 with the right one", async () => {
    await enrolled("http://127.0.0.1:9");
    await writeMaintenanceHash(dir, tokenHash("msm_right"), new Date());
    const args = ["maintenance", "--state-dir", dir, "--minutes", "10"];
    expect(await agentMain([...args, "--token", "msm_wrong"], "0.0.0")).toBe(2);
    expect(err).toContain("[MSEG_MAINTENANCE_TOKEN_REFUSED]");
    expect(err).toContain("microseg agents maintenance-token agt-1");
    expect(await agentMain([...args, "--token", "msm_right"], "0.0.0")).toBe(0);
    expect(out).toMatch(/maintenance window open until 20\d\d-/);
    expect(await agentMain([...args.slice(0, 3), "--minutes", "0", "--token", "x"], "0.0.0")).toBe(
      2,
    );
    expect(err).toContain("--minutes must be a whole number from 1 to 1440");
  });

  it("reads the token from MICROSEG_MAINTENANCE_TOKEN, and asks for one when there is none", async () => {
    await enrolled("http://127.0.0.1:9");
    await writeMaintenanceHash(dir, tokenHash("msm_right"), new Date());
    vi.stubEnv("MICROSEG_MAINTENANCE_TOKEN", "msm_right");
    expect(await agentMain(["maintenance", "--state-dir", dir], "0.0.0")).toBe(0);
    vi.stubEnv("MICROSEG_MAINTENANCE_TOKEN", "");
    expect(await agentMain(["maintenance", "--state-dir", dir], "0.0.0")).toBe(2);
    expect(err).toContain("a maintenance token is needed");
    vi.unstubAllEnvs();
  });
});

describe("microseg-agent unpair", () => {
  it("refuses a wrong token with exit 2 and leaves the state", async () => {
    await enrolled("http://127.0.0.1:9");
    await writeMaintenanceHash(dir, tokenHash("msm_right"), new Date());
    expect(await agentMain(["unpair", "--state-dir", dir, "--token", "msm_x"], "0.0.0")).toBe(2);
    expect(err).toContain("unpair refused");
    expect(JSON.parse(await readFile(join(dir, "identity.json"), "utf8")).agentId).toBe("agt-1");
  });
});

describe("microseg-agent report-removal", () => {
  it("exits 0 within about 3 s when the controller never answers, and queues the tamper", async () => {
    const { url, server, sockets } = await silentServer();
    try {
      await enrolled(url);
      const t0 = performance.now();
      expect(await agentMain(["report-removal", "--state-dir", dir], "0.0.0")).toBe(0);
      expect(performance.now() - t0).toBeLessThan(3000);
      expect((await readOutbox(dir)).map((e) => `${e.kind}: ${e.details}`)).toEqual([
        "tamper: package removed without maintenance token",
      ]);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("reports a removal within a maintenance window as sanctioned", async () => {
    await enrolled("http://127.0.0.1:9");
    await openWindow(dir, 10, new Date());
    expect(await agentMain(["report-removal", "--state-dir", dir], "0.0.0")).toBe(0);
    expect((await readOutbox(dir)).map((e) => e.kind)).toEqual(["removed"]);
  });

  it("exits 0 on a host that was never enrolled or has no state directory", async () => {
    const missing = join(dir, "nope");
    expect(await agentMain(["report-removal", "--state-dir", missing], "0.0.0")).toBe(0);
    expect(out).toContain("not-enrolled");
  });
});
