// Hand-built RuleSets for driver tests (the compiler is not needed to exercise the driver).

import type { AddressSet, Mode, PortMatch, RuleSet } from "@microseg/core";

export interface ServerOptions {
  readonly mode?: Mode;
  readonly ports?: [number, number][];
  readonly udp?: number;
  readonly outboundDefault?: "allow" | "deny";
}

/** A server RuleSet: inbound from set `clients_in` on tcp `ports` (+udp), default deny. */
export function serverRuleSet(clients: AddressSet, opts: ServerOptions = {}): RuleSet {
  const ports: PortMatch[] = [{ proto: "tcp", ranges: opts.ports ?? [[80, 80]] }];
  if (opts.udp) ports.push({ proto: "udp", ranges: [[opts.udp, opts.udp]] });
  return {
    workload: "server",
    mode: opts.mode ?? "enforce",
    addresses: [],
    inbound: {
      default: "deny",
      entries: [
        { ruleId: "clients-to-server", action: "allow", peer: { set: "clients_in" }, ports },
      ],
    },
    outbound: { default: opts.outboundDefault ?? "deny", entries: [] },
    sets: { clients_in: clients },
    hash: JSON.stringify([clients, opts]),
  };
}
