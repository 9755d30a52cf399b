// IP protocol numbers -> the names the flow wire uses, and which port a flow record carries.
// Wire contract (protocol/src/flows.ts): `tcp` `udp` `icmp` `icmpv6`, any other protocol as its
// number in decimal; port = destination port (tcp, udp), ICMP type (icmp, icmpv6), else 0.

const NAMES: Readonly<Record<number, string>> = { 6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6" };

export function protocolName(protocol: number): string {
  return NAMES[protocol] ?? String(protocol);
}

/** TCP and UDP have ports; ICMP/ICMPv6 report their type in the port field; others 0. */
export function hasPorts(protocol: number): boolean {
  return protocol === 6 || protocol === 17;
}

export function isIcmp(protocol: number): boolean {
  return protocol === 1 || protocol === 58;
}
