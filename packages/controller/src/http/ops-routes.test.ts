// /healthz, /readyz and /metrics in process: public probes that the console's catch-all never
// answers, readiness that follows the store, the admin token on /metrics (or --metrics-public),
// and counters that move by exactly what was done between two scrapes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sample } from "../metrics.test-helpers.js";
import { testController } from "../test-helpers.js";

const consoleDir = mkdtempSync(join(tmpdir(), "mseg-ops-"));
mkdirSync(join(consoleDir, "assets"));
writeFileSync(join(consoleDir, "index.html"), "<!doctype html><title>console</title>");
afterAll(() => rmSync(consoleDir, { recursive: true, force: true }));

type T = Awaited<ReturnType<typeof testController>>;

async function scrape(t: T): Promise<string> {
  const res = await t.call("GET", "/metrics");
  expect(res.status, res.text).toBe(200);
  return res.text;
}

describe("health and readiness", () => {
  it("answer without a token, as JSON, though a console is served at /", async () => {
    const t = await testController({ settings: { consoleDir } });
    const health = await t.call("GET", "/healthz", undefined, false);
    expect([health.status, health.body]).toEqual([200, { status: "ok" }]);
    const ready = await t.call("GET", "/readyz", undefined, false);
    expect([ready.status, ready.body]).toEqual([200, { status: "ready" }]);
    // The console still has its client routes, and /api stays JSON.
    expect((await t.call("GET", "/workloads", undefined, false)).text).toContain("<title>");
    const nope = await t.call("GET", "/api/v1/nope");
    expect([nope.status, nope.body.error.code]).toEqual([404, "MSEG_API_NOT_FOUND"]);
  });

  it("/readyz is 503 MSEG_CONTROLLER_NOT_READY when the store is closed; /healthz stays 200", async () => {
    const t = await testController();
    await t.detection.close();
    await t.store.close();
    const ready = await t.call("GET", "/readyz", undefined, false);
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe("MSEG_CONTROLLER_NOT_READY");
    expect(ready.body.error.message).toMatch(/store/);
    expect((await t.call("GET", "/healthz", undefined, false)).status).toBe(200);
  });

  it("/readyz is 503 once the controller is stopping", async () => {
    const t = await testController();
    t.ctx.hub.close();
    const ready = await t.call("GET", "/readyz", undefined, false);
    expect([ready.status, ready.body.error.message]).toEqual([
      503,
      "the controller is shutting down",
    ]);
  });
});

describe("/metrics access", () => {
  it("needs the admin token by default: 401 without, 200 Prometheus text with", async () => {
    const t = await testController();
    const none = await t.call("GET", "/metrics", undefined, false);
    expect([none.status, none.body.error.code]).toEqual([401, "MSEG_API_UNAUTHENTICATED"]);
    expect((await t.call("GET", "/metrics", undefined, "mst_wrong")).status).toBe(401);
    const res = await t.app.request("/metrics", {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toContain("# TYPE microseg_http_requests_total counter");
  });

  it("counts a wrong token on /metrics as a failed authentication (429 after the burst)", async () => {
    const t = await testController({ settings: { limits: { authFailureBurst: 2 } } });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await t.call("GET", "/metrics", undefined, "x")).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it("is public with metricsPublic (--metrics-public)", async () => {
    const t = await testController({ settings: { metricsPublic: true } });
    const res = await t.call("GET", "/metrics", undefined, false);
    expect(res.status).toBe(200);
    expect(res.text).toContain("microseg_agents");
  });
});

describe("metrics move with the work done", () => {
  it("counts requests by route pattern and status class, exactly", async () => {
    const t = await testController();
    const before = await scrape(t);
    await t.call("GET", "/api/v1/workloads");
    await t.call("GET", "/api/v1/workloads");
    await t.call("GET", "/api/v1/workloads/nobody");
    await t.call("GET", "/api/v1/workloads/else");
    await t.call("GET", "/api/v1/status", undefined, false);
    await t.call("GET", "/no/such/thing");
    const after = await scrape(t);
    const grew = (labels: Record<string, string>) =>
      sample(after, "microseg_http_requests_total", labels) -
      sample(before, "microseg_http_requests_total", labels);
    expect(grew({ method: "GET", route: "/api/v1/workloads", status_class: "2xx" })).toBe(2);
    expect(grew({ method: "GET", route: "/api/v1/workloads/:name", status_class: "4xx" })).toBe(2);
    expect(grew({ method: "GET", route: "/api/v1/status", status_class: "4xx" })).toBe(1);
    expect(grew({ method: "GET", route: "none", status_class: "4xx" })).toBe(1);
    // The first scrape itself, counted when it was answered.
    expect(grew({ method: "GET", route: "/metrics", status_class: "2xx" })).toBe(1);
    // No raw path ever becomes a label value.
    expect(after).not.toContain("nobody");
    expect(
      sample(after, "microseg_http_request_duration_seconds_count", {
        method: "GET",
        route: "/api/v1/workloads",
      }),
    ).toBe(2);
  });

  it("reports agents by state, the active revision and store timings", async () => {
    const t = await testController();
    const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const db = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    await t.call("POST", "/api/v1/agent/status", {}, web.credential);
    await t.call("POST", `/api/v1/agents/${db.id}/revoke`);
    await t.call("PUT", "/api/v1/policy/draft", "rules: []\n");
    await t.call("POST", "/api/v1/policy/provision", { comment: "one" });
    const text = await scrape(t);
    expect(sample(text, "microseg_agents", { state: "online" })).toBe(1);
    expect(sample(text, "microseg_agents", { state: "revoked" })).toBe(1);
    expect(sample(text, "microseg_agents", { state: "offline" })).toBe(0);
    expect(sample(text, "microseg_policy_active_revision")).toBe(1);
    const op = (operation: string) =>
      sample(text, "microseg_store_operation_duration_seconds_count", { operation });
    expect(op("policy.provision")).toBe(1);
    expect(op("agents.enrol")).toBe(2);
  });
});
