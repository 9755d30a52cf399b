// What a gateway export needs, whatever the firewall syntax: every managed workload's RuleSet
// with a short chain suffix, the union of their address sets (a set name that two RuleSets fill
// differently is renamed per workload), and which address leads to which workload.

import type { AddressSet, RuleSet } from "@microseg/core";
import { familyOf } from "./cidr.js";
import type { FidelityLog } from "./fidelity.js";

export interface GatewayWorkload {
  readonly ruleSet: RuleSet;
  /** Chain suffix: the workload's index in name order. */
  readonly index: number;
  /** RuleSet set name -> set name used in the export. */
  readonly setName: (name: string) => string;
}

export interface GatewayPlan {
  readonly workloads: readonly GatewayWorkload[];
  readonly sets: ReadonlyMap<string, AddressSet>;
  /** address -> workload index; an address claimed twice keeps its first owner. */
  readonly owners: ReadonlyMap<string, number>;
}

export function planGateway(
  ruleSets: readonly RuleSet[],
  log: FidelityLog,
  target: string,
): GatewayPlan {
  const sets = new Map<string, AddressSet>();
  const owners = new Map<string, number>();
  const workloads = ruleSets.map((rs, index) => {
    const renamed = new Map<string, string>();
    for (const [name, set] of Object.entries(rs.sets)) {
      const prior = sets.get(name);
      const unique = prior === undefined || same(prior, set) ? name : `${name}_w${index}`;
      renamed.set(name, unique);
      sets.set(unique, set);
    }
    for (const a of rs.addresses) {
      const owner = owners.get(a);
      if (owner === undefined) owners.set(a, index);
      else {
        log.add(
          "approximated",
          `address ${a}`,
          `${target} gateway: workloads ${ruleSets[owner]?.workload} and ${rs.workload} share it, and a packet is filtered by one owner's chains`,
          `${ruleSets[owner]?.workload}'s rules apply to it`,
        );
      }
    }
    return { ruleSet: rs, index, setName: (n: string) => renamed.get(n) ?? n };
  });
  log.add(
    "approximated",
    "gateway enforcement",
    `${target} gateway: only traffic routed through the gateway is filtered; traffic inside a segment never reaches it`,
    "each forwarded packet passes its source workload's outbound chain, then its destination workload's inbound chain",
  );
  return { workloads, sets: new Map([...sets].sort(([a], [b]) => (a < b ? -1 : 1))), owners };
}

function same(a: AddressSet, b: AddressSet): boolean {
  return a.v4.join() === b.v4.join() && a.v6.join() === b.v6.join();
}

export function addressesOf(plan: GatewayPlan, family: 4 | 6): [string, number][] {
  return [...plan.owners].filter(([a]) => familyOf(a) === family);
}
