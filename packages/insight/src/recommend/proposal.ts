// Observed edges -> proposed rules. Each edge is generalised to the identities of its ends
// (identity.ts); edges with the same two ends merge into one rule listing every observed port.
// Edges to or from bare addresses become ipList rules: one list per workload group and
// direction (the addresses that were seen talking to that group), lists with the same addresses
// shared.

import { formatServicePort, parseAddress, parseServicePort, type Workload } from "@microseg/core";
import { compareServiceText } from "../blast/probes.js";
import type { FlowEdge } from "../flow.js";
import { byEdgeKey } from "../replay/endpoints.js";
import {
  type Identity,
  identities,
  identityKey,
  identityName,
  matches,
  nameOf,
} from "./identity.js";

/** One side of a proposed rule: workloads by identity, or an ipList of observed addresses. */
export type ProposedPeer =
  | { readonly kind: "workloads"; readonly identity: Identity }
  | { readonly kind: "ipList"; readonly name: string };

export interface ProposedRule {
  readonly name: string;
  readonly from: ProposedPeer;
  readonly to: ProposedPeer;
  /** Sorted `tcp/5432`, `udp/53`, `icmp`. */
  readonly services: readonly string[];
  /** The observed edges this rule came from. */
  readonly edges: readonly FlowEdge[];
  readonly connections: number;
  /** What the generalisation admits that was not observed. */
  readonly admits: {
    /** Workloads the `from` side now selects that were never seen as a source of this rule. */
    readonly consumers: readonly string[];
    /** Workloads the `to` side now selects that were never seen as a destination. */
    readonly providers: readonly string[];
  };
}

export interface ProposedIpList {
  readonly name: string;
  readonly cidrs: readonly string[];
}

export interface Unexpressible {
  readonly edge: FlowEdge;
  readonly reason: string;
}

export interface Proposal {
  readonly rules: readonly ProposedRule[];
  readonly ipLists: readonly ProposedIpList[];
  readonly unexpressible: readonly Unexpressible[];
}

interface Bucket {
  from: ProposedPeer;
  to: ProposedPeer;
  edges: FlowEdge[];
  base: string;
}

export function propose(edges: readonly FlowEdge[], workloads: readonly Workload[]): Proposal {
  const ids = identities(workloads);
  const byName = new Map(workloads.map((w) => [w.name, w]));
  const buckets = new Map<string, Bucket>();
  const unexpressible: Unexpressible[] = [];
  const lists = new AddressLists();
  for (const e of [...edges].sort(byEdgeKey)) {
    const why = portProblem(e.port);
    if (why !== undefined) {
      unexpressible.push({ edge: e, reason: why });
      continue;
    }
    const from = peerOf(e.from, ids, byName);
    const to = peerOf(e.to, ids, byName);
    if (typeof from === "string" || typeof to === "string") {
      unexpressible.push({ edge: e, reason: typeof from === "string" ? from : (to as string) });
      continue;
    }
    if (from.kind === "address" && to.kind === "address") {
      unexpressible.push({ edge: e, reason: "neither end is a workload: no rule can apply" });
      continue;
    }
    const [fromKey, toKey] = [keyOf(from), keyOf(to)];
    const bucketKey = `${fromKey} -> ${toKey}`;
    const bucket = buckets.get(bucketKey) ?? {
      from: from.kind === "address" ? lists.placeholder(toKey, "clients") : from.peer,
      to: to.kind === "address" ? lists.placeholder(fromKey, "destinations") : to.peer,
      edges: [],
      base: bucketName(from, to),
    };
    if (from.kind === "address") for (const a of from.addresses) lists.add(toKey, "clients", a, to);
    if (to.kind === "address")
      for (const a of to.addresses) lists.add(fromKey, "destinations", a, from);
    bucket.edges.push(e);
    buckets.set(bucketKey, bucket);
  }
  const listNames = lists.finish();
  const names = new UniqueNames();
  const rules = [...buckets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, b]) => toRule(b, listNames, names, workloads));
  return { rules, ipLists: lists.lists(), unexpressible };
}

type End =
  | { kind: "workload"; peer: ProposedPeer & { kind: "workloads" }; name: string }
  | { kind: "address"; addresses: readonly string[] };

function peerOf(
  end: FlowEdge["from"],
  ids: Map<string, Identity | undefined>,
  byName: ReadonlyMap<string, Workload>,
): End | string {
  if (end.kind === "address") {
    return parseAddress(end.name) === undefined
      ? `"${end.name}" is not an IP address`
      : { kind: "address", addresses: [end.name] };
  }
  if (!ids.has(end.name)) return `workload "${end.name}" is not in the inventory`;
  const identity = ids.get(end.name);
  const w = byName.get(end.name);
  if (identity === undefined && w !== undefined && !w.managed && w.addresses.length > 0) {
    // An outside host the inventory knows only by name and address: it is not ours to label,
    // so it is named by its addresses, like any outside peer.
    return { kind: "address", addresses: w.addresses };
  }
  if (identity === undefined) {
    return `workload "${end.name}" has no labels, and rules name workloads by label; label it (microseg workloads suggest)`;
  }
  return { kind: "workload", peer: { kind: "workloads", identity }, name: end.name };
}

function keyOf(end: End): string {
  return end.kind === "address" ? "@address" : identityKey(end.peer.identity);
}

function bucketName(from: End, to: End): string {
  const n = (e: End) => (e.kind === "address" ? "" : identityName(e.peer.identity));
  if (from.kind === "address") return `outside-to-${n(to)}`;
  if (to.kind === "address") return `${n(from)}-to-outside`;
  return `${n(from)}-to-${n(to)}`;
}

/** Why a port cannot be written as a service, if it cannot. */
function portProblem(port: string): string | undefined {
  const parsed = parseServicePort(port);
  if (!parsed.ok) return `port "${port}" cannot be written as a service (${parsed.message})`;
  if ("named" in parsed.port) return `named port "${port}" needs the provider's namedPorts`;
  return undefined;
}

function toRule(
  b: Bucket,
  listNames: Map<string, string>,
  names: UniqueNames,
  workloads: readonly Workload[],
): ProposedRule {
  const resolve = (p: ProposedPeer): ProposedPeer =>
    p.kind === "ipList" ? { kind: "ipList", name: listNames.get(p.name) ?? p.name } : p;
  const services = [...new Set(b.edges.map((e) => canonicalPort(e.port)))].sort(compareServiceText);
  return {
    name: names.take(b.base),
    from: resolve(b.from),
    to: resolve(b.to),
    services,
    edges: b.edges,
    connections: b.edges.reduce((n, e) => n + e.count, 0),
    admits: {
      consumers: unobserved(b.from, new Set(b.edges.map((e) => e.from.name)), workloads),
      providers: unobserved(b.to, new Set(b.edges.map((e) => e.to.name)), workloads),
    },
  };
}

function canonicalPort(port: string): string {
  const parsed = parseServicePort(port);
  return parsed.ok ? formatServicePort(parsed.port) : port;
}

function unobserved(p: ProposedPeer, seen: Set<string>, workloads: readonly Workload[]): string[] {
  if (p.kind !== "workloads") return [];
  return workloads
    .filter((w) => !seen.has(w.name) && matches(p.identity, w.labels))
    .map((w) => w.name)
    .sort();
}

/** The addresses seen per workload group and direction, turned into named ipLists. */
class AddressLists {
  private readonly byGroup = new Map<string, { base: string; addresses: Set<string> }>();
  private names = new Map<string, string>();
  private readonly final: ProposedIpList[] = [];

  placeholder(groupKey: string, dir: string): ProposedPeer {
    return { kind: "ipList", name: `${dir}|${groupKey}` };
  }

  add(groupKey: string, dir: string, address: string, other: End): void {
    const id = `${dir}|${groupKey}`;
    const base =
      other.kind === "workload" ? `${identityName(other.peer.identity)}-${dir}` : nameOf(dir);
    const g = this.byGroup.get(id) ?? { base, addresses: new Set<string>() };
    g.addresses.add(address);
    this.byGroup.set(id, g);
  }

  /** Names the lists (same addresses: one shared list); answers placeholder -> name. */
  finish(): Map<string, string> {
    const byAddresses = new Map<string, string>();
    const names = new UniqueNames();
    for (const id of [...this.byGroup.keys()].sort()) {
      const g = this.byGroup.get(id) as { base: string; addresses: Set<string> };
      const cidrs = [...g.addresses].map(hostCidr).sort();
      const key = cidrs.join(",");
      let name = byAddresses.get(key);
      if (name === undefined) {
        name = names.take(g.base);
        byAddresses.set(key, name);
        this.final.push({ name, cidrs });
      }
      this.names.set(id, name);
    }
    this.final.sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.names;
  }

  lists(): ProposedIpList[] {
    return this.final;
  }
}

function hostCidr(address: string): string {
  return parseAddress(address)?.family === 6 ? `${address}/128` : `${address}/32`;
}

/** Names made unique with -2, -3, ... in the order taken. */
class UniqueNames {
  private readonly taken = new Set<string>();
  take(base: string): string {
    let name = base.slice(0, 60);
    for (let i = 2; this.taken.has(name); i++) name = `${base.slice(0, 57)}-${i}`;
    this.taken.add(name);
    return name;
  }
}
