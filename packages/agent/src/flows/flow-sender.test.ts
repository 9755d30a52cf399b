// The sender: in order, one batch in flight, retried with backoff, duplicate acks accepted,
// refused batches counted; a 10-minute controller outage with ordinary traffic loses nothing
// (fake clock: time advances only through the sender's sleeps and the simulated flushes).
// One test goes through the real HTTP client against a small server.

import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlowBatch, FlowBatchAck, FlowTuple } from "@microseg/protocol/agent";
import { checkFlowBatch, PATHS } from "@microseg/protocol/agent";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBackoff } from "../backoff.js";
import { ControllerError, createControllerClient, retryAfter } from "../controller-client.js";
import { createHttpTransport } from "../http-transport.js";
import { DEFAULT_FLOW_BUFFER_BYTES, FlowBuffer } from "./flow-buffer.js";
import { FlowSender } from "./flow-sender.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-flowsend-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet = { debug: () => {}, warn: () => {}, error: () => {} };

/** A controller that applies each seq once, like the real one (seq <= last: duplicate). */
function fakeController() {
  let lastApplied = 0;
  const applied: FlowBatch[] = [];
  const calls: number[] = [];
  let down = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (batch: FlowBatch): Promise<FlowBatchAck> => {
    calls.push(batch.seq);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await Promise.resolve();
    inFlight -= 1;
    if (down) throw new Error("connect ECONNREFUSED");
    if (batch.seq <= lastApplied) return { seq: batch.seq, duplicate: true };
    lastApplied = batch.seq;
    applied.push(batch);
    return { seq: batch.seq, duplicate: false };
  };
  return {
    send,
    applied,
    calls,
    setDown: (d: boolean) => {
      down = d;
    },
    maxInFlight: () => maxInFlight,
  };
}

const record = (i: number): FlowTuple => [
  "in",
  "tcp",
  "198.18.0.1",
  `198.18.${(i >> 8) & 255}.${i & 255}`,
  5432,
  "allowed",
  1,
  12,
  1800,
  1_795_961_997_000 + i,
  1_795_961_997_000 + i,
];

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("FlowSender", () => {
  it("sends in order, one at a time, and removes each acknowledged batch", async () => {
    const buffer = await FlowBuffer.open(dir);
    for (let i = 0; i < 5; i++) await buffer.append([record(i)]);
    const controller = fakeController();
    const sender = new FlowSender({ buffer, send: () => controller.send, log: quiet });
    sender.start();
    await until(() => buffer.pending === 0);
    await sender.stop();
    expect(controller.applied.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(controller.maxInFlight()).toBe(1);
  });

  it("retries with backoff while the controller is away, and takes a duplicate ack as done", async () => {
    const buffer = await FlowBuffer.open(dir);
    await buffer.append([record(1)]);
    const controller = fakeController();
    controller.setDown(true);
    const sleeps: number[] = [];
    const sender = new FlowSender({
      buffer,
      send: () => controller.send,
      log: quiet,
      backoff: createBackoff({ random: () => 1 }),
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) controller.setDown(false);
      },
    });
    sender.start();
    await until(() => buffer.pending === 0);
    expect(sleeps).toEqual([500, 1000, 2000]);
    // An ack lost on the way: the agent resends, the controller answers duplicate, batch gone.
    await buffer.append([record(2)]);
    const lostAck = new FlowSender({
      buffer,
      send: () => async (b) => {
        await controller.send(b);
        throw new Error("socket hang up");
      },
      log: quiet,
      sleep: () => new Promise((r) => setTimeout(r, 1)),
    });
    await sender.stop();
    lostAck.start();
    await until(() => controller.calls.filter((s) => s === 2).length >= 1);
    await lostAck.stop();
    const resend = new FlowSender({ buffer, send: () => controller.send, log: quiet });
    resend.start();
    await until(() => buffer.pending === 0);
    await resend.stop();
    expect(controller.applied.map((b) => b.seq)).toEqual([1, 2]);
  });

  it("drops a batch the controller refuses as invalid and counts it", async () => {
    const buffer = await FlowBuffer.open(dir);
    await buffer.append([record(1), record(2)]);
    const errors: string[] = [];
    const sender = new FlowSender({
      buffer,
      send: () => async () => {
        throw new ControllerError(400, "flows: controller answered 400 records[0][2]");
      },
      log: { ...quiet, error: (_o: object, m: string) => errors.push(m) },
    });
    sender.start();
    await until(() => buffer.pending === 0);
    await sender.stop();
    expect(errors).toEqual(["flow batch refused; dropped (counted)"]);
    expect(buffer.dropped).toBe(2);
  });

  it("waits Retry-After on 429 without growing the backoff, and keeps the batch", async () => {
    const buffer = await FlowBuffer.open(dir);
    await buffer.append([record(1), record(2)]);
    const controller = fakeController();
    let limited = 2;
    const sleeps: number[] = [];
    const sender = new FlowSender({
      buffer,
      send: () => async (b) => {
        if (limited-- > 0) throw new ControllerError(429, "flows: controller answered 429", 3000);
        return controller.send(b);
      },
      log: quiet,
      backoff: createBackoff({ random: () => 1 }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    sender.start();
    await until(() => buffer.pending === 0);
    await sender.stop();
    expect(sleeps).toEqual([3000, 3000]);
    expect(controller.applied.map((b) => b.records.length)).toEqual([2]);
    expect(buffer.dropped).toBe(0);
  });

  it("loses nothing over a 10-minute controller outage with ordinary traffic", async () => {
    // Ordinary traffic: 300 distinct flow records per 1 s flush (a busy server's fan-in).
    const buffer = await FlowBuffer.open(dir, { maxBytes: DEFAULT_FLOW_BUFFER_BYTES });
    const controller = fakeController();
    controller.setDown(true);
    let clock = 0;
    const sender = new FlowSender({
      buffer,
      send: () => controller.send,
      log: quiet,
      idleMs: 5,
      sleep: async (ms) => {
        clock += ms;
        await new Promise((r) => setTimeout(r, 1));
      },
      backoff: createBackoff({ random: () => 1 }), // 30 s steps once at the cap
    });
    sender.start();
    let sent = 0;
    for (let second = 0; second < 600; second++) {
      await buffer.append(Array.from({ length: 300 }, (_, i) => record(second * 300 + i)));
      sent += 300;
    }
    expect(buffer.bytes).toBeLessThan(DEFAULT_FLOW_BUFFER_BYTES);
    await until(() => clock >= 600_000); // the sender kept retrying through 10 (fake) minutes
    controller.setDown(false);
    sender.kick();
    await until(() => buffer.pending === 0, 60_000);
    await sender.stop();
    const delivered = controller.applied.reduce((n, b) => n + b.records.length, 0);
    expect(delivered).toBe(sent);
    expect(controller.applied.map((b) => b.seq)).toEqual(
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    expect(controller.applied.every((b) => !b.dropped)).toBe(true);
  }, 120_000);

  it("reads Retry-After of a 429 through the HTTP client", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      res.end(JSON.stringify({ error: { code: "MSEG_API_RATE_LIMITED", message: "slow down" } }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const client = createControllerClient(
        createHttpTransport({ baseUrl: `http://127.0.0.1:${port}` }),
        () => "cred-a1",
      );
      const error = await client.sendFlows({ seq: 1, records: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ControllerError);
      expect((error as ControllerError).retryAfterMs).toBe(7000);
      expect((error as ControllerError).refused).toBe(false);
      expect(retryAfter(error)).toBe(7000);
      expect(retryAfter(new ControllerError(429, "x"))).toBe(1000);
      expect(retryAfter(new ControllerError(429, "x", 86_400_000))).toBe(300_000);
      expect(retryAfter(new ControllerError(503, "x", 5000))).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it("sends through the HTTP client: Bearer credential, checked body, ack parsed", async () => {
    const seen: { auth?: string; ok: boolean }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const check = checkFlowBatch(JSON.parse(body));
        seen.push({
          auth: req.headers.authorization,
          ok: check.ok && req.url === PATHS.agentFlows,
        });
        res.writeHead(200, { "content-type": "application/json" });
        const seq = check.ok ? check.batch.seq : 0;
        res.end(JSON.stringify({ seq, duplicate: seq === 1 && seen.length > 1 }));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const client = createControllerClient(
        createHttpTransport({ baseUrl: `http://127.0.0.1:${port}` }),
        () => "cred-a1",
      );
      const batch = { seq: 1, records: [record(1)], dropped: 3 };
      expect(await client.sendFlows(batch)).toEqual({ seq: 1, duplicate: false });
      expect(await client.sendFlows(batch)).toEqual({ seq: 1, duplicate: true });
      expect(seen).toEqual([
        { auth: "Bearer cred-a1", ok: true },
        { auth: "Bearer cred-a1", ok: true },
      ]);
    } finally {
      server.close();
    }
  });
});
