// Service arithmetic for allow-only backends: does a deny's services overlap an allow's, and what
// is left of the allow once the deny's services are taken out. Conservative where it cannot be
// exact: whatever cannot be computed is removed (stricter), never kept (looser).

import { formatServicePort, type PortProtocol, type ServicePort } from "@microseg/core";

const L4: readonly PortProtocol[] = ["tcp", "udp", "sctp"];

/** Empty services or an `any` service: every protocol and port. */
export function isAllPorts(services: readonly ServicePort[]): boolean {
  return services.length === 0 || services.some((s) => s.proto === "any");
}

/** Every protocol spelled out as port services (ports of tcp/udp/sctp, all ICMP). */
export function expandAll(): ServicePort[] {
  return [
    ...L4.map((proto) => ({ proto, from: 1, to: 65535 })),
    { proto: "icmp" as const },
    { proto: "icmpv6" as const },
  ];
}

function overlapOne(a: ServicePort, d: ServicePort): boolean {
  if (a.proto === "any" || d.proto === "any") return true;
  if (a.proto !== d.proto) return false;
  if (a.proto === "icmp" || a.proto === "icmpv6") {
    const dt = (d as { type?: number }).type;
    return a.type === undefined || dt === undefined || a.type === dt;
  }
  if ("named" in a || "named" in d) return true; // unknown until resolved: assume they may meet
  if (!("from" in a) || !("from" in d)) return false;
  return a.from <= d.to && d.from <= a.to;
}

export function portsOverlap(a: readonly ServicePort[], d: readonly ServicePort[]): boolean {
  const aa = isAllPorts(a) ? [{ proto: "any" as const }] : a;
  const dd = isAllPorts(d) ? [{ proto: "any" as const }] : d;
  return aa.some((x) => dd.some((y) => overlapOne(x, y)));
}

export interface PortsLeft {
  /** What remains allowed; empty: nothing. */
  readonly ports: ServicePort[];
  /** Pieces removed although the deny may not cover them (could not be computed exactly). */
  readonly lost: string[];
}

/** allow minus deny, per protocol. An allow of everything is first spelled out per protocol. */
export function subtractPorts(
  allow: readonly ServicePort[],
  deny: readonly ServicePort[],
): PortsLeft {
  if (isAllPorts(deny)) return { ports: [], lost: [] };
  const lost: string[] = [];
  const start = isAllPorts(allow) ? expandAll() : [...allow];
  if (isAllPorts(allow)) lost.push("protocols other than tcp, udp, sctp, icmp and icmpv6");
  const ports: ServicePort[] = [];
  for (const a of start) {
    const hits = deny.filter((d) => overlapOne(a, d));
    if (hits.length === 0) ports.push(a);
    else if ("from" in a && hits.every((d) => "from" in d)) {
      ports.push(...cutRange(a, hits as { from: number; to: number }[]));
    } else if (!coveredExactly(a, hits)) lost.push(formatServicePort(a));
  }
  return { ports, lost };
}

/** An ICMP type or named port that a deny names exactly is removed as intended, not lost. */
function coveredExactly(a: ServicePort, hits: readonly ServicePort[]): boolean {
  return hits.some(
    (d) =>
      formatServicePort(d) === formatServicePort(a) ||
      ((d.proto === "icmp" || d.proto === "icmpv6") && d.type === undefined),
  );
}

function cutRange(
  a: { proto: PortProtocol; from: number; to: number },
  cuts: readonly { from: number; to: number }[],
): ServicePort[] {
  let pieces = [{ from: a.from, to: a.to }];
  for (const c of cuts) {
    pieces = pieces.flatMap((p) => {
      if (c.to < p.from || c.from > p.to) return [p];
      const out = [];
      if (c.from > p.from) out.push({ from: p.from, to: c.from - 1 });
      if (c.to < p.to) out.push({ from: c.to + 1, to: p.to });
      return out;
    });
  }
  return pieces.map((p) => ({ proto: a.proto, ...p }));
}
