// Detection across a controller restart, as a user runs it: a real controller (SQLite on disk,
// HTTP on 127.0.0.1) with a real webhook receiver and a real syslog collector (TCP; UDP too). An agent
// reports a port scan in two batches; the controller is stopped and started again on the same
// data directory between them. The scan stays one alert, delivered once to each receiver, and
// an automatic quarantine the operator lifted is not imposed again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningController, startController } from "../main.js";
import {
  eventually,
  type SyslogReceiver,
  tcpSyslogReceiver,
  udpSyslogReceiver,
  type WebhookReceiver,
  webhookReceiver,
} from "./receivers.js";

const WEB = "198.18.1.10";
const SCANNER = "198.18.9.9";
const INTRUDER = "198.18.1.66";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  readonly dir: string;
  readonly hook: WebhookReceiver;
  readonly syslog: SyslogReceiver;
  readonly autoQuarantine?: string;
}

async function setup(autoQuarantine?: string, transport = "tcp"): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "mseg-alert-restart-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const hook = await webhookReceiver();
  cleanups.push(() => hook.close());
  const syslog = await (transport === "udp" ? udpSyslogReceiver() : tcpSyslogReceiver());
  cleanups.push(() => syslog.close());
  return { dir, hook, syslog, ...(autoQuarantine !== undefined && { autoQuarantine }) };
}

async function start(s: Setup): Promise<RunningController> {
  const ctl = await startController({
    dataDir: s.dir,
    listen: "127.0.0.1:0",
    http: true,
    log: "silent",
    auditAnchorIntervalMs: 0,
    detection: {
      alertWebhook: [s.hook.url],
      alertSyslog: [s.syslog.target],
      ...(s.autoQuarantine !== undefined && { autoQuarantine: s.autoQuarantine }),
    },
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await ctl.close();
  });
  const close = ctl.close;
  return {
    ...ctl,
    close: async () => {
      closed = true;
      await close();
    },
  };
}

class Api {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly
  async call(method: string, path: string, body?: unknown, token = this.token): Promise<any> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text === "" ? undefined : JSON.parse(text);
  }

  async enrol(hostname: string, address: string): Promise<string> {
    const p = await this.call("POST", "/api/v1/enrol-profiles", { name: `p-${hostname}` });
    const res = await fetch(`${this.url}/api/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        key: p.key,
        hostname,
        interfaces: [{ name: "eth0", addresses: [address] }],
      }),
    });
    return ((await res.json()) as { credential: string }).credential;
  }

  /** web-1's agent reports blocked attempts from `from` on each port, 1 ms apart. */
  async report(credential: string, seq: number, from: string, ports: readonly number[]) {
    const t = Date.now();
    const records = ports.map((p, i) => [
      "in",
      "tcp",
      WEB,
      from,
      p,
      "blocked",
      1,
      1,
      60,
      t + i,
      t + i,
    ]);
    await this.call("POST", "/api/v1/agent/flows", { seq, records }, credential);
  }

  async alerts(): Promise<{ id: string; kind: string; count: number; source: string }[]> {
    return (await this.call("GET", "/api/v1/alerts")).alerts;
  }
}

// The audit log's head (anchors) goes to the same receivers; only alerts are counted here.
const alertHooks = (s: Setup) =>
  s.hook.deliveries.filter((d) => JSON.parse(d.body).alerts !== undefined).length;
const alertLines = (s: Setup) => s.syslog.lines.filter((l) => !l.includes("|audit-anchor|")).length;

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Waits until the stored scan alert of `source` has at least `count` (flushes are async). */
async function scanCount(api: Api, source: string, count: number): Promise<boolean> {
  let ok = false;
  const end = Date.now() + 5000;
  while (!ok && Date.now() < end) {
    const a = (await api.alerts()).find((x) => x.kind === "scan" && x.source === source);
    ok = a !== undefined && a.count >= count;
    if (!ok) await new Promise((r) => setTimeout(r, 20));
  }
  return ok;
}

describe("alerts across a controller restart", () => {
  it.each(["tcp", "udp"])(
    "a scan going on after a restart stays one alert, delivered once to each receiver (syslog over %s)",
    async (transport) => {
      const s = await setup(undefined, transport);
      const first = await start(s);
      const api = new Api(first.url, first.adminToken ?? "");
      const web = await api.enrol("web-1", WEB);
      await api.report(web, 1, SCANNER, range(1000, 20));
      expect(await eventually(() => alertHooks(s) === 1 && alertLines(s) === 1)).toBe(true);
      const before = await api.alerts();
      expect(before).toHaveLength(1);
      await first.close();

      const second = await start(s);
      const api2 = new Api(second.url, first.adminToken ?? "");
      await api2.report(web, 2, SCANNER, range(1020, 20));
      // The 20 new ports update the stored alert (6 updates before the restart, 20 after).
      expect(await scanCount(api2, SCANNER, 26)).toBe(true);
      const after = await api2.alerts();
      await second.close();
      await eventually(() => s.syslog.open() === 0);

      expect(after.map((a) => [a.id, a.kind])).toEqual([[before[0]?.id, "scan"]]);
      expect(alertHooks(s)).toBe(1);
      expect(alertLines(s)).toBe(1);
    },
  );

  it("a scan that crosses its threshold only after the restart counts the ports seen before", async () => {
    const s = await setup();
    const first = await start(s);
    const api = new Api(first.url, first.adminToken ?? "");
    const web = await api.enrol("web-1", WEB);
    await api.report(web, 1, SCANNER, range(2000, 10));
    await first.close();

    const second = await start(s);
    const api2 = new Api(second.url, first.adminToken ?? "");
    await api2.report(web, 2, SCANNER, range(2010, 10));
    // 10 + 5 ports cross the threshold (15); the last 5 update the alert.
    expect(await scanCount(api2, SCANNER, 6)).toBe(true);
    expect(await eventually(() => alertHooks(s) === 1 && alertLines(s) === 1)).toBe(true);
    const alerts = await api2.alerts();
    await second.close();
    expect(alerts.map((a) => a.kind)).toEqual(["scan"]);
    expect(alertHooks(s)).toBe(1);
  });

  it("an automatic quarantine lifted by the operator is not imposed again after a restart", async () => {
    const s = await setup("scan:medium");
    const first = await start(s);
    const api = new Api(first.url, first.adminToken ?? "");
    const web = await api.enrol("web-1", WEB);
    await api.call("PUT", "/api/v1/workloads/intruder", { labels: {}, addresses: [INTRUDER] });
    await api.report(web, 1, INTRUDER, range(3000, 20));
    const quarantined = async (a: Api) =>
      (await a.call("GET", "/api/v1/workloads/intruder")).quarantine ?? null;
    let q: unknown = null;
    const end = Date.now() + 5000;
    while (q === null && Date.now() < end) q = await quarantined(api);
    expect(q).toMatchObject({ actor: "auto-quarantine" });
    await api.call("DELETE", "/api/v1/workloads/intruder/quarantine");
    await first.close();

    const second = await start(s);
    const api2 = new Api(second.url, first.adminToken ?? "");
    await api2.report(web, 2, INTRUDER, range(3020, 20));
    expect(await scanCount(api2, "intruder", 26)).toBe(true);
    expect(await quarantined(api2)).toBeNull();
    expect(await api2.alerts()).toHaveLength(1);
    await second.close();
  });
});
