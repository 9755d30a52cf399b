// The packets that stand for a rule's services when asking "may A reach B at all, and on what":
// one packet per piece of a port range, where the pieces are cut at every port boundary any rule
// of the policy draws (so no deny rule can cover part of a piece but not the rest of it).

import type { Packet, Policy, ServicePort, Workload } from "@microseg/core";

/** A packet to evaluate and the service text it stands for (`tcp/80`, `tcp/8000-8080`, `any`). */
export interface Probe {
  readonly packet: Packet;
  readonly text: string;
  /** For merging adjacent allowed pieces of one range: proto and the piece's bounds. */
  readonly range?: { readonly proto: string; readonly from: number; readonly to: number };
}

/** Per L4 protocol, the sorted ports where some rule's range starts or ends + 1. */
export type Cuts = ReadonlyMap<string, readonly number[]>;

export function policyCuts(policy: Policy): Cuts {
  const cuts = new Map<string, Set<number>>();
  for (const rule of policy.rules) {
    for (const s of rule.services) {
      if (!("from" in s)) continue;
      const set = cuts.get(s.proto) ?? new Set<number>();
      set.add(s.from);
      set.add(s.to + 1);
      cuts.set(s.proto, set);
    }
  }
  return new Map([...cuts].map(([proto, set]) => [proto, [...set].sort((a, b) => a - b)]));
}

/** The probes for one service of a rule; named ports resolve at the provider (or give none). */
export function probesFor(s: ServicePort | "any", provider: Workload, cuts: Cuts): Probe[] {
  if (s === "any" || s.proto === "any") return [{ packet: { proto: "any" }, text: "any" }];
  if (s.proto === "icmp" || s.proto === "icmpv6") {
    const type = s.type ?? (s.proto === "icmp" ? 8 : 128);
    const text = s.type === undefined ? s.proto : `${s.proto}/${s.type}`;
    return [{ packet: { proto: s.proto, type }, text }];
  }
  const range = "named" in s ? provider.namedPorts?.[s.named] : s;
  if (range === undefined || range.proto !== s.proto) return [];
  return pieces(range.from, range.to, cuts.get(s.proto) ?? []).map(([from, to]) => ({
    packet: { proto: s.proto, port: from },
    text: portText(s.proto, from, to),
    range: { proto: s.proto, from, to },
  }));
}

function pieces(from: number, to: number, cuts: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let start = from;
  for (const c of cuts) {
    if (c <= start) continue;
    if (c > to) break;
    out.push([start, c - 1]);
    start = c;
  }
  out.push([start, to]);
  return out;
}

export function portText(proto: string, from: number, to: number): string {
  return from === to ? `${proto}/${from}` : `${proto}/${from}-${to}`;
}

/** Allowed probes as service texts: adjacent pieces of one protocol merged, sorted, unique. */
export function mergeAllowed(allowed: readonly Probe[]): string[] {
  const texts = new Set<string>();
  const ranges = new Map<string, [number, number][]>();
  for (const p of allowed) {
    if (p.range === undefined) texts.add(p.text);
    else {
      const list = ranges.get(p.range.proto) ?? [];
      list.push([p.range.from, p.range.to]);
      ranges.set(p.range.proto, list);
    }
  }
  for (const [proto, list] of ranges) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cur: [number, number] | undefined;
    for (const [a, b] of list) {
      if (cur !== undefined && a <= cur[1] + 1) cur[1] = Math.max(cur[1], b);
      else {
        if (cur !== undefined) texts.add(portText(proto, cur[0], cur[1]));
        cur = [a, b];
      }
    }
    if (cur !== undefined) texts.add(portText(proto, cur[0], cur[1]));
  }
  return [...texts].sort(compareServiceText);
}

/** `any` first, then by protocol, then numerically by port. */
export function compareServiceText(a: string, b: string): number {
  const [pa = "", na = ""] = a.split("/");
  const [pb = "", nb = ""] = b.split("/");
  if (pa !== pb) return pa === "any" ? -1 : pb === "any" ? 1 : pa < pb ? -1 : 1;
  const ia = Number.parseInt(na, 10);
  const ib = Number.parseInt(nb, 10);
  if (!Number.isNaN(ia) && !Number.isNaN(ib) && ia !== ib) return ia - ib;
  return a < b ? -1 : a > b ? 1 : 0;
}
