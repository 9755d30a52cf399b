// The host-side pieces of the agent's lifecycle: token checks, maintenance windows, the outbox,
// the status view and unpair — on real files in a temporary state directory.
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MicrosegError } from "@microseg/core/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  openWindow,
  openWindowAt,
  readMaintenanceHash,
  tokenHash,
  tokenMatches,
  writeMaintenanceHash,
} from "./maintenance.js";
import { forgetEvents, queueEvents, readOutbox } from "./outbox.js";
import { checkToken, openMaintenance, unpair } from "./sanction.js";
import { type AgentStatusFile, STATUS_FILE } from "./status-file.js";
import { readAgentStatus, renderStatus } from "./status-view.js";

const TOKEN = "msm_7sQ2Gm1kq8ZKqf1XhJr8H2b6b3z1N0cR2Y9pVt0wFjE";
const NOW = new Date("2026-06-01T12:00:00.000Z");
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-lifecycle-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Enrolled with an http controller on a port nothing listens on (unreachable at once). */
async function enrolled(controller = "http://127.0.0.1:9") {
  const identity = { agentId: "agt-1", credential: "cred-agt-1", workload: "web-1", controller };
  await writeFile(join(dir, "identity.json"), JSON.stringify(identity));
}

function statusFile(over: Partial<AgentStatusFile> = {}): AgentStatusFile {
  return {
    version: 1,
    pid: 4242,
    startedAt: "2026-06-01T09:00:00.000Z",
    writtenAt: "2026-06-01T11:59:58.000Z",
    heartbeatSeconds: 5,
    controller: {
      url: "http://127.0.0.1:9",
      reachable: true,
      lastContactAt: "2026-06-01T11:59:57.000Z",
      lastError: null,
    },
    policy: { revision: 7, hash: "0123456789abcdef0123", source: "controller" },
    lastApply: {
      at: "2026-06-01T11:58:00.000Z",
      ok: true,
      revision: 7,
      hash: "0123456789abcdef0123",
      ms: 35,
    },
    drift: { restores: 2, lastRestoreAt: "2026-06-01T11:50:00.000Z", lastDetails: "rule gone" },
    flows: { enabled: true, batches: 3, bytes: 3 * 1024 * 1024, dropped: 0 },
    resources: { rssBytes: 48 * 1024 * 1024, cpuSeconds: 12.34, uptimeSeconds: 10_800 },
    ...over,
  };
}

/** One line of the human output: values start in column 16 ("flows buffered: " is the longest key). */
const row = (key: string, value: string) => `${`${key}:`.padEnd(16)}${value}`;

const writeStatus = (f: AgentStatusFile) => writeFile(join(dir, STATUS_FILE), JSON.stringify(f));

describe("maintenance token hashes", () => {
  it("matches only the token whose sha256 it is", () => {
    const hash = tokenHash(TOKEN);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches(TOKEN, hash)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, hash)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), hash)).toBe(false);
    expect(tokenMatches("", hash)).toBe(false);
    expect(tokenMatches(TOKEN, hash.toUpperCase())).toBe(false);
    expect(tokenMatches(TOKEN, "abc")).toBe(false);
  });

  it("keeps the hash on disk and ignores a damaged file", async () => {
    expect(await readMaintenanceHash(dir)).toBeUndefined();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    expect(await readMaintenanceHash(dir)).toEqual({
      hash: tokenHash(TOKEN),
      receivedAt: NOW.toISOString(),
    });
    await writeFile(join(dir, "maintenance-hash.json"), '{"hash":"not hex"}');
    expect(await readMaintenanceHash(dir)).toBeUndefined();
  });
});

describe("maintenance windows", () => {
  it("is open until it expires, then closed", async () => {
    await openWindow(dir, 30, NOW);
    const at = (ms: number) => openWindowAt(dir, new Date(NOW.getTime() + ms));
    expect((await at(0))?.until).toBe("2026-06-01T12:30:00.000Z");
    expect(await at(30 * 60_000 - 1)).toBeDefined();
    expect(await at(30 * 60_000)).toBeUndefined();
  });

  it("is closed when there is no file or it is damaged", async () => {
    expect(await openWindowAt(dir, NOW)).toBeUndefined();
    await writeFile(join(dir, "maintenance.json"), "{");
    expect(await openWindowAt(dir, NOW)).toBeUndefined();
  });

  it("opens only with the right token; a wrong one is refused, queued as tamper, nothing opened", async () => {
    await enrolled();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    const wrong = await openMaintenance(dir, "msm_wrong", 30, { now: () => NOW }).catch((e) => e);
    expect(wrong).toBeInstanceOf(MicrosegError);
    expect((wrong as MicrosegError).code).toBe("MSEG_MAINTENANCE_TOKEN_REFUSED");
    expect((wrong as Error).message).toContain("microseg agents maintenance-token agt-1");
    expect(await openWindowAt(dir, NOW)).toBeUndefined();
    expect(await readOutbox(dir)).toEqual([
      {
        kind: "tamper",
        at: NOW.toISOString(),
        details: "maintenance refused: wrong maintenance token",
      },
    ]);
    const window = await openMaintenance(dir, TOKEN, 45, { now: () => NOW });
    expect(window.until).toBe("2026-06-01T12:45:00.000Z");
    expect(await openWindowAt(dir, NOW)).toEqual(window);
  });

  it("refuses every token while no hash is known", async () => {
    await enrolled();
    const e = await checkToken(dir, TOKEN, "unpair").catch((x) => x);
    expect((e as MicrosegError).code).toBe("MSEG_MAINTENANCE_TOKEN_REFUSED");
    expect((e as Error).message).toMatch(/no maintenance token hash yet/);
    expect((await readOutbox(dir))[0]?.details).toBe("unpair refused: no maintenance token known");
  });
});

describe("the outbox", () => {
  const ev = (details: string) => ({ kind: "tamper" as const, at: NOW.toISOString(), details });

  it("queues each event once, keeps the newest 100, forgets what was delivered", async () => {
    await queueEvents(dir, [ev("a"), ev("b")]);
    await queueEvents(dir, [ev("b"), ev("c")]);
    expect((await readOutbox(dir)).map((e) => e.details)).toEqual(["a", "b", "c"]);
    await forgetEvents(dir, [ev("a"), ev("c")]);
    expect((await readOutbox(dir)).map((e) => e.details)).toEqual(["b"]);
    await forgetEvents(dir, [ev("b")]);
    expect(await readdir(dir)).toEqual([]);
    await queueEvents(
      dir,
      Array.from({ length: 130 }, (_, i) => ev(`e${i}`)),
    );
    const kept = await readOutbox(dir);
    expect([kept.length, kept[0]?.details, kept.at(-1)?.details]).toEqual([100, "e30", "e129"]);
  });
});

describe("the status view", () => {
  const alive = () => true;

  it("renders a running agent's status file as aligned key/value lines, exit 0", async () => {
    await enrolled();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    await writeStatus(statusFile());
    const view = await readAgentStatus(dir, NOW, alive);
    expect(view).toMatchObject({
      enrolled: true,
      agentId: "agt-1",
      workload: "web-1",
      running: true,
      pid: 4242,
      controllerReachable: true,
      ok: true,
    });
    const text = renderStatus(view, NOW);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    // Values start in one column.
    expect(new Set(lines.map((l) => l.search(/(?<=:\s+)\S/)))).toHaveProperty("size", 1);
    expect(text).toContain(row("enrolled", "yes: workload web-1, agent agt-1"));
    expect(text).toContain(row("agent", "running (pid 4242)"));
    expect(text).toContain(row("reachable", "yes (last contact 3 s ago)"));
    expect(text).toContain(row("policy", "revision 7 (from the controller, ruleset 0123456789ab)"));
    expect(text).toContain(row("last apply", "ok 2 min ago (revision 7, 35 ms)"));
    expect(text).toContain(row("drift", "2 restore(s), last 10 min ago: rule gone"));
    expect(text).toContain(row("flows buffered", "3 batches, 3.0 MiB, 0 records dropped"));
    expect(text).toContain(row("resources", "RSS 48.0 MiB, CPU 12.3 s, up 3 h"));
    expect(text).toContain(row("maintenance", "token hash known"));
  });

  it("says not running when the file is older than 3 heartbeats, exit 1", async () => {
    await enrolled();
    await writeStatus(statusFile({ writtenAt: "2026-06-01T11:59:44.000Z" }));
    const view = await readAgentStatus(dir, NOW, alive);
    expect([view.running, view.ok]).toEqual([false, false]);
    expect(view.notRunning).toBe("status file 16 s old (written every 5 s)");
    expect(renderStatus(view, NOW)).toContain(row("agent", "not running: status file 16 s old"));
    await writeStatus(statusFile({ writtenAt: "2026-06-01T11:59:46.000Z" }));
    expect((await readAgentStatus(dir, NOW, alive)).running).toBe(true);
  });

  it("says not running when the pid is gone (a real pid that exited)", async () => {
    await enrolled();
    const { spawnSync } = await import("node:child_process");
    const gone = spawnSync("true").pid;
    await writeStatus(statusFile({ pid: gone }));
    const view = await readAgentStatus(dir, NOW);
    expect([view.running, view.notRunning, view.ok]).toEqual([
      false,
      `process ${gone} is gone`,
      false,
    ]);
    await writeStatus(statusFile({ pid: process.pid }));
    expect((await readAgentStatus(dir, NOW)).running).toBe(true);
  });

  it("is not ok when the controller was unreachable at the last try", async () => {
    await enrolled();
    const controller = {
      ...statusFile().controller,
      reachable: false,
      lastError: "connect ECONNREFUSED",
    };
    await writeStatus(statusFile({ controller }));
    const view = await readAgentStatus(dir, NOW, alive);
    expect([view.running, view.controllerReachable, view.ok]).toEqual([true, false, false]);
    expect(renderStatus(view, NOW)).toContain(
      row("reachable", "no (last contact 3 s ago; connect ECONNREFUSED)"),
    );
  });

  it("works with nothing enrolled and no agent ever run (a fresh host)", async () => {
    const view = await readAgentStatus(join(dir, "missing"), NOW);
    expect(view).toMatchObject({ enrolled: false, running: false, ok: false, policy: null });
    const text = renderStatus(view, NOW);
    expect(text).toContain(row("enrolled", "no"));
    expect(text).toContain("not running: no status file");
    expect(text).toContain(row("maintenance", "no token issued yet"));
  });

  it("never passes control characters from the files to the terminal", async () => {
    await enrolled();
    await writeStatus(
      statusFile({ drift: { restores: 1, lastRestoreAt: null, lastDetails: "\u001b[2Jx" } }),
    );
    expect(renderStatus(await readAgentStatus(dir, NOW, alive), NOW)).not.toContain("\u001b");
  });
});

describe("unpair", () => {
  it("refuses a wrong token: table untouched, state kept, tamper queued", async () => {
    await enrolled();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    let removed = 0;
    const e = await unpair(dir, "msm_wrong", { removeTable: async () => void removed++ }).catch(
      (x) => x,
    );
    expect((e as MicrosegError).code).toBe("MSEG_MAINTENANCE_TOKEN_REFUSED");
    expect(removed).toBe(0);
    expect(await stat(join(dir, "identity.json"))).toBeTruthy();
    expect((await readOutbox(dir)).map((x) => x.details)).toEqual([
      "unpair refused: wrong maintenance token",
    ]);
  });

  it("with the token: stops the running agent in a window, removes the table, then the state", async () => {
    await enrolled();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    await writeStatus(statusFile({ writtenAt: new Date().toISOString() }));
    await writeFile(join(dir, "last-good.json"), "{}");
    let running = true;
    const steps: string[] = [];
    const result = await unpair(dir, TOKEN, {
      alive: () => running,
      kill: async (pid) => {
        // The agent sees the window when it stops: its stop is sanctioned.
        steps.push(`kill ${pid} window=${(await openWindowAt(dir, new Date())) !== undefined}`);
        running = false;
      },
      removeTable: async () => void steps.push("remove table"),
    });
    expect(steps).toEqual(["kill 4242 window=true", "remove table"]);
    expect(result).toEqual({ stoppedPid: 4242, told: "unreachable" });
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("leaves everything when the running agent does not stop", async () => {
    await enrolled();
    await writeMaintenanceHash(dir, tokenHash(TOKEN), NOW);
    await writeStatus(statusFile({ writtenAt: new Date().toISOString() }));
    let removed = 0;
    const e = await unpair(dir, TOKEN, {
      alive: () => true,
      kill: () => undefined,
      stopWaitMs: 200,
      removeTable: async () => void removed++,
    }).catch((x) => x);
    expect((e as MicrosegError).code).toBe("MSEG_AGENT_STILL_RUNNING");
    expect(removed).toBe(0);
    expect(await stat(join(dir, "identity.json"))).toBeTruthy();
  });
});
