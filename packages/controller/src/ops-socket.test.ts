// The operations routes through startController (main.ts) on a real HTTPS socket: probes without
// a token, --metrics-public reaching the app, and the process metrics only main.ts turns on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningController, startController } from "./main.js";
import { call } from "./socket-test-helpers.js";

const dirs: string[] = [];
const running: RunningController[] = [];
afterAll(async () => {
  for (const c of running) await c.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(metricsPublic: boolean): Promise<RunningController> {
  const dir = mkdtempSync(join(tmpdir(), "mseg-ops-"));
  dirs.push(dir);
  const ctl = await startController({
    dataDir: dir,
    listen: "127.0.0.1:0",
    log: "silent",
    metricsPublic,
  });
  running.push(ctl);
  return ctl;
}

describe("operations routes on a running controller", () => {
  it("answers the probes without a token and /metrics with the admin token", async () => {
    const ctl = await start(false);
    expect((await call(ctl, "/healthz")).body).toBe('{"status":"ok"}');
    expect((await call(ctl, "/readyz")).status).toBe(200);
    expect((await call(ctl, "/metrics")).status).toBe(401);
    const metrics = await call(ctl, "/metrics", { token: ctl.adminToken ?? "" });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("# TYPE process_cpu_seconds_total counter");
    expect(metrics.body).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
  });

  it("serves /metrics without a token with metricsPublic (--metrics-public)", async () => {
    const ctl = await start(true);
    const metrics = await call(ctl, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toContain("text/plain; version=0.0.4");
    expect(metrics.body).toContain('microseg_agents{state="online"} 0');
  });
});
