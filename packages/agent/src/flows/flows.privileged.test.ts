// Flow collection on a real kernel: two namespaces on a veth pair, each with a RuleSet applied
// by the real driver and the real collector (conntrack -E child + nft listing) running in it.
// What each end reports, in enforce and test mode, IPv4 and IPv6, and that the traffic-made
// elements of the recording sets are never drift.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressSet, Mode, RuleSet } from "@microseg/core";
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

/** Server: accepts the client on tcp/80 and udp/53 (v4 and v6), denies everything else in. */
function serverPolicy(client: AddressSet, mode: Mode): RuleSet {
  return {
    workload: "server",
    mode,
    addresses: [],
    inbound: {
      default: "deny",
      entries: [
        {
          ruleId: "client-to-server",
          action: "allow",
          peer: { set: "client" },
          ports: [
            { proto: "tcp", ranges: [[80, 80]] },
            { proto: "udp", ranges: [[53, 53]] },
          ],
        },
      ],
    },
    outbound: { default: "allow", entries: [] },
    sets: { client },
    hash: `server-${mode}`,
  };
}

/** Client: may open anything, accepts nothing new inbound. */
const clientPolicy: RuleSet = {
  workload: "client",
  mode: "enforce",
  addresses: [],
  inbound: { default: "deny", entries: [] },
  outbound: { default: "allow", entries: [] },
  sets: {},
  hash: "client",
};

describePrivileged("flow collection on a real kernel", () => {
  const group = new NetnsGroup("mseg-flows");
  let server: Netns;
  let client: Netns;
  let servers: Servers;
  let serverDriver: NftDriver;
  let stateDir: string;
  const records = { server: [] as FlowTuple[], client: [] as FlowTuple[] };
  const collections: FlowCollection[] = [];
  let S: { v4: string; v6: string };
  let C: { v4: string; v6: string };

  async function collect(ns: Netns, who: "server" | "client", local: { v4: string; v6: string }) {
    collections.push(await collectInto(ns, stateDir, who, local, records[who]));
  }

  /** Waits until `who` reported a record matching `want` (a prefix of the tuple). */
  async function reported(who: "server" | "client", want: readonly unknown[], ms = 5000) {
    const end = Date.now() + ms;
    const matches = () =>
      records[who].filter((r) => want.every((v, i) => v === undefined || r[i] === v));
    while (matches().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return matches();
  }

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "mseg-flows-"));
    server = await group.create();
    client = await group.create();
    const [s, c] = await joinNamespaces(server, client, 0);
    S = { v4: s.v4, v6: canonical(s.v6) };
    C = { v4: c.v4, v6: canonical(c.v6) };
    servers = await startServers(server, [80, 81], 53);
    serverDriver = new NftDriver({ netns: server.name });
    await serverDriver.apply(serverPolicy({ v4: [`${C.v4}/32`], v6: [`${C.v6}/128`] }, "enforce"));
    await new NftDriver({ netns: client.name }).apply(clientPolicy);
    await collect(server, "server", S);
    await collect(client, "client", C);
  });

  afterAll(async () => {
    await Promise.all(collections.map((c) => c.stop()));
    servers?.stop();
    await group.deleteAll();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it("reports an allowed TCP and UDP connection on both ends, with the server's port", async () => {
    expect(await probeTcp(client, S.v4, 80)).toBe(true);
    expect(await probeUdp(client, S.v4, 53)).toBe(true);
    expect(await reported("server", ["in", "tcp", S.v4, C.v4, 80, "allowed"])).not.toEqual([]);
    expect(await reported("client", ["out", "tcp", C.v4, S.v4, 80, "allowed"])).not.toEqual([]);
    expect(await reported("server", ["in", "udp", S.v4, C.v4, 53, "allowed"])).not.toEqual([]);
    expect(await reported("client", ["out", "udp", C.v4, S.v4, 53, "allowed"])).not.toEqual([]);
    // Accounting is on: the DESTROY brings both directions' packets and bytes. A closed TCP
    // connection lingers in TIME_WAIT for 2 minutes; flushing the table destroys it now.
    await server.exec("conntrack", ["-F"]);
    const destroyed = await reported("server", ["in", "tcp", S.v4, C.v4, 80, "allowed", 0]);
    expect(destroyed[0]?.[7]).toBeGreaterThanOrEqual(4); // SYN, ACK, FIN, ... both ways
    expect(destroyed[0]?.[8]).toBeGreaterThan(0);
  });

  it("reports a blocked attempt at the dropping end, counting the SYN retransmits", async () => {
    expect(await probeTcp(client, S.v4, 81, { ms: 1500 })).toBe(false);
    const blocked = await reported("server", ["in", "tcp", S.v4, C.v4, 81, "blocked"]);
    expect(blocked.reduce((n, r) => n + r[6], 0)).toBeGreaterThanOrEqual(2);
    expect(blocked.every((r) => r[11] === "unanswered")).toBe(true); // dropped here
    expect(records.server.some((r) => r[4] === 81 && r[5] === "allowed")).toBe(false);
  });

  it("reports IPv6 the same way", async () => {
    expect(await probeTcp(client, S.v6, 80)).toBe(true);
    expect(await reported("server", ["in", "tcp", S.v6, C.v6, 80, "allowed"])).not.toEqual([]);
    expect(await reported("client", ["out", "tcp", C.v6, S.v6, 80, "allowed"])).not.toEqual([]);
    expect(await probeTcp(client, S.v6, 81, { ms: 500 })).toBe(false);
    expect(await reported("server", ["in", "tcp", S.v6, C.v6, 81, "blocked"])).not.toEqual([]);
  });

  it("test mode: a would-be-blocked connection is would-block, and not allowed", async () => {
    await serverDriver.apply(serverPolicy({ v4: [`${C.v4}/32`], v6: [`${C.v6}/128`] }, "test"));
    const before = records.server.length;
    expect(await probeTcp(client, S.v4, 81)).toBe(true); // test mode blocks nothing
    const wb = await reported("server", ["in", "tcp", S.v4, C.v4, 81, "would-block"]);
    expect(wb).not.toEqual([]);
    // The connection passed, so its outcome is what the network answered: one, established.
    expect(wb.reduce((n, r) => n + r[6], 0)).toBe(1);
    expect(wb[0]?.[11]).toBe("established");
    await new Promise((r) => setTimeout(r, 600)); // two more flushes
    const later = records.server.slice(before);
    expect(later.some((r) => r[4] === 81 && r[1] === "tcp" && r[5] === "allowed")).toBe(false);
    expect(later.some((r) => r[4] === 81 && r[5] === "blocked")).toBe(false);
  });

  it("never reports drift for the elements traffic adds", async () => {
    for (let i = 0; i < 5; i++) {
      await Promise.all([probeTcp(client, S.v4, 81, { ms: 300 }), probeTcp(client, S.v4, 80)]);
      expect(await serverDriver.drift()).toEqual({ drifted: false, details: [] });
      expect(await serverDriver.drift({ elements: false })).toEqual({
        drifted: false,
        details: [],
      });
    }
  });
});
