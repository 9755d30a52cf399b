// The detection service end to end in process: flow observations in, alerts stored and served by
// the API (filters, ack with audit, incidents), delivered to a real local webhook (with retries)
// and a real UDP syslog socket, and the automatic quarantine.
import { createSocket } from "node:dgram";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import type { FlowObservation } from "@microseg/insight";
import { afterEach, describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from "./config.js";
import { ALERT_LINGER_MS, DetectionService } from "./service.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function obs(
  from: string,
  to: string,
  port: string,
  at: number,
  verdict = "blocked",
): FlowObservation {
  const kind = (n: string) => (/^[0-9.]+$/.test(n) ? ("address" as const) : ("workload" as const));
  return {
    from: { name: from, kind: kind(from) },
    to: { name: to, kind: kind(to) },
    port,
    verdict: verdict as FlowObservation["verdict"],
    count: 1,
    packets: 1,
    bytes: 60,
    first: at,
    last: at,
    reporter: to,
    side: "destination",
    ...(verdict === "blocked" ? { rule: "default-deny" } : {}),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Last in, first out: the service (a client) closes before the servers it talks to.
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(config: Partial<DetectionConfig> = {}) {
  const t = await testController({ clock: () => new Date(T0 + 5000) });
  for (const [name, ip] of [
    ["web-1", "198.18.1.10"],
    ["db-1", "198.18.1.20"],
    ["honey", "198.18.1.99"],
  ] as const) {
    await t.call("PUT", `/api/v1/workloads/${name}`, { labels: { role: name }, addresses: [ip] });
  }
  const service = new DetectionService(
    t.ctx,
    { ...DEFAULT_DETECTION_CONFIG, gapCheckMs: 0, ...config },
    "0.1.0",
    { baseDelayMs: 20, attempts: 4, timeoutMs: 2000 },
  );
  await service.start();
  cleanups.push(() => service.close());
  return { t, service };
}

function scan(source: string, target: string, ports: number) {
  return Array.from({ length: ports }, (_, i) => obs(source, target, `tcp/${1000 + i}`, T0 + i));
}

describe("alerts API", () => {
  it("a 200-port scan is one stored scan alert with the CONTRACT fields", async () => {
    const { t, service } = await setup();
    for (const o of scan("10.9.9.9", "web-1", 200)) service.ingest([o], o.last);
    await service.flush();
    const res = await t.call("GET", "/api/v1/alerts?kind=scan");
    expect(res.status).toBe(200);
    expect(res.body.alerts).toHaveLength(1);
    const a = res.body.alerts[0];
    expect(a).toMatchObject({
      kind: "scan",
      severity: "medium",
      source: "10.9.9.9",
      targets: ["web-1"],
      status: "open",
    });
    expect(a.count).toBe(200 - 15 + 1);
    expect(Date.parse(a.at)).toBe(T0 + 14);
    expect(Date.parse(a.lastAt)).toBe(T0 + 199);
    expect(a.summary).toMatch(/scanned/);
    expect(a.evidence.flows[0].rule).toBe("default-deny");
    for (const k of ["id", "kind", "severity", "source", "targets", "at", "summary"]) {
      expect(a).toHaveProperty(k);
    }
  });

  it("filters by status and source, acks with an audit entry, groups incidents", async () => {
    const { t, service } = await setup();
    service.ingest(scan("10.9.9.9", "198.18.5.5", 20), T0 + 20);
    service.ingest([obs("web-1", "db-1", "tcp/22", T0 + 30, "allowed")], T0 + 30);
    await service.flush();
    const all = (await t.call("GET", "/api/v1/alerts")).body.alerts;
    expect(all.map((a: { kind: string }) => a.kind).sort()).toEqual(["lateral-movement", "scan"]);
    const scanId = all.find((a: { kind: string }) => a.kind === "scan").id;
    const ack = await t.call("POST", `/api/v1/alerts/${scanId}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.alert.status).toBe("acknowledged");
    const open = (await t.call("GET", "/api/v1/alerts?status=open")).body.alerts;
    expect(open.map((a: { kind: string }) => a.kind)).toEqual(["lateral-movement"]);
    const bySource = (await t.call("GET", "/api/v1/alerts?source=web-1")).body.alerts;
    expect(bySource).toHaveLength(1);
    const audit = (await t.call("GET", "/api/v1/audit")).body.entries;
    expect(audit.some((e: { target: string }) => e.target.includes(scanId))).toBe(true);
    const incidents = (await t.call("GET", "/api/v1/incidents")).body.incidents;
    expect(incidents).toHaveLength(2);
    expect((await t.call("POST", "/api/v1/alerts/nope/ack")).status).toBe(404);
    expect((await t.call("GET", "/api/v1/alerts?status=bogus")).status).toBe(400);
  });
});

describe("storing alerts", () => {
  it("stores the alerts of batches arriving within the linger in one transaction", async () => {
    const { t, service } = await setup();
    const calls: number[] = [];
    const upsertMany = t.store.alerts.upsertMany.bind(t.store.alerts);
    t.store.alerts.upsertMany = (alerts) => {
      calls.push(alerts.length);
      return upsertMany(alerts);
    };
    // three scanners, each batch in its own turn of the event loop, well within the linger
    for (const source of ["10.9.9.1", "10.9.9.2", "10.9.9.3"]) {
      service.ingest(scan(source, "web-1", 20), T0 + 20);
      await new Promise((r) => setImmediate(r));
    }
    expect(calls).toEqual([]);
    // flush ends the wait: all three are stored, together
    await service.flush();
    expect(calls).toEqual([3]);
    const stored = (await t.call("GET", "/api/v1/alerts?kind=scan")).body.alerts;
    expect(stored.map((a: { source: string }) => a.source).sort()).toEqual([
      "10.9.9.1",
      "10.9.9.2",
      "10.9.9.3",
    ]);
  });

  it("stores raised alerts within the linger without being asked", async () => {
    const { t, service } = await setup();
    service.ingest(scan("10.9.9.1", "web-1", 20), T0 + 20);
    await new Promise((r) => setTimeout(r, ALERT_LINGER_MS + 200));
    expect((await t.store.alerts.list({ kind: "scan" })).map((a) => a.source)).toEqual([
      "10.9.9.1",
    ]);
  });
});

describe("flow stream", () => {
  it("the built controller's detection listens to the flow feed", async () => {
    const { t } = await setup();
    t.ctx.flows.publish(scan("10.9.9.9", "198.18.5.5", 20), T0 + 20);
    await t.detection.flush();
    const res = await t.call("GET", "/api/v1/alerts");
    expect(res.body.alerts.map((a: { kind: string }) => a.kind)).toEqual(["scan"]);
    await t.detection.close();
  });
});

describe("baseline", () => {
  it("what a learn-mode workload reports is known, also later; decoys still count", async () => {
    const { t, service } = await setup();
    await t.call("PATCH", "/api/v1/workloads/db-1", { mode: "learn" });
    await t.call("PATCH", "/api/v1/workloads/honey", { mode: "learn", labels: { decoy: "true" } });
    service.ingest([obs("web-1", "db-1", "tcp/22", T0, "allowed")], T0);
    await t.call("PATCH", "/api/v1/workloads/db-1", { mode: "enforce" });
    service.ingest([obs("web-1", "db-1", "tcp/22", T0 + 1000, "allowed")], T0 + 1000);
    service.ingest([obs("web-1", "honey", "tcp/445", T0 + 2000, "allowed")], T0 + 2000);
    await service.flush();
    const kinds = (await t.call("GET", "/api/v1/alerts")).body.alerts.map(
      (a: { kind: string }) => a.kind,
    );
    expect(kinds).toEqual(["decoy"]);
    // The same edge from a workload that was never in learn mode is news.
    service.ingest([obs("db-1", "web-1", "tcp/22", T0 + 3000, "allowed")], T0 + 3000);
    await service.flush();
    const later = (await t.call("GET", "/api/v1/alerts?kind=lateral-movement")).body.alerts;
    expect(later.map((a: { source: string }) => a.source)).toEqual(["db-1"]);
  });
});

describe("decoys", () => {
  it("a workload labelled decoy=true a moment ago is a decoy for the very next flow", async () => {
    const { t, service } = await setup();
    // A first batch builds the view; the clock stands still, so no rebuild is due.
    service.ingest([obs("web-1", "db-1", "tcp/22", T0)], T0);
    await t.call("PATCH", "/api/v1/workloads/honey", { labels: { decoy: "true" } });
    service.ingest([obs("web-1", "honey", "tcp/5432", T0 + 100)], T0 + 100);
    await t.call("PATCH", "/api/v1/workloads/honey", { labels: { decoy: null } });
    service.ingest([obs("db-1", "honey", "tcp/5432", T0 + 200)], T0 + 200);
    await service.flush();
    const decoys = (await t.call("GET", "/api/v1/alerts?kind=decoy")).body.alerts;
    expect(decoys.map((a: { source: string }) => a.source)).toEqual(["web-1"]);
  });
});

describe("delivery", () => {
  async function hookServer(failFirst: number) {
    const bodies: unknown[] = [];
    let calls = 0;
    const server: Server = createServer((req: IncomingMessage, res) => {
      let text = "";
      req.on("data", (c) => {
        text += c;
      });
      req.on("end", () => {
        calls++;
        if (calls <= failFirst) {
          res.writeHead(503).end();
          return;
        }
        bodies.push(JSON.parse(text));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return { url, bodies, calls: () => calls };
  }

  it("posts each new alert once to the webhook, retrying after failures", async () => {
    const hook = await hookServer(2);
    const { service } = await setup({ webhooks: [hook.url] });
    for (const o of scan("10.9.9.9", "198.18.5.5", 100)) service.ingest([o], o.last);
    await service.idle();
    expect(hook.calls()).toBe(3);
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ alerts: [{ kind: "scan", source: "10.9.9.9" }] });
  });

  it("drops an alert after the last attempt and keeps ingesting", async () => {
    const hook = await hookServer(100);
    const { t, service } = await setup({ webhooks: [hook.url] });
    service.ingest(scan("10.9.9.9", "198.18.5.5", 20), T0 + 20);
    await service.idle();
    expect(hook.calls()).toBe(4);
    expect((await t.call("GET", "/api/v1/alerts")).body.alerts).toHaveLength(1);
  });

  it("sends RFC 5424 + CEF over UDP", async () => {
    const sock = createSocket("udp4");
    const lines: string[] = [];
    sock.on("message", (m) => lines.push(m.toString()));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
    const port = (sock.address() as AddressInfo).port;
    const { service } = await setup({ syslog: [{ transport: "udp", host: "127.0.0.1", port }] });
    service.ingest([obs("web-1", "honey", "tcp/445", T0)], T0);
    await service.flush();
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).toMatch(
      /^<\d+>1 \S+ \S+ microseg - - - CEF:0\|microseg\|microseg\|0\.1\.0\|/m,
    );
  });
});

describe("syslog over TCP", () => {
  it("frames each line with its octet count (RFC 6587)", async () => {
    const received: string[] = [];
    const server = createTcpServer((sock) => sock.on("data", (d) => received.push(d.toString())));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const { service } = await setup({ syslog: [{ transport: "tcp", host: "127.0.0.1", port }] });
    service.ingest([obs("web-1", "honey", "tcp/445", T0)], T0);
    service.ingest([obs("db-1", "honey", "tcp/445", T0 + 1)], T0 + 1);
    await service.flush();
    for (let i = 0; i < 100 && received.join("").split(" CEF:0").length < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const text = received.join("");
    const first = /^(\d+) /.exec(text);
    expect(first).not.toBeNull();
    const len = Number(first?.[1]);
    const line = text.slice((first?.[0] ?? "").length, (first?.[0] ?? "").length + len);
    expect(line).toMatch(
      /^<\d+>1 \S+ \S+ microseg - - - CEF:0\|microseg\|microseg\|0\.1\.0\|lateral-movement\|Lateral movement\|8\|/,
    );
    // The count covers the line exactly: it ends where the next frame begins.
    expect(line.endsWith("explains to honey on tcp/445 (smb)")).toBe(true);
    expect(text.slice((first?.[0] ?? "").length + len)).toMatch(/^\d+ <\d+>1 /);
  });
});

describe("automatic quarantine", () => {
  it("is off by default", async () => {
    const { t, service } = await setup();
    service.ingest([obs("web-1", "honey", "tcp/80", T0, "allowed")], T0);
    await service.flush();
    expect(t.ctx.hub.quarantineOf("web-1")).toBeUndefined();
  });

  it("quarantines the source of a decoy alert when configured (workload labelled decoy=true)", async () => {
    const { t, service } = await setup({ autoQuarantine: new Map([["decoy", "high"]]) });
    await t.call("PATCH", "/api/v1/workloads/honey", { labels: { decoy: "true" } });
    service.ingest([obs("web-1", "honey", "tcp/80", T0, "allowed")], T0);
    await service.flush();
    expect(t.ctx.hub.quarantineOf("web-1")?.actor).toBe("auto-quarantine");
    expect(t.ctx.hub.ruleSet("web-1")).toBeUndefined(); // no policy provisioned yet
    const w = await t.call("GET", "/api/v1/workloads/web-1");
    expect(w.body.quarantine.reason).toMatch(/decoy alert/);
  });

  it("does not act below the minimum severity", async () => {
    const { t, service } = await setup({ autoQuarantine: new Map([["scan", "critical"]]) });
    service.ingest(scan("web-1", "db-1", 20), T0 + 20);
    await service.flush();
    expect(t.ctx.hub.quarantineOf("web-1")).toBeUndefined();
  });
});
