// RuleSet -> one nft JSON document that replaces the whole table atomically.
//
// Command order (firm): add table (so the delete cannot fail on a fresh machine), delete table,
// add table, chains, sets, elements, rules (recording chains' rules last). nft applies the document as one transaction, so
// there is no moment where the old table is gone and the new one not yet there.

import {
  type AddressSet,
  type ManagementAccess,
  NO_MANAGEMENT_ACCESS,
  type RuleSet,
} from "@microseg/core";
import { toElements } from "./elements.js";
import {
  FLOW_OUTCOME_PRIORITY,
  FLOW_REFUSED_CHAIN,
  flowChainName,
  flowChainRules,
  flowKindFor,
  flowOutcomeChainName,
  flowOutcomeRules,
  flowRefusedRules,
  flowRefusedSets,
  flowSets,
} from "./flow-recording.js";
import { DEFAULT_TABLE, kernelSetNames, MANAGEMENT_SETS } from "./names.js";
import { chainRules } from "./rules.js";
import type { NftChain, NftCommand, NftDocument, NftExpr, NftTable } from "./wire.js";

export interface RenderOptions {
  /** Table name inside family inet; default "microseg". */
  readonly table?: string;
  /** The management addresses (the controller's): the sets `mgmt-v4` / `mgmt-v6`. */
  readonly management?: AddressSet;
  /** What the management addresses may do (default: nothing beyond the policy). */
  readonly managementAccess?: ManagementAccess;
}

/**
 * The kernel-side sets of a RuleSet: every RuleSet set split by family and into hosts (hash
 * set) and prefixes (interval set), plus the two management interval sets.
 */
export interface KernelSet {
  readonly name: string;
  readonly type: "ipv4_addr" | "ipv6_addr";
  readonly interval: boolean;
  readonly cidrs: readonly string[];
}

const EMPTY: AddressSet = { v4: [], v6: [] };

export function kernelSets(ruleSet: RuleSet, management: AddressSet = EMPTY): KernelSet[] {
  const out: KernelSet[] = [
    { name: MANAGEMENT_SETS.v4, type: "ipv4_addr", interval: true, cidrs: management.v4 },
    { name: MANAGEMENT_SETS.v6, type: "ipv6_addr", interval: true, cidrs: management.v6 },
  ];
  for (const name of Object.keys(ruleSet.sets).sort()) {
    const set = ruleSet.sets[name] ?? EMPTY;
    const names = kernelSetNames(name);
    const v4 = set.v4.filter(isHost);
    const v6 = set.v6.filter(isHost);
    out.push({ name: names.v4, type: "ipv4_addr", interval: false, cidrs: v4 });
    out.push({ name: names.v4net, type: "ipv4_addr", interval: true, cidrs: without(set.v4, v4) });
    out.push({ name: names.v6, type: "ipv6_addr", interval: false, cidrs: v6 });
    out.push({ name: names.v6net, type: "ipv6_addr", interval: true, cidrs: without(set.v6, v6) });
  }
  return out;
}

/** A single address: no prefix length, /32 (IPv4) or /128 (IPv6). */
export function isHost(cidr: string): boolean {
  const slash = cidr.indexOf("/");
  if (slash < 0) return true;
  return cidr.slice(slash + 1) === (cidr.includes(":") ? "128" : "32");
}

function without(all: readonly string[], some: readonly string[]): string[] {
  const drop = new Set(some);
  return all.filter((c) => !drop.has(c));
}

export function renderRuleSet(ruleSet: RuleSet, options: RenderOptions = {}): NftDocument {
  const tableName = options.table ?? DEFAULT_TABLE;
  const table: NftTable = { family: "inet", name: tableName };
  const base = { family: "inet", table: tableName } as const;
  const chain = (name: string, hook: "input" | "output", prio = 0): NftChain => ({
    ...base,
    name,
    type: "filter",
    hook,
    prio,
    policy: "accept",
  });
  const outcome = (d: "inbound" | "outbound") =>
    chain(flowOutcomeChainName(d), d === "inbound" ? "input" : "output", FLOW_OUTCOME_PRIORITY);
  const sets = kernelSets(ruleSet, options.management);
  const kind = flowKindFor(ruleSet.mode);
  const recording = kind ? (["inbound", "outbound"] as const) : [];
  const commands: NftCommand[] = [
    { add: { table } },
    { delete: { table } },
    { add: { table } },
    { add: { chain: chain("input", "input") } },
    { add: { chain: chain("output", "output") } },
    ...recording.map((d) => ({
      add: { chain: { ...base, name: flowChainName(kind ?? "deny", d) } },
    })),
    { add: { chain: outcome("inbound") } },
    { add: { chain: outcome("outbound") } },
    { add: { chain: { ...base, name: FLOW_REFUSED_CHAIN } } },
    ...sets.map((s) => ({
      add: {
        set: {
          ...base,
          name: s.name,
          type: s.type,
          ...(s.interval ? { flags: ["interval"] as const } : {}),
        },
      },
    })),
    ...sets
      .filter((s) => s.cidrs.length > 0)
      .map((s) => ({ add: { element: { ...base, name: s.name, elem: toElements(s.cidrs) } } })),
    ...recording.flatMap((d) =>
      flowSets(kind ?? "deny", d).map((set) => ({ add: { set: { ...base, ...set } } })),
    ),
    ...flowRefusedSets().map((set) => ({ add: { set: { ...base, ...set } } })),
  ];
  const directions = [
    ["input", ruleSet.inbound, "inbound"],
    ["output", ruleSet.outbound, "outbound"],
  ] as const;
  for (const [chainName, ruleChain, direction] of directions) {
    const context = {
      direction,
      mode: ruleSet.mode,
      management: options.managementAccess ?? NO_MANAGEMENT_ACCESS,
    };
    for (const body of chainRules(ruleChain, context)) {
      commands.push({ add: { rule: { ...base, chain: chainName, ...body } } });
    }
  }
  for (const direction of recording) {
    const chainName = flowChainName(kind ?? "deny", direction);
    for (const expr of flowChainRules(kind ?? "deny", direction)) {
      commands.push({ add: { rule: { ...base, chain: chainName, expr } } });
    }
  }
  const observation: [string, NftExpr[][]][] = [
    ...(["inbound", "outbound"] as const).map((d): [string, NftExpr[][]] => [
      flowOutcomeChainName(d),
      flowOutcomeRules(),
    ]),
    [FLOW_REFUSED_CHAIN, flowRefusedRules()],
  ];
  for (const [chainName, rules] of observation) {
    for (const expr of rules) commands.push({ add: { rule: { ...base, chain: chainName, expr } } });
  }
  return { nftables: commands };
}
