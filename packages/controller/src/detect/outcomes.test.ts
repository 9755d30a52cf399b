// The detection service with connection outcomes and declared scanners, on an in-process
// controller: a learn-mode sweep of closed ports is a scan and none of it is learned; a workload
// labelled microseg.io/scanner, or an address in the active policy's `scanners` IP list, raises
// an authorised-scan instead; a suspect's traffic is not learned; stored history is learned only
// where it was answered.
import type { FlowObservation, FlowOutcome } from "@microseg/insight";
import { afterEach, describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { DEFAULT_DETECTION_CONFIG } from "./config.js";
import { DetectionService } from "./service.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function obs(from: string, to: string, port: string, at: number, outcome: FlowOutcome) {
  const kind = (n: string) => (/^[0-9.]+$/.test(n) ? ("address" as const) : ("workload" as const));
  const o: FlowObservation = {
    from: { name: from, kind: kind(from) },
    to: { name: to, kind: kind(to) },
    port,
    verdict: "allowed",
    outcome,
    count: 1,
    packets: 1,
    bytes: 60,
    first: at,
    last: at,
    reporter: from,
    side: "source",
  };
  return o;
}

const SERVERS = ["db-1", "db-2", "db-3", "db-4"];

/** 43 closed ports and the open tcp/5432 on each server, 0.5 s apart. */
function sweep(from: string): FlowObservation[] {
  const ports = Array.from({ length: 43 }, (_, i) => `tcp/${20 + i}`);
  const out: FlowObservation[] = [];
  for (const s of SERVERS) {
    for (const p of ports) out.push(obs(from, s, p, T0 + out.length * 500, "refused"));
    out.push(obs(from, s, "tcp/5432", T0 + out.length * 500, "established"));
  }
  return out;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A learn-mode estate: four databases, a laptop, a scanner appliance and a labelled scanner. */
async function setup(policy?: string) {
  const t = await testController({ clock: () => new Date(T0 + 5000) });
  const hosts: [string, string, Record<string, string>][] = [
    ["laptop", "198.18.6.1", { role: "laptop" }],
    ["nessus", "198.18.5.1", { role: "scanner", "microseg.io/scanner": "true" }],
    ...SERVERS.map((s, i): [string, string, Record<string, string>] => [
      s,
      `198.18.1.${i + 1}`,
      { role: "db" },
    ]),
  ];
  for (const [name, ip, labels] of hosts) {
    const r = await t.call("PUT", `/api/v1/workloads/${name}`, {
      labels,
      addresses: [ip],
      mode: "learn",
    });
    expect(r.status).toBeLessThan(300);
  }
  if (policy !== undefined) {
    expect((await t.call("PUT", "/api/v1/policy/draft", policy)).status).toBe(200);
    expect((await t.call("POST", "/api/v1/policy/provision", {})).status).toBeLessThan(300);
  }
  const service = new DetectionService(t.ctx, { ...DEFAULT_DETECTION_CONFIG, gapCheckMs: 0 });
  await service.start();
  cleanups.push(() => service.close());
  const ingest = async (batch: readonly FlowObservation[]) => {
    for (const o of batch) service.ingest([o], o.last);
    await service.flush();
  };
  const alerts = async () =>
    (await t.call("GET", "/api/v1/alerts")).body.alerts as { kind: string; source: string }[];
  return { t, service, ingest, alerts };
}

describe("learn mode with outcomes", () => {
  it("a sweep of 43 closed ports on 4 servers is a scan; only the answered port is learned", async () => {
    const { service, ingest, alerts } = await setup();
    await ingest(sweep("laptop"));
    const found = await alerts();
    expect(found.filter((a) => a.kind === "scan").map((a) => a.source)).toEqual(["laptop"]);
    const known = (to: string, port: string) =>
      service.view.known(obs("laptop", to, port, T0, "established"));
    expect(known("db-1", "tcp/22")).toBe(false);
    // every answer came after the scan alert opened: a suspect teaches the baseline nothing
    expect(SERVERS.map((s) => known(s, "tcp/5432"))).toEqual([false, false, false, false]);
  });

  it("a client of the same servers that gets answers raises nothing", async () => {
    const { ingest, alerts } = await setup();
    const day = Array.from({ length: 30 }, (_, m) =>
      SERVERS.map((s) => obs("laptop", s, "tcp/5432", T0 + m * 60_000, "established")),
    ).flat();
    await ingest(day);
    expect(await alerts()).toEqual([]);
  });
});

describe("declared scanners", () => {
  it("a workload labelled microseg.io/scanner raises an authorised-scan, learns nothing", async () => {
    const { service, ingest, alerts } = await setup();
    await ingest(sweep("nessus"));
    expect((await alerts()).map((a) => [a.kind, a.source])).toEqual([
      ["authorised-scan", "nessus"],
    ]);
    expect(service.view.known(obs("nessus", "db-1", "tcp/5432", T0, "established"))).toBe(false);
  });

  it("an address in the active policy's scanners IP list does too", async () => {
    const { ingest, alerts } = await setup(
      "ipLists:\n  - { name: scanners, cidrs: [203.0.113.0/24] }\n",
    );
    await ingest(sweep("203.0.113.50"));
    await ingest(sweep("198.51.100.7"));
    const found = (await alerts()).map((a) => `${a.kind} ${a.source}`).sort();
    expect(found.filter((a) => a.endsWith("203.0.113.50"))).toEqual([
      "authorised-scan 203.0.113.50",
    ]);
    // the same sweep from an address not listed: a scan (and lateral movement: ssh, telnet)
    expect(found.filter((a) => a.endsWith("198.51.100.7"))).toEqual([
      "lateral-movement 198.51.100.7",
      "scan 198.51.100.7",
    ]);
  });
});

describe("the baseline from stored history", () => {
  it("learns answered edges (and those of older agents), not refused ones nor a scanner's", async () => {
    const { service } = await setup();
    const edge = (from: string, to: string, outcome?: FlowOutcome) => ({
      from,
      fromKind: "workload" as const,
      to,
      port: "tcp/5432",
      ...(outcome !== undefined && { outcome }),
    });
    service.view.learnStored([
      edge("laptop", "db-1", "established"),
      edge("laptop", "db-2"),
      edge("laptop", "db-3", "refused"),
      edge("laptop", "db-4", "unanswered"),
      edge("nessus", "db-1", "established"),
    ]);
    const known = (from: string, to: string) =>
      service.view.known(obs(from, to, "tcp/5432", T0, "established"));
    expect(SERVERS.map((s) => known("laptop", s))).toEqual([true, true, false, false]);
    expect(known("nessus", "db-1")).toBe(false);
  });
});
