// The wire's (proto, port) -> the port spelling of the flow graph and of explain(): `tcp/5432`,
// `udp/53`, `icmp` (every ICMP type is one service), `proto/47` for other IP protocols.

const NAMED_PROTOCOLS: Readonly<Record<string, string>> = {
  "1": "icmp",
  "6": "tcp",
  "17": "udp",
  "58": "icmpv6",
  "132": "sctp",
};

export function portSpec(proto: string, port: number): string {
  const p = NAMED_PROTOCOLS[proto] ?? proto.toLowerCase();
  if (p === "tcp" || p === "udp" || p === "sctp") return `${p}/${port}`;
  if (p === "icmp" || p === "icmpv6") return p;
  return /^\d+$/.test(p) ? `proto/${p}` : p;
}
