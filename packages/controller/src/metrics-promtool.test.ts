// A scrape of a controller that did real work — a SQLite store on disk, an enrolled agent that
// acknowledged a published revision, a flow batch ingested, a scan alert raised — passes
// Prometheus's own checker (`promtool check metrics`: the format, HELP and TYPE of every family,
// counter and unit suffixes), and carries every family the docs promise.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@microseg/store/sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { HAVE_PROMTOOL, PROMTOOL_SKIPPED, promtoolCheck } from "../../../test/promtool.js";
import { sample } from "./metrics.test-helpers.js";
import { testController } from "./test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-promtool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAMILIES = [
  "microseg_http_requests_total",
  "microseg_http_request_duration_seconds",
  "microseg_policy_push_latency_seconds",
  "microseg_flow_batches_total",
  "microseg_flow_records_total",
  "microseg_alerts_raised_total",
  "microseg_store_operation_duration_seconds",
  "microseg_agents",
  "microseg_agents_converged",
  "microseg_policy_active_revision",
  "microseg_agent_long_polls",
  "process_cpu_seconds_total",
  "nodejs_eventloop_lag_seconds",
];

describe.skipIf(!HAVE_PROMTOOL)(`controller /metrics under promtool${PROMTOOL_SKIPPED}`, () => {
  it("a scrape after real work passes `promtool check metrics`", async () => {
    const store = openSqliteStore({ dir });
    const t = await testController({ store, processMetrics: true });
    try {
      const web = await t.enrol("web-1", "198.18.1.10", { role: "web" });
      await t.call(
        "PUT",
        "/api/v1/policy/draft",
        "rules:\n  - { name: r, from: { role: web }, to: any, services: [tcp/443] }\n",
      );
      expect((await t.call("POST", "/api/v1/policy/provision", { comment: "c" })).status).toBe(201);
      const now = Date.now();
      const batch = {
        seq: 1,
        records: [
          [
            "out",
            "tcp",
            "198.18.1.10",
            "203.0.113.5",
            443,
            "allowed",
            1,
            10,
            1000,
            now - 5000,
            now - 1000,
          ],
        ],
      };
      expect((await t.call("POST", "/api/v1/agent/flows", batch, web.credential)).status).toBe(200);
      const applied = { revision: 1, rulesetHash: "h", ok: true, ms: 4 };
      await t.call("POST", "/api/v1/agent/status", { applied }, web.credential);
      t.detection.ingest(scanOf("203.0.113.9", "web-1", now), now + 60);
      await t.detection.flush();
      const res = await t.call("GET", "/metrics");
      expect(res.status).toBe(200);
      for (const family of FAMILIES) expect(res.text).toContain(`# TYPE ${family} `);
      expect(sample(res.text, "microseg_policy_push_latency_seconds_count")).toBe(1);
      expect(sample(res.text, "microseg_alerts_raised_total", { kind: "scan" })).toBe(1);
      const verdict = promtoolCheck(res.text);
      expect(verdict.output).toBe("");
      expect(verdict.status).toBe(0);
    } finally {
      await t.detection.close();
      await store.close();
    }
  });
});

function scanOf(source: string, target: string, at: number) {
  return Array.from({ length: 60 }, (_, i) => ({
    from: { name: source, kind: "address" as const },
    to: { name: target, kind: "workload" as const },
    port: `tcp/${2000 + i}`,
    verdict: "blocked" as const,
    count: 1,
    packets: 1,
    bytes: 60,
    first: at + i,
    last: at + i,
    reporter: target,
    side: "destination" as const,
    rule: "default-deny",
  }));
}
