// Services -> PortMatch[]: ranges merged per protocol and sorted; named ports resolved per workload.

import type { PortProtocol, PortRange, ServicePort, Workload } from "../model.js";
import type { PortMatch } from "../ruleset.js";

export interface NamedPort {
  readonly proto: PortProtocol;
  readonly named: string;
}

/** A rule's services split into what is fixed and what each provider resolves by name. */
export interface ServicePlan {
  /** Every protocol and port (empty services, or an `any` service): entries get `ports: []`. */
  readonly all: boolean;
  /** Fixed ports, normalized. */
  readonly fixed: readonly PortMatch[];
  readonly named: readonly NamedPort[];
}

const PROTO_ORDER = ["tcp", "udp", "sctp", "icmp", "icmpv6", "any"] as const;

export function planServices(services: readonly ServicePort[]): ServicePlan {
  if (services.length === 0 || services.some((s) => s.proto === "any")) {
    return { all: true, fixed: [], named: [] };
  }
  const named: NamedPort[] = [];
  const fixed: ServicePort[] = [];
  for (const s of services) {
    if ("named" in s) named.push({ proto: s.proto, named: s.named });
    else fixed.push(s);
  }
  return { all: false, fixed: toPortMatches(fixed), named };
}

/** A workload's ports for the named ports of a rule (the name and the protocol must agree). */
export function resolveNamed(named: readonly NamedPort[], w: Workload): PortRange[] {
  const out: PortRange[] = [];
  for (const n of named) {
    const p = w.namedPorts?.[n.named];
    if (p !== undefined && p.proto === n.proto) out.push(p);
  }
  return out;
}

/** Merges ports into normalized PortMatches: one per protocol, ranges sorted and merged. */
export function toPortMatches(ports: readonly (ServicePort | PortMatch)[]): PortMatch[] {
  const ranges = new Map<string, [number, number][]>();
  const icmp = new Map<string, Set<number> | "all">();
  for (const p of ports) {
    if (p.proto === "any") return [];
    if (p.proto === "icmp" || p.proto === "icmpv6") {
      addIcmp(icmp, p.proto, "type" in p ? [p.type] : "types" in p ? p.types : undefined);
    } else if ("from" in p) {
      pushRange(ranges, p.proto, [p.from, p.to]);
    } else if ("ranges" in p) {
      for (const r of p.ranges) pushRange(ranges, p.proto, [r[0], r[1]]);
    }
  }
  const out: PortMatch[] = [];
  for (const proto of PROTO_ORDER) {
    const rs = ranges.get(proto);
    if (rs !== undefined) out.push({ proto: proto as "tcp", ranges: mergePortRanges(rs) });
    const types = icmp.get(proto);
    if (types === "all") out.push({ proto: proto as "icmp" });
    else if (types !== undefined) {
      out.push({ proto: proto as "icmp", types: [...types].sort((a, b) => a - b) });
    }
  }
  return out;
}

function pushRange(map: Map<string, [number, number][]>, proto: string, r: [number, number]) {
  const list = map.get(proto);
  if (list === undefined) map.set(proto, [r]);
  else list.push(r);
}

function addIcmp(
  map: Map<string, Set<number> | "all">,
  proto: string,
  types: readonly (number | undefined)[] | undefined,
) {
  if (types === undefined || types.includes(undefined)) {
    map.set(proto, "all");
    return;
  }
  const cur = map.get(proto);
  if (cur === "all") return;
  const set = cur ?? new Set<number>();
  for (const t of types) set.add(t as number);
  map.set(proto, set);
}

function mergePortRanges(rs: [number, number][]): [number, number][] {
  rs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Canonical text of a port list, for set names and grouping. */
export function portsKey(ports: readonly PortMatch[]): string {
  return JSON.stringify(ports);
}
