// The audit head leaves the database: as a log line, to webhooks and to syslog (real loopback
// sockets), at start, on a timer when it moved, and at shutdown. What leaves is an anchor that
// verify() accepts, and that catches a truncation made afterwards.
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openMemoryStore } from "@microseg/store/memory";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { startController } from "../main.js";
import { AuditAnchors } from "./anchors.js";

const KEY = new Uint8Array(32).fill(3);

async function webhook() {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function syslog() {
  const lines: string[] = [];
  const sock = createSocket("udp4");
  sock.on("message", (m) => lines.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  const port = (sock.address() as AddressInfo).port;
  return { port, lines, close: () => sock.close() };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("audit anchors", () => {
  it("exports {seq, hash, at} to the log, webhooks and syslog; verify uses them", async () => {
    const store = openMemoryStore({ auditKey: KEY, clock: () => new Date("2026-03-01T00:00:00Z") });
    await store.audit.startKeyed("controller");
    const hook = await webhook();
    const sys = await syslog();
    const logged: string[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => void logged.push(l) });
    const anchors = new AuditAnchors(
      store,
      {
        intervalMs: 0,
        webhooks: [hook.url],
        syslog: [{ transport: "udp", host: "127.0.0.1", port: sys.port }],
      },
      log,
      () => new Date("2026-03-01T00:05:00Z"),
    );
    const first = await anchors.exportNow();
    const head = await store.audit.head();
    expect(first).toEqual({ seq: 1, hash: head?.hash, at: "2026-03-01T00:05:00.000Z" });
    // Unchanged head: nothing new goes out.
    expect(await anchors.exportNow()).toBeUndefined();
    await store.audit.append({ actor: "a", action: "test.x", target: "t" });
    await store.audit.append({ actor: "a", action: "test.x", target: "t" });
    await anchors.close();

    const lines = logged.map((l) => JSON.parse(l)).filter((l) => l.msg === "audit anchor");
    expect(lines.map((l) => l.anchor.seq)).toEqual([1, 3]);
    await until(() => hook.bodies.length === 2 && sys.lines.length === 2);
    const event = (a: { seq: number; hash: string }) => ({
      schemaVersion: 1,
      id: `anchor-${a.seq}-${a.hash.slice(0, 16)}`,
      type: "audit-anchor",
      anchors: [a],
    });
    expect(hook.bodies).toEqual([event(first as never), event(lines[1].anchor)]);
    expect(sys.lines[1]).toMatch(
      new RegExp(
        `CEF:0\\|microseg\\|microseg\\|[^|]+\\|audit-anchor\\|audit log head\\|1\\|.*cn1=3 .*cs1=${lines[1].anchor.hash}`,
      ),
    );
    await hook.close();
    sys.close();

    // The exported anchors hold, and find a truncation made after them.
    const exported = lines.map((l) => l.anchor);
    expect((await store.audit.verify(exported)).ok).toBe(true);
    const fresh = openMemoryStore({ auditKey: KEY });
    expect(await fresh.audit.verify(exported)).toMatchObject({ ok: false, problem: "truncated" });
  });

  it("exports on its timer when the head moved", async () => {
    const store = openMemoryStore({ auditKey: KEY });
    const logged: string[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => void logged.push(l) });
    const anchors = new AuditAnchors(store, { intervalMs: 20, webhooks: [], syslog: [] }, log);
    anchors.start();
    await store.audit.append({ actor: "a", action: "test.x", target: "t" });
    await until(() => logged.some((l) => l.includes('"seq":1')));
    await store.audit.append({ actor: "a", action: "test.x", target: "t" });
    await until(() => logged.some((l) => l.includes('"seq":2')));
    await anchors.close();
    const seqs = logged.map((l) => JSON.parse(l).anchor?.seq);
    expect(seqs).toEqual([1, 2]);
  });
});

describe("the controller's anchors", () => {
  it("go to its log at start and at shutdown", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-anchor-"));
    try {
      const logged: string[] = [];
      const log = pino({ level: "info" }, { write: (l: string) => void logged.push(l) });
      const ctl = await startController({ dataDir: dir, listen: "127.0.0.1:0", http: true, log });
      await fetch(`${ctl.url}/api/v1/workloads/db-1`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ctl.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ labels: { role: "db" }, addresses: ["198.18.1.20"] }),
      });
      await ctl.close();
      const anchors = logged
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === "audit anchor")
        .map((l) => l.anchor.seq);
      // audit.keyed and token.create before the first export; the workload after it.
      expect(anchors).toEqual([2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
