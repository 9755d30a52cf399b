// Hand-built RuleSets for agent tests and benchmarks: a server that accepts `clients` on some TCP
// ports, and one that takes UDP datagrams from one client on every unprivileged port.

import { createHash } from "node:crypto";
import type { AddressSet, RuleSet } from "@microseg/core";

export function serverRuleSet(
  clients: AddressSet,
  ports: readonly number[] = [80],
  workload = "server",
): RuleSet {
  return {
    workload,
    mode: "enforce",
    addresses: [],
    inbound: {
      default: "deny",
      entries: [
        {
          ruleId: "clients-to-server",
          action: "allow",
          peer: { set: "clients_in" },
          ports: [{ proto: "tcp", ranges: ports.map((p) => [p, p] as [number, number]) }],
        },
      ],
    },
    outbound: { default: "deny", entries: [] },
    sets: { clients_in: clients },
    hash: createHash("sha256")
      .update(JSON.stringify([clients, ports, workload]))
      .digest("hex")
      .slice(0, 16),
  };
}

/** `n` distinct IPv4 host addresses in 10.0.0.0/8, as /32s. */
export function manyClients(n: number): AddressSet {
  const v4 = Array.from(
    { length: n },
    (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`,
  );
  return { v4, v6: [] };
}

/** A server taking UDP from `client` on ports 1024-65535; it may send anywhere (flow tests). */
export function udpServerRuleSet(client: string, hash = "udp-server"): RuleSet {
  return {
    workload: "server",
    mode: "enforce",
    addresses: [],
    inbound: {
      default: "deny",
      entries: [
        {
          ruleId: "client-udp",
          action: "allow",
          peer: { set: "client" },
          ports: [{ proto: "udp", ranges: [[1024, 65535]] }],
        },
      ],
    },
    outbound: { default: "allow", entries: [] },
    sets: { client: { v4: [`${client}/32`], v6: [] } },
    hash,
  };
}
