// What the network answered, on a real kernel: two namespaces on a veth pair, both in learn
// mode (the ruleset judges nothing; its observation chains record ICMP errors), both running
// the real collector. The server listens on tcp/80 and echoes udp/53, has a UDP socket on 54
// that never answers, and a firewall of its own (not the agent's table) that silently drops
// tcp/82 and udp/56. Every connection is seen from both ends where the server's kernel keeps
// an entry for it (a packet its firewall drops never gets one).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuleSet } from "@microseg/core";
import { NftDriver } from "@microseg/nft";
import {
  describePrivileged,
  joinNamespaces,
  type Netns,
  NetnsGroup,
  probeTcp,
  probeUdp,
  type Servers,
  startServers,
} from "@microseg/nft/testing";
import type { FlowTuple } from "@microseg/protocol/agent";
import { afterAll, beforeAll, expect, it } from "vitest";
import { canonical, collectInto } from "./collect.test-helpers.js";
import type { FlowCollection } from "./start-flows.js";

const HOLD_WAIT_MS = 6000; // the 3 s hold, flushes every 200 ms, a loaded machine

const learn = (workload: string): RuleSet => ({
  workload,
  mode: "learn",
  addresses: [],
  inbound: { default: "allow", entries: [] },
  outbound: { default: "allow", entries: [] },
  sets: {},
  hash: `learn-${workload}`,
});

// A UDP socket that reads and never answers (udp/54, v4 and v6).
const SILENT = `
const dgram = require("node:dgram");
dgram.createSocket("udp4").bind(54, "0.0.0.0");
dgram.createSocket({ type: "udp6", ipv6Only: true }).bind(54, "::");
setInterval(() => {}, 1 << 30);`;

// TCP connections to `ports` (one each), in order, each given up after 300 ms.
const SWEEP = `
import socket, sys
host, ports = sys.argv[1], [int(p) for p in sys.argv[2].split(",")]
for p in ports:
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(0.3)
    try: s.connect((host, p))
    except OSError: pass
    s.close()
print(len(ports))`;

describePrivileged("connection outcomes on a real kernel", () => {
  const group = new NetnsGroup("mseg-outcome");
  let server: Netns;
  let client: Netns;
  let servers: Servers;
  let stateDir: string;
  const records = { server: [] as FlowTuple[], client: [] as FlowTuple[] };
  const collections: FlowCollection[] = [];
  let S: { v4: string; v6: string };
  let C: { v4: string; v6: string };

  async function collect(ns: Netns, who: "server" | "client", local: { v4: string; v6: string }) {
    collections.push(await collectInto(ns, stateDir, who, local, records[who]));
  }

  /** Connections `who` reported to/from `port` (proto, remote), per verdict/outcome. */
  function outcomes(who: "server" | "client", proto: string, remote: string, port: number) {
    const out: Record<string, number> = {};
    for (const r of records[who]) {
      if (r[1] !== proto || r[3] !== remote || r[4] !== port || r[6] === 0) continue;
      const k = `${r[5]}/${r[11]}`;
      out[k] = (out[k] ?? 0) + r[6];
    }
    return out;
  }

  async function settle(ms: number) {
    await new Promise((r) => setTimeout(r, ms));
  }

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "mseg-outcome-"));
    server = await group.create();
    client = await group.create();
    const [s, c] = await joinNamespaces(server, client, 0);
    S = { v4: s.v4, v6: canonical(s.v6) };
    C = { v4: c.v4, v6: canonical(c.v6) };
    servers = await startServers(server, [80], 53);
    server.spawn(process.execPath, ["-e", SILENT]);
    // The server's own firewall, beside the agent's table: silent drops.
    await server.exec("nft", [
      "add table inet fw; add chain inet fw in { type filter hook input priority -10; }; add rule inet fw in tcp dport 82 drop; add rule inet fw in udp dport 56 drop",
    ]);
    // ICMP errors are rate limited per peer (6, then 1/s): off, so every closed UDP port answers.
    await server.exec("sysctl", ["-qw", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"]);
    await new NftDriver({ netns: server.name }).apply(learn("server"));
    await new NftDriver({ netns: client.name }).apply(learn("client"));
    await collect(server, "server", S);
    await collect(client, "client", C);
    await settle(300); // conntrack -E listening
  });

  afterAll(async () => {
    await Promise.all(collections.map((c) => c.stop()));
    servers?.stop();
    await group.deleteAll();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it("TCP: listening -> established, closed -> refused, firewalled -> unanswered", async () => {
    expect(await probeTcp(client, S.v4, 80)).toBe(true);
    expect(await probeTcp(client, S.v4, 81, { ms: 500 })).toBe(false);
    expect(await probeTcp(client, S.v4, 82, { ms: 500 })).toBe(false);
    await settle(HOLD_WAIT_MS);
    expect(outcomes("client", "tcp", S.v4, 80)).toEqual({ "allowed/established": 1 });
    expect(outcomes("server", "tcp", C.v4, 80)).toEqual({ "allowed/established": 1 });
    expect(outcomes("client", "tcp", S.v4, 81)).toEqual({ "allowed/refused": 1 });
    expect(outcomes("server", "tcp", C.v4, 81)).toEqual({ "allowed/refused": 1 });
    expect(outcomes("client", "tcp", S.v4, 82)).toEqual({ "allowed/unanswered": 1 });
    expect(outcomes("server", "tcp", C.v4, 82)).toEqual({}); // dropped before conntrack kept it
  }, 20_000);

  it("UDP: echo -> established, closed (ICMP port unreachable) -> refused, silent -> unanswered", async () => {
    expect(await probeUdp(client, S.v4, 53)).toBe(true);
    expect(await probeUdp(client, S.v4, 55, { ms: 300 })).toBe(false);
    expect(await probeUdp(client, S.v4, 54, { ms: 300 })).toBe(false);
    expect(await probeUdp(client, S.v4, 56, { ms: 300 })).toBe(false);
    await settle(HOLD_WAIT_MS);
    expect(outcomes("client", "udp", S.v4, 53)).toEqual({ "allowed/established": 1 });
    expect(outcomes("server", "udp", C.v4, 53)).toEqual({ "allowed/established": 1 });
    expect(outcomes("client", "udp", S.v4, 55)).toEqual({ "allowed/refused": 1 });
    expect(outcomes("server", "udp", C.v4, 55)).toEqual({ "allowed/refused": 1 });
    expect(outcomes("client", "udp", S.v4, 54)).toEqual({ "allowed/unanswered": 1 });
    expect(outcomes("server", "udp", C.v4, 54)).toEqual({ "allowed/unanswered": 1 });
    expect(outcomes("client", "udp", S.v4, 56)).toEqual({ "allowed/unanswered": 1 });
  }, 20_000);

  it("IPv6: established, reset, ICMPv6 port unreachable", async () => {
    expect(await probeTcp(client, S.v6, 80)).toBe(true);
    expect(await probeTcp(client, S.v6, 81, { ms: 500 })).toBe(false);
    expect(await probeUdp(client, S.v6, 55, { ms: 300 })).toBe(false);
    await settle(HOLD_WAIT_MS);
    for (const [who, remote] of [
      ["client", S.v6],
      ["server", C.v6],
    ] as const) {
      expect(outcomes(who, "tcp", remote, 80)).toEqual({ "allowed/established": 1 });
      expect(outcomes(who, "tcp", remote, 81)).toEqual({ "allowed/refused": 1 });
      expect(outcomes(who, "udp", remote, 55)).toEqual({ "allowed/refused": 1 });
    }
  }, 20_000);

  it("a sweep of 40 closed ports: 40 refused connections on each end, none established", async () => {
    const ports = Array.from({ length: 40 }, (_, i) => 3000 + i);
    expect((await client.exec("python3", ["-c", SWEEP, S.v4, ports.join(",")])).trim()).toBe("40");
    await settle(HOLD_WAIT_MS);
    for (const [who, remote] of [
      ["client", S.v4],
      ["server", C.v4],
    ] as const) {
      const sum: Record<string, number> = {};
      for (const p of ports) {
        for (const [k, n] of Object.entries(outcomes(who, "tcp", remote, p)))
          sum[k] = (sum[k] ?? 0) + n;
      }
      expect(sum).toEqual({ "allowed/refused": 40 });
    }
  }, 30_000);
});
