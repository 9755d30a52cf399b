// The agent's metrics listener (--metrics-listen) on a real socket, over an agent in process
// (fake controller on 127.0.0.1, fake nft twin): each metric follows what the agent did, and the
// scrape passes Prometheus's own checker.
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NftExec } from "@microseg/nft";
import { createFakeNft } from "@microseg/nft/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HAVE_PROMTOOL, PROMTOOL_SKIPPED, promtoolCheck } from "../../../test/promtool.js";
import { type RunningAgent, startAgent } from "./agent.js";
import { FlowBuffer } from "./flows/flow-buffer.js";
import { FlowSender } from "./flows/flow-sender.js";
import type { FlowCollection } from "./flows/index.js";
import { AgentMetrics } from "./metrics.js";
import { type MetricsListener, serveMetrics } from "./metrics-server.js";
import { FAST, testDeps } from "./testing/agent-bed.js";
import {
  type FakeController,
  memoryLog,
  serverRuleSet,
  startFakeController,
} from "./testing/index.js";

const mgmt = { v4: ["127.0.0.1/32"], v6: [] };
const rs1 = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);
const rs2 = serverRuleSet({ v4: ["198.18.0.3/32"], v6: [] }, [80]);

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-agent-metrics-"));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }),
      );
    })
      .on("error", reject)
      .end();
  });
}

/** The value of an unlabelled sample; undefined when absent. */
function value(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A flow collection of a real buffer and sender with no conntrack (the controller "takes" all). */
async function flows(metrics: AgentMetrics): Promise<FlowCollection> {
  const buffer = await FlowBuffer.open(dir);
  const log = memoryLog().log;
  const sender = new FlowSender({
    buffer,
    send: () => async (batch) => ({ seq: batch.seq, duplicate: false }),
    log,
    idleMs: 20,
    onSent: (batch) => metrics.flowsSent(batch.records.length),
  });
  sender.start();
  return {
    collector: undefined as never,
    buffer,
    sender,
    conntrackStats: () => ({ events: 0, resyncs: 0, recovered: 0 }),
    stop: () => sender.stop(),
  };
}

async function setup() {
  const c: FakeController = await startFakeController();
  cleanups.push(() => c.close());
  const fake = createFakeNft();
  let failApplies = false;
  const metrics = new AgentMetrics();
  const listener: MetricsListener = await serveMetrics("127.0.0.1:0", metrics);
  cleanups.push(() => listener.close());
  let flowCollection: FlowCollection | undefined;
  const exec: NftExec = async (args, stdin) => {
    if (failApplies && args.includes("-f")) throw new Error("nft: cannot apply");
    return fake.exec(args, stdin);
  };
  const deps = await testDeps({ dir, url: c.url, exec, log: memoryLog().log, addresses: [] });
  const agent: RunningAgent = await startAgent(
    { ...FAST, controller: c.url },
    {
      ...deps,
      flows: async () => {
        flowCollection = await flows(metrics);
        return flowCollection;
      },
      observer: metrics,
    },
  );
  cleanups.push(() => agent.stop());
  metrics.watch(agent);
  const scrape = async () => {
    const res = await get(`${listener.url}/metrics`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const buffer = () => flowCollection?.buffer as FlowBuffer;
  return { c, fake, agent, listener, scrape, buffer, failing: (on: boolean) => (failApplies = on) };
}

describe("agent metrics listener", () => {
  it("serves /healthz, Prometheus text at /metrics, 404 elsewhere", async () => {
    const { listener } = await setup();
    expect(await get(`${listener.url}/healthz`)).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    });
    const m = await get(`${listener.url}/metrics`);
    expect(m.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(m.body).toContain("# TYPE microseg_agent_policy_revision gauge");
    expect(m.body).toContain("# TYPE process_cpu_seconds_total counter");
    expect((await get(`${listener.url}/`)).status).toBe(404);
  });

  it("follows applies, failures, restores, reachability and flows", async () => {
    const { c, fake, scrape, buffer, failing } = await setup();
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    let text = await scrape();
    expect(value(text, "microseg_agent_policy_revision")).toBe(1);
    expect(value(text, "microseg_agent_apply_duration_seconds_count")).toBe(2); // default, then 1
    expect(value(text, "microseg_agent_last_apply_timestamp_seconds")).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(value(text, "microseg_agent_controller_reachable")).toBe(1);
    expect(value(text, "microseg_agent_apply_failures_total")).toBe(0);

    // The table flushed behind the agent's back: one restore.
    const table = { family: "inet", name: "microseg" };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
    await c.waitForStatus((s) => (s.events ?? []).some((e) => e.kind === "restored"));
    expect(value(await scrape(), "microseg_agent_drift_restores_total")).toBe(1);

    // A revision the kernel refuses: a failure, and revision 1 stays in force.
    failing(true);
    c.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 2 && !s.applied.ok);
    text = await scrape();
    expect(value(text, "microseg_agent_apply_failures_total")).toBe(1);
    expect(value(text, "microseg_agent_policy_revision")).toBe(1);
    failing(false);

    // Two batches of 3 and 2 records go out; the buffer empties.
    const now = Date.now();
    const rec = ["out", "tcp", "198.18.0.1", "198.18.0.2", 80, "allowed", 1, 1, 60, now, now];
    await buffer().append([rec, rec, rec] as never);
    await buffer().append([rec, rec] as never);
    await until(async () => value(await scrape(), "microseg_agent_flow_batches_sent_total") === 2);
    text = await scrape();
    expect(value(text, "microseg_agent_flow_records_sent_total")).toBe(5);
    expect(value(text, "microseg_agent_flow_buffer_batches")).toBe(0);
    expect(value(text, "microseg_agent_flow_buffer_bytes")).toBe(0);

    // The controller goes away: the next poll gets no answer.
    await c.close();
    await until(async () => value(await scrape(), "microseg_agent_controller_reachable") === 0);
  });

  it.skipIf(!HAVE_PROMTOOL)(`passes promtool check metrics${PROMTOOL_SKIPPED}`, async () => {
    const { c, scrape } = await setup();
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    const verdict = promtoolCheck(await scrape());
    expect(verdict.output).toBe("");
    expect(verdict.status).toBe(0);
  });

  it("refuses a --metrics-listen that is not HOST:PORT, or taken", async () => {
    await expect(serveMetrics("9464", new AgentMetrics())).rejects.toMatchObject({
      code: "MSEG_USAGE",
    });
    const first = await serveMetrics("127.0.0.1:0", new AgentMetrics());
    cleanups.push(() => first.close());
    await expect(serveMetrics(first.url.slice(7), new AgentMetrics())).rejects.toThrow(
      /cannot listen/,
    );
  });
});
