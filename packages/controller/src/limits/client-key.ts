// Which "client" a connection or request counts against: its IPv4 address, or the /64 of its
// IPv6 address (one host usually holds a whole /64, so counting single IPv6 addresses would let
// it open connections and guess tokens without bound). IPv4-mapped IPv6 counts as IPv4.

import { isIPv4, isIPv6 } from "node:net";

export function clientKey(address: string | undefined): string {
  if (address === undefined || address === "") return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  return `${expand(address).slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of an IPv6 address (zone dropped; an embedded IPv4 tail counts as two). */
function expand(address: string): string[] {
  const plain = address.split("%")[0] ?? "";
  const [head = "", tail] = plain.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  const all = [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right];
  return all.map((h) => (h.includes(".") ? h : (Number.parseInt(h, 16) || 0).toString(16)));
}
