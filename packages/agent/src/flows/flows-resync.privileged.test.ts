// Lost conntrack events are recovered from a table dump, on a real kernel: the server's
// collector runs with a tiny netlink buffer (so a burst overruns it for sure) while the client
// sends a burst of UDP datagrams, each to its own destination port (each a new conntrack entry
// and its own flow record). Every connection must be reported, and what is reported as dropped
// must be no more than what the dumps could not recover. No port listens: each datagram is
// answered by an ICMP port unreachable (the server's ICMP rate limits are lifted), so each
// connection, recovered from a dump or not, must be reported once, as refused.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NftDriver } from "@microseg/nft";
import { describePrivileged, joinNamespaces, type Netns, NetnsGroup } from "@microseg/nft/testing";
import type { FlowBatch } from "@microseg/protocol/agent";
import { afterAll, beforeAll, expect, it } from "vitest";
import { udpServerRuleSet } from "../testing/rulesets.js";
import { quiet } from "./collect.test-helpers.js";
import { type FlowCollection, startFlowCollection } from "./start-flows.js";

const BURST = 4000;
// One datagram to each of `total` destination ports from 20000 up, unpaced.
const SENDER = `
import socket, sys
dst, total = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in range(20000, 20000 + total):
    sock.sendto(b"x", (dst, port))
print(total)
`;

const serverPolicy = (client: string) => udpServerRuleSet(client, "resync-server");

describePrivileged("lost conntrack events recovered from a table dump", () => {
  const group = new NetnsGroup("mseg-resync");
  let server: Netns;
  let client: Netns;
  let stateDir: string;
  let flows: FlowCollection | undefined;
  let serverV4: string;
  const ports = new Map<number, number>();
  const outcomes = new Map<string, number>();
  let dropped = 0;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "mseg-resync-"));
    server = await group.create();
    client = await group.create();
    const [s, c] = await joinNamespaces(server, client, 0);
    serverV4 = s.v4;
    await new NftDriver({ netns: server.name }).apply(serverPolicy(c.v4));
    await server.exec("sysctl", [
      "-qw",
      "net.ipv4.icmp_ratelimit=0",
      "net.ipv4.icmp_msgs_per_sec=100000",
      "net.ipv4.icmp_msgs_burst=100000",
    ]);
    flows = await startFlowCollection({
      stateDir,
      intervalMs: 200,
      netns: server.name,
      conntrackBufferBytes: 4096, // the kernel doubles it: a few dozen events fit
      localAddresses: () => new Set([s.v4]),
      send: () => async (batch: FlowBatch) => {
        for (const r of batch.records) {
          if (r[1] !== "udp" || r[5] !== "allowed" || r[6] === 0) continue;
          ports.set(r[4], (ports.get(r[4]) ?? 0) + r[6]);
          outcomes.set(String(r[11]), (outcomes.get(String(r[11])) ?? 0) + r[6]);
        }
        dropped += batch.dropped ?? 0;
        return { seq: batch.seq, duplicate: false };
      },
      log: quiet,
    });
  });

  afterAll(async () => {
    await flows?.stop();
    await group.deleteAll();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it("reports every connection of a burst that overran the event socket", async () => {
    await new Promise((r) => setTimeout(r, 500)); // conntrack -E is listening
    const sent = Number(
      (await client.exec("python3", ["-c", SENDER, serverV4, String(BURST)])).trim(),
    );
    expect(sent).toBe(BURST);
    const end = Date.now() + 15_000;
    const seen = () => [...ports.values()].reduce((n, c) => n + c, 0);
    while (seen() < BURST && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // loss settles once the dump finished
    const stats = flows?.conntrackStats();
    // The burst really overran the socket: events were lost and recovered by a dump.
    expect(stats?.resyncs).toBeGreaterThanOrEqual(1);
    expect(stats?.recovered).toBeGreaterThan(0);
    // Every connection reported exactly once: one datagram per port, no duplicates.
    expect(seen()).toBe(BURST);
    expect(ports.size).toBe(BURST);
    expect([...ports.values()].every((c) => c === 1)).toBe(true);
    // Each answered by an ICMP error, recorded in the refused sets: refused, held or recovered.
    expect(Object.fromEntries(outcomes)).toEqual({ refused: BURST });
    // Nothing was unrecoverable (the entries live 30 s); lost DESTROYs are not in this window.
    expect(dropped).toBe(0);
  }, 30_000);
});
